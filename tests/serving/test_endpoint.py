"""SecureModelEndpoint: the seed's stack and every mode in one synthesized app, asserted with ``Template``/``Match``;
the construct's attributes, warnings and synth-time validation in-process.

Argument validation is tested on the pure settings function (``test_endpoint_settings*.py``); here only that the
construct raises it before creating anything, together with its tag problems.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Capture, Match, Template
from constructs import Construct

from platform_constructs import ModelVariant, PlatformNetwork, PlatformValidationError, SecureModelEndpoint
from platform_constructs.baseline import platform_role
from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.compliance.rules import required_tags
from platform_constructs.policy import load_policy
from platform_constructs.serving import settings as endpoint_settings
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

URL = "s3://my-bucket/models/rec-model.tar.gz"
POLICY = load_policy()
DEV = POLICY.environment("dev")
SEED = "prod-rec-model"
MODES_STACKS = ("Default", "AB", "Serverless", "Async", "Many")
MANY = [ModelVariant(f"V{i}", model_data_url=f"s3://my-bucket/models/v{i}.tar.gz") for i in range(1, 6)]
"""Five variants beside the primary: twelve 5xx/latency alarms, more than SageMaker's ten rollback alarms."""


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
def app(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    """The seed's stack in a plain App (as the seed has it) beside every mode, synthesized once with every check."""
    app = App(outdir=str(tmp_path_factory.mktemp("endpoint")))
    MyModelStack(app, SEED)
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
    SecureModelEndpoint(Stack(app, "Many"), "Endpoint", model_data_url=URL, cost_center="team-a", variants=MANY)
    return synthesize(app)  # raises ComplianceError on any unacknowledged finding of the five packs


def template(result: SynthResult, stack: str) -> Template:
    return Template.from_json(result.template(stack))


def _acks(resource: Mapping[str, Any]) -> dict[str, str]:
    return {a["id"]: a["reason"] for a in resource.get("Metadata", {}).get("platform:acknowledgments", [])}


def _only(found: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    (resource,) = found.values()
    return dict(resource)


# --- compliance ---------------------------------------------------------------------------------------------------
def test_seed_code_synthesizes_clean_in_plain_app(app: SynthResult) -> None:
    assert cfn_lint(app.template_path(SEED)) == []
    report = json.loads((app.outdir / "validation-report.json").read_text())
    assert [r for r in report["pluginReports"] if r["violations"]] == []  # no finding in any stack of the app


@pytest.mark.parametrize("stack", MODES_STACKS)
def test_every_mode_is_compliant_and_cfn_lint_clean(app: SynthResult, stack: str) -> None:
    assert cfn_lint(app.template_path(stack)) == []
    assert unacknowledged(check_template(app.template(stack), POLICY, DEV)) == []


@pytest.mark.parametrize("stack", MODES_STACKS)
def test_required_tags_on_every_taggable_resource(app: SynthResult, stack: str) -> None:
    resources = app.template(stack)
    assert check_template(resources, POLICY, DEV, rules=(required_tags.RULE,)) == []  # PLAT-TAG1, no acks
    required = {t.name for t in POLICY.tags}
    tagged = 0
    for logical_id, resource in resources["Resources"].items():
        tags = resource.get("Properties", {}).get("Tags")
        if isinstance(tags, list) and logical_id.startswith("Endpoint"):  # not the AB stack's ml-platform network
            values = {t["Key"]: t["Value"] for t in tags}
            assert required <= set(values) and values["CostCenter"] == "team-a", logical_id
            tagged += 1
    assert tagged >= 10


# --- models and network -------------------------------------------------------------------------------------------
def test_model_is_network_isolated_in_the_vpc_with_its_own_closed_security_group(app: SynthResult) -> None:
    seed = template(app, SEED)
    subnets = next(p for p in app.template(SEED)["Parameters"] if "isolatedsubnetids" in p)
    group = Capture()
    seed.has_resource_properties("AWS::SageMaker::Model", {
        "EnableNetworkIsolation": True,
        "VpcConfig": {"Subnets": {"Ref": subnets}, "SecurityGroupIds": [{"Fn::GetAtt": [group, "GroupId"]}]},
        "PrimaryContainer": {"ModelDataUrl": URL, "Mode": "SingleModel", "Image": Match.any_value()},
    })
    image = _only(seed.find_resources("AWS::SageMaker::Model"))["Properties"]["PrimaryContainer"]["Image"]
    assert "763104351884.dkr.ecr." in json.dumps(image)  # the approved default, in the stack's region
    assert app.template(SEED)["Resources"][group.as_string()]["Type"] == "AWS::EC2::SecurityGroup"
    seed.has_resource_properties("AWS::EC2::SecurityGroup", {
        "SecurityGroupEgress": [{"CidrIp": "0.0.0.0/0", "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp",
                                 "Description": Match.any_value()}],
        "SecurityGroupIngress": Match.absent(),
    })


def test_model_in_stack_with_platform_network_uses_its_isolated_subnets(app: SynthResult) -> None:
    models = template(app, "AB").find_resources("AWS::SageMaker::Model")
    assert len(models) == 2
    for model in models.values():
        subnets = model["Properties"]["VpcConfig"]["Subnets"]
        assert len(subnets) == 2 and all("NetworkVpcisolatedSubnet" in s["Ref"] for s in subnets)


# --- endpoint configuration ---------------------------------------------------------------------------------------
def test_endpoint_config_kms_and_encrypted_data_capture(app: SynthResult) -> None:
    default = template(app, "Default")
    (key_id,) = default.find_resources("AWS::KMS::Key")
    key_arn = {"Fn::GetAtt": [key_id, "Arn"]}
    default.has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "KmsKeyId": key_arn,
        "DataCaptureConfig": {"EnableCapture": True, "KmsKeyId": key_arn, "InitialSamplingPercentage": 100,
                              "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                              "DestinationS3Uri": Match.any_value()},
        "ProductionVariants": [{"InitialInstanceCount": DEV.endpoint_min_capacity, "InitialVariantWeight": 1,
                                "InstanceType": DEV.default_sagemaker_instance_type, "VariantName": "Primary",
                                "ModelName": Match.any_value()}],
    })


def test_instance_store_types_omit_the_volume_key_with_a_recorded_reason(app: SynthResult) -> None:
    config = _only(template(app, SEED).find_resources("AWS::SageMaker::EndpointConfig", {
        "Properties": {"KmsKeyId": Match.absent(),  # SageMaker rejects it for ml.g4dn (NVMe instance storage)
                       "DataCaptureConfig": Match.object_like({"KmsKeyId": Match.any_value()})}}))
    acks = _acks(config)
    assert set(acks) == {"HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
                         "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
                         "PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured", "PLAT-SM2[volume-key]"}
    assert all("NVMe instance storage" in reason for reason in acks.values())


def test_ab_variants_weighted_with_own_models_and_scaling(app: SynthResult) -> None:
    ab = template(app, "AB")
    ab.has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "ProductionVariants": [
            Match.object_like({"VariantName": "Primary", "InitialVariantWeight": 0.9, "InstanceType": "ml.m5.xlarge"}),
            Match.object_like({"VariantName": "Challenger", "InitialVariantWeight": 0.1,
                               "InstanceType": "ml.c5.xlarge"})],
        "DataCaptureConfig": Match.object_like({"InitialSamplingPercentage": 20}),
    })
    for variant in ("Primary", "Challenger"):
        ab.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
            "ResourceId": f"endpoint/AB-Endpoint/variant/{variant}"})


