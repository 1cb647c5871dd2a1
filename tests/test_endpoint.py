"""SecureModelEndpoint: the seed's stack, every mode, the template's guarantees and each bad input."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Tags
from aws_cdk import aws_iam as iam
from constructs import Construct

from platform_constructs import ModelVariant, PlatformNetwork, PlatformValidationError, SecureModelEndpoint
from platform_constructs.baseline import platform_role
from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.compliance.rules import required_tags
from platform_constructs.policy import load_policy
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

URL = "s3://my-bucket/models/rec-model.tar.gz"
DEV = load_policy().environment("dev")
MODES_STACKS = ("Default", "AB", "Serverless", "Async")


class MyModelStack(Stack):  # the seed's code, verbatim apart from type hints mypy --strict asks for
    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        # This is all the DS needs to write
        SecureModelEndpoint(self, "RecommendationModel",
            model_data_url="s3://my-bucket/models/rec-model.tar.gz",
            instance_type="ml.g4dn.xlarge",  # GPU instance
            cost_center="product-recommendations"
        )


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    app = App(outdir=str(tmp_path_factory.mktemp("seed")))  # a plain App, as in the seed
    MyModelStack(app, "prod-rec-model")
    return synthesize(app)  # raises ComplianceError on any unacknowledged finding of the five packs


@pytest.fixture(scope="module")
def modes(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    """Default form, A/B (with the network in the same stack), serverless and async, synthesized once."""
    app = new_app(outdir=tmp_path_factory.mktemp("modes"))
    default_stack = Stack(app, "Default")
    default = SecureModelEndpoint(default_stack, "Endpoint", model_data_url=URL, cost_center="team-a")
    caller = platform_role(default_stack, "Caller", assumed_by=iam.AccountRootPrincipal(), description="an app")
    default.grant_invoke(caller)
    for tag, value in default.tags.items():
        Tags.of(caller).add(tag, value)
    ab_stack = Stack(app, "AB")
    PlatformNetwork(ab_stack, "Network", publish_parameters=False)
    SecureModelEndpoint(
        ab_stack, "Endpoint", model_data_url=URL, cost_center="team-a", primary_weight=0.9,
        variants=[ModelVariant("Challenger", model_data_url="s3://my-bucket/models/v2.tar.gz", weight=0.1,
                               instance_type="ml.c5.xlarge")],
        traffic_shifting="linear", traffic_step_percent=25, data_capture_sampling_percent=20)
    SecureModelEndpoint(Stack(app, "Serverless"), "Endpoint", model_data_url=URL, cost_center="team-a",
                        mode="serverless", serverless_memory_mb=4096)
    SecureModelEndpoint(Stack(app, "Async"), "Endpoint", model_data_url=URL, cost_center="team-a", mode="async",
                        image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/my-model:1.0")
    return synthesize(app)


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    app = new_app({"env": "prod"}, outdir=tmp_path_factory.mktemp("prod"))
    MyModelStack(app, "prod-rec-model")
    return synthesize(app)


def _one(result: SynthResult, stack: str, rtype: str) -> Mapping[str, Any]:
    (resource,) = result.resources(stack, rtype).values()
    return resource


def _acks(resource: Mapping[str, Any]) -> dict[str, str]:
    return {a["id"]: a["reason"] for a in resource.get("Metadata", {}).get("platform:acknowledgments", [])}


# --- acceptance 1: zero findings, zero cfn-lint errors or warnings ------------------------------------------
def test_seed_code_synthesizes_clean_in_plain_app(seed: SynthResult) -> None:
    assert cfn_lint(seed.template_path("prod-rec-model")) == []
    report = json.loads((seed.outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []


@pytest.mark.parametrize("stack", MODES_STACKS)
def test_every_mode_is_compliant_and_cfn_lint_clean(modes: SynthResult, stack: str) -> None:
    assert cfn_lint(modes.template_path(stack)) == []
    policy = load_policy()
    assert unacknowledged(check_template(modes.template(stack), policy, DEV)) == []


def test_prod_synthesizes_clean(prod: SynthResult) -> None:
    assert cfn_lint(prod.template_path("prod-rec-model")) == []


# --- acceptance 2: what the template holds --------------------------------------------------------------------
def test_model_is_network_isolated_in_the_vpc_with_its_own_closed_security_group(seed: SynthResult) -> None:
    model = _one(seed, "prod-rec-model", "AWS::SageMaker::Model")["Properties"]
    assert model["EnableNetworkIsolation"] is True
    assert model["VpcConfig"]["Subnets"] == {"Ref": next(
        p for p in seed.template("prod-rec-model")["Parameters"] if "isolatedsubnetids" in p)}
    (sg_id,) = model["VpcConfig"]["SecurityGroupIds"]
    sg = seed.template("prod-rec-model")["Resources"][sg_id["Fn::GetAtt"][0]]["Properties"]
    assert "SecurityGroupIngress" not in sg
    assert sg["SecurityGroupEgress"] == [{"CidrIp": "0.0.0.0/0", "Description": sg["SecurityGroupEgress"][0][
        "Description"], "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}]
    assert model["PrimaryContainer"]["ModelDataUrl"] == URL
    assert "763104351884.dkr.ecr." in json.dumps(model["PrimaryContainer"]["Image"])  # the approved default


def test_model_in_stack_with_platform_network_uses_its_isolated_subnets(modes: SynthResult) -> None:
    for model in modes.resources("AB", "AWS::SageMaker::Model").values():
        subnets = model["Properties"]["VpcConfig"]["Subnets"]
        assert len(subnets) == 2 and all("NetworkVpcisolatedSubnet" in s["Ref"] for s in subnets)


def test_endpoint_config_kms_and_encrypted_data_capture(modes: SynthResult) -> None:
    config = _one(modes, "Default", "AWS::SageMaker::EndpointConfig")["Properties"]
    (key_id,) = modes.resources("Default", "AWS::KMS::Key")
    assert config["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    capture = config["DataCaptureConfig"]
    assert capture["EnableCapture"] is True
    assert capture["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert capture["InitialSamplingPercentage"] == 100
    assert sorted(o["CaptureMode"] for o in capture["CaptureOptions"]) == ["Input", "Output"]
    assert config["ProductionVariants"] == [{
        "InitialInstanceCount": DEV.endpoint_min_capacity, "InitialVariantWeight": 1,
        "InstanceType": DEV.default_sagemaker_instance_type, "ModelName": config["ProductionVariants"][0]["ModelName"],
        "VariantName": "Primary"}]


def test_instance_store_types_omit_the_volume_key_with_a_recorded_reason(seed: SynthResult) -> None:
    config = _one(seed, "prod-rec-model", "AWS::SageMaker::EndpointConfig")
    assert "KmsKeyId" not in config["Properties"]  # SageMaker rejects it for ml.g4dn (NVMe instance storage)
    assert "KmsKeyId" in config["Properties"]["DataCaptureConfig"]
    acks = _acks(config)
    assert set(acks) == {"HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
                         "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
                         "PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured", "PLAT-SM2"}
    assert all("NVMe instance storage" in reason for reason in acks.values())


def test_data_capture_bucket_is_encrypted_versioned_logged_tls_only_with_lifecycle(seed: SynthResult) -> None:
    buckets = seed.resources("prod-rec-model", "AWS::S3::Bucket")
    (data,) = (b for k, b in buckets.items() if "DataBucket" in k)
    props = data["Properties"]
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
        "SSEAlgorithm"] == "aws:kms"
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "LoggingConfiguration" in props
    assert props["LifecycleConfiguration"]["Rules"]
    policies = json.dumps(seed.resources("prod-rec-model", "AWS::S3::BucketPolicy"))
    assert '"aws:SecureTransport": "false"' in policies


def test_key_rotation_on(seed: SynthResult) -> None:
    assert _one(seed, "prod-rec-model", "AWS::KMS::Key")["Properties"]["EnableKeyRotation"] is True


def test_blue_green_canary_with_auto_rollback_on_alarms(seed: SynthResult, modes: SynthResult) -> None:
    endpoint = _one(seed, "prod-rec-model", "AWS::SageMaker::Endpoint")["Properties"]
    assert endpoint["EndpointName"] == "prod-rec-model-RecommendationModel"
    policy = endpoint["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"] == {
        "Type": "CANARY", "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10}, "WaitIntervalInSeconds": 600}
    alarms = endpoint["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]
    refs = {a["AlarmName"]["Ref"] for a in alarms}
    assert refs and refs <= set(seed.resources("prod-rec-model", "AWS::CloudWatch::Alarm"))
    linear = _one(modes, "AB", "AWS::SageMaker::Endpoint")["Properties"]["DeploymentConfig"]
    assert linear["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["LinearStepSize"] == {
        "Type": "CAPACITY_PERCENT", "Value": 25}
    assert len(linear["AutoRollbackConfiguration"]["Alarms"]) == 4  # 5xx + p99 latency per variant


def test_target_tracking_autoscaling_within_policy_bounds(seed: SynthResult) -> None:
    target = _one(seed, "prod-rec-model", "AWS::ApplicationAutoScaling::ScalableTarget")
    assert target["Properties"] | {"Tags": None} == {
        "Tags": None, "MaxCapacity": DEV.endpoint_max_capacity, "MinCapacity": DEV.endpoint_min_capacity,
        "ResourceId": "endpoint/prod-rec-model-RecommendationModel/variant/Primary",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "ServiceNamespace": "sagemaker"}
    assert any("Endpoint" in d for d in target["DependsOn"])
    policy = _one(seed, "prod-rec-model", "AWS::ApplicationAutoScaling::ScalingPolicy")["Properties"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["PredefinedMetricSpecification"] == {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}
    assert (config["TargetValue"], config["ScaleInCooldown"], config["ScaleOutCooldown"]) == (1000, 300, 60)


def test_alarms_have_actions_to_encrypted_topic(seed: SynthResult) -> None:
    (topic_id, topic), = seed.resources("prod-rec-model", "AWS::SNS::Topic").items()
    assert "KmsMasterKeyId" in topic["Properties"]
    alarms = seed.resources("prod-rec-model", "AWS::CloudWatch::Alarm").values()
    metrics: set[str] = set()
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        props = alarm["Properties"]
        metrics.update([props["MetricName"]] if "MetricName" in props else
                       [m["MetricStat"]["Metric"]["MetricName"] for m in props["Metrics"] if "MetricStat" in m])
    assert metrics == {"Invocation5XXErrors", "Invocation4XXErrors", "Invocations", "ModelLatency", "CPUUtilization",
                       "MemoryUtilization", "DiskUtilization", "GPUUtilization", "GPUMemoryUtilization"}
    latency = next(a for a in alarms if a["Properties"].get("MetricName") == "ModelLatency")["Properties"]
    assert (latency["ExtendedStatistic"], latency["Threshold"]) == ("p99", 2000 * 1000)  # microseconds
    cpu = next(a for a in alarms if a["Properties"].get("MetricName") == "CPUUtilization")["Properties"]
    assert cpu["Threshold"] == 90 * 4  # 90 % of ml.g4dn.xlarge's 4 vCPUs


def test_dashboard_and_outputs(seed: SynthResult) -> None:
    dashboard = _one(seed, "prod-rec-model", "AWS::CloudWatch::Dashboard")
    assert "Invocation5XXErrors" in json.dumps(dashboard["Properties"]["DashboardBody"])
    outputs = seed.template("prod-rec-model")["Outputs"]
    values = {k.rstrip("0123456789ABCDEF"): v["Value"] for k, v in outputs.items()}
    assert values["RecommendationModelEndpointName"] == "prod-rec-model-RecommendationModel"
    assert values["RecommendationModelEndpointArn"]["Ref"].startswith("RecommendationModelEndpoint")


@pytest.mark.parametrize("stack", MODES_STACKS)
def test_required_tags_on_every_taggable_resource(modes: SynthResult, stack: str) -> None:
    template = modes.template(stack)
    assert check_template(template, load_policy(), DEV, rules=(required_tags.RULE,)) == []  # PLAT-TAG1, no acks
    required = {t.name for t in load_policy().tags}
    tagged = 0
    for logical_id, resource in template["Resources"].items():
        tags = resource.get("Properties", {}).get("Tags")
        if isinstance(tags, list) and logical_id.startswith("Endpoint"):  # not the AB stack's ml-platform network
            values = {t["Key"]: t["Value"] for t in tags}
            assert required <= set(values) and values["CostCenter"] == "team-a", logical_id
            tagged += 1
    assert tagged >= 10


def test_execution_role_is_least_privilege(seed: SynthResult) -> None:
    template = seed.template("prod-rec-model")
    assert not seed.resources("prod-rec-model", "AWS::IAM::Policy")  # no inline policies
    role = _one(seed, "prod-rec-model", "AWS::IAM::Role")["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert "ManagedPolicyArns" not in role and "Policies" not in role  # no AWS-managed, no inline policy
    managed = _one(seed, "prod-rec-model", "AWS::IAM::ManagedPolicy")["Properties"]  # its own policy only
    assert managed["Roles"] == [{"Ref": next(iter(seed.resources("prod-rec-model", "AWS::IAM::Role")))}]
    statements = {s["Sid"]: s for s in managed["PolicyDocument"]["Statement"] if "Sid" in s}
    assert statements["ReadModelArtifacts"]["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::my-bucket/models/rec-model.tar.gz"]]}
    assert statements["PullModelImages"]["Resource"]["Fn::Join"][1][-1] == ":763104351884:repository/pytorch-inference"
    assert statements["UseEndpointKey"]["Resource"]["Fn::GetAtt"][1] == "Arn"
    assert statements["WriteEndpointData"]["Resource"]["Fn::Join"][1][1] == "/data-capture/*"
    wildcard = [sid for sid, s in statements.items() if s["Resource"] == "*"]
    assert sorted(wildcard) == ["PublishEndpointMetrics", "UnscopableActions"]
    assert statements["PublishEndpointMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}
    everything = managed["PolicyDocument"]["Statement"]
    assert not any(a.endswith("*") for s in everything for a in
                   ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    (logs,) = (s for s in everything if "Sid" not in s)  # log_group.grant_write: its own log group only
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    (group_id,) = seed.resources("prod-rec-model", "AWS::Logs::LogGroup")
    assert logs["Resource"] == {"Fn::GetAtt": [group_id, "Arn"]}
    role_id = next(iter(seed.resources("prod-rec-model", "AWS::IAM::Role")))
    acks = _acks(template["Resources"][role_id])
    assert set(acks) == {"AwsSolutions-IAM5[Resource::*]",
                         "AwsSolutions-IAM5[Resource::<RecommendationModelDataBucket3BD2575F.Arn>/data-capture/*]"}


def test_grant_invoke_scopes_to_the_endpoint_arn(modes: SynthResult) -> None:
    policies = modes.resources("Default", "AWS::IAM::ManagedPolicy")
    caller = next(p for k, p in policies.items() if k.startswith("Caller"))
    (statement,) = caller["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
    assert statement["Resource"]["Fn::Join"][1][-1] == ":endpoint/default-endpoint"


def test_ab_variants_weighted_with_own_models_and_scaling(modes: SynthResult) -> None:
    config = _one(modes, "AB", "AWS::SageMaker::EndpointConfig")["Properties"]
    variants = {v["VariantName"]: v for v in config["ProductionVariants"]}
    assert {n: (v["InitialVariantWeight"], v["InstanceType"]) for n, v in variants.items()} == {
        "Primary": (0.9, "ml.m5.xlarge"), "Challenger": (0.1, "ml.c5.xlarge")}
    assert config["DataCaptureConfig"]["InitialSamplingPercentage"] == 20
    assert len(modes.resources("AB", "AWS::SageMaker::Model")) == 2
    targets = modes.resources("AB", "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert sorted(t["Properties"]["ResourceId"].rsplit("/", 1)[1] for t in targets) == ["Challenger", "Primary"]


def test_serverless_mode(modes: SynthResult) -> None:
    config = _one(modes, "Serverless", "AWS::SageMaker::EndpointConfig")
    (variant,) = config["Properties"]["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MaxConcurrency": 5, "MemorySizeInMB": 4096}
    assert "InstanceType" not in variant and "DataCaptureConfig" not in config["Properties"]
    assert "KmsKeyId" not in config["Properties"]  # no instance volume; SageMaker rejects it for serverless
    assert set(_acks(config)) == {"PLAT-SM2", "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
                                  "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
                                  "PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured"}
    model = _one(modes, "Serverless", "AWS::SageMaker::Model")
    assert list(_acks(model)) == ["PLAT-SM1"] and "VpcConfig" not in model["Properties"]
    assert not modes.resources("Serverless", "AWS::ApplicationAutoScaling::ScalableTarget")
    assert not modes.resources("Serverless", "AWS::EC2::SecurityGroup")


def test_async_mode(modes: SynthResult) -> None:
    config = _one(modes, "Async", "AWS::SageMaker::EndpointConfig")["Properties"]
    output = config["AsyncInferenceConfig"]["OutputConfig"]
    assert "KmsKeyId" in output and "/async-output/" in json.dumps(output["S3OutputPath"])
    assert config["AsyncInferenceConfig"]["ClientConfig"] == {"MaxConcurrentInvocationsPerInstance": 4}
    assert "DataCaptureConfig" in config
    model = _one(modes, "Async", "AWS::SageMaker::Model")["Properties"]
    assert model["PrimaryContainer"]["Image"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/my-model:1.0"
    statements = _one(modes, "Async", "AWS::IAM::ManagedPolicy")["Properties"]["PolicyDocument"]["Statement"]
    pull = next(s for s in statements if s.get("Sid") == "PullModelImages")
    assert pull["Resource"]["Fn::Join"][1][-1] == ":ecr:eu-west-1:123456789012:repository/platform/my-model"


def test_prod_retains_data_bucket_key_and_logs(prod: SynthResult) -> None:
    for rtype in ("AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup"):
        for resource in prod.resources("prod-rec-model", rtype).values():
            assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain"), rtype
    target = _one(prod, "prod-rec-model", "AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]
    prod_env = load_policy().environment("prod")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (prod_env.endpoint_min_capacity,
                                                              prod_env.endpoint_max_capacity)


def test_example_app_contains_the_seed_stack(example_app: SynthResult) -> None:
    assert example_app.resources("prod-rec-model", "AWS::SageMaker::Endpoint")


# --- helpers users expect (no synth needed) ---------------------------------------------------------------------
def test_metrics_and_attributes() -> None:
    endpoint = SecureModelEndpoint(Stack(new_app(), "S"), "E", model_data_url=URL, cost_center="team-a",
                                   endpoint_name="my-endpoint")
    metric = endpoint.metric_model_latency(variant_name="Primary")
    assert (metric.namespace, metric.metric_name, metric.statistic) == ("AWS/SageMaker", "ModelLatency", "p99")
    assert metric.dimensions == {"EndpointName": "my-endpoint", "VariantName": "Primary"}
    assert endpoint.metric_cpu_utilization().namespace == "/aws/sagemaker/Endpoints"
    assert endpoint.metric_invocations().metric_name == "Invocations"
    assert endpoint.metric_invocations_per_instance().metric_name == "InvocationsPerInstance"
    assert endpoint.metric_4xx_rate().expression.startswith("IF(")
    assert endpoint.endpoint_name == "my-endpoint"
    assert set(endpoint.models) == {"Primary"} and endpoint.model is endpoint.models["Primary"]
    assert endpoint.security_group is not None and endpoint.bucket and endpoint.key and endpoint.role
    assert {"Errors5xx", "LatencyP99", "Rate4xx", "Cpu", "Memory", "Disk"} == set(endpoint.alarms)


def test_long_stack_names_give_a_valid_hashed_endpoint_name() -> None:
    stack = Stack(new_app(), "a-very-long-stack-name-for-the-recommendations-team-in-production")
    endpoint = SecureModelEndpoint(stack, "RecommendationModelEndpoint", model_data_url=URL, cost_center="team-a")
    assert len(endpoint.endpoint_name) == 63
    assert endpoint.endpoint_name.startswith("a-very-long-stack-name")


# --- acceptance 3: each bad input gives a clear PlatformValidationError -----------------------------------------
BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"cost_center": ""}, r"argument 'cost_center' = ''.*Fix: pass cost_center="),
    ({"cost_center": "Product Recs"}, r"argument 'cost_center' = 'Product Recs'"),
    ({"instance_type": "m5.xlarge"}, r"argument 'instance_type' = 'm5.xlarge'.*SageMaker instance type.*"
                                     r"Fix: pass instance_type='ml.m5.xlarge'"),
    ({"instance_type": "ml.p4d.24xlarge"}, r"'instance_type' = 'ml.p4d.24xlarge'.*allows in dev.*"
                                           r"Fix: pass instance_type='ml.m5.xlarge'"),
    ({"model_data_url": "https://my-bucket/model.tar.gz"}, r"'model_data_url' = 'https://my-bucket/model.tar.gz'.*"
                                                           r"s3://bucket/key.*Fix: pass model_data_url='s3://"),
    ({"model_data_url": "s3://my-bucket/models/"}, r"'model_data_url' = 's3://my-bucket/models/'"),
    ({"model_data_url": "s3://my-bucket/models/*.tar.gz"}, r"'model_data_url'.*no wildcards"),
    ({"image": "docker.io/library/python:3.11"}, r"'image' = 'docker.io/library/python:3.11'.*approved registry.*"
                                                 r"Fix: push the image to an approved registry"),
    ({"min_capacity": 3, "max_capacity": 2}, r"'max_capacity' = 2.*>= min_capacity \(3\)"),
    ({"max_capacity": 50}, r"'max_capacity' = 50.*<= 2 \(policy endpoint_max_capacity in dev\).*"
                           r"Fix: pass max_capacity=2"),
    ({"min_capacity": 0}, r"'min_capacity' = 0.*>= 1"),
    ({"data_capture_sampling_percent": 101}, r"'data_capture_sampling_percent' = 101.*0 to 100"),
    ({"data_capture_sampling_percent": -1}, r"'data_capture_sampling_percent' = -1"),
    ({"endpoint_name": "x" * 64}, r"'endpoint_name' = 'x{64}'.*1-63 letters.*Fix: pass endpoint_name="),
    ({"endpoint_name": "my_model"}, r"'endpoint_name' = 'my_model'"),
    ({"variants": [ModelVariant("v" * 64, URL)]}, r"'variants\[0\]\.name' = 'v{64}'"),
    ({"variants": [ModelVariant("Primary", URL)]}, r"'variants\[0\]\.name' = 'Primary'.*unique"),
    ({"variants": [ModelVariant("B", URL, weight=0)]}, r"'variants\[0\]\.weight' = 0.*positive"),
    ({"variants": [ModelVariant("B", "bucket/key")]}, r"'variants\[0\]\.model_data_url' = 'bucket/key'"),
    ({"mode": "batch"}, r"'mode' = 'batch'.*realtime, serverless, async"),
    ({"mode": "serverless", "instance_type": "ml.m5.xlarge"}, r"'instance_type'.*serverless.*remove instance_type"),
    ({"mode": "serverless", "serverless_memory_mb": 1000}, r"'serverless_memory_mb' = 1000.*1024, 2048"),
    ({"mode": "serverless", "serverless_max_concurrency": 500}, r"'serverless_max_concurrency' = 500"),
    ({"mode": "async", "async_max_concurrent_invocations": 0}, r"'async_max_concurrent_invocations' = 0"),
    ({"traffic_shifting": "all-at-once"}, r"'traffic_shifting' = 'all-at-once'.*canary or linear"),
    ({"traffic_step_percent": 0}, r"'traffic_step_percent' = 0"),
    ({"bake_minutes": 90}, r"'bake_minutes' = 90.*0 to 60"),
    ({"alarm_4xx_rate_percent": 150.0}, r"'alarm_4xx_rate_percent' = 150.0.*up to 100.*policy's alarm default"),
    ({"alarm_5xx_errors": 0}, r"'alarm_5xx_errors' = 0"),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD_INPUTS, ids=[e[1][:40] for e in BAD_INPUTS])
def test_bad_input_names_argument_value_and_fix(overrides: dict[str, Any], expected: str) -> None:
    kwargs: dict[str, Any] = {"model_data_url": URL, "cost_center": "team-a", **overrides}
    stack = Stack(new_app(), "S")
    with pytest.raises(PlatformValidationError, match=expected) as info:
        SecureModelEndpoint(stack, "Endpoint", **kwargs)
    assert all(f"S/Endpoint: argument '{p.argument}' = {p.value!r}" in str(info.value) for p in info.value.problems)
    assert not stack.node.find_child("Endpoint").node.children  # nothing was created before the error


def test_all_problems_are_reported_together() -> None:
    with pytest.raises(PlatformValidationError) as info:
        SecureModelEndpoint(Stack(new_app(), "S"), "Endpoint", model_data_url="gs://x/y", cost_center="",
                            instance_type="ml.bogus", data_capture_sampling_percent=200, endpoint_name="a" * 70)
    arguments = [p.argument for p in info.value.problems]
    assert arguments == ["cost_center", "endpoint_name", "data_capture_sampling_percent", "model_data_url",
                         "instance_type"]
    assert str(info.value).startswith("5 problem(s) in S/Endpoint:")


def test_policy_file_and_environment_change_the_allowed_types(tmp_path: Path) -> None:
    stack = Stack(new_app({"env": "prod"}), "S")
    with pytest.raises(PlatformValidationError, match=r"allows in prod: ml.m5.xlarge"):
        SecureModelEndpoint(stack, "Endpoint", model_data_url=URL, cost_center="team-a", instance_type="ml.t2.medium")
