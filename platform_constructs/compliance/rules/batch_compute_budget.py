"""PLAT-BATCH2: a Batch compute environment stays within the environment's instance types and budgets.

For ``AWS::Batch::ComputeEnvironment`` with ``ComputeResources``:

* every ``InstanceTypes`` entry is one of the environment's ``ec2_instance_types`` (generic values such
  as ``optimal`` or a bare family are not: Batch would pick any size, GPUs included);
* ``MaxvCpus`` is at most ``max_vcpus``;
* the GPU budget: at ``MaxvCpus``, the worst case number of GPUs (``catalog.worst_case_gpus``: the most GPUs
  on any mix of the instance types, plus AWS Batch's one-instance overshoot for every allocation strategy
  but ``BEST_FIT``) is at most ``max_gpus``;
* EC2 and SPOT compute resources use a launch template (IMDSv2, encrypted volumes: PLAT-LT1..3). A
  reference to a launch template outside the template cannot be checked and is reported as such.

Fargate resources have no instance types and no GPUs; unmanaged compute environments are outside the
platform's control and are reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_constructs.catalog import STRICT_ALLOCATION_STRATEGY, ec2, overshoots, worst_case_gpus
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
    max_vcpus = as_number(resources.get("MaxvCpus"))
    if max_vcpus is None:
        return  # reported by _vcpus
    specs = []
    for name in types:
        spec = ec2(name)
        if spec is None:
            yield Violation(where, f"instance type {name!r} is not in the platform's instance catalog; "
                                   "its GPU count is unknown, so the GPU budget cannot be verified")
            continue
        specs.append(spec)
    strategy = resources.get("AllocationStrategy", STRICT_ALLOCATION_STRATEGY)  # Batch's default is BEST_FIT
    if specs and isinstance(strategy, str):
        worst = worst_case_gpus(specs, int(max_vcpus), overshoot=overshoots(strategy))
        if worst > ctx.env.max_gpus:
            yield Violation(where, f"GPU budget: at MaxvCpus {max_vcpus:g} ({strategy}) on "
                                   f"{', '.join(s.name for s in specs)} up to {worst} GPUs could run; "
                                   f"{ctx.env.name} allows {ctx.env.max_gpus} (lower MaxvCpus)")
    elif specs:
        yield unverifiable(f"{WHERE}.AllocationStrategy", "AllocationStrategy")


def _vcpus(resources: Mapping[str, Any], ctx: RuleContext) -> Iterator[Violation]:
    where = f"{WHERE}.MaxvCpus"
    value = resources.get("MaxvCpus")
    if is_intrinsic(value):
        yield unverifiable(where, "MaxvCpus")
    elif (number := as_number(value)) is None:
        yield Violation(where, f"MaxvCpus is {value!r}; expected a number")
    elif number > ctx.env.max_vcpus:
        yield Violation(where, f"MaxvCpus {number:g} exceeds {ctx.env.max_vcpus}, the max_vcpus of {ctx.env.name}")


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


RULE = Rule(
    id="PLAT-BATCH2",
    title="Batch compute environments use allowed instance types, stay in the vCPU/GPU budget and a launch template",
    fix=("use BatchComputeEnv/GpuTrainingCluster, or list instance types from the environment's ec2_instance_types, "
         "keep MaxvCpus (and the GPUs it allows) within max_vcpus/max_gpus and attach a compliant launch template"),
    resource_types=("AWS::Batch::ComputeEnvironment",),
    check=check,
)
