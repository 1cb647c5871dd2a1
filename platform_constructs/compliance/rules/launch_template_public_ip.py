"""PLAT-LT3: a launch template gives no network interface a public IP address.

No ``LaunchTemplateData.NetworkInterfaces[*].AssociatePublicIpAddress`` may be true: platform compute
runs in isolated subnets and reaches AWS through VPC endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    may_be_true,
    props,
    unverifiable,
)

WHERE = "Properties.LaunchTemplateData.NetworkInterfaces"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    data = props(resource).get("LaunchTemplateData")
    interfaces = data.get("NetworkInterfaces") if isinstance(data, Mapping) else data
    if interfaces is None:
        return
    if not isinstance(interfaces, list):
        yield unverifiable(WHERE, "NetworkInterfaces")
        return
    for index, interface in enumerate(interfaces):
        where = f"{WHERE}[{index}]"
        public = interface.get("AssociatePublicIpAddress") if isinstance(interface, Mapping) else interface
        if is_intrinsic(public):
            yield unverifiable(f"{where}.AssociatePublicIpAddress", "AssociatePublicIpAddress")
        elif may_be_true(public):
            yield Violation(f"{where}.AssociatePublicIpAddress",
                            f"network interface gets a public IP address (AssociatePublicIpAddress: {public!r})")


RULE = Rule(
    id="PLAT-LT3",
    title="Launch templates associate no public IP address",
    fix="remove AssociatePublicIpAddress (or set it false) on the launch template's network interfaces",
    resource_types=("AWS::EC2::LaunchTemplate",),
    check=check,
)
