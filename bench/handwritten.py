"""The seed endpoint stack written by hand in plain aws-cdk-lib: the comparison users make (issue 19).

``ds_templates/endpoint.py``'s ten lines (``SecureModelEndpoint`` with data-quality monitoring) synthesize 36
resources; this module builds the same 36 — same types, same counts, the same properties where a platform engineer
writing them by hand would end at the same values — without platform-constructs: no policy file, no rule pack, no
synth report, no argument checks, literal values where the library derives them. The four cdk-nag packs our gate
installs are applied to the app with :func:`apply_nag_packs` (cdk-nag 3's API: validation plugins on the app root)
and every finding they raise is acknowledged on the resource it names, with the reason the library's decision table
gives for the same finding (``platform_constructs/compliance/decisions.py``). CDK's built-in template validation
stays on (nothing here turns it off).

``tests/package/test_handwritten_stack.py`` keeps the comparison honest: this stack's resource types and counts
equal the seed stack's. ``bench/run.py`` synthesizes both, alternating, and counts their jsii calls.

It imports nothing from ``platform_constructs`` (a test checks) so that its cost is plain CDK's.
"""

from __future__ import annotations

from aws_cdk import (
    Acknowledgment,
    Aws,
    CfnElement,
    CfnMapping,
    CfnOutput,
    CfnResource,
    Duration,
    RemovalPolicy,
    Stack,
    Tags,
    Validations,
)
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks
from constructs import Construct, IConstruct

TAGS = {"CostCenter": "product-recommendations", "DataClassification": "confidential", "Environment": "dev",
        "ManagedBy": "platform-constructs", "Owner": "ml-platform@example.com", "Project": "ml-platform"}
MODEL_DATA = "my-bucket/models/rec-model.tar.gz"
BASELINE_DATA = "my-bucket/datasets/rec-train.csv"
IMAGE_TAG = "pytorch-inference:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker"
INSTANCE_TYPE = "ml.g4dn.xlarge"
VARIANT = "Primary"
PERIOD = Duration.minutes(5)
DLC_ACCOUNTS = {
    "af-south-1": "626614931356", "ap-east-1": "871362719292", "ap-northeast-1": "763104351884",
    "ap-northeast-2": "763104351884", "ap-northeast-3": "364406365360", "ap-south-1": "763104351884",
    "ap-southeast-1": "763104351884", "ap-southeast-2": "763104351884", "ca-central-1": "763104351884",
    "eu-central-1": "763104351884", "eu-north-1": "763104351884", "eu-south-1": "692866216735",
    "eu-west-1": "763104351884", "eu-west-2": "763104351884", "eu-west-3": "763104351884",
    "me-south-1": "217643126080", "sa-east-1": "763104351884", "us-east-1": "763104351884",
    "us-east-2": "763104351884", "us-west-1": "763104351884", "us-west-2": "763104351884",
}
"""AWS Deep Learning Containers' registry account per region (SageMaker's "Docker Registry Paths")."""
S3_PREFIX_LISTS = {
    "ap-northeast-1": "pl-61a54008", "ap-northeast-2": "pl-78a54011", "ap-south-1": "pl-78a54011",
    "ap-southeast-1": "pl-6fa54006", "ap-southeast-2": "pl-6ca54005", "ca-central-1": "pl-7da54014",
    "eu-central-1": "pl-6ea54007", "eu-north-1": "pl-c3aa4faa", "eu-west-1": "pl-6da54004", "eu-west-2": "pl-7ca54015",
    "eu-west-3": "pl-23ad484a", "sa-east-1": "pl-6aa54003", "us-east-1": "pl-63a5400a", "us-east-2": "pl-7ba54012",
    "us-west-1": "pl-6ba54002", "us-west-2": "pl-68a54001",
}
"""S3's AWS-managed prefix list per region (``aws ec2 describe-managed-prefix-lists``), for HTTPS to the gateway."""
MONITOR_ACCOUNTS = {
    "af-south-1": "875698925577", "ap-east-1": "001633400207", "ap-northeast-1": "574779866223",
    "ap-northeast-2": "709848358524", "ap-south-1": "126357580389", "ap-southeast-1": "245545462676",
    "ap-southeast-2": "563025443158", "ca-central-1": "536280801234", "eu-central-1": "048819808253",
    "eu-north-1": "895015795356", "eu-south-1": "933208885752", "eu-west-1": "468650794304",
    "eu-west-2": "749857270468", "eu-west-3": "680080141114", "me-south-1": "607024016150",
    "sa-east-1": "539772159869", "us-east-1": "156813124566", "us-east-2": "777275614652",
    "us-west-1": "890145073186", "us-west-2": "159807026194",
}
"""The Model Monitor analyzer image's account per region (SageMaker's "Amazon SageMaker Model Monitor prebuilt
container")."""

