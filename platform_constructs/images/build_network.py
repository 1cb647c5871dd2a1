"""Where the builds run: the build security group and the interface endpoints the builds need beyond the platform
network's own (SSM for the approved-image parameters, CodeArtifact for the package index).

The platform network's subnets are isolated (no route to the internet): a build reaches ECR, CloudWatch Logs, KMS
and STS through the network's endpoints and S3 through its gateway endpoint, so the build security group allows
HTTPS out and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

BUILD_ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("SsmEndpoint", "ssm"),
    ("CodeArtifactApiEndpoint", "codeartifact.api"),
    ("CodeArtifactRepositoriesEndpoint", "codeartifact.repositories"),
)
"""(construct id, service) of each interface endpoint the builds add. CodeArtifact needs both its ``api`` and its
``repositories`` endpoint (AWS CodeArtifact User Guide, "Working with Amazon VPC endpoints")."""


def build_security_group(scope: Construct, vpc: ec2.IVpc) -> ec2.SecurityGroup:
    """The builds' security group: HTTPS out (to the endpoints), no other traffic."""
    group = ec2.SecurityGroup(
        scope, "BuildSecurityGroup", vpc=vpc, allow_all_outbound=False,
        description="Golden image builds: HTTPS to the VPC endpoints and the S3 gateway only",
    )
    group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS; the isolated subnets route only to endpoints")
    return group


def add_build_endpoints(scope: Construct, vpc: ec2.IVpc, subnet_ids: Sequence[str],
                        build_group: ec2.ISecurityGroup) -> ec2.SecurityGroup:
    """The :data:`BUILD_ENDPOINTS` with private DNS, reachable on 443 from ``build_group`` only. Returns their
    security group."""
    endpoint_group = ec2.SecurityGroup(
        scope, "EndpointSecurityGroup", vpc=vpc, allow_all_outbound=False,
        description="HTTPS from golden image builds to the SSM and CodeArtifact endpoints")
    endpoint_group.add_ingress_rule(build_group, ec2.Port.tcp(443), "HTTPS from the builds")
    stack = Stack.of(scope)
    for endpoint_id, service in BUILD_ENDPOINTS:
        ec2.CfnVPCEndpoint(
            scope, endpoint_id, vpc_id=vpc.vpc_id, vpc_endpoint_type="Interface",
            service_name=f"com.amazonaws.{stack.region}.{service}", subnet_ids=list(subnet_ids),
            security_group_ids=[endpoint_group.security_group_id], private_dns_enabled=True)
    return endpoint_group
