"""PLAT-BATCH3: no AWS Batch job or ECS task runs a privileged container.

``Privileged: true`` gives the container every capability and the host's devices: root on the instance,
and with it the instance role and every other job's data on that host. Checked in every container of an
``AWS::Batch::JobDefinition`` (single-node, multi-node and ECS properties) and an ``AWS::ECS::TaskDefinition``.
Any value CloudFormation could read as true counts (``"TRUE"``, ``"True"``, ...).
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.containers import CONTAINER_TYPES, containers
from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    may_be_true,
    unverifiable,
)


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for container in containers(resource):
        if container.body is None:
            yield unverifiable(container.location, "the container definition")
            continue
        privileged = container.body.get("Privileged")
        where = f"{container.location}.Privileged"
        if is_intrinsic(privileged):
            yield unverifiable(where, "Privileged")
        elif may_be_true(privileged):
            yield Violation(where, f"the container is privileged (Privileged: {privileged!r}): root on the host")


RULE = Rule(
    id="PLAT-BATCH3",
    title="Batch jobs and ECS tasks run no privileged container",
    fix="remove Privileged (or set it false); grant the specific device with LinuxParameters.Devices if one is needed",
    resource_types=CONTAINER_TYPES,
    check=check,
)
