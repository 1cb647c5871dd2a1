"""Workload egress: HTTPS to the platform network's interface endpoints (the VPC CIDR) and to S3 through its
gateway endpoint (S3's AWS-managed prefix list), nothing to the internet.

What each workload reaches, and why that is all inside those two destinations:

* **Batch on EC2 and Fargate** (``compute/``): the ECS agent talks to ``ecs``, ``ecs-agent`` and
  ``ecs-telemetry``, images come from ECR (``ecr.api``, ``ecr.dkr``) with their layers in S3, logs go to CloudWatch
  Logs (ECS Developer Guide, "Amazon ECS interface VPC endpoints (AWS PrivateLink)" and "Amazon ECR interface VPC
  endpoints": the layers "are stored in Amazon S3", reached through the S3 gateway endpoint); jobs call S3, KMS,
  STS, CloudWatch and Batch through the same endpoints. All of these are :data:`~platform_constructs.network
  .INTERFACE_ENDPOINTS` of the network (inside its CIDR) or S3.
* **SageMaker endpoint and Model Monitor jobs** (``serving/``): a model in a VPC reaches ECR, S3 (artifacts,
  capture), KMS, CloudWatch Logs / metrics and STS through the VPC's endpoints (SageMaker Developer Guide, "Give
  SageMaker Hosted Endpoints Access to Resources in Your Amazon VPC" and "Give SageMaker Processing Jobs Access
  to Resources in Your Amazon VPC": an S3 VPC endpoint, CloudWatch endpoints, and an ECR endpoint for the image).
* **Golden-image builds** (``images/``): CodeBuild in a VPC needs S3 (sources, artifacts, cache), CloudWatch Logs,
  ECR, and here SSM, CodeArtifact (``api`` and ``repositories``) and Inspector (CodeBuild User Guide, "Use
  CodeBuild with Amazon Virtual Private Cloud" and "Use VPC endpoints"; CodeArtifact User Guide, "Working with
  Amazon VPC endpoints"); the pipeline's own endpoints are in the VPC as well
  (:mod:`platform_constructs.images.build_network`).

Traffic security groups do not filter needs no rule: the Amazon DNS server (Route 53 Resolver), DHCP, instance
metadata, the ECS task metadata endpoints and Amazon Time Sync (VPC User Guide, "Control traffic to your AWS
resources using security groups": security groups do not filter traffic to and from these).
"""

from __future__ import annotations

from aws_cdk import CfnMapping, Stack, Token
from aws_cdk import aws_ec2 as ec2

from platform_constructs.errors import Problems
from platform_constructs.prefix_lists import S3_PREFIX_LISTS, s3_prefix_list_problem

S3_PREFIX_LIST_MAP_ID = "PlatformS3PrefixLists"
"""The stack mapping (region -> ``{"s3": pl-...}``) an environment-agnostic stack finds S3's prefix list in."""

HTTPS_TO_ENDPOINTS = "HTTPS to the VPC endpoints"
HTTPS_TO_S3 = "HTTPS to S3 through the gateway endpoint"


def s3_prefix_list(group: ec2.SecurityGroup, problems: Problems) -> str:
    """S3's prefix-list id in ``group``'s stack: a literal when the stack's region is known at synth (a region
    without one is a problem of ``problems``, raised here), else a lookup in :data:`S3_PREFIX_LIST_MAP_ID`."""
    stack = Stack.of(group)
    if not Token.is_unresolved(stack.region):
        problem = s3_prefix_list_problem(stack.region)
        if problem is not None:
            problems.add("region", stack.region, *problem, reason=(
                f"the stack's region has no S3 prefix list known to the platform, so {group.node.path} could not "
                "reach S3 through the gateway endpoint"))
            problems.raise_if_any()
        return S3_PREFIX_LISTS[stack.region]
    mapping = stack.node.try_find_child(S3_PREFIX_LIST_MAP_ID)
    if not isinstance(mapping, CfnMapping):
        mapping = CfnMapping(stack, S3_PREFIX_LIST_MAP_ID,
                             mapping={region: {"s3": prefix} for region, prefix in S3_PREFIX_LISTS.items()})
    return mapping.find_in_map(stack.region, "s3")


def https_egress_to_aws(group: ec2.SecurityGroup, *, vpc_cidr: str, problems: Problems | None = None) -> None:
    """Let ``group`` reach AWS the way the isolated platform network allows: HTTPS to the interface endpoints
    (inside ``vpc_cidr``) and to S3 through the gateway endpoint (S3's managed prefix list), nothing else.

    ``group`` must be created with ``allow_all_outbound=False``; ``vpc_cidr`` is the network's CIDR
    (``resolve_network(...).cidr``, a deploy-time value for a network found in SSM). ``problems``: the calling
    construct's (default: a new list named after ``group``); a stack region known at synth without an S3 prefix
    list raises them as one :class:`~platform_constructs.errors.PlatformValidationError`.
    """
    prefix_list = s3_prefix_list(group, problems if problems is not None else Problems(group.node.path))
    group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), HTTPS_TO_ENDPOINTS)
    group.add_egress_rule(ec2.Peer.prefix_list(prefix_list), ec2.Port.tcp(443), HTTPS_TO_S3)
