"""The template adapter's transformations: each ``(stack, template, limits) -> list[Change]`` edits a copy of
one stack template in place for one thing the emulator cannot take, and reports what it changed. Why each
exists is in :data:`platform_constructs.local.adapter.TRANSFORMATIONS`; each has a test in
``tests/local/test_local_adapter.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from platform_constructs.local.adapter_base import (
    Change,
    Template,
    depends_on,
    getatt,
    is_intrinsic,
    json_string_with_intrinsics,
    references,
    remove_resources,
    rewrite,
)
from platform_constructs.local.emulator import EmulatorLimits


def strip_bootstrap_version_rule(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Drop the ``CheckBootstrapVersion`` rule and its ``BootstrapVersion`` parameter (the emulator has no Rules)."""
    changes: list[Change] = []
    rules = template.get("Rules", {})
    if rules.pop("CheckBootstrapVersion", None) is not None:
        changes.append(Change(stack, "strip_bootstrap_version_rule", "Rules.CheckBootstrapVersion",
                              "removed the bootstrap version rule"))
    if "Rules" in template and not rules:
        del template["Rules"]
    params = template.get("Parameters", {})
    if params.pop("BootstrapVersion", None) is not None:
        changes.append(Change(stack, "strip_bootstrap_version_rule", "Parameters.BootstrapVersion",
                              "removed the bootstrap version parameter"))
    if "Parameters" in template and not params:
        del template["Parameters"]
    return changes


_PROVIDER_TYPES = {"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
                   "AWS::Logs::LogGroup", "AWS::Lambda::Permission", "AWS::StepFunctions::StateMachine"}