def test_serverless_mode(app: SynthResult) -> None:
    serverless = template(app, "Serverless")
    config = _only(serverless.find_resources("AWS::SageMaker::EndpointConfig", {"Properties": {
        "ProductionVariants": [Match.object_like({"ServerlessConfig": {"MaxConcurrency": 5, "MemorySizeInMB": 4096},
                                                  "InstanceType": Match.absent()})],
        "DataCaptureConfig": Match.absent(),
        "KmsKeyId": Match.absent()}}))  # no instance volume; SageMaker rejects a key for serverless
    assert set(_acks(config)) == {"PLAT-SM2[volume-key]", "PLAT-SM2[capture]",
                                  "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
                                  "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
                                  "PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured"}
    model = _only(serverless.find_resources("AWS::SageMaker::Model", {"Properties": {"VpcConfig": Match.absent()}}))
    assert list(_acks(model)) == ["PLAT-SM1[isolation]", "PLAT-SM1[vpc]"]
    serverless.resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)
    serverless.resource_count_is("AWS::EC2::SecurityGroup", 0)


def test_async_mode(app: SynthResult) -> None:
    asynchronous = template(app, "Async")
    asynchronous.has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "AsyncInferenceConfig": {
            "OutputConfig": {"KmsKeyId": Match.any_value(), "S3OutputPath": Match.any_value(),
                             "S3FailurePath": Match.any_value()},
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4}},
        "DataCaptureConfig": Match.any_value(),
    })
    config = _only(asynchronous.find_resources("AWS::SageMaker::EndpointConfig"))
    assert "/async-output/" in json.dumps(config["Properties"]["AsyncInferenceConfig"]["OutputConfig"])
    asynchronous.has_resource_properties("AWS::SageMaker::Model", {"PrimaryContainer": Match.object_like({
        "Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/my-model:1.0"})})
    statements = _only(asynchronous.find_resources("AWS::IAM::ManagedPolicy"))["Properties"]["PolicyDocument"][
        "Statement"]
    pull = next(s for s in statements if s.get("Sid") == "PullModelImages")
    assert pull["Resource"]["Fn::Join"][1][-1] == ":ecr:eu-west-1:123456789012:repository/platform/my-model"
    assert {s.get("Sid") for s in statements} >= {"ReadAsyncInputs", "WriteEndpointData"}


