"""PLAT-BATCH2: a Batch compute environment stays within the environment's instance types and budgets.

For ``AWS::Batch::ComputeEnvironment`` with ``ComputeResources``:

* every ``InstanceTypes`` entry is one of the environment's ``ec2_instance_types`` (generic values such
  as ``optimal`` or a bare family are not: Batch would pick any size, GPUs included);
* the budget of the environment's group: the compute environments of one construct (resources whose
  ``aws:cdk:path`` has the same parent; without path metadata, every compute environment of the template) together
  have ``MaxvCpus`` of at most ``max_vcpus`` and can run at most ``max_gpus`` GPUs at once. A compute environment's
  GPUs are AWS Batch's documented bound (``catalog.worst_case_gpus``, the same arithmetic the constructs plan
  with): ``MaxvCpus`` worth of instances of its types, plus one instance of the type with the most GPUs for every
  allocation strategy except ``BEST_FIT`` on on-demand ``EC2`` capacity ("Batch never exceeds maxvCpus by more
  than a single instance", ``ComputeResource.maxvCpus``);
* EC2 and SPOT compute resources use a launch template (IMDSv2, encrypted volumes: PLAT-LT1..3). A
  reference to a launch template outside the template cannot be checked and is reported as such.

Fargate resources have no instance types and no GPUs; unmanaged compute environments are outside the
platform's control and are reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_constructs.catalog import STRICT_ALLOCATION_STRATEGY, InstanceSpec, ec2, overshoots, worst_case_gpus
from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    as_number,
    is_intrinsic,
    props,
    unverifiable,
)

WHERE = "Properties.ComputeResources"
EC2_TYPES = ("EC2", "SPOT")


def _referenced_logical_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        if isinstance(value.get("Ref"), str):
            return str(value["Ref"])
        target = value.get("Fn::GetAtt")
        if isinstance(target, list) and target and isinstance(target[0], str):
            return target[0]
        if isinstance(target, str):
            return target.split(".", 1)[0]
    return None


def _launch_template(resources: Mapping[str, Any], ctx: RuleContext) -> Iterator[Violation]:
    where = f"{WHERE}.LaunchTemplate"
    spec = resources.get("LaunchTemplate")
    if is_intrinsic(spec):
        yield unverifiable(where, "LaunchTemplate")
        return
    if not isinstance(spec, Mapping):
        yield Violation(where, "no LaunchTemplate; EC2/SPOT compute needs the platform's launch template "
                               "(IMDSv2, encrypted volumes, no public IP)")
        return
    reference = spec.get("LaunchTemplateId", spec.get("LaunchTemplateName"))
    if reference is None:
        yield Violation(where, "LaunchTemplate names neither LaunchTemplateId nor LaunchTemplateName")
        return
    target = _referenced_logical_id(reference)
    if target is None:
        yield Violation(where, f"launch template {reference!r} is defined outside this template; its IMDSv2, "
                               "encryption and public-IP settings cannot be verified")
        return
    found = ctx.resource(target)
    if found is None or found.get("Type") != "AWS::EC2::LaunchTemplate":
        kind = "not in this template" if found is None else f"a {found.get('Type')}"
        yield Violation(where, f"LaunchTemplate refers to {target}, which is {kind}, not an AWS::EC2::LaunchTemplate")


def _specs(resources: Mapping[str, Any]) -> list[InstanceSpec] | None:
    types = resources.get("InstanceTypes")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        return None
    specs = [spec for name in types if (spec := ec2(name)) is not None]
    return specs if len(specs) == len(types) else None


def _compute(properties: Mapping[str, Any]) -> tuple[float, int] | None:
    """(MaxvCpus, worst-case GPUs) of one compute environment, ``None`` when not literal (reported elsewhere)."""
    resources = properties.get("ComputeResources")
    if not isinstance(resources, Mapping):
        return None
    vcpus, kind = as_number(resources.get("MaxvCpus")), resources.get("Type")
    if vcpus is None or not isinstance(kind, str):
        return None
    if kind.upper() not in EC2_TYPES:
        return vcpus, 0  # Fargate runs no GPUs
    specs, strategy = _specs(resources), resources.get("AllocationStrategy", STRICT_ALLOCATION_STRATEGY)
    if specs is None or not isinstance(strategy, str):
        return None
    return vcpus, worst_case_gpus(specs, int(vcpus), overshoot=overshoots(strategy, kind))


def _group(logical_id: str, resource: Resource) -> str:
    """The construct a compute environment belongs to: its ``aws:cdk:path`` parent ("" without metadata)."""
    metadata = resource.get("Metadata")
    path = metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
    if not isinstance(path, str):
        return ""
    path = path[: -len("/Resource")] if path.endswith("/Resource") else path
    return path.rsplit("/", 1)[0]


def _budget(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    group = _group(logical_id, resource)
    members = {lid: res for lid, res in ctx.template.get("Resources", {}).items()
               if isinstance(res, Mapping) and res.get("Type") == "AWS::Batch::ComputeEnvironment"
               and _group(lid, res) == group}
    members[logical_id] = resource
    totals = {lid: found for lid, res in sorted(members.items()) if (found := _compute(props(res))) is not None}
    where = f"the {len(totals)} compute environments of {group or 'this template'}" if len(totals) > 1 else \
        "this compute environment"
    vcpus = sum(v for v, _ in totals.values())
    if vcpus > ctx.env.max_vcpus:
        yield Violation(f"{WHERE}.MaxvCpus", f"MaxvCpus of {where} add up to {vcpus:g}, above {ctx.env.max_vcpus}, "
                                             f"the max_vcpus of {ctx.env.name}")
    gpus = sum(g for _, g in totals.values())
    if gpus > ctx.env.max_gpus:
        parts = ", ".join(f"{lid}: {g}" for lid, (_, g) in totals.items())
        yield Violation(f"{WHERE}.MaxvCpus", f"GPU budget: {where} can run up to {gpus} GPUs at once ({parts}; AWS "
                                             "Batch's documented bound: MaxvCpus worth of instances plus one instance "
                                             "except with BEST_FIT on EC2); "
                                             f"{ctx.env.name} allows {ctx.env.max_gpus} (lower MaxvCpus)")


def _instance_types(resources: Mapping[str, Any], ctx: RuleContext) -> Iterator[Violation]:
    where = f"{WHERE}.InstanceTypes"
    types = resources.get("InstanceTypes")
    if is_intrinsic(types) or (isinstance(types, list) and not all(isinstance(t, str) for t in types)):
        yield unverifiable(where, "InstanceTypes")
        return
    if not isinstance(types, list) or not types:
        yield Violation(where, "no InstanceTypes; Batch would choose any instance type (GPUs included)")
        return
    allowed = ctx.env.ec2_instance_types
    for name in types:
        if name not in allowed:
            yield Violation(where, f"instance type {name!r} is not allowed in {ctx.env.name}; allowed: "
                                   f"{', '.join(allowed)}")
        elif ec2(name) is None:
            yield Violation(where, f"instance type {name!r} is not in the platform's instance catalog; "
                                   "its GPU count is unknown, so the GPU budget cannot be verified")
    strategy = resources.get("AllocationStrategy", STRICT_ALLOCATION_STRATEGY)  # Batch's default is BEST_FIT
    if not isinstance(strategy, str):
        yield unverifiable(f"{WHERE}.AllocationStrategy", "AllocationStrategy")


def _vcpus(resources: Mapping[str, Any], ctx: RuleContext) -> Iterator[Violation]:
    where = f"{WHERE}.MaxvCpus"
    value = resources.get("MaxvCpus")
    if is_intrinsic(value):
        yield unverifiable(where, "MaxvCpus")
    elif as_number(value) is None:
        yield Violation(where, f"MaxvCpus is {value!r}; expected a number")


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    properties = props(resource)
    kind = properties.get("Type")
    if isinstance(kind, str) and kind.upper() == "UNMANAGED":
        yield Violation("Properties.Type", "an unmanaged compute environment is outside the platform's "
                                           "instance-type, budget and launch-template controls")
        return
    resources = properties.get("ComputeResources")
    if is_intrinsic(resources):
        yield unverifiable(WHERE, "ComputeResources")
        return
    if not isinstance(resources, Mapping):
        yield Violation(WHERE, "a managed compute environment without ComputeResources")
        return
    yield from _vcpus(resources, ctx)
    compute_type = resources.get("Type")
    if is_intrinsic(compute_type) or not isinstance(compute_type, str):
        yield unverifiable(f"{WHERE}.Type", "ComputeResources.Type")
        return
    if compute_type.upper() in EC2_TYPES:
        yield from _instance_types(resources, ctx)
        yield from _launch_template(resources, ctx)
    yield from _budget(logical_id, resource, ctx)


RULE = Rule(
    id="PLAT-BATCH2",
    title="Batch compute environments use allowed instance types, stay in the vCPU/GPU budget and a launch template",
    fix=("use BatchComputeEnv/GpuTrainingCluster, or list instance types from the environment's ec2_instance_types, "
         "keep MaxvCpus (and the GPUs it allows) within max_vcpus/max_gpus and attach a compliant launch template"),
    resource_types=("AWS::Batch::ComputeEnvironment",),
    check=check,
)
