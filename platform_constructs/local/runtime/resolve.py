"""Template values as deployed: intrinsic functions and ``{{resolve:ssm:...}}`` references resolved against a
deployment (pure: the deployment answers through :class:`Lookups`).

What cannot be known (the attributes of a resource the emulator did not create) becomes a symbolic
``unresolved:`` string, identical wherever it appears, so a statement naming that resource still matches a call
on it.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

_SSM = re.compile(r"\{\{resolve:ssm:([^}:]+)(?::\d+)?\}\}")


class Lookups(Protocol):
    """What the deployment knows: where it is, physical ids, SSM parameter values, Batch's ECS clusters."""

    partition: str
    region: str
    account: str

    @abstractmethod
    def physical_id(self, stack: str, logical_id: str) -> str | None: ...

    @abstractmethod
    def ssm(self, name: str) -> str: ...

    @abstractmethod
    def batch_cluster(self, environment: str) -> str: ...


ARN_FORMATS = {
    "AWS::KMS::Key": "arn:{partition}:kms:{region}:{account}:key/{id}",
    "AWS::S3::Bucket": "arn:{partition}:s3:::{id}",
    "AWS::Logs::LogGroup": "arn:{partition}:logs:{region}:{account}:log-group:{id}:*",
    "AWS::ECR::Repository": "arn:{partition}:ecr:{region}:{account}:repository/{id}",
    "AWS::IAM::Role": "arn:{partition}:iam::{account}:role/{id}",
    "AWS::CodeBuild::Project": "arn:{partition}:codebuild:{region}:{account}:project/{id}",
    "AWS::SSM::Parameter": "arn:{partition}:ssm:{region}:{account}:parameter/{id}",
    "AWS::CloudWatch::Alarm": "arn:{partition}:cloudwatch:{region}:{account}:alarm:{id}",
    "AWS::DynamoDB::Table": "arn:{partition}:dynamodb:{region}:{account}:table/{id}",
    "AWS::EFS::FileSystem": "arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{id}",
    "AWS::EFS::AccessPoint": "arn:{partition}:elasticfilesystem:{region}:{account}:access-point/{id}",
    "AWS::Batch::JobQueue": "{id}",  # Ref is the ARN
    "AWS::StepFunctions::StateMachine": "{id}",  # Ref is the ARN
}
"""``Fn::GetAtt X.Arn`` of a deployed resource from its physical id (CloudFormation's return values; a log
group's ``Arn`` ends in ``:*``)."""


def symbolic(logical_id: str, attribute: str = "Ref") -> str:
    """What a value of a resource the emulator did not create resolves to (the same string everywhere)."""
    return f"unresolved:{logical_id}.{attribute}"


def arn_of(resource_type: str, physical_id: str, lookups: Lookups) -> str | None:
    form = ARN_FORMATS.get(resource_type)
    if form is None:
        return None
    physical = physical_id.lstrip("/") if resource_type == "AWS::SSM::Parameter" else physical_id
    return form.format(partition=lookups.partition, region=lookups.region, account=lookups.account, id=physical)


def resolve(node: Any, stack: str, template: Mapping[str, Any], lookups: Lookups) -> Any:
    """``node`` with every intrinsic function and SSM reference replaced by its deployed value."""
    if isinstance(node, str):
        return _SSM.sub(lambda m: lookups.ssm(m.group(1)), node)
    if isinstance(node, list):
        return [resolve(v, stack, template, lookups) for v in node]
    if not isinstance(node, Mapping):
        return node
    if len(node) == 1:
        (key, value), = node.items()
        if key in _INTRINSICS:
            return _INTRINSICS[key](value, _Scope(stack, template, lookups))
    return {k: resolve(v, stack, template, lookups) for k, v in node.items()}


@dataclass(frozen=True)
class _Scope:
    stack: str
    template: Mapping[str, Any]
    lookups: Lookups

    def __call__(self, node: Any) -> Any:
        return resolve(node, self.stack, self.template, self.lookups)

    def ref(self, name: str) -> str:
        return _ref(name, self.stack, self.template, self.lookups)

    def getatt(self, lid: str, attribute: str) -> str:
        return _getatt(lid, attribute, self.stack, self.template, self.lookups)


def _sub(value: Any, scope: _Scope) -> str:
    text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            return str(scope(variables[name]))
        return scope.getatt(*name.split(".", 1)) if "." in name else scope.ref(name)

    return re.sub(r"\$\{([^}]+)\}", one, str(text))


_INTRINSICS: dict[str, Any] = {
    "Ref": lambda value, scope: scope.ref(str(value)),
    "Fn::GetAtt": lambda value, scope: scope.getatt(*(value if isinstance(value, list) else str(value).split(".", 1))),
    "Fn::Join": lambda value, scope: str(value[0]).join(str(v) for v in scope(value[1])),
    "Fn::Select": lambda value, scope: scope(value[1])[int(scope(value[0]))],
    "Fn::Split": lambda value, scope: str(scope(value[1])).split(str(value[0])),
    "Fn::Sub": _sub,
    # a mapping's value (CloudFormation's Fn::FindInMap: MapName, TopLevelKey, SecondLevelKey), e.g. the account
    # hosting SageMaker's framework images in the stack's region
    "Fn::FindInMap": lambda value, scope: scope.template["Mappings"][scope(value[0])][scope(value[1])][scope(value[2])],
}
"""The intrinsic functions our templates use, by name."""


def _ref(name: str, stack: str, template: Mapping[str, Any], lookups: Lookups) -> str:
    pseudo = {"AWS::Region": lookups.region, "AWS::AccountId": lookups.account, "AWS::Partition": lookups.partition,
              "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": stack}
    if name in pseudo:
        return pseudo[name]
    parameter = template.get("Parameters", {}).get(name)
    if parameter is not None:
        default = str(parameter.get("Default", ""))
        return lookups.ssm(default) if str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::Value") \
            else default
    physical = lookups.physical_id(stack, name)
    return physical if physical is not None else symbolic(name)


def _getatt(lid: str, attribute: str, stack: str, template: Mapping[str, Any], lookups: Lookups) -> str:
    physical = lookups.physical_id(stack, lid)
    resource_type = str(template.get("Resources", {}).get(lid, {}).get("Type", ""))
    if physical is not None and attribute == "Arn":
        arn = arn_of(resource_type, physical, lookups)
        if arn is not None:
            return arn
    return symbolic(lid, attribute)
