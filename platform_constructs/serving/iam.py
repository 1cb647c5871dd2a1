"""The endpoint's execution role and its grants, and the actions ``grant_invoke`` gives a caller.

The role (a :class:`~platform_constructs.baseline.PlatformRole`: customer-managed policies only) may be assumed by
SageMaker on behalf of this account's SageMaker resources only (``aws:SourceAccount`` and ``aws:SourceArn``,
SageMaker's "Cross-service confused deputy prevention"). It may read the model artifact objects, pull the
variants' images, use the endpoint's key, write its log group, its bucket's data-capture (and async output)
prefixes and its instance metrics, publish to its async topics, read its rollback alarms (deployment guardrails:
"your IAM execution role has permission to perform the cloudwatch:DescribeAlarms action on the auto-rollback
alarms") and manage network interfaces in its own VPC. The only statements on ``*`` are the actions AWS cannot scope
to a resource; a grant added later lands in the role's user policy, where a grant on ``*`` fails synth
(:class:`~platform_constructs.baseline.PlatformRole`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
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
VPC_DESCRIBE_ACTIONS = (
    "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
)
"""What SageMaker reads to attach a model to the VPC; no resource types (Service Authorization Reference)."""
VPC_INTERFACE_ACTIONS = ("ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                         "ec2:DeleteNetworkInterfacePermission")
"""Network-interface actions whose ``network-interface`` resource carries the ``ec2:Vpc`` condition key."""


def invoke_actions(mode: EndpointMode) -> list[str]:
    """What a caller of the endpoint needs: synchronous and streaming invocation, or asynchronous in async mode."""
    if mode == "async":
        return ["sagemaker:InvokeEndpointAsync"]
    return ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]


def execution_role(scope: Construct, settings: EndpointSettings, *, images: Mapping[str, str], key: kms.IKey,
                   log_group: logs.ILogGroup, bucket: s3.IBucket, vpc: ec2.IVpc | None,
                   security_group: ec2.ISecurityGroup | None, artifacts: Sequence[str],
                   published_artifacts: Sequence[str] = ()) -> baseline.PlatformRole:
    """The SageMaker execution role ``ExecutionRole`` of the endpoint ``scope``, with its least-privilege grants.
    ``artifacts``: the model artifact objects' ARNs; ``published_artifacts``: those built at deploy time from the
    URLs the model registry published (:mod:`.packages`)."""
    stack = Stack.of(scope)
    partition, region, account = stack.partition, stack.region, stack.account
    service = iam.ServicePrincipal("sagemaker.amazonaws.com", conditions={
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:sagemaker:{region}:{account}:*"}})
    role = baseline.platform_role(scope, "ExecutionRole", assumed_by=service,
                                  description=f"SageMaker execution role of endpoint {settings.name}")
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="ReadModelArtifacts", actions=["s3:GetObject"], resources=[*artifacts, *published_artifacts]))
    for published in published_artifacts:  # an object ARN built at deploy time from the registry's published URL
        acknowledge(role.policy, "sagemaker-role-published-artifact", resource=json.dumps(
            stack.resolve(published), separators=(",", ":"), sort_keys=True))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PullModelImages",
        actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        resources=_image_repositories(scope, role, images)))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="UseEndpointKey", actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        resources=[key.key_arn]))
    log_group.grant_write(role)
    unscoped = [*UNSCOPABLE_ACTIONS, *(() if vpc is None else VPC_DESCRIBE_ACTIONS)]
    role.add_to_principal_policy(iam.PolicyStatement(sid="UnscopableActions", actions=unscoped, resources=["*"]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PublishEndpointMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
        conditions={"StringEquals": {"cloudwatch:namespace": INSTANCE_METRICS_NAMESPACE}}))
    acknowledge(role, "sagemaker-role-unscopable-actions")
    if vpc is not None and security_group is not None:
        _network_interfaces(stack, role, vpc, security_group)
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


def _network_interfaces(stack: Stack, role: baseline.PlatformRole, vpc: ec2.IVpc,
                        security_group: ec2.ISecurityGroup) -> None:
    """Network interfaces in the endpoint's VPC only (Service Authorization Reference): ``CreateNetworkInterface``
    on new interfaces, the subnets and the endpoint's security group, where the subnets and the group must be in
    the VPC (``ec2:Vpc``; the interface being created carries no such key, hence ``IfExists``); deleting and sharing
    interfaces of that VPC only."""
    vpc_arn = stack.format_arn(service="ec2", resource="vpc", resource_name=vpc.vpc_id)
    interfaces = stack.format_arn(service="ec2", resource="network-interface", resource_name="*")
    subnets = stack.format_arn(service="ec2", resource="subnet", resource_name="*")
    group = stack.format_arn(service="ec2", resource="security-group", resource_name=security_group.security_group_id)
    create = {"ArnEqualsIfExists": {"ec2:Vpc": vpc_arn}}
    manage = {"ArnEquals": {"ec2:Vpc": vpc_arn}}
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="CreateNetworkInterfaces", actions=["ec2:CreateNetworkInterface"], resources=[interfaces, subnets, group],
        conditions=create))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="ManageEndpointNetworkInterfaces", actions=list(VPC_INTERFACE_ACTIONS), resources=[interfaces],
        conditions=manage))
    acknowledge_resources(role, "sagemaker-role-vpc-network-interfaces", [interfaces, subnets])
    if baseline.deploy_time_input(stack, vpc.vpc_id):  # e.g. the platform network's VPC, read from SSM at deploy time
        for condition in (create, manage):
            acknowledge(role.policy, "sagemaker-role-vpc-deploy-time", resource=json.dumps(
                stack.resolve(condition), separators=(",", ":"), sort_keys=True))


def allow_rollback_alarms(role: iam.IRole, alarms: Sequence[cloudwatch.IAlarm]) -> None:
    """SageMaker reads the auto-rollback alarms with the execution role during a deployment."""
    if alarms:
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="ReadRollbackAlarms", actions=["cloudwatch:DescribeAlarms"], resources=[a.alarm_arn for a in alarms]))


def allow_async_notifications(role: iam.IRole, topics: Sequence[sns.ITopic]) -> None:
    """SageMaker publishes an asynchronous request's success or error with the execution role."""
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PublishAsyncNotifications", actions=["sns:Publish"], resources=[t.topic_arn for t in topics]))


def _image_repositories(scope: Construct, role: iam.IRole, images: Mapping[str, str]) -> list[str]:
    """The variants' ECR repositories; where an image's repository is unknown at synth, every approved one."""
    repositories: list[str] = []
    unknown = False
    for image in images.values():
        arn = image_repository_arn(scope, image)
        if arn is None:
            unknown = True
        elif arn not in repositories:
            repositories.append(arn)
    if unknown:
        approved = approved_repository_arns(scope)
        repositories.extend(a for a in approved if a not in repositories)
        acknowledge_resources(role, "approved-registry-pulls", approved)
    return repositories