REPLICATION = ("Cross-region replication needs a destination region and account chosen centrally; the bucket is "
               "versioned and KMS-encrypted.")
IAM5 = "SageMaker needs these actions on '*' or on resources named only at run time (Service Authorization Reference)."


def apply_nag_packs(app: IConstruct) -> None:
    """The four cdk-nag packs of our gate, as CDK validation plugins on the app root (cdk-nag 3)."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app),
                                    PCIDSS321Checks(app))


def _ack(construct: IConstruct, reason: str, *ids: str) -> None:
    validations = Validations.of(construct)
    for rule_id in ids:
        validations.acknowledge(Acknowledgment(id=rule_id, reason=reason))


def _replication(construct: IConstruct) -> None:
    _ack(construct, REPLICATION, *(f"{pack}-S3BucketReplicationEnabled"
                                   for pack in ("HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")))


class HandwrittenEndpointStack(Stack):
    """The seed endpoint stack's 36 resources in plain aws-cdk-lib (construct ids as the library's, so the logical
    ids are alike)."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        for tag, value in TAGS.items():
            Tags.of(self).add(tag, value)
        name = f"{id}-RecommendationModel"
        endpoint_name = f"{name}-a4eb1519"
        root = Construct(self, "RecommendationModel")

        vpc_id = ssm.StringParameter.value_for_string_parameter(self, "/platform/network/vpc-id")
        subnet_ids = ssm.StringListParameter.value_for_typed_list_parameter(
            self, "/platform/network/isolated-subnet-ids", type=ssm.ParameterValueType.AWS_EC2_SUBNET_ID)
        vpc = ec2.Vpc.from_vpc_attributes(self, "PlatformNetworkRef", vpc_id=vpc_id,
                                          availability_zones=self.availability_zones)
        vpc_cidr = ssm.StringParameter.value_for_string_parameter(self, "/platform/network/vpc-cidr")
        dlc = CfnMapping(self, "PlatformFrameworkAccounts",
                         mapping={region: {"dlc": account} for region, account in DLC_ACCOUNTS.items()})
        analyzer = CfnMapping(self, "PlatformModelMonitorAccounts",
                              mapping={region: {"account": account} for region, account in MONITOR_ACCOUNTS.items()})

        # key, log group, buckets, topic
        key = kms.Key(root, "Key", description=f"{id}/RecommendationModel: endpoint volumes, data capture, logs "
                      "and alarms", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY,
                      pending_window=Duration.days(7))
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowLogsService", principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"], resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                    f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"}}))
        alarms_arn = f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowCloudwatchService", principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"], conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                                         "ArnLike": {"aws:SourceArn": alarms_arn}}))
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="DenyGrantsExceptForAwsResources", effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()],
            actions=["kms:CreateGrant"], resources=["*"],
            conditions={"BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}}))
        log_group = logs.LogGroup(root, "Logs", log_group_name=f"/aws/sagemaker/Endpoints/{endpoint_name}",
                                  encryption_key=key, retention=logs.RetentionDays.ONE_MONTH,
                                  removal_policy=RemovalPolicy.DESTROY)
        access_logs = s3.Bucket(
            self, "PlatformAccessLogs", encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED, enforce_ssl=True, versioned=True,
            removal_policy=RemovalPolicy.DESTROY,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(30),
                                              noncurrent_version_expiration=Duration.days(30),
                                              abort_incomplete_multipart_upload_after=Duration.days(7))])
        # delivery through a bucket policy (below), not the legacy LogDeliveryWrite ACL (cfn-lint W3045); object
        # events to EventBridge (AWS Control Tower CT.S3.PR.4)
        access_logs_resource = access_logs.node.default_child
        assert isinstance(access_logs_resource, CfnResource)
        access_logs_resource.add_property_deletion_override("AccessControl")
        access_logs_resource.add_property_override("NotificationConfiguration.EventBridgeConfiguration."
                                                   "EventBridgeEnabled", True)
        _ack(access_logs, "The access-log bucket is the log destination; logging it would loop.", "AwsSolutions-S1",
             "HIPAA.Security-S3BucketLoggingEnabled", "NIST.800.53.R5-S3BucketLoggingEnabled",
             "PCI.DSS.321-S3BucketLoggingEnabled")
        _ack(access_logs, "S3 server access logging delivers only to SSE-S3 buckets.",
             "HIPAA.Security-S3DefaultEncryptionKMS", "NIST.800.53.R5-S3DefaultEncryptionKMS",
             "PCI.DSS.321-S3DefaultEncryptionKMS")
        _replication(access_logs)
        bucket = s3.Bucket(
            root, "DataBucket", encryption=s3.BucketEncryption.KMS, encryption_key=key, bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, enforce_ssl=True, versioned=True,
            server_access_logs_bucket=access_logs, server_access_logs_prefix=f"{id}RecommendationModel/DataBucket/",
            removal_policy=RemovalPolicy.DESTROY,
            lifecycle_rules=[s3.LifecycleRule(id="endpoint-data-lifecycle", expiration=Duration.days(30),
                                              noncurrent_version_expiration=Duration.days(30),
                                              abort_incomplete_multipart_upload_after=Duration.days(7))])
        bucket_resource = bucket.node.default_child
        assert isinstance(bucket_resource, CfnResource)
        bucket_resource.add_property_override("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled",
                                              True)  # without the custom resource event_bridge_enabled=True adds
        access_logs.add_to_resource_policy(iam.PolicyStatement(
            sid="S3ServerAccessLogsDelivery", principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
            actions=["s3:PutObject"], resources=[access_logs.arn_for_objects("*")],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                        "ArnLike": {"aws:SourceArn": [bucket.bucket_arn]}}))
        _replication(bucket)
        topic = sns.Topic(root, "AlarmTopic", master_key=key, enforce_ssl=True)
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowCloudWatchAlarms", principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"], resources=[topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                        "ArnLike": {"aws:SourceArn": alarms_arn}}))
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="DenyServicePublishForOtherAccounts", effect=iam.Effect.DENY, principals=[iam.StarPrincipal()],
            actions=["sns:Publish"], resources=[topic.topic_arn],
            conditions={"Bool": {"aws:PrincipalIsAWSService": "true"},
                        "StringNotEqualsIfExists": {"aws:SourceAccount": Aws.ACCOUNT_ID}}))

        # network and execution role
        group = ec2.SecurityGroup(root, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
                                  description=f"SageMaker endpoint {name}: no ingress, HTTPS egress to VPC endpoints")
        s3_lists = CfnMapping(self, "PlatformS3PrefixLists",
                              mapping={region: {"s3": prefix} for region, prefix in S3_PREFIX_LISTS.items()})
        s3_list = s3_lists.find_in_map(Aws.REGION, "s3")
        group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), "HTTPS to the VPC endpoints")
        group.add_egress_rule(ec2.Peer.prefix_list(s3_list), ec2.Port.tcp(443),
                              "HTTPS to S3 through the gateway endpoint")
        sagemaker_principal = iam.ServicePrincipal("sagemaker.amazonaws.com", conditions={
            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:sagemaker:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"}})
        role = iam.Role(root, "ExecutionRole", assumed_by=sagemaker_principal,
                        description=f"SageMaker execution role of endpoint {name}")
        region_account = f"arn:{Aws.PARTITION}:ec2:{Aws.REGION}:{Aws.ACCOUNT_ID}"
        interfaces, subnets = f"{region_account}:network-interface/*", f"{region_account}:subnet/*"
        vpc_arn = f"{region_account}:vpc/{vpc_id}"
        dlc_account = dlc.find_in_map(Aws.REGION, "dlc")
        policy = iam.ManagedPolicy(role, "Policy", roles=[role],
                                   description=f"Least-privilege permissions of SageMaker execution role of endpoint "
                                               f"{name}")
        policy.add_statements(
            iam.PolicyStatement(sid="ReadModelArtifacts", actions=["s3:GetObject"],
                                resources=[f"arn:{Aws.PARTITION}:s3:::{MODEL_DATA}"]),
            iam.PolicyStatement(sid="PullModelImages", actions=[
                "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                resources=[f"arn:{Aws.PARTITION}:ecr:{Aws.REGION}:{dlc_account}:repository/pytorch-inference"]),
            iam.PolicyStatement(sid="UseEndpointKey", actions=[
                "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"], resources=[key.key_arn]),
            iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                resources=[log_group.log_group_arn]),
            iam.PolicyStatement(sid="UnscopableActions", actions=[
                "ecr:GetAuthorizationToken", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], resources=["*"]),
            iam.PolicyStatement(sid="PublishEndpointMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
                                conditions={"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}),
            iam.PolicyStatement(sid="CreateNetworkInterfaces", actions=["ec2:CreateNetworkInterface"], resources=[
                interfaces, subnets, f"{region_account}:security-group/{group.security_group_id}"],
                conditions={"ArnEqualsIfExists": {"ec2:Vpc": vpc_arn}}),
            iam.PolicyStatement(sid="ManageEndpointNetworkInterfaces", actions=[
                "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission"], resources=[interfaces],
                conditions={"ArnEquals": {"ec2:Vpc": vpc_arn}}),
            iam.PolicyStatement(sid="WriteEndpointData", actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                                resources=[bucket.arn_for_objects("data-capture/*")]),
        )
        _ack(policy, IAM5, "AwsSolutions-IAM5[Resource::*]",
             "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]",
             "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:subnet/*]",
             f"AwsSolutions-IAM5[Resource::<{self._logical_id(bucket)}.Arn>/data-capture/*]")

        # model, endpoint configuration, alarms, endpoint
        model = sagemaker.CfnModel(
            root, "Model", execution_role_arn=role.role_arn, enable_network_isolation=True,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=f"{dlc_account}.dkr.ecr.{Aws.REGION}.amazonaws.com/{IMAGE_TAG}", model_data_url=f"s3://{MODEL_DATA}",
                mode="SingleModel"),
            vpc_config=sagemaker.CfnModel.VpcConfigProperty(security_group_ids=[group.security_group_id],
                                                            subnets=subnet_ids))
        model.node.add_dependency(policy)
        config = sagemaker.CfnEndpointConfig(
            root, "EndpointConfig",
            production_variants=[sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name=VARIANT, model_name=model.attr_model_name, initial_variant_weight=1,
                instance_type=INSTANCE_TYPE, initial_instance_count=1)],
            data_capture_config=sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
                enable_capture=True, initial_sampling_percentage=100,
                destination_s3_uri=f"s3://{bucket.bucket_name}/data-capture", kms_key_id=key.key_arn,
                capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Input"),
                                 sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Output")]))
        _ack(config, "ml.g4dn has NVMe instance storage, encrypted by the Nitro system; SageMaker rejects a KmsKeyId.",
             "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
             "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
             "PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured")

        def metric(metric_name: str, statistic: str, namespace: str = "AWS/SageMaker") -> cloudwatch.Metric:
            return cloudwatch.Metric(namespace=namespace, metric_name=metric_name, statistic=statistic, period=PERIOD,
                                     dimensions_map={"EndpointName": endpoint_name, "VariantName": VARIANT})

        def instance_metric(metric_name: str) -> cloudwatch.Metric:
            return metric(metric_name, "Average", "/aws/sagemaker/Endpoints")

        action = cw_actions.SnsAction(topic)
        alarms: list[cloudwatch.Alarm] = []

        def alarm(alarm_id: str, alarm_metric: cloudwatch.IMetric, threshold: float, what: str) -> cloudwatch.Alarm:
            created = cloudwatch.Alarm(
                root, alarm_id, metric=alarm_metric, threshold=threshold, evaluation_periods=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{endpoint_name}: variant {VARIANT}: {what}")
            created.add_alarm_action(action)
            alarms.append(created)
            return created

        errors = alarm("Errors5xx", metric("Invocation5XXErrors", "Sum"), 10, "more than 10 5xx errors per 5 min")
        latency = alarm("LatencyP99", metric("ModelLatency", "p99"), 2_000_000, "p99 model latency above 2000 ms")
        alarm("Rate4xx", cloudwatch.MathExpression(
            expression="IF(invocations > 0, 100 * errors / invocations, 0)", label=f"4xx rate % {VARIANT}",
            using_metrics={"errors": metric("Invocation4XXErrors", "Sum"), "invocations": metric("Invocations", "Sum")},
            period=PERIOD), 5, "more than 5% of invocations are 4xx errors")
        alarm("Cpu", instance_metric("CPUUtilization"), 360, "CPU above 90% of 4 vCPUs")
        alarm("Memory", instance_metric("MemoryUtilization"), 90, "memory above 90%")
        alarm("Disk", instance_metric("DiskUtilization"), 90, "disk above 90%")
        alarm("Gpu", instance_metric("GPUUtilization"), 90, "GPU above 90% of 1 GPU(s)")
        alarm("GpuMemory", instance_metric("GPUMemoryUtilization"), 90, "GPU memory above 90% of 1 GPU(s)")
        policy.add_statements(iam.PolicyStatement(sid="ReadRollbackAlarms", actions=["cloudwatch:DescribeAlarms"],
                                                  resources=[errors.alarm_arn, latency.alarm_arn]))
        endpoint = sagemaker.CfnEndpoint(
            root, "Endpoint", endpoint_config_name=config.attr_endpoint_config_name, endpoint_name=endpoint_name,
            retain_all_variant_properties=True,
            exclude_retained_variant_properties=[
                sagemaker.CfnEndpoint.VariantPropertyProperty(variant_property_type="DesiredWeight")],
            deployment_config=sagemaker.CfnEndpoint.DeploymentConfigProperty(
                blue_green_update_policy=sagemaker.CfnEndpoint.BlueGreenUpdatePolicyProperty(
                    traffic_routing_configuration=sagemaker.CfnEndpoint.TrafficRoutingConfigProperty(
                        type="ALL_AT_ONCE", wait_interval_in_seconds=600),
                    termination_wait_in_seconds=600),
                auto_rollback_configuration=sagemaker.CfnEndpoint.AutoRollbackConfigProperty(alarms=[
                    sagemaker.CfnEndpoint.AlarmProperty(alarm_name=a.alarm_name) for a in (errors, latency)])))
        ssm.StringParameter(root, "NameParameter", parameter_name=f"/platform/endpoints/{name}",
                            string_value=endpoint_name, description=f"Current SageMaker name of endpoint {name}")

        # autoscaling with the sleep schedule
        target = appscaling.CfnScalableTarget(
            root, "ScalableTarget", service_namespace="sagemaker",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            resource_id=f"endpoint/{endpoint_name}/variant/{VARIANT}", min_capacity=1, max_capacity=2,
            scheduled_actions=[
                appscaling.CfnScalableTarget.ScheduledActionProperty(
                    scheduled_action_name="sleep", schedule="cron(0 20 ? * MON-FRI *)", timezone="UTC",
                    scalable_target_action=appscaling.CfnScalableTarget.ScalableTargetActionProperty(
                        min_capacity=1, max_capacity=1)),
                appscaling.CfnScalableTarget.ScheduledActionProperty(
                    scheduled_action_name="wake", schedule="cron(0 7 ? * MON-FRI *)", timezone="UTC",
                    scalable_target_action=appscaling.CfnScalableTarget.ScalableTargetActionProperty(
                        min_capacity=1, max_capacity=2))])
        target.node.add_dependency(endpoint)
        appscaling.CfnScalingPolicy(
            root, "ScalingPolicy", policy_name=f"{endpoint_name}-{VARIANT}-invocations",
            policy_type="TargetTrackingScaling", scaling_target_id=target.ref,
            target_tracking_scaling_policy_configuration=(
                appscaling.CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty(
                    target_value=1000,
                    predefined_metric_specification=appscaling.CfnScalingPolicy.PredefinedMetricSpecificationProperty(
                        predefined_metric_type="SageMakerVariantInvocationsPerInstance"),
                    scale_in_cooldown=300, scale_out_cooldown=60)))

        # dashboard
        dashboard = cloudwatch.Dashboard(root, "Dashboard")
        dashboard.add_widgets(
            cloudwatch.TextWidget(markdown=f"# SageMaker endpoint `{endpoint_name}` (realtime)", width=24),
            cloudwatch.GraphWidget(title="Invocations", left=[metric("Invocations", "Sum")]),
            cloudwatch.GraphWidget(title="Errors", left=[metric("Invocation5XXErrors", "Sum"),
                                                         metric("Invocation4XXErrors", "Sum")]),
            cloudwatch.GraphWidget(title="Model latency p99 (microseconds)", left=[metric("ModelLatency", "p99")]))
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Invocations per instance", left=[metric("InvocationsPerInstance", "Sum")]),
            cloudwatch.GraphWidget(title="Utilization (% of the instance: all vCPUs, memory, disk)", left=[
                cloudwatch.MathExpression(expression="cpu_primary / 4", label=f"CPU {VARIANT} (% of 4 vCPUs)",
                                          using_metrics={"cpu_primary": instance_metric("CPUUtilization")},
                                          period=PERIOD),
                instance_metric("MemoryUtilization"), instance_metric("DiskUtilization")]),
            cloudwatch.AlarmStatusWidget(alarms=list(alarms), title="Alarms"))

        # Model Monitor: data quality, hourly
        monitor = Construct(root, "Monitor")
        monitor_group = ec2.SecurityGroup(
            monitor, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
            description=f"Model Monitor jobs of {endpoint_name}: no ingress, HTTPS egress to VPC endpoints")
        monitor_group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), "HTTPS to the VPC endpoints")
        monitor_group.add_egress_rule(ec2.Peer.prefix_list(s3_list), ec2.Port.tcp(443),
                                      "HTTPS to S3 through the gateway endpoint")
        monitor_role = iam.Role(monitor, "Role", assumed_by=sagemaker_principal,
                                description=f"SageMaker Model Monitor role of endpoint {endpoint_name}")
        captured = f"data-capture/{endpoint_name}/"
        monitor_policy = iam.ManagedPolicy(
            monitor_role, "Policy", roles=[monitor_role],
            description=f"Least-privilege permissions of SageMaker Model Monitor role of endpoint {endpoint_name}",
            statements=[
                iam.PolicyStatement(sid="ReadCapturedData", actions=["s3:GetObject"],
                                    resources=[bucket.arn_for_objects(f"{captured}*")]),
                iam.PolicyStatement(sid="ListCapturedData", actions=["s3:ListBucket"], resources=[bucket.bucket_arn],
                                    conditions={"StringLike": {"s3:prefix": f"{captured}*"}}),
                iam.PolicyStatement(sid="ReadDataQualityBaseline", actions=["s3:GetObject"],
                                    resources=[f"arn:{Aws.PARTITION}:s3:::{BASELINE_DATA}"]),
                iam.PolicyStatement(sid="ListDataQualityBaseline", actions=["s3:ListBucket"],
                                    resources=[f"arn:{Aws.PARTITION}:s3:::my-bucket"],
                                    conditions={"StringLike": {"s3:prefix": "datasets/rec-train.csv*"}}),
                iam.PolicyStatement(sid="ReadWriteMonitorResults",
                                    actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                                    resources=[bucket.arn_for_objects("model-monitor/*")]),
                iam.PolicyStatement(sid="UseEndpointKey", actions=[
                    "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"], resources=[key.key_arn]),
                iam.PolicyStatement(sid="GrantVolumeKey", actions=["kms:CreateGrant"], resources=[key.key_arn],
                                    conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}}),
                iam.PolicyStatement(sid="WriteProcessingLogs", actions=[
                    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                    resources=[f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:"
                               "/aws/sagemaker/ProcessingJobs:*"]),
                iam.PolicyStatement(sid="PublishMonitorMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
                                    conditions={"StringEquals": {"cloudwatch:namespace": [
                                        "aws/sagemaker/Endpoints/data-metrics",
                                        "aws/sagemaker/Endpoints/model-metrics"]}}),
                iam.PolicyStatement(sid="DescribeNetwork", actions=[
                    "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets", "ec2:DescribeVpcs"], resources=["*"]),
                iam.PolicyStatement(sid="CreateNetworkInterfaces", actions=["ec2:CreateNetworkInterface"], resources=[
                    interfaces, subnets, f"{region_account}:security-group/{monitor_group.security_group_id}"],
                    conditions={"ArnEqualsIfExists": {"ec2:Vpc": vpc_arn}}),
                iam.PolicyStatement(sid="ManageJobNetworkInterfaces", actions=[
                    "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                    "ec2:DeleteNetworkInterfacePermission"], resources=[interfaces],
                    conditions={"ArnEquals": {"ec2:Vpc": vpc_arn}}),
            ])
        bucket_arn = f"<{self._logical_id(bucket)}.Arn>"
        _ack(monitor_policy, IAM5, "AwsSolutions-IAM5[Resource::*]",
             "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]",
             "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:subnet/*]",
             f"AwsSolutions-IAM5[Resource::{bucket_arn}/{captured}*]",
             f"AwsSolutions-IAM5[Resource::{bucket_arn}/model-monitor/*]",
             "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:"
             "/aws/sagemaker/ProcessingJobs:*]")
        image = f"{analyzer.find_in_map(Aws.REGION, 'account')}.dkr.ecr.{Aws.REGION}.amazonaws.com/" \
                "sagemaker-model-monitor-analyzer"
        results = f"s3://{bucket.bucket_name}/model-monitor/data-quality"
        processing = "/opt/ml/processing"
        job = sagemaker.CfnProcessingJob
        baseline = job(
            monitor, "DataQualityBaseline", app_specification=job.AppSpecificationProperty(image_uri=image),
            environment={"dataset_format": '{"csv": {"header": true, "output_columns_position": "START"}}',
                         "dataset_source": f"{processing}/input/baseline_dataset_input",
                         "output_path": f"{processing}/output", "publish_cloudwatch_metrics": "Disabled"},
            processing_inputs=[job.ProcessingInputsObjectProperty(
                input_name="baseline_dataset_input", s3_input=job.S3InputProperty(
                    s3_uri=f"s3://{BASELINE_DATA}", s3_data_type="S3Prefix", s3_input_mode="File",
                    local_path=f"{processing}/input/baseline_dataset_input",
                    s3_data_distribution_type="FullyReplicated"))],
            processing_output_config=job.ProcessingOutputConfigProperty(kms_key_id=key.key_arn, outputs=[
                job.ProcessingOutputsObjectProperty(output_name="monitoring_output", s3_output=job.S3OutputProperty(
                    s3_uri=f"{results}/baseline", local_path=f"{processing}/output", s3_upload_mode="EndOfJob"))]),
            processing_resources=job.ProcessingResourcesProperty(cluster_config=job.ClusterConfigProperty(
                instance_count=1, instance_type="ml.m5.xlarge", volume_size_in_gb=20, volume_kms_key_id=key.key_arn)),
            network_config=job.NetworkConfigProperty(
                enable_network_isolation=True, enable_inter_container_traffic_encryption=True,
                vpc_config=job.VpcConfigProperty(security_group_ids=[monitor_group.security_group_id],
                                                 subnets=subnet_ids)),
            role_arn=monitor_role.role_arn,
            stopping_condition=job.StoppingConditionProperty(max_runtime_in_seconds=1800))
        baseline.node.add_dependency(monitor_policy)
        dq = sagemaker.CfnDataQualityJobDefinition
        definition_name = f"{name}-dq-1c5209ae"
        definition = dq(
            monitor, "DataQualityJobDefinition", job_definition_name=definition_name, endpoint_name=endpoint_name,
            data_quality_app_specification=dq.DataQualityAppSpecificationProperty(
                image_uri=image, environment={"publish_cloudwatch_metrics": "Enabled"}),
            data_quality_baseline_config=dq.DataQualityBaselineConfigProperty(
                constraints_resource=dq.ConstraintsResourceProperty(s3_uri=f"{results}/baseline/constraints.json"),
                statistics_resource=dq.StatisticsResourceProperty(s3_uri=f"{results}/baseline/statistics.json")),
            data_quality_job_input=dq.DataQualityJobInputProperty(endpoint_input=dq.EndpointInputProperty(
                endpoint_name=endpoint_name, local_path=f"{processing}/input/endpoint", s3_input_mode="File",
                s3_data_distribution_type="FullyReplicated")),
            data_quality_job_output_config=dq.MonitoringOutputConfigProperty(
                kms_key_id=key.key_arn, monitoring_outputs=[dq.MonitoringOutputProperty(s3_output=dq.S3OutputProperty(
                    s3_uri=f"{results}/reports", local_path=f"{processing}/output", s3_upload_mode="EndOfJob"))]),
            job_resources=dq.MonitoringResourcesProperty(cluster_config=dq.ClusterConfigProperty(
                instance_count=1, instance_type="ml.m5.xlarge", volume_size_in_gb=20, volume_kms_key_id=key.key_arn)),
            network_config=dq.NetworkConfigProperty(
                enable_network_isolation=True, enable_inter_container_traffic_encryption=True,
                vpc_config=dq.VpcConfigProperty(security_group_ids=[monitor_group.security_group_id],
                                                subnets=subnet_ids)),
            role_arn=monitor_role.role_arn,
            stopping_condition=dq.StoppingConditionProperty(max_runtime_in_seconds=1800))
        definition.node.add_dependency(baseline, endpoint, monitor_policy)
        schedule = sagemaker.CfnMonitoringSchedule(
            monitor, "DataQualitySchedule", monitoring_schedule_name=f"{name}-dq", endpoint_name=endpoint_name,
            monitoring_schedule_config=sagemaker.CfnMonitoringSchedule.MonitoringScheduleConfigProperty(
                monitoring_job_definition_name=definition_name, monitoring_type="DataQuality",
                schedule_config=sagemaker.CfnMonitoringSchedule.ScheduleConfigProperty(
                    schedule_expression="cron(0 * ? * * *)")))
        schedule.node.add_dependency(definition)
        rule = events.Rule(monitor, "DataQualityViolations", description=(
            f"{endpoint_name}: data-quality monitoring executions that found constraint violations"),
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"], detail_type=["SageMaker Processing Job State Change"],
                detail={"MonitoringScheduleArn": [schedule.attr_monitoring_schedule_arn],
                        "ProcessingJobStatus": ["Completed"],
                        "ExitMessage": events.Match.prefix("CompletedWithViolations")}))
        violations = cloudwatch.Metric(namespace="AWS/Events", metric_name="MatchedEvents", statistic="Sum",
                                       dimensions_map={"RuleName": rule.rule_name}, period=Duration.hours(1),
                                       label="data-quality executions with violations")
        violations_alarm = cloudwatch.Alarm(
            monitor, "DataQualityViolationsAlarm", metric=violations, threshold=1, evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=(f"{endpoint_name}: 1 or more data-quality monitoring executions per hour found "
                               f"constraint violations (reports: {results}/reports)"))
        violations_alarm.add_alarm_action(action)
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Model Monitor: executions with constraint violations", left=[violations],
                                   width=12),
            cloudwatch.AlarmStatusWidget(alarms=[violations_alarm], title="Model Monitor", width=12))

        CfnOutput(monitor, "DataQualityReports", value=f"{results}/reports",
                  description="Model Monitor data-quality reports (constraint_violations.json per execution)")
        CfnOutput(root, "EndpointName", value=endpoint_name,
                  description="SageMaker endpoint name (sagemaker.Predictor(endpoint_name=...))")
        CfnOutput(root, "EndpointArn", value=endpoint.ref, description="SageMaker endpoint ARN")

    def _logical_id(self, construct: Construct) -> str:
        resource = construct.node.default_child
        assert isinstance(resource, CfnElement)
        return self.get_logical_id(resource)
