"""Template values as deployed, resolved with boto3 only: what each check compares the emulator's answers with.

:class:`Resolver` evaluates a template value the way CloudFormation did for the deploy: ``Ref`` of a resource
is its physical id (``DescribeStackResources``), of a parameter its value (SSM-typed parameters read from SSM,
as CloudFormation does on every deploy), of a pseudo parameter the emulator's account/region;
``Fn::Join``/``Fn::Select``/``Fn::Split``/``Fn::Sub``/``Fn::FindInMap`` are computed; ``Fn::GetAtt`` is answered
for the attributes in :data:`ATTRIBUTE_READERS`, read back from the service. Anything else resolves to an
:class:`Unresolved` that names what was not resolved, and checks report it rather than pass it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.local.emulator import ACCOUNT, REGION, Emulator


@dataclass(frozen=True)
class Unresolved:
    """A template value the resolver could not evaluate with boto3."""

    what: str

    def __str__(self) -> str:
        return f"<unresolved {self.what}>"


def _key_arn(em: Emulator, ref: str) -> str:
    return str(em.client("kms").describe_key(KeyId=ref)["KeyMetadata"]["Arn"])


def _role_arn(em: Emulator, ref: str) -> str:
    return str(em.client("iam").get_role(RoleName=ref)["Role"]["Arn"])


def _profile_arn(em: Emulator, ref: str) -> str:
    return str(em.client("iam").get_instance_profile(InstanceProfileName=ref)["InstanceProfile"]["Arn"])


def _repository_arn(em: Emulator, ref: str) -> str:
    return str(em.client("ecr").describe_repositories(repositoryNames=[ref])["repositories"][0]["repositoryArn"])


def _log_group_arn(em: Emulator, ref: str) -> str:
    groups = em.client("logs").describe_log_groups(logGroupNamePrefix=ref)["logGroups"]
    return str(next(g["arn"] for g in groups if g["logGroupName"] == ref))


def _alarm_arn(em: Emulator, ref: str) -> str:
    return str(em.client("cloudwatch").describe_alarms(AlarmNames=[ref])["MetricAlarms"][0]["AlarmArn"])


def _project_arn(em: Emulator, ref: str) -> str:
    return str(em.client("codebuild").batch_get_projects(names=[ref])["projects"][0]["arn"])


def _rule_arn(em: Emulator, ref: str) -> str:
    return str(em.client("events").describe_rule(Name=ref)["Arn"])


def _latest_version(em: Emulator, ref: str) -> str:
    templates = em.client("ec2").describe_launch_templates(LaunchTemplateIds=[ref])["LaunchTemplates"]
    return str(templates[0]["LatestVersionNumber"])


def _vpc_cidr(em: Emulator, ref: str) -> str:
    return str(em.client("ec2").describe_vpcs(VpcIds=[ref])["Vpcs"][0]["CidrBlock"])


def _same(em: Emulator, ref: str) -> str:
    return ref


def _after_slash(em: Emulator, ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


ATTRIBUTE_READERS: Mapping[tuple[str, str], Callable[[Emulator, str], str]] = {
    ("AWS::KMS::Key", "Arn"): _key_arn,
    ("AWS::IAM::Role", "Arn"): _role_arn,
    ("AWS::IAM::InstanceProfile", "Arn"): _profile_arn,
    ("AWS::ECR::Repository", "Arn"): _repository_arn,
    ("AWS::Logs::LogGroup", "Arn"): _log_group_arn,
    ("AWS::CloudWatch::Alarm", "Arn"): _alarm_arn,
    ("AWS::EC2::LaunchTemplate", "LatestVersionNumber"): _latest_version,
    ("AWS::CodeBuild::Project", "Arn"): _project_arn,
    ("AWS::Events::Rule", "Arn"): _rule_arn,
    ("AWS::EC2::SecurityGroup", "GroupId"): _same,
    ("AWS::EC2::VPC", "CidrBlock"): _vpc_cidr,
    ("AWS::SNS::Topic", "TopicArn"): _same,
    ("AWS::S3::Bucket", "Arn"): lambda em, ref: f"arn:aws:s3:::{ref}",
    ("AWS::SageMaker::Model", "ModelName"): _after_slash,
    ("AWS::SageMaker::EndpointConfig", "EndpointConfigName"): _after_slash,
    ("AWS::SageMaker::Endpoint", "EndpointName"): _after_slash,
    ("AWS::Batch::SchedulingPolicy", "Arn"): _same,
    ("AWS::Batch::JobQueue", "JobQueueArn"): _same,
    ("AWS::Batch::ComputeEnvironment", "ComputeEnvironmentArn"): _same,
    ("AWS::SageMaker::ProcessingJob", "ProcessingJobArn"): _same,
    ("AWS::SageMaker::DataQualityJobDefinition", "JobDefinitionArn"): _same,
    ("AWS::SageMaker::ModelQualityJobDefinition", "JobDefinitionArn"): _same,
    ("AWS::SageMaker::MonitoringSchedule", "MonitoringScheduleArn"): _same,
    ("AWS::SageMaker::ModelPackageGroup", "ModelPackageGroupArn"): _same,
}
"""``(type, attribute)`` -> how boto3 reads it from the resource's physical id."""

PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws",
          "AWS::URLSuffix": "amazonaws.com"}


class Resolver:
    """Resolves values of one deployed stack's template."""

    def __init__(self, em: Emulator, stack: str, template: Mapping[str, Any], physical: Mapping[str, str]) -> None:
        self.em = em
        self.stack = stack
        self.template = template
        self.physical = physical
        self._parameters: dict[str, Any] = {}

    def parameter(self, name: str) -> Any:
        if name not in self._parameters:
            spec = self.template.get("Parameters", {})[name]
            value = spec.get("Default")
            if str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value") and value is not None:
                value = self.em.client("ssm").get_parameter(Name=value)["Parameter"]["Value"]
                if "List<" in spec["Type"]:
                    value = value.split(",")
            self._parameters[name] = value if value is not None else Unresolved(f"parameter {name}")
        return self._parameters[name]

    def ref(self, name: str) -> Any:
        if name == "AWS::StackName":
            return self.stack
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        if name in self.physical:
            return self.physical[name]
        return Unresolved(f"Ref {name}")

    def getatt(self, name: str, attribute: str) -> Any:
        resource = self.template.get("Resources", {}).get(name)
        reader = ATTRIBUTE_READERS.get((resource["Type"], attribute)) if resource else None
        if reader is None or name not in self.physical:
            return Unresolved(f"Fn::GetAtt {name}.{attribute}")
        try:
            return reader(self.em, self.physical[name])
        except Exception as exc:  # the resource cannot be read: the value is unknown, and says why
            return Unresolved(f"Fn::GetAtt {name}.{attribute} ({type(exc).__name__})")

    def _sub(self, text: str, variables: Mapping[str, Any]) -> Any:
        def one(match: re.Match[str]) -> str:
            key = match.group(1)
            if key.startswith("!"):
                return "${" + key[1:] + "}"
            if key in variables:
                value = self.resolve(variables[key])
            elif "." in key:
                value = self.getatt(*key.split(".", 1))
            else:
                value = self.ref(key)
            if isinstance(value, Unresolved):
                raise _StopError(value)
            return str(value)

        try:
            return re.sub(r"\$\{([^}]+)\}", one, text)
        except _StopError as stop:
            return stop.value

    def _join(self, value: Any) -> Any:
        parts = self.resolve(value[1])
        found = _first_unresolved(parts)
        return found if found else str(value[0]).join(str(p) for p in parts)

    def _select(self, value: Any) -> Any:
        items = self.resolve(value[1])
        return items if isinstance(items, Unresolved) else items[int(value[0])]

    def _split(self, value: Any) -> Any:
        text = self.resolve(value[1])
        return text if isinstance(text, Unresolved) else str(text).split(str(value[0]))

    def _find_in_map(self, value: Any) -> Any:
        keys = [self.resolve(v) for v in value]
        found = _first_unresolved(keys)
        if found is not None:
            return found
        try:
            return self.template["Mappings"][str(keys[0])][str(keys[1])][str(keys[2])]
        except KeyError:  # CloudFormation: "Unable to get mapping for <map>::<key>::<key>"
            return Unresolved(f"Fn::FindInMap {'::'.join(map(str, keys))}")

    def _getatt_node(self, value: Any) -> Any:
        name, attribute = (value if isinstance(value, list) else str(value).split(".", 1))[:2]
        return self.getatt(str(name), str(attribute))

    def _sub_node(self, value: Any) -> Any:
        text, variables = (value[0], value[1]) if isinstance(value, list) else (value, {})
        return self._sub(str(text), variables)

    def resolve(self, node: Any) -> Any:
        """``node`` with every intrinsic evaluated (an :class:`Unresolved` where one cannot be)."""
        if isinstance(node, list):
            return [self.resolve(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, value), = node.items()
            handlers: dict[str, Callable[[Any], Any]] = {
                "Ref": lambda v: self.ref(str(v)), "Fn::GetAtt": self._getatt_node, "Fn::Join": self._join,
                "Fn::Select": self._select, "Fn::Split": self._split, "Fn::Sub": self._sub_node,
                "Fn::FindInMap": self._find_in_map}
            if key in handlers:
                return handlers[key](value)
            if key.startswith("Fn::"):
                return Unresolved(key)
        return {k: self.resolve(v) for k, v in node.items()}


class _StopError(Exception):
    def __init__(self, value: Unresolved) -> None:
        super().__init__(str(value))
        self.value = value


def _first_unresolved(value: Any) -> Unresolved | None:
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, list):
        return next((u for u in map(_first_unresolved, value) if u is not None), None)
    if isinstance(value, dict):
        return next((u for u in map(_first_unresolved, value.values()) if u is not None), None)
    return None


def unresolved_in(value: Any) -> Unresolved | None:
    """The first :class:`Unresolved` inside ``value``, or None when it is fully resolved."""
    return _first_unresolved(value)
