"""PLAT-SM1: a SageMaker model runs network-isolated, inside the platform VPC.

``AWS::SageMaker::Model`` must set ``EnableNetworkIsolation: true`` (the container gets no outbound
network) and a ``VpcConfig`` with ``Subnets`` and ``SecurityGroupIds`` (model artifacts and images are
pulled through the VPC's endpoints). Subnet and security-group ids are usually intrinsics (``Ref``,
SSM parameters): that is fine, they are set. ``EnableNetworkIsolation`` must be a literal ``true``.

Findings: ``PLAT-SM1[isolation]`` (network isolation) and ``PLAT-SM1[vpc]`` (the VPC configuration).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    is_set,
    is_true,
    props,
    unverifiable,
)

ISOLATION, VPC = "isolation", "vpc"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    properties = props(resource)
    isolation = properties.get("EnableNetworkIsolation")
    if is_intrinsic(isolation):
        yield unverifiable("Properties.EnableNetworkIsolation", "EnableNetworkIsolation", ISOLATION)
    elif not is_true(isolation):
        yield Violation("Properties.EnableNetworkIsolation",
                        f"EnableNetworkIsolation is {isolation!r}; the model container must be network-isolated (true)",
                        ISOLATION)
    vpc = properties.get("VpcConfig")
    if is_intrinsic(vpc):
        yield unverifiable("Properties.VpcConfig", "VpcConfig", VPC)
    elif not isinstance(vpc, Mapping):
        yield Violation("Properties.VpcConfig", "no VpcConfig; the model must run in the platform VPC's subnets", VPC)
    else:
        for key in ("Subnets", "SecurityGroupIds"):
            if not is_set(vpc.get(key)):
                yield Violation(f"Properties.VpcConfig.{key}", f"VpcConfig has no {key}", VPC)


RULE = Rule(
    id="PLAT-SM1",
    title="SageMaker models are network-isolated and run in the platform VPC",
    fix="use SecureModelEndpoint, or set EnableNetworkIsolation: true and VpcConfig (Subnets, SecurityGroupIds)",
    resource_types=("AWS::SageMaker::Model",),
    findings=(ISOLATION, VPC),
    check=check,
)
