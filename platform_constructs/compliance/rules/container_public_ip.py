"""PLAT-BATCH6: no Fargate job or ECS service gives its tasks a public IP address.

``AssignPublicIp: ENABLED`` (Batch Fargate ``NetworkConfiguration``, ECS ``AwsvpcConfiguration``) puts every
task on the internet when its subnet routes to an internet gateway; platform workloads run in isolated
subnets and reach AWS through VPC endpoints. Compared case-insensitively, as the APIs accept it.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.containers import network_configurations
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, is_intrinsic, unverifiable


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for where, value in network_configurations(resource):
        if is_intrinsic(value):
            yield unverifiable(where, "AssignPublicIp")
        elif isinstance(value, str) and value.upper() == "ENABLED":
            yield Violation(where, "tasks get a public IP address (AssignPublicIp: ENABLED)")


RULE = Rule(
    id="PLAT-BATCH6",
    title="Fargate jobs and ECS services assign no public IP address",
    fix="set AssignPublicIp: DISABLED (the default) and run in the platform network's isolated subnets",
    resource_types=("AWS::Batch::JobDefinition", "AWS::ECS::Service"),
    check=check,
)
