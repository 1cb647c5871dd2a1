"""What SageMaker does with a :class:`~platform_constructs.serving.endpoint.SecureModelEndpoint`'s execution role.

SageMaker assumes the execution role to start the endpoint's containers: it logs in to ECR and pulls the model's
image, reads the model artifact, uses the endpoint's key for the volumes and the captured data, writes data
capture under its prefix, writes the containers' logs and publishes the instance metrics (SageMaker developer
guide, "How to use SageMaker AI execution roles", CreateModel / CreateEndpoint permissions) and, during a
blue/green update, reads the auto-rollback alarms (developer guide, "Deployment guardrails"). It assumes the role
for this account's endpoint (``aws:SourceAccount``, ``aws:SourceArn``: the trust policy's confused-deputy
conditions). Anything else in the endpoint's bucket, any other object of the artifact's bucket, any other key,
repository, log group or alarm is refused. An endpoint serving a model registry package (``model_package``) reads
the artifact the registry published: its model's ``ModelDataUrl`` is the SSM-typed parameter, read when the call is
made, so the calls follow the package the deploy resolved.

AWS services also use the endpoint's resources as themselves: CloudWatch Logs encrypts its log group with the
key, CloudWatch alarms publish to the encrypted alarm topic, S3 delivers the bucket's access logs.

With ``monitoring``, SageMaker Model Monitor assumes the monitor's role for the baselining jobs and every scheduled
execution: it reads the endpoint's captured data (``data-capture/<endpoint>/``) and the baseline datasets (the
ground truth of model quality is read the same way; its grant is asserted on the template), writes baselines and
reports under ``model-monitor/``, uses the endpoint's key and publishes Model Monitor's metrics; any other object of
the bucket, another endpoint's capture, any image, another key or metric namespace is refused. The
:class:`~platform_constructs.serving.registry.ModelRegistry`'s approval workflow writes only its groups' published
parameters.
"""

from __future__ import annotations

from platform_constructs.policy_monitoring import RegistryPolicy
from platform_constructs.runtime_calls import (
    ACCESS_LOG_DELIVERY,
    PLAIN_HTTP,
    Call,
    Join,
    Prop,
    RoleCalls,
    RuntimeTable,
    Sibling,
    alarm_notifications,
    encrypted_log_group,
)
from platform_constructs.serving.registry_settings import PACKAGE_ARN_PARAMETER

MODEL = Sibling("", "AWS::SageMaker::Model")
IMAGE = Prop(MODEL, "PrimaryContainer.Image")
ARTIFACT = Prop(MODEL, "PrimaryContainer.ModelDataUrl")
KEY = Sibling("Key", "AWS::KMS::Key")
BUCKET = Sibling("DataBucket", "AWS::S3::Bucket")
LOGS = Sibling("Logs", "AWS::Logs::LogGroup")
TOPIC = Sibling("AlarmTopic", "AWS::SNS::Topic")
CAPTURE = Prop(Sibling("EndpointConfig", "AWS::SageMaker::EndpointConfig"), "DataCaptureConfig")
ENDPOINT = Sibling("Endpoint", "AWS::SageMaker::Endpoint")
GUARDRAILS = Prop(ENDPOINT, "DeploymentConfig.AutoRollbackConfiguration")
ROLLBACK_ALARMS = (Sibling("Errors5xx", "AWS::CloudWatch::Alarm"), Sibling("LatencyP99", "AWS::CloudWatch::Alarm"))
OTHER_ALARM = Sibling("Cpu", "AWS::CloudWatch::Alarm")
METRICS_NAMESPACE = "/aws/sagemaker/Endpoints"

OTHER_KEY = "alias/platform-runtime-calls/another-key"
OTHER_REPOSITORY = "scratch/unapproved-image"
OTHER_LOG_GROUP = "/platform/runtime-calls/another-log-group"

ENDPOINT_NAME = Prop(Sibling("Endpoint", "AWS::SageMaker::Endpoint"), "EndpointName")
CAPTURED = Join(("s3://", BUCKET, "/data-capture/", ENDPOINT_NAME, "/Primary/2026/12/01/00/runtime-calls.jsonl"))
BASELINE_INPUT = "ProcessingInputs[InputName=baseline_dataset_input].S3Input.S3Uri"
BASELINE = Sibling("Monitor{kind}Baseline", "AWS::SageMaker::ProcessingJob")
"""Each kind's baselining job (``MonitorDataQualityBaseline``, ``MonitorModelQualityBaseline``)."""
MONITOR_METRICS = "aws/sagemaker/Endpoints/data-metrics"

