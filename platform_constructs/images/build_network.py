"""Where the builds run: the build security group and the interface endpoints the builds need beyond the platform
network's own (SSM for the approved-image parameters, CodeArtifact for the package index, Inspector for SBOMs).

The platform network's subnets are isolated (no route to the internet): a build reaches ECR, CloudWatch Logs, KMS
and STS through the network's endpoints and S3 through its gateway endpoint, so the build security group allows
HTTPS to the VPC CIDR and to S3's prefix list, nothing else.

**Endpoints are created once per VPC.** An interface endpoint with private DNS takes over the service's DNS name
in its VPC, so a second endpoint of the same service in the same VPC fails to deploy ("private DNS ... conflicting
DNS domain"). The pipeline therefore creates only the endpoints that neither the network (a ``PlatformNetwork`` in
the app: its :data:`~platform_constructs.network.INTERFACE_ENDPOINTS` and any interface endpoint added to it) nor
an earlier pipeline of the same app on the same network already provides. A pipeline in *another* app on the same
VPC cannot see them: pass ``create_endpoints=False`` there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct, IConstruct

from platform_constructs.core import PlatformConstruct, PlatformContext
from platform_constructs.egress import https_egress_to_aws

if TYPE_CHECKING:
    from platform_constructs.network import NetworkRef

BUILD_ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("SsmEndpoint", "ssm"),
    ("CodeArtifactApiEndpoint", "codeartifact.api"),
    ("CodeArtifactRepositoriesEndpoint", "codeartifact.repositories"),
    ("InspectorEndpoint", "inspector2"),
)
"""(construct id, service) of each interface endpoint the builds need. CodeArtifact needs both its ``api`` and its
``repositories`` endpoint (AWS CodeArtifact User Guide, "Working with Amazon VPC endpoints"); Inspector
(``inspector2``) serves the SBOM export."""
_REGISTRY_ID = "PlatformGoldenImageEndpoints"


class _EndpointRegistry(Construct):
    """An empty construct on the app root recording which build endpoints each network already has."""

    def __init__(self, root: IConstruct) -> None:
        super().__init__(root, _REGISTRY_ID)  # type: ignore[arg-type]  # any IConstruct can be a scope
        self.created: dict[str, set[str]] = {}


def _registry(scope: Construct) -> _EndpointRegistry:
    root = scope.node.root
    found = root.node.try_find_child(_REGISTRY_ID)
    return found if isinstance(found, _EndpointRegistry) else _EndpointRegistry(root)


def network_key(scope: Construct, vpc: ec2.IVpc | None) -> str:
    """Which VPC the builds run in, as far as synth can tell: the platform network published in SSM (also when a
    ``PlatformNetwork`` is in the stack), or an explicit VPC's construct path."""
    if vpc is None:
        return f"ssm:{PlatformContext.of(scope).policy.network.ssm_prefix}"
    return f"vpc:{vpc.node.path}"


def network_services(scope: Construct) -> set[str]:
    """The interface endpoint services of the app's ``PlatformNetwork`` constructs (the network the builds use
    when no ``vpc`` is given)."""
    from platform_constructs.network import INTERFACE_ENDPOINTS, PlatformNetwork

    services: set[str] = set()
    for construct in scope.node.root.node.find_all():
        if not isinstance(construct, PlatformNetwork):
            continue
        services.update(service.short_name for _, service in INTERFACE_ENDPOINTS)
        for child in construct.node.find_all():
            if isinstance(child, ec2.CfnVPCEndpoint) and child.vpc_endpoint_type == "Interface":
                services.add(_short_name(Stack.of(child).resolve(child.service_name)))
    return services


def _short_name(service_name: object) -> str:
    """``com.amazonaws.<region>.ssm`` (as written, or resolved to an ``Fn::Join``) -> ``ssm``."""
    if isinstance(service_name, dict) and "Fn::Join" in service_name:
        parts = service_name["Fn::Join"][1]
        service_name = parts[-1] if parts and isinstance(parts[-1], str) else ""
    text = str(service_name)
    return text.split(".", 3)[-1] if text.startswith("com.amazonaws.") else text.lstrip(".")


def endpoints_to_create(scope: Construct, vpc: ec2.IVpc | None, create: bool | None) -> list[tuple[str, str]]:
    """The :data:`BUILD_ENDPOINTS` this pipeline creates: none with ``create=False``; otherwise those neither the
    network nor an earlier pipeline of the app on the same network provides. Records them for later pipelines."""
    if create is False:
        return []
    key = network_key(scope, vpc)
    registry = _registry(scope)
    provided = registry.created.setdefault(key, set())
    if vpc is None:
        provided |= network_services(scope)
    wanted = [(endpoint_id, service) for endpoint_id, service in BUILD_ENDPOINTS if service not in provided]
    provided.update(service for _, service in wanted)
    return wanted


def build_security_group(scope: PlatformConstruct, network: NetworkRef) -> ec2.SecurityGroup:
    """The builds' security group: HTTPS to the network's interface endpoints and this module's (all inside the
    VPC CIDR) and to S3 through the gateway endpoint, no other traffic
    (:func:`platform_constructs.egress.https_egress_to_aws`). A build in a VPC reaches S3, CloudWatch Logs, ECR,
    CodeArtifact, SSM and Inspector only through endpoints (CodeBuild User Guide, "Use VPC endpoints": use a NAT
    gateway for services without PrivateLink; none of the builds' services lacks it)."""
    group = ec2.SecurityGroup(
        scope, "BuildSecurityGroup", vpc=network.vpc, allow_all_outbound=False,
        description="Golden image builds: HTTPS to the VPC endpoints and the S3 gateway only",
    )
    https_egress_to_aws(group, vpc_cidr=network.cidr, problems=scope.problems)
    return group


def add_build_endpoints(scope: Construct, vpc: ec2.IVpc, subnet_ids: Sequence[str], build_group: ec2.ISecurityGroup,
                        endpoints: Sequence[tuple[str, str]]) -> ec2.SecurityGroup | None:
    """``endpoints`` with private DNS, reachable on 443 from ``build_group`` only. Returns their security group
    (``None`` when there are none to create)."""
    if not endpoints:
        return None
    endpoint_group = ec2.SecurityGroup(
        scope, "EndpointSecurityGroup", vpc=vpc, allow_all_outbound=False,
        description="HTTPS from golden image builds to the SSM, CodeArtifact and Inspector endpoints")
    endpoint_group.add_ingress_rule(build_group, ec2.Port.tcp(443), "HTTPS from the builds")
    region = Stack.of(scope).region
    for endpoint_id, service in endpoints:
        ec2.CfnVPCEndpoint(
            scope, endpoint_id, vpc_id=vpc.vpc_id, vpc_endpoint_type="Interface",
            service_name=f"com.amazonaws.{region}.{service}", subnet_ids=list(subnet_ids),
            security_group_ids=[endpoint_group.security_group_id], private_dns_enabled=True)
    return endpoint_group
