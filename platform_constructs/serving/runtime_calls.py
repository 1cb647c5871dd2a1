"""What SageMaker does with a :class:`~platform_constructs.serving.endpoint.SecureModelEndpoint`'s execution role.

SageMaker assumes the execution role to start the endpoint's containers: it logs in to ECR and pulls the model's
image, reads the model artifact, uses the endpoint's key for the volumes and the captured data, writes data
capture under its prefix, writes the containers' logs and publishes the instance metrics (SageMaker developer
guide, "How to use SageMaker AI execution roles", CreateModel / CreateEndpoint permissions) and, during a
blue/green update, reads the auto-rollback alarms (developer guide, "Deployment guardrails"). It assumes the role
for this account's endpoint (``aws:SourceAccount``, ``aws:SourceArn``: the trust policy's confused-deputy
conditions). Anything else in the endpoint's bucket, any other key, repository, log group or alarm is refused.

AWS services also use the endpoint's resources as themselves: CloudWatch Logs encrypts its log group with the
key, CloudWatch alarms publish to the encrypted alarm topic, S3 delivers the bucket's access logs.
"""

from __future__ import annotations

from platform_constructs.runtime_calls import (
    ACCESS_LOG_DELIVERY,
    PLAIN_HTTP,
    Call,
    Prop,
    RoleCalls,
    RuntimeTable,
    Sibling,
    alarm_notifications,
    encrypted_log_group,
)

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
    )),),
    services=(encrypted_log_group(KEY, LOGS), alarm_notifications(TOPIC, KEY), ACCESS_LOG_DELIVERY),
)
"""The endpoint's runtime calls."""

TABLES = (ENDPOINT_CALLS,)