SAGEMAKER_SOURCE = {"aws:SourceAccount": "{account}",
                    "aws:SourceArn": "arn:aws:sagemaker:{region}:{account}:monitoring-schedule/runtime-calls"}
"""What SageMaker's AssumeRole request carries for a monitoring execution (the trust policy's confused-deputy
conditions: SageMaker developer guide, "Cross-service confused deputy prevention")."""

MONITOR_CALLS = RoleCalls(role="MonitorRole", service="sagemaker.amazonaws.com", optional=True,
                          context=SAGEMAKER_SOURCE, calls=(
    Call("s3:GetObject", {"url": CAPTURED}, "reads the endpoint's captured requests and responses"),
    Call("s3:ListBucket", {"bucket": BUCKET, "prefix": Join(("data-capture/", ENDPOINT_NAME, "/"))},
         "lists the endpoint's capture prefix",
         context={"s3:prefix": Join(("data-capture/", ENDPOINT_NAME, "/Primary/"))}),
    Call("s3:GetObject", {"url": Prop(BASELINE, BASELINE_INPUT)}, "reads each baselining job's dataset"),
    Call("s3:PutObject", {"bucket": BUCKET, "key": "model-monitor/data-quality/baseline/constraints.json"},
         "writes the baseline's statistics and constraints"),
    Call("s3:PutObject", {"bucket": BUCKET, "key": "model-monitor/data-quality/reports/runtime-calls/report.json"},
         "writes an execution's report"),
    Call("kms:GenerateDataKey", {"key": KEY}, "encrypts the job's volume and outputs with the endpoint's key"),
    Call("kms:Decrypt", {"key": KEY}, "decrypts the captured data"),
    Call("cloudwatch:PutMetricData", {"namespace": MONITOR_METRICS}, "publishes Model Monitor's metrics",
         context={"cloudwatch:namespace": MONITOR_METRICS}),
    Call("ec2:DescribeNetworkInterfaces", {}, "finds the network interfaces of the VPC-attached job"),
    # refused
    Call("s3:GetObject", {"bucket": BUCKET, "key": "other-prefix/object.json"},
         "reads an object of the endpoint's bucket outside the capture prefix", expect="deny"),
    Call("s3:GetObject", {"bucket": BUCKET, "key": "data-capture/another-endpoint/Primary/capture.jsonl"},
         "reads another endpoint's captured data", expect="deny"),
    Call("s3:PutObject", {"bucket": BUCKET, "key": "data-capture/runtime-calls/Primary/capture.jsonl"},
         "writes into the capture prefix", expect="deny"),
    Call("s3:GetObject", {"url": CAPTURED}, "reads the captured data without TLS", expect="deny",
         context=PLAIN_HTTP),
    Call("ecr:BatchGetImage", {"repository": OTHER_REPOSITORY}, "pulls an image (SageMaker pulls its analyzer)",
         expect="deny"),
    Call("kms:Decrypt", {"key": OTHER_KEY}, "decrypts with a key that is not the endpoint's", expect="deny"),
    Call("cloudwatch:PutMetricData", {"namespace": "Custom/Other"},
         "publishes metrics outside Model Monitor's namespaces", expect="deny",
         context={"cloudwatch:namespace": "Custom/Other"}),
))
"""What Model Monitor does with the monitor's role (``SecureModelEndpoint(monitoring=...)``)."""