def drop_custom_resources(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Remove custom resources and the provider Lambdas/roles only they use.

    The emulator runs Lambdas in Docker, so a custom resource's create would hang. The provider is
    followed from ``ServiceToken``; a provider resource is removed only when nothing else that stays uses it.
    """
    resources: dict[str, Any] = template.get("Resources", {})
    custom = {lid for lid, res in resources.items()
              if res["Type"].startswith("Custom::") or res["Type"] == "AWS::CloudFormation::CustomResource"}
    if not custom:
        return []
    provider: set[str] = set()
    frontier = set().union(*(references(resources[c].get("Properties", {}).get("ServiceToken")) for c in custom))
    while frontier:
        lid = frontier.pop()
        if lid in provider or lid not in resources or resources[lid]["Type"] not in _PROVIDER_TYPES:
            continue
        provider.add(lid)
        frontier |= references(resources[lid]) | set(depends_on(resources[lid]))
    # keep provider pieces that a resource outside the custom-resource machinery still uses
    outside = set(resources) - custom - provider
    used_outside = set().union(*(references(resources[o]) for o in outside)) if outside else set()
    provider -= used_outside
    # resources that exist only to serve the provider (e.g. a policy attached to its role)
    changes = remove_resources(stack, template, custom, "custom resource: its provider Lambda needs Docker",
                                "drop_custom_resources")
    if provider:
        changes += remove_resources(stack, template, provider & set(resources), "custom resource provider",
                                     "drop_custom_resources")
    return changes


def uppercase_batch_compute_environment_type(stack: str, template: Template,
                                             limits: EmulatorLimits) -> list[Change]:
    """``Type: managed`` -> ``MANAGED`` on Batch compute environments (the emulator is case-sensitive)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Batch::ComputeEnvironment" and isinstance(props.get("Type"), str) \
                and props["Type"] != props["Type"].upper():
            changes.append(Change(stack, "uppercase_batch_compute_environment_type", lid,
                                  f"Type {props['Type']!r} -> {props['Type'].upper()!r}"))
            props["Type"] = props["Type"].upper()
    return changes


LOCAL_BATCH_SERVICE_ROLE = "LocalBatchServiceRole"


def _is_service_linked_batch_role(value: Any) -> bool:
    return "aws-service-role/batch.amazonaws.com" in json.dumps(value)


def add_batch_service_role(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Give Batch compute environments without ``ServiceRole``, or naming the service-linked role (which the
    emulator does not have), a role of their own (the emulator requires one; AWS uses its service-linked role)."""
    resources: dict[str, Any] = template.get("Resources", {})
    missing = [lid for lid, res in resources.items() if res["Type"] == "AWS::Batch::ComputeEnvironment"
               and ("ServiceRole" not in res.get("Properties", {})
                    or _is_service_linked_batch_role(res["Properties"]["ServiceRole"]))]
    if not missing:
        return []
    resources[LOCAL_BATCH_SERVICE_ROLE] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "batch.amazonaws.com"}}]},
            "ManagedPolicyArns": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBatchServiceRole"}],
        },
    }
    changes = [Change(stack, "add_batch_service_role", LOCAL_BATCH_SERVICE_ROLE,
                      "added an IAM role for Batch (AWS uses the service-linked role instead)")]
    for lid in missing:
        resources[lid].setdefault("Properties", {})["ServiceRole"] = {"Fn::GetAtt": [LOCAL_BATCH_SERVICE_ROLE, "Arn"]}
        changes.append(Change(stack, "add_batch_service_role", lid, f"ServiceRole -> {LOCAL_BATCH_SERVICE_ROLE}"))
    return changes


def _size(instance_type: str) -> str:
    return instance_type.rsplit(".", 1)[-1]


def substitute_instance_type(instance_type: str, accepts: Callable[[str], bool], *, prefix: str = "") -> str:
    """An instance type the emulator accepts for ``instance_type``: same size in a GPU (``g4dn``) or general
    (``m5``) family, else that family's ``xlarge``/``large``."""
    body = instance_type[len(prefix):] if instance_type.startswith(prefix) else instance_type
    gpu = body[:1] in {"g", "p"}
    family = "g4dn" if gpu else "m5"
    for candidate in (f"{prefix}{family}.{_size(body)}", f"{prefix}{family}.xlarge", f"{prefix}{family}.large"):
        if accepts(candidate):
            return candidate
    raise ValueError(f"no emulator-accepted substitute for instance type {instance_type!r}")


def swap_unsupported_instance_types(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Replace instance types the emulator rejects (e.g. ``ml.g5.*`` for SageMaker) with accepted ones."""
    changes: list[Change] = []
    for lid, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::SageMaker::EndpointConfig":
            for variant in props.get("ProductionVariants", []):
                old = variant.get("InstanceType")
                if isinstance(old, str) and not limits.accepts_sagemaker_instance(old):
                    variant["InstanceType"] = substitute_instance_type(old, limits.accepts_sagemaker_instance,
                                                                       prefix="ml.")
                    changes.append(Change(stack, "swap_unsupported_instance_types", lid,
                                          f"InstanceType {old} -> {variant['InstanceType']}"))
        elif res["Type"] == "AWS::Batch::ComputeEnvironment":
            compute = props.get("ComputeResources", {})
            types = compute.get("InstanceTypes")
            if isinstance(types, list):
                new = []
                for old in types:
                    kept = old
                    if isinstance(old, str) and not limits.accepts_batch_instance(old):
                        kept = substitute_instance_type(old, limits.accepts_batch_instance)
                        changes.append(Change(stack, "swap_unsupported_instance_types", lid,
                                              f"InstanceTypes {old} -> {kept}"))
                    if kept not in new:
                        new.append(kept)
                compute["InstanceTypes"] = new
    return changes


def batch_getatt_to_ref(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """``Fn::GetAtt`` on a Batch resource -> ``Ref`` (which is its ARN): the emulator drops *all* outputs of a
    stack whose outputs hold such a GetAtt, and does not resolve it in properties."""
    resources: dict[str, Any] = template.get("Resources", {})
    batch = {lid for lid, res in resources.items() if res["Type"].startswith("AWS::Batch::")}
    changes: list[Change] = []

    def to_ref(node: dict[str, Any], where: str) -> Any:
        read = getatt(node)
        if read is None or read[0] not in batch or not read[1].endswith("Arn"):
            return None
        changes.append(Change(stack, "batch_getatt_to_ref", where, f"Fn::GetAtt {read[0]}.{read[1]} -> Ref {read[0]}"))
        return {"Ref": read[0]}

    if batch:
        for section in ("Resources", "Outputs"):
            for name, body in template.get(section, {}).items():
                template[section][name] = rewrite(body, partial(to_ref, where=name))
    return changes


def name_ecr_repositories(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Give ECR repositories without ``RepositoryName`` an explicit lowercase one (the emulator requires it;
    AWS generates one)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        if res["Type"] != "AWS::ECR::Repository":
            continue
        props = res.setdefault("Properties", {})
        name = props.get("RepositoryName")
        if name is None:
            props["RepositoryName"] = re.sub(r"[^a-z0-9._/-]", "-", f"{stack}/{lid}".lower())[:256]
            changes.append(Change(stack, "name_ecr_repositories", lid, f"RepositoryName -> {props['RepositoryName']}"))
        elif isinstance(name, str) and name != name.lower():
            props["RepositoryName"] = name.lower()
            changes.append(Change(stack, "name_ecr_repositories", lid, f"RepositoryName {name} -> {name.lower()}"))
    return changes


def kms_key_tag_shape(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """KMS key ``Tags`` ``{Key, Value}`` -> ``{TagKey, TagValue}``: the emulator's CloudFormation handler passes
    the template's tags to its KMS API, which expects the API's shape (else a 500 and a half-created stack)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        tags = res.get("Properties", {}).get("Tags")
        if res["Type"] == "AWS::KMS::Key" and isinstance(tags, list) and any("Key" in t for t in tags):
            res["Properties"]["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} if "Key" in t else t
                                         for t in tags]
            changes.append(Change(stack, "kms_key_tag_shape", lid, f"{len(tags)} tags rewritten as TagKey/TagValue"))
    return changes


def ssm_parameter_tag_shape(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """SSM parameter ``Tags`` map (CloudFormation's shape) -> ``[{Key, Value}]`` (the API's shape, which the
    emulator's CloudFormation handler passes on unchanged)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        tags = res.get("Properties", {}).get("Tags")
        if res["Type"] == "AWS::SSM::Parameter" and isinstance(tags, dict):
            res["Properties"]["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
            changes.append(Change(stack, "ssm_parameter_tag_shape", lid, f"{len(tags)} tags rewritten as a list"))
    return changes


def batch_job_definition_retry_strategy(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Add ``RetryStrategy: {Attempts: 1}`` (AWS's default) to Batch job definitions without one: the emulator's
    CloudFormation handler requires the key."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Batch::JobDefinition" and "RetryStrategy" not in props:
            res.setdefault("Properties", {})["RetryStrategy"] = {"Attempts": 1}
            changes.append(Change(stack, "batch_job_definition_retry_strategy", lid,
                                  "RetryStrategy -> {Attempts: 1} (the AWS default, made explicit)"))
    return changes


def kms_key_policy_as_string(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """KMS ``KeyPolicy`` object -> the same policy as a JSON string expression: the emulator stores the object
    and later fails (500) to ``json.loads`` it on every ``DescribeKey``."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        policy = res.get("Properties", {}).get("KeyPolicy")
        if res["Type"] == "AWS::KMS::Key" and isinstance(policy, dict) and not is_intrinsic(policy):
            res["Properties"]["KeyPolicy"] = json_string_with_intrinsics(policy)
            changes.append(Change(stack, "kms_key_policy_as_string", lid, "KeyPolicy serialised to a JSON string "
                                  "(same statements)"))
    return changes


def batch_multinode_container_properties(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Give multi-node parallel job definitions a ``ContainerProperties`` copied from their first node range:
    the emulator insists on container properties for every job definition (AWS forbids them on multi-node)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        ranges = props.get("NodeProperties", {}).get("NodeRangeProperties", []) if isinstance(
            props.get("NodeProperties"), dict) else []
        if res["Type"] == "AWS::Batch::JobDefinition" and "ContainerProperties" not in props and ranges \
                and isinstance(ranges[0], dict) and "Container" in ranges[0]:
            props["ContainerProperties"] = json.loads(json.dumps(ranges[0]["Container"]))
            changes.append(Change(stack, "batch_multinode_container_properties", lid,
                                  "ContainerProperties copied from the first node range"))
    return changes


def _launch_template_groups(template: Template, reference: Any) -> list[Any]:
    """The security groups a compute environment's ``LaunchTemplate`` gives its instances: the launch template's
    ``SecurityGroupIds`` and its network interfaces' ``Groups`` (when the launch template is in this stack)."""
    if not isinstance(reference, dict):
        return []
    target = reference.get("LaunchTemplateId") or reference.get("LaunchTemplateName")
    logical_ids = references(target) & set(template.get("Resources", {}))
    groups: list[Any] = []
    for lid in sorted(logical_ids):
        data = template["Resources"][lid].get("Properties", {}).get("LaunchTemplateData", {})
        groups += list(data.get("SecurityGroupIds", []))
        for interface in data.get("NetworkInterfaces", []):
            groups += [g for g in interface.get("Groups", []) if g not in groups]
    return groups


def batch_security_groups_from_launch_template(stack: str, template: Template,
                                               limits: EmulatorLimits) -> list[Change]:
    """Give Batch compute environments without ``SecurityGroupIds`` the security groups of their launch template
    (AWS Batch takes them from there; the emulator requires ``securityGroupIds`` and fails the stack without)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        compute = res.get("Properties", {}).get("ComputeResources")
        if res["Type"] != "AWS::Batch::ComputeEnvironment" or not isinstance(compute, dict) \
                or compute.get("SecurityGroupIds"):
            continue
        groups = _launch_template_groups(template, compute.get("LaunchTemplate"))
        if groups:
            compute["SecurityGroupIds"] = groups
            changes.append(Change(stack, "batch_security_groups_from_launch_template", lid,
                                  f"SecurityGroupIds -> the {len(groups)} security group(s) of its launch template"))
    return changes
