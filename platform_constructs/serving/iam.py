"""The endpoint's execution role and its grants, and the actions ``grant_invoke`` gives a caller.

The role (a :class:`~platform_constructs.baseline.PlatformRole`: one customer-managed policy) may read the model
artifact objects, pull the variants' images, use the endpoint's key, write its log group, its bucket's data-capture
(and async output) prefixes and its instance metrics. The only statements on ``*`` are the actions AWS cannot scope
to a resource; :func:`unexpected_wildcard_grants` finds any other grant on ``*`` added later.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_resources
from platform_constructs.images.defaults import approved_repository_arns, image_repository_arn
from platform_constructs.serving.monitoring import INSTANCE_METRICS_NAMESPACE
from platform_constructs.serving.settings import (
    ASYNC_FAILURE_PREFIX,
    ASYNC_INPUT_PREFIX,
    ASYNC_OUTPUT_PREFIX,
    DATA_CAPTURE_PREFIX,
    EndpointMode,
    EndpointSettings,
)

UNSCOPABLE_ACTIONS = ("ecr:GetAuthorizationToken",)
"""Actions with no resource type (Service Authorization Reference): granted on ``*``."""
VPC_UNSCOPABLE_ACTIONS = (
    "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
)
"""What SageMaker needs to attach a model to the VPC, on ``*`` as SageMaker's documented execution-role policy."""
WILDCARD_SIDS = ("UnscopableActions", "PublishEndpointMetrics")
"""The role's own statements on ``*`` (the acknowledgment ``sagemaker-role-unscopable-actions`` covers these)."""


def invoke_actions(mode: EndpointMode) -> list[str]:
    """What a caller of the endpoint needs: synchronous and streaming invocation, or asynchronous in async mode."""
    if mode == "async":
        return ["sagemaker:InvokeEndpointAsync"]
    return ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]


def execution_role(scope: Construct, settings: EndpointSettings, *, key: kms.IKey, log_group: logs.ILogGroup,
                   bucket: s3.IBucket) -> baseline.PlatformRole:
    """The SageMaker execution role ``ExecutionRole`` of the endpoint ``scope``, with its least-privilege grants."""
    role = baseline.platform_role(scope, "ExecutionRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
                                  description=f"SageMaker execution role of endpoint {settings.endpoint_name}")
    partition = Stack.of(scope).partition
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="ReadModelArtifacts", actions=["s3:GetObject"],
        resources=[f"arn:{partition}:s3:::{obj}" for obj in settings.model_artifacts]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PullModelImages",
        actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        resources=_image_repositories(scope, role, settings)))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="UseEndpointKey", actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        resources=[key.key_arn]))
    log_group.grant_write(role)
    unscoped = [*UNSCOPABLE_ACTIONS, *(() if settings.serverless else VPC_UNSCOPABLE_ACTIONS)]
    role.add_to_principal_policy(iam.PolicyStatement(sid="UnscopableActions", actions=unscoped, resources=["*"]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PublishEndpointMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
        conditions={"StringEquals": {"cloudwatch:namespace": INSTANCE_METRICS_NAMESPACE}}))
    acknowledge(role, "sagemaker-role-unscopable-actions")
    if not settings.serverless:
        acknowledge(role.policy, "sagemaker-vpc-network-interfaces")
    write_prefixes = [] if settings.serverless else [DATA_CAPTURE_PREFIX]
    if settings.mode == "async":
        write_prefixes += [ASYNC_OUTPUT_PREFIX, ASYNC_FAILURE_PREFIX]
        read_inputs = bucket.arn_for_objects(f"{ASYNC_INPUT_PREFIX}/*")
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="ReadAsyncInputs", actions=["s3:GetObject"], resources=[read_inputs]))
        acknowledge_resources(role, "sagemaker-role-object-prefixes", [read_inputs])
    if write_prefixes:
        writes = [bucket.arn_for_objects(f"{prefix}/*") for prefix in write_prefixes]
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="WriteEndpointData", actions=["s3:PutObject", "s3:AbortMultipartUpload"], resources=writes))
        acknowledge_resources(role, "sagemaker-role-object-prefixes", writes)
    return role


def _image_repositories(scope: Construct, role: iam.IRole, settings: EndpointSettings) -> list[str]:
    """The variants' ECR repositories; where an image's repository is unknown at synth, every approved one."""
    repositories: list[str] = []
    unknown = False
    for variant in settings.variants:
        arn = image_repository_arn(scope, variant.image) if variant.image is not None else None
        if arn is None:
            unknown = True
        elif arn not in repositories:
            repositories.append(arn)
    if unknown:
        approved = approved_repository_arns(scope)
        repositories.extend(a for a in approved if a not in repositories)
        acknowledge_resources(role, "approved-registry-pulls", approved)
    return repositories


def unexpected_wildcard_grants(role: baseline.PlatformRole) -> list[str]:
    """Actions granted on ``*`` by statements of the role's policy other than its own unscopable ones (a grant
    added after construction). Empty when the role is as the endpoint built it."""
    document = Stack.of(role).resolve(role.policy.document.to_json())
    found: list[str] = []
    for statement in document.get("Statement", []) if isinstance(document, dict) else []:
        resources = statement.get("Resource", [])
        if statement.get("Effect") != "Allow" or "*" not in ([resources] if isinstance(resources, str) else resources):
            continue
        if statement.get("Sid") in WILDCARD_SIDS:
            continue
        actions = statement.get("Action", [])
        found.extend([actions] if isinstance(actions, str) else actions)
    return found