ENDPOINT_CALLS = RuntimeTable(
    construct="SecureModelEndpoint",
    anchor=ENDPOINT,
    # SageMaker assumes the role for the endpoint: its account and ARN are the confused-deputy condition keys
    roles=(RoleCalls(role="ExecutionRole", service="sagemaker.amazonaws.com",
                     context={"aws:SourceAccount": "{account}", "aws:SourceArn": ENDPOINT}, calls=(
        Call("ecr:GetAuthorizationToken", {}, "logs in to ECR before pulling the model's image"),
        Call("ecr:BatchCheckLayerAvailability", {"image": IMAGE}, "checks the image's layers"),
        Call("ecr:GetDownloadUrlForLayer", {"image": IMAGE}, "downloads the image's layers"),
        Call("ecr:BatchGetImage", {"image": IMAGE}, "pulls the model's image manifest"),
        Call("s3:GetObject", {"url": ARTIFACT}, "reads the model artifact"),
        Call("kms:GenerateDataKey", {"key": KEY}, "encrypts the ML storage volume and captured data"),
        Call("kms:Decrypt", {"key": KEY}, "decrypts the volume and captured data keys"),
        Call("kms:DescribeKey", {"key": KEY}, "checks the endpoint's key"),
        Call("s3:PutObject", {"bucket": BUCKET, "key": "data-capture/runtime-calls/Primary/capture.jsonl"},
             "writes captured requests and responses under the data-capture prefix", when=CAPTURE),
        Call("logs:CreateLogStream", {"log_group": LOGS, "stream": "Primary/runtime-calls"},
             "creates a log stream per container"),
        Call("logs:PutLogEvents", {"log_group": LOGS, "stream": "Primary/runtime-calls"},
             "writes the container's logs"),
        Call("cloudwatch:PutMetricData", {"namespace": METRICS_NAMESPACE},
             "publishes the instance metrics (CPU, GPU, memory, disk)",
             context={"cloudwatch:namespace": METRICS_NAMESPACE}),
        Call("ec2:DescribeNetworkInterfaces", {}, "finds the network interfaces of the VPC-attached endpoint",
             when=Prop(MODEL, "VpcConfig")),
        *(Call("cloudwatch:DescribeAlarms", {"alarm": alarm}, f"watches the {alarm.name} auto-rollback alarm "
               "during a blue/green update (deployment guardrails)", when=GUARDRAILS) for alarm in ROLLBACK_ALARMS),
        # refused
        Call("s3:GetObject", {"bucket": BUCKET, "key": "other-prefix/object.json"},
             "reads an object of its bucket outside its prefixes", expect="deny"),
        Call("s3:GetObject", {"url": Join((ARTIFACT, ".previous"))},
             "reads another object of the model artifact's bucket", expect="deny"),
        Call("s3:PutObject", {"bucket": BUCKET, "key": "other-prefix/upload.json"},
             "writes outside the data-capture prefix", expect="deny"),
        Call("s3:PutObject", {"bucket": BUCKET, "key": "data-capture/runtime-calls/Primary/capture.jsonl"},
             "writes captured data without TLS", expect="deny", context=PLAIN_HTTP, when=CAPTURE),
        Call("kms:Decrypt", {"key": OTHER_KEY}, "decrypts with a key that is not the endpoint's", expect="deny"),
        Call("ecr:BatchGetImage", {"repository": OTHER_REPOSITORY},
             "pulls from a repository outside the approved registries", expect="deny"),
        Call("logs:PutLogEvents", {"log_group": OTHER_LOG_GROUP, "stream": "runtime-calls"},
             "writes to another log group", expect="deny"),
        Call("cloudwatch:DescribeAlarms", {"alarm": OTHER_ALARM}, "reads an alarm that is not a rollback alarm",
             expect="deny", when=GUARDRAILS),
        Call("cloudwatch:PutMetricData", {"namespace": "Custom/Other"},
             "publishes metrics outside the SageMaker endpoint namespace", expect="deny",
             context={"cloudwatch:namespace": "Custom/Other"}),
    )), MONITOR_CALLS),
    services=(encrypted_log_group(KEY, LOGS), alarm_notifications(TOPIC, KEY), ACCESS_LOG_DELIVERY),
)
"""The endpoint's runtime calls."""

APPROVAL_LOGS = Sibling("ApprovalLogs", "AWS::Logs::LogGroup")
GROUP_NAME = Prop(Sibling("{project}Group", "AWS::SageMaker::ModelPackageGroup"), "ModelPackageGroupName")
PUBLISHED = Join((f"{RegistryPolicy().ssm_prefix}/", GROUP_NAME, f"/{PACKAGE_ARN_PARAMETER}"))
REGISTRY_CALLS = RuntimeTable(
    construct="ModelRegistry",
    anchor=Sibling("ApprovalWorkflow", "AWS::StepFunctions::StateMachine"),
    roles=(RoleCalls(role="ApprovalRole", service="states.amazonaws.com", context={
        "aws:SourceAccount": "{account}",
        "aws:SourceArn": "arn:aws:states:{region}:{account}:stateMachine:runtime-calls"}, calls=(
        Call("ssm:PutParameter", {"parameter": PUBLISHED,
                                  "value": "arn:aws:sagemaker:{region}:{account}:model-package/runtime-calls/1"},
             "publishes a group's latest Approved package (the policy's model_registry.ssm_prefix as shipped)"),
        # refused
        Call("ssm:PutParameter", {"parameter": "/platform/network/vpc-id", "value": "vpc-runtime-calls"},
             "overwrites a parameter outside the registry's groups", expect="deny"),
    )),),
    services=(encrypted_log_group(Sibling("Key", "AWS::KMS::Key"), APPROVAL_LOGS),),
)
"""The model registry's runtime calls."""

TABLES = (ENDPOINT_CALLS, REGISTRY_CALLS)