# --- data, key, logs ----------------------------------------------------------------------------------------------
def test_data_bucket_is_encrypted_versioned_logged_tls_only_with_lifecycle(app: SynthResult) -> None:
    seed = template(app, SEED)
    buckets = seed.find_resources("AWS::S3::Bucket", {"Properties": {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [Match.object_like({
            "ServerSideEncryptionByDefault": Match.object_like({"SSEAlgorithm": "aws:kms"})})]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "LoggingConfiguration": Match.any_value(),
        "LifecycleConfiguration": {"Rules": Match.array_with([Match.object_like({"Status": "Enabled"})])}}})
    assert [k for k in buckets if "DataBucket" in k]
    policies = json.dumps(seed.find_resources("AWS::S3::BucketPolicy"))
    assert '"aws:SecureTransport": "false"' in policies


def test_key_rotation_on(app: SynthResult) -> None:
    template(app, SEED).has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


# --- deployment guardrails and rollback alarms --------------------------------------------------------------------
def _construct_id(logical_id: str) -> str:
    return re.sub(r"[0-9A-F]{8}$", "", logical_id)  # without the path hash


def _rollback_alarm_ids(result: SynthResult, stack: str) -> list[str]:
    endpoint = _only(template(result, stack).find_resources("AWS::SageMaker::Endpoint"))
    return [a["AlarmName"]["Ref"] for a in endpoint["Properties"]["DeploymentConfig"]["AutoRollbackConfiguration"][
        "Alarms"]]


