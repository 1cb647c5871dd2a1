"""Workload egress: HTTPS to the platform network's interface endpoints (the VPC CIDR) and to S3 through its
gateway endpoint (S3's AWS-managed prefix list), for Batch jobs also to DynamoDB through its gateway endpoint,
nothing to the internet.

What each workload reaches, and why that is all inside those two destinations:

* **Batch on EC2 and Fargate** (``compute/``): the ECS agent talks to ``ecs``, ``ecs-agent`` and
  ``ecs-telemetry``, images come from ECR (``ecr.api``, ``ecr.dkr``) with their layers in S3, logs go to CloudWatch
  Logs (ECS Developer Guide, "Amazon ECS interface VPC endpoints (AWS PrivateLink)" and "Amazon ECR interface VPC
  endpoints": the layers "are stored in Amazon S3", reached through the S3 gateway endpoint); jobs call S3, KMS,
  STS, CloudWatch and Batch through the same endpoints. All of these are :data:`~platform_constructs.network
  .INTERFACE_ENDPOINTS` of the network (inside its CIDR) or S3. The one service outside: Metaflow's steps under
  Step Functions write the construct's foreach table in DynamoDB from the job (Metaflow's ``dynamo_db_client.py``,
  :mod:`platform_constructs.compute.workflows`), which the network reaches through a DynamoDB gateway endpoint
  (AWS PrivateLink Guide, "Gateway endpoints for Amazon DynamoDB"), so Batch groups also allow HTTPS to DynamoDB's
  prefix list.
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
from platform_constructs.prefix_lists import PREFIX_LISTS, prefix_list_problem

MAP_IDS = {"s3": "PlatformS3PrefixLists", "dynamodb": "PlatformDynamoDbPrefixLists"}
"""Service -> the stack mapping (region -> ``{service: pl-...}``) an environment-agnostic stack finds its prefix list
in."""
S3_PREFIX_LIST_MAP_ID = MAP_IDS["s3"]

HTTPS_TO_ENDPOINTS = "HTTPS to the VPC endpoints"
HTTPS_TO_S3 = "HTTPS to S3 through the gateway endpoint"
HTTPS_TO_DYNAMODB = "HTTPS to DynamoDB through the gateway endpoint"
_NAMES = {"s3": "S3", "dynamodb": "DynamoDB"}


def prefix_list(group: ec2.SecurityGroup, problems: Problems, service: str = "s3") -> str:
    """The prefix-list id of ``service`` (``s3``, ``dynamodb``) in ``group``'s stack: a literal when the stack's
    region is known at synth (a region without one is a problem of ``problems``, raised here), else a lookup in the
    service's mapping (:data:`MAP_IDS`)."""
    stack = Stack.of(group)
    table = PREFIX_LISTS[service]
    if not Token.is_unresolved(stack.region):
        problem = prefix_list_problem(stack.region, service)
        if problem is not None:
            problems.add("region", stack.region, *problem, reason=(
                f"the stack's region has no {_NAMES[service]} prefix list known to the platform, so "
                f"{group.node.path} could not reach {_NAMES[service]} through the gateway endpoint"))
            problems.raise_if_any()
        return table[stack.region]
    mapping = stack.node.try_find_child(MAP_IDS[service])
    if not isinstance(mapping, CfnMapping):
        mapping = CfnMapping(stack, MAP_IDS[service],
                             mapping={region: {service: prefix} for region, prefix in table.items()})
    return mapping.find_in_map(stack.region, service)


def https_egress_to_aws(group: ec2.SecurityGroup, *, vpc_cidr: str, problems: Problems | None = None,
                        dynamodb: bool = False) -> None:
    """Let ``group`` reach AWS the way the isolated platform network allows: HTTPS to the interface endpoints
    (inside ``vpc_cidr``) and to S3 through the gateway endpoint (S3's managed prefix list), nothing else.

    ``group`` must be created with ``allow_all_outbound=False``; ``vpc_cidr`` is the network's CIDR
    (``resolve_network(...).cidr``, a deploy-time value for a network found in SSM). ``problems``: the calling
    construct's (default: a new list named after ``group``); a stack region known at synth without a prefix list
    raises them as one :class:`~platform_constructs.errors.PlatformValidationError`. ``dynamodb``: also HTTPS to
    DynamoDB through the network's DynamoDB gateway endpoint (DynamoDB's prefix list), for workloads that call it
    (the Batch jobs write the Metaflow foreach table). Default: ``False``.
    """
    chosen = problems if problems is not None else Problems(group.node.path)
    destinations = [("s3", HTTPS_TO_S3), *([("dynamodb", HTTPS_TO_DYNAMODB)] if dynamodb else [])]
    lists = [(prefix_list(group, chosen, service), description) for service, description in destinations]
    group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), HTTPS_TO_ENDPOINTS)
    for prefix, description in lists:
        group.add_egress_rule(ec2.Peer.prefix_list(prefix), ec2.Port.tcp(443), description)
