"""The monitoring role of an endpoint's Model Monitor jobs: reads only the endpoint's capture prefix and the baseline.

SageMaker assumes the role (for this account's SageMaker resources only: ``aws:SourceAccount`` and
``aws:SourceArn``, SageMaker's "Cross-service confused deputy prevention") to run the baselining job and every
scheduled monitoring execution: it reads the endpoint's captured requests (``data-capture/<endpoint name>/``) and
the baseline dataset (and, for model quality, the ground-truth labels), writes statistics, constraints and reports
under the endpoint's bucket (``model-monitor/``), uses the endpoint's key for them and for the ML storage volumes,
writes the processing jobs' logs and Model Monitor's metrics, and attaches the jobs to the endpoint's VPC.

No ECR permission: SageMaker pulls its own ``sagemaker-model-monitor-analyzer`` image ("You can't pull the built-in
sagemaker-model-monitor-analyzer image directly", SageMaker developer guide, "Amazon SageMaker Model Monitor prebuilt
container"). Processing jobs log to ``/aws/sagemaker/ProcessingJobs``, one log group per account and region that
SageMaker creates on first use; the role may write only there.
"""

from __future__ import annotations

import json

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_resources
from platform_constructs.serving.monitoring_settings import MonitoringSettings, S3Location

MONITOR_PREFIX = "model-monitor"
"""Prefix of the endpoint's bucket under which Model Monitor writes baselines, reports and merged ground truth."""
PROCESSING_LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
"""Where SageMaker writes the logs of processing jobs (the baselining job and every monitoring execution)."""
METRIC_NAMESPACES = ("aws/sagemaker/Endpoints/data-metrics", "aws/sagemaker/Endpoints/model-metrics")
"""Model Monitor's metrics of real-time endpoints (SageMaker developer guide, "CloudWatch Metrics")."""
VPC_DESCRIBE_ACTIONS = ("ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                        "ec2:DescribeSubnets", "ec2:DescribeVpcs")
"""What SageMaker reads to attach a processing job to a VPC ("Give SageMaker Processing Jobs Access to Resources in
Your Amazon VPC"); no resource types (Service Authorization Reference)."""
VPC_INTERFACE_ACTIONS = ("ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                         "ec2:DeleteNetworkInterfacePermission")


def capture_prefix(data_capture_prefix: str, endpoint_name: str) -> str:
    """Where SageMaker writes the endpoint's captured data: ``<DestinationS3Uri>/<endpoint name>/<variant>/...``
    (SageMaker developer guide, "Data capture": ``s3://<bucket>/<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh``)."""
    return f"{data_capture_prefix}/{endpoint_name}/"


def monitor_role(scope: Construct, settings: MonitoringSettings, *, endpoint_name: str, data_capture_prefix: str,
                 bucket: s3.IBucket, key: kms.IKey, vpc: ec2.IVpc,
                 security_group: ec2.ISecurityGroup) -> baseline.PlatformRole:
    """``Role`` of the endpoint's monitor ``scope``, with its least-privilege grants."""
    stack = Stack.of(scope)
    partition, region, account = stack.partition, stack.region, stack.account
    service = iam.ServicePrincipal("sagemaker.amazonaws.com", conditions={
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:sagemaker:{region}:{account}:*"}})
    role = baseline.platform_role(scope, "Role", assumed_by=service,
                                  description=f"SageMaker Model Monitor role of endpoint {endpoint_name}")
    captured = capture_prefix(data_capture_prefix, endpoint_name)
    _read(role, "ReadCapturedData", bucket.bucket_arn, bucket.arn_for_objects(f"{captured}*"), f"{captured}*")
    for job in settings.jobs:
        sid = "".join(part.capitalize() for part in job.kind.split("-"))
        _read_location(role, f"Read{sid}Baseline", job.baseline_dataset, partition)
        if job.ground_truth is not None:
            _read_location(role, f"Read{sid}GroundTruth", job.ground_truth, partition)
    results = bucket.arn_for_objects(f"{MONITOR_PREFIX}/*")
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="ReadWriteMonitorResults", actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
        resources=[results]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="UseEndpointKey", actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        resources=[key.key_arn]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="GrantVolumeKey", actions=["kms:CreateGrant"], resources=[key.key_arn],
        conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}}))
    logs = stack.format_arn(service="logs", resource="log-group", resource_name=f"{PROCESSING_LOG_GROUP}:*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME)
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="WriteProcessingLogs",
        actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        resources=[logs]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PublishMonitorMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
        conditions={"StringEquals": {"cloudwatch:namespace": list(METRIC_NAMESPACES)}}))
    role.add_to_principal_policy(iam.PolicyStatement(sid="DescribeNetwork", actions=list(VPC_DESCRIBE_ACTIONS),
                                                     resources=["*"]))
    _network_interfaces(stack, role, vpc, security_group)
    acknowledge(role, "model-monitor-role-unscopable-actions")
    acknowledge_resources(role, "model-monitor-object-prefixes", [bucket.arn_for_objects(f"{captured}*"), results,
                                                                  logs])
    return role


def _read(role: iam.IRole, sid: str, bucket_arn: str, objects: str, prefix: str) -> None:
    role.add_to_principal_policy(iam.PolicyStatement(sid=sid, actions=["s3:GetObject"], resources=[objects]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid=f"List{sid.removeprefix('Read')}", actions=["s3:ListBucket"], resources=[bucket_arn],
        conditions={"StringLike": {"s3:prefix": prefix}}))


def _read_location(role: baseline.PlatformRole, sid: str, location: S3Location, partition: str) -> None:
    """Read ``location`` as a processing input (an ``S3Prefix``: SageMaker lists it, then reads the objects)."""
    objects = f"arn:{partition}:s3:::{location.object_pattern}"
    _read(role, sid, f"arn:{partition}:s3:::{location.bucket}", objects, location.list_prefix)
    if location.key.endswith("/"):
        acknowledge_resources(role, "model-monitor-object-prefixes", [objects])


def _network_interfaces(stack: Stack, role: baseline.PlatformRole, vpc: ec2.IVpc,
                        security_group: ec2.ISecurityGroup) -> None:
    """Network interfaces of the jobs in the endpoint's VPC only (Service Authorization Reference):
    ``CreateNetworkInterface`` on new interfaces, the subnets and the monitor's security group, where the subnets and
    the group must be in the VPC (``ec2:Vpc``; the interface being created carries no such key, hence ``IfExists``);
    deleting and sharing interfaces of that VPC only."""
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
        sid="ManageJobNetworkInterfaces", actions=list(VPC_INTERFACE_ACTIONS), resources=[interfaces],
        conditions=manage))
    acknowledge_resources(role, "model-monitor-vpc-network-interfaces", [interfaces, subnets])
    if baseline.deploy_time_input(stack, vpc.vpc_id):  # e.g. the platform network's VPC, read from SSM
        for condition in (create, manage):
            acknowledge(role.policy, "model-monitor-vpc-deploy-time", resource=json.dumps(
                stack.resolve(condition), separators=(",", ":"), sort_keys=True))