def test_blue_green_canary_with_auto_rollback_on_every_variants_alarms(app: SynthResult) -> None:
    template(app, SEED).has_resource_properties("AWS::SageMaker::Endpoint", {
        "EndpointName": "prod-rec-model-RecommendationModel",
        "DeploymentConfig": {"BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "CANARY", "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
                                            "WaitIntervalInSeconds": 600},
            "TerminationWaitInSeconds": 600}, "AutoRollbackConfiguration": Match.any_value()}})
    seed_alarms = template(app, SEED).find_resources("AWS::CloudWatch::Alarm")
    assert [_construct_id(a) for a in _rollback_alarm_ids(app, SEED)] == [
        "RecommendationModelErrors5xx", "RecommendationModelLatencyP99"]
    assert set(_rollback_alarm_ids(app, SEED)) <= set(seed_alarms)
    template(app, "AB").has_resource_properties("AWS::SageMaker::Endpoint", {"DeploymentConfig": Match.object_like({
        "BlueGreenUpdatePolicy": Match.object_like({"TrafficRoutingConfiguration": Match.object_like({
            "Type": "LINEAR", "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 25}})})})})
    assert [_construct_id(a) for a in _rollback_alarm_ids(app, "AB")] == [
        "EndpointErrors5xx", "EndpointLatencyP99", "EndpointErrors5xxChallenger", "EndpointLatencyP99Challenger"]


def test_beyond_five_variants_one_alarm_per_kind_over_every_variant_rolls_back(app: SynthResult) -> None:
    """SageMaker takes at most ten rollback alarms: six variants' twelve alarms become two, each watching all six."""
    many = template(app, "Many")
    rollback = _rollback_alarm_ids(app, "Many")
    assert [_construct_id(a) for a in rollback] == ["EndpointRollbackErrors5xx",
                                                                "EndpointRollbackLatencyP99"]
    variants = ["Primary", *(v.name for v in MANY)]
    alarms = many.find_resources("AWS::CloudWatch::Alarm")
    for alarm_id, metric_name, threshold in ((rollback[0], "Invocation5XXErrors", 10),
                                             (rollback[1], "ModelLatency", 2000 * 1000)):
        props = alarms[alarm_id]["Properties"]
        (expression,) = (m for m in props["Metrics"] if "Expression" in m)
        stats = [m["MetricStat"] for m in props["Metrics"] if "MetricStat" in m]
        assert expression["Expression"] == "MAX([" + ", ".join(f"v{i}" for i in range(len(variants))) + "])"
        assert [s["Metric"]["MetricName"] for s in stats] == [metric_name] * len(variants)
        assert [next(d["Value"] for d in s["Metric"]["Dimensions"] if d["Name"] == "VariantName")
                for s in stats] == variants
        assert (props["Threshold"], props["ComparisonOperator"]) == (threshold, "GreaterThanThreshold")
        assert props["AlarmActions"] == [{"Ref": next(iter(many.find_resources("AWS::SNS::Topic")))}]
    assert len(alarms) == 2 + len(variants) * 6  # each variant keeps its own alarms (5xx, p99, 4xx, CPU, mem, disk)


def test_up_to_five_variants_each_variants_alarms_roll_back() -> None:
    stack = Stack(new_app(), "S")
    five = SecureModelEndpoint(stack, "Endpoint", model_data_url=URL, cost_center="team-a", variants=MANY[:4])
    assert [a.node.id for a in five.rollback_alarms] == [
        f"{kind}{suffix}" for suffix in ("", "V1", "V2", "V3", "V4") for kind in ("Errors5xx", "LatencyP99")]
    assert "RollbackErrors5xx" not in five.alarms


# --- autoscaling, alarms, dashboard, outputs ----------------------------------------------------------------------
def test_target_tracking_autoscaling_within_policy_bounds(app: SynthResult) -> None:
    seed = template(app, SEED)
    target = _only(seed.find_resources("AWS::ApplicationAutoScaling::ScalableTarget", {"Properties": {
        "MaxCapacity": DEV.endpoint_max_capacity, "MinCapacity": DEV.endpoint_min_capacity,
        "ResourceId": "endpoint/prod-rec-model-RecommendationModel/variant/Primary",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "ServiceNamespace": "sagemaker"}}))
    assert any("Endpoint" in d for d in target["DependsOn"])  # the resource id names the endpoint literally
    seed.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "TargetValue": 1000, "ScaleInCooldown": 300, "ScaleOutCooldown": 60}})


def test_alarms_have_actions_to_encrypted_topic(app: SynthResult) -> None:
    seed = template(app, SEED)
    topic_id = next(iter(seed.find_resources("AWS::SNS::Topic", {"Properties": {"KmsMasterKeyId": Match.any_value()}})))
    alarms = seed.find_resources("AWS::CloudWatch::Alarm")
    metrics: set[str] = set()
    for alarm in alarms.values():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": topic_id}]
        metrics.update([props["MetricName"]] if "MetricName" in props else
                       [m["MetricStat"]["Metric"]["MetricName"] for m in props["Metrics"] if "MetricStat" in m])
    assert metrics == {"Invocation5XXErrors", "Invocation4XXErrors", "Invocations", "ModelLatency", "CPUUtilization",
                       "MemoryUtilization", "DiskUtilization", "GPUUtilization", "GPUMemoryUtilization"}
    seed.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "ModelLatency", "ExtendedStatistic": "p99",
                                                            "Threshold": 2000 * 1000})  # microseconds
    seed.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "CPUUtilization",
                                                            "Threshold": 90 * 4})  # 90 % of ml.g4dn.xlarge's 4 vCPUs


def test_dashboard_and_outputs(app: SynthResult) -> None:
    seed = template(app, SEED)
    assert "Invocation5XXErrors" in json.dumps(_only(seed.find_resources("AWS::CloudWatch::Dashboard")))
    seed.has_output("*", {"Value": "prod-rec-model-RecommendationModel"})
    seed.has_output("*", {"Value": {"Ref": Match.string_like_regexp(r"^RecommendationModelEndpoint")}})


# --- execution role and callers -----------------------------------------------------------------------------------
def test_execution_role_is_least_privilege(app: SynthResult) -> None:
    seed = template(app, SEED)
    seed.resource_count_is("AWS::IAM::Policy", 0)  # no inline policies
    role_id = next(iter(seed.find_resources("AWS::IAM::Role", {"Properties": {
        "AssumeRolePolicyDocument": {"Statement": [Match.object_like({
            "Principal": {"Service": "sagemaker.amazonaws.com"}})], "Version": Match.any_value()},
        "ManagedPolicyArns": Match.absent(), "Policies": Match.absent()}})))  # no AWS-managed, no inline policy
    managed = _only(seed.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {"Roles": [{"Ref": role_id}]}}))
    everything = managed["Properties"]["PolicyDocument"]["Statement"]
    statements = {s["Sid"]: s for s in everything if "Sid" in s}
    assert statements["ReadModelArtifacts"]["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::my-bucket/models/rec-model.tar.gz"]]}
    assert statements["PullModelImages"]["Resource"]["Fn::Join"][1][-1] == ":763104351884:repository/pytorch-inference"
    assert statements["UseEndpointKey"]["Resource"]["Fn::GetAtt"][1] == "Arn"
    assert statements["WriteEndpointData"]["Resource"]["Fn::Join"][1][1] == "/data-capture/*"
    assert sorted(sid for sid, s in statements.items() if s["Resource"] == "*") == [
        "PublishEndpointMetrics", "UnscopableActions"]
    assert statements["PublishEndpointMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}
    assert not any(a.endswith("*") for s in everything for a in
                   ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    (logs,) = (s for s in everything if "Sid" not in s)  # log_group.grant_write: its own log group only
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert logs["Resource"] == {"Fn::GetAtt": [next(iter(seed.find_resources("AWS::Logs::LogGroup"))), "Arn"]}
    assert set(_acks(managed)) == {  # decisions on the role cover its sealed policy only
        "AwsSolutions-IAM5[Resource::*]",
        "AwsSolutions-IAM5[Resource::<RecommendationModelDataBucket3BD2575F.Arn>/data-capture/*]",
        *(f"PLAT-IAM5[Action::ec2:{a}]" for a in ("CreateNetworkInterface", "CreateNetworkInterfacePermission",
                                                   "DeleteNetworkInterface"))}


def test_grant_invoke_scopes_to_the_endpoint_arn(app: SynthResult) -> None:
    policies = template(app, "Default").find_resources("AWS::IAM::ManagedPolicy")
    caller = next(p for k, p in policies.items() if k.startswith("Caller"))
    (statement,) = caller["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
    assert statement["Resource"]["Fn::Join"][1][-1] == ":endpoint/default-endpoint"


def test_a_wildcard_grant_added_after_construction_fails_synth(tmp_path: Path) -> None:
    """The role's acknowledged unscopable actions on '*' must not hide a later grant on '*' from cdk-nag."""
    app = new_app(outdir=tmp_path)
    endpoint = SecureModelEndpoint(Stack(app, "S"), "Endpoint", model_data_url=URL, cost_center="team-a")
    endpoint.role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))
    with pytest.raises(RuntimeError, match=r"role S/Endpoint/ExecutionRole: a grant added to it after construction "
                                           r"allows s3:GetObject on \"\*\""):
        app.synth()


def test_scoped_grants_added_after_construction_are_accepted() -> None:
    endpoint = SecureModelEndpoint(Stack(new_app(), "S"), "Endpoint", model_data_url=URL, cost_center="team-a")
    endpoint.bucket.grant_read(endpoint.role)
    assert endpoint.node.validate() == []


# --- the construct in-process: attributes, warnings, validation before any resource -------------------------------
def test_public_surface() -> None:
    endpoint = SecureModelEndpoint(Stack(new_app(), "S"), "E", model_data_url=URL, cost_center="team-a",
                                   endpoint_name="my-endpoint")
    for name in ("key", "log_group", "alarm_topic", "bucket", "role", "security_group", "endpoint",
                 "endpoint_config", "models", "alarms", "dashboard"):
        assert getattr(endpoint, name), name
    assert endpoint.endpoint_name == endpoint.settings.endpoint_name == "my-endpoint"
    assert set(endpoint.models) == {"Primary"} and endpoint.model is endpoint.models["Primary"]
    assert {"Errors5xx", "LatencyP99", "Rate4xx", "Cpu", "Memory", "Disk"} == set(endpoint.alarms)
    assert endpoint.settings.variants[0].image is not None


EXAMPLES: list[dict[str, Any]] = [
    {"env": "dev", "variants": [ModelVariant("B", "s3://my-bucket/models/v2.tar.gz", 0.5, "ml.g4dn.xlarge")]},
    {"env": "prod", "mode": "serverless"},
    {"env": "staging", "mode": "async", "traffic_shifting": "linear", "min_capacity": 2},
]


@pytest.mark.parametrize("example", EXAMPLES, ids=[str(e.get("mode", "realtime")) for e in EXAMPLES])
def test_resources_follow_the_settings(example: dict[str, Any]) -> None:
    """What the property tests prove of the settings holds for the L1 resources built from them."""
    env = POLICY.environment(example["env"])
    kwargs = {k: v for k, v in example.items() if k != "env"}
    endpoint = SecureModelEndpoint(Stack(new_app({"env": env.name}), "S"), "Endpoint", model_data_url=URL,
                                   cost_center="team-a", **kwargs)
    settings = endpoint.settings
    if settings.serverless:
        assert endpoint.endpoint_config.data_capture_config is None and not endpoint.scalable_targets
        assert all(m.vpc_config is None for m in endpoint.models.values())
    else:
        assert all(m.enable_network_isolation is True and m.vpc_config is not None for m in endpoint.models.values())
        for target in endpoint.scalable_targets.values():
            assert (target.min_capacity, target.max_capacity) == (settings.min_capacity, settings.max_capacity)
        assert set(endpoint.scaling_policies) == set(endpoint.models) == {v.name for v in settings.variants}
    assert endpoint.alarms and endpoint.rollback_alarms


def _warnings(construct: Construct) -> list[str]:
    return [str(entry.data) for entry in construct.node.metadata if entry.type == "aws:cdk:warning"]


def test_warnings_carry_their_ids_and_the_defaults_warn_of_nothing() -> None:
    stack = Stack(new_app(), "S")
    quiet = SecureModelEndpoint(stack, "Quiet", model_data_url=URL, cost_center="team-a")
    loud = SecureModelEndpoint(stack, "Loud", model_data_url=URL, cost_center="team-a", mode="serverless",
                               min_capacity=3, bake_minutes=0)
    assert _warnings(quiet) == []
    warnings = _warnings(loud)
    assert len(warnings) == 2
    assert warnings[0].startswith("mode='serverless' ignores min_capacity=3 (realtime/async only)")
    assert warnings[0].endswith(f"[ack: {endpoint_settings.WARNING_IGNORED_ARGUMENTS}]")
    assert warnings[1].endswith(f"[ack: {endpoint_settings.WARNING_NO_BAKE_TIME}]")


def test_all_problems_with_the_tags_are_reported_together_before_any_resource() -> None:
    stack = Stack(new_app(), "S")
    with pytest.raises(PlatformValidationError) as info:
        SecureModelEndpoint(stack, "Endpoint", model_data_url="gs://x/y", cost_center="",
                            instance_type="ml.bogus", data_capture_sampling_percent=200, endpoint_name="a" * 70)
    arguments = [p.argument for p in info.value.problems]
    assert arguments == ["cost_center", "endpoint_name", "data_capture_sampling_percent", "model_data_url",
                         "instance_type"]
    assert str(info.value).startswith("5 problem(s) in S/Endpoint:")
    assert not stack.node.find_child("Endpoint").node.children  # nothing was created before the error


def test_policy_file_and_environment_change_the_allowed_types() -> None:
    with pytest.raises(PlatformValidationError, match=r"allows in prod: ml.m5.xlarge"):
        SecureModelEndpoint(Stack(new_app({"env": "prod"}), "S"), "Endpoint", model_data_url=URL,
                            cost_center="team-a", instance_type="ml.t2.medium")


def test_example_app_contains_the_seed_stack(example_app: SynthResult) -> None:
    template(example_app, SEED).resource_count_is("AWS::SageMaker::Endpoint", 1)
