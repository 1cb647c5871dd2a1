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
from aws_cdk import App, Fn, Stack, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Capture, Match, Template
from constructs import Construct

from platform_constructs import (
    DataQualityMonitoring,
    ModelVariant,
    PlatformNetwork,
    PlatformValidationError,
    SecureModelEndpoint,
)
from platform_constructs.baseline import platform_role
from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.compliance.rules import required_tags
from platform_constructs.policy import load_policy
from platform_constructs.serving import settings as endpoint_settings
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

URL = "s3://my-bucket/models/rec-model.tar.gz"
BASELINE = "s3://my-bucket/datasets/train.csv"
IMAGE = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference@sha256:" + "b" * 64
"""A caller's own image: pinned by digest, in an approved registry whose account synth can check."""
POLICY = load_policy()
DEV = POLICY.environment("dev")
SEED = "prod-rec-model"
MODES_STACKS = ("Default", "AB", "Serverless", "Async", "Many", "Frameworks", "ImportedVpc")
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
        traffic_shifting="linear", traffic_step_percent=25, data_capture_sampling_percent=20, min_capacity=2)
    SecureModelEndpoint(Stack(app, "Serverless"), "Endpoint", model_data_url=URL, cost_center="team-a",
                        mode="serverless", serverless_memory_mb=4096, serverless_provisioned_concurrency=2)
    SecureModelEndpoint(Stack(app, "Async"), "Endpoint", model_data_url=URL, cost_center="team-a", mode="async",
                        image=IMAGE)
    SecureModelEndpoint(Stack(app, "Many"), "Endpoint", model_data_url=URL, cost_center="team-a", variants=MANY)
    imported = Stack(app, "ImportedVpc")
    SecureModelEndpoint(imported, "Endpoint", model_data_url=URL, cost_center="team-a", vpc=ec2.Vpc.from_vpc_attributes(
        imported, "Vpc", vpc_id=Fn.import_value("shared-vpc-id"), availability_zones=["us-east-1a"],
        isolated_subnet_ids=[Fn.import_value("shared-subnet-a")]))
    SecureModelEndpoint(Stack(app, "Frameworks"), "Endpoint", model_data_url=URL, cost_center="team-a",
                        framework="sklearn", sleep=False, variants=[
                            ModelVariant("Boost", URL, instance_type="ml.g4dn.xlarge", framework="xgboost"),
                            ModelVariant("Small", URL, instance_type="ml.t2.medium")])
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
    # the default framework's GPU image (ml.g4dn has GPUs), its account looked up for the stack's region
    assert image == {"Fn::Join": ["", [{"Fn::FindInMap": ["PlatformFrameworkAccounts", {"Ref": "AWS::Region"}, "dlc"]},
                                       ".dkr.ecr.", {"Ref": "AWS::Region"},
                                       ".amazonaws.com/pytorch-inference:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker"]]}
    assert app.template(SEED)["Mappings"]["PlatformFrameworkAccounts"]["us-east-1"] == {
        "dlc": "763104351884", "sagemaker": "683313688378"}
    assert app.template(SEED)["Resources"][group.as_string()]["Type"] == "AWS::EC2::SecurityGroup"
    cidr = next(p for p in app.template(SEED)["Parameters"] if "vpccidr" in p)  # the network's, from SSM
    seed.has_resource_properties("AWS::EC2::SecurityGroup", {
        "SecurityGroupEgress": [{"CidrIp": {"Ref": cidr}, "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp",
                                 "Description": "HTTPS to the VPC endpoints"}],
        "SecurityGroupIngress": Match.absent(),
    })
    seed.has_resource_properties("AWS::EC2::SecurityGroupEgress", {  # and S3 through the gateway, nothing else
        "GroupId": {"Fn::GetAtt": [group.as_string(), "GroupId"]},
        "DestinationPrefixListId": {"Fn::FindInMap": ["PlatformS3PrefixLists", {"Ref": "AWS::Region"}, "s3"]},
        "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp"})


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
    name = _endpoint_name(app, "AB")
    for variant in ("Primary", "Challenger"):
        ab.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
            "ResourceId": f"endpoint/{name}/variant/{variant}", "MinCapacity": 2})


def test_each_variant_serves_its_frameworks_image_for_its_processor_kind(app: SynthResult) -> None:
    frameworks = template(app, "Frameworks")
    by_variant = {next((n for n in ("Boost", "Small") if k.startswith(f"Endpoint{n}Model")), "Primary"):
                  json.dumps(v["Properties"]["PrimaryContainer"]["Image"])
                  for k, v in frameworks.find_resources("AWS::SageMaker::Model").items()}
    assert '"sagemaker"]}' in by_variant["Primary"] and "sagemaker-scikit-learn:1.2-1-cpu-py3" in by_variant["Primary"]
    assert "sagemaker-xgboost:1.7-1" in by_variant["Boost"]
    assert "sagemaker-scikit-learn" in by_variant["Small"]  # inherits the endpoint's framework, on CPU
    targets = frameworks.find_resources("AWS::ApplicationAutoScaling::ScalableTarget")
    assert sorted(t["Properties"]["ResourceId"].rsplit("/", 1)[1] for t in targets.values()) == ["Boost", "Primary"]
    assert all("ScheduledActions" not in t["Properties"] for t in targets.values())  # sleep=False


def test_serverless_mode(app: SynthResult) -> None:
    serverless = template(app, "Serverless")
    config = _only(serverless.find_resources("AWS::SageMaker::EndpointConfig", {"Properties": {
        "ProductionVariants": [Match.object_like({"ServerlessConfig": {"MaxConcurrency": 5, "MemorySizeInMB": 4096,
                                                                       "ProvisionedConcurrency": 2},
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
    # deployment guardrails are for instance-based endpoints: SageMaker's default update, nothing retained
    serverless.has_resource_properties("AWS::SageMaker::Endpoint", {
        "DeploymentConfig": Match.absent(), "RetainAllVariantProperties": Match.absent()})


def test_async_mode(app: SynthResult) -> None:
    asynchronous = template(app, "Async")
    topics = asynchronous.find_resources("AWS::SNS::Topic", {"Properties": {"KmsMasterKeyId": Match.any_value()}})
    success, error = (next(k for k in topics if k.startswith(f"Endpoint{kind}Topic")) for kind in ("Success", "Error"))
    key_arn = {"Fn::GetAtt": [next(iter(asynchronous.find_resources("AWS::KMS::Key"))), "Arn"]}
    asynchronous.has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "AsyncInferenceConfig": {
            "OutputConfig": {"KmsKeyId": key_arn, "S3OutputPath": Match.any_value(),
                             "S3FailurePath": Match.any_value(),
                             "NotificationConfig": {"SuccessTopic": {"Ref": success}, "ErrorTopic": {"Ref": error}}},
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4}},
        "DataCaptureConfig": Match.any_value(),
        "ProductionVariants": [Match.object_like({"InitialInstanceCount": 1})],  # starts with one, may scale to 0
    })
    config = _only(asynchronous.find_resources("AWS::SageMaker::EndpointConfig"))
    assert "/async-output/" in json.dumps(config["Properties"]["AsyncInferenceConfig"]["OutputConfig"])
    asynchronous.has_resource_properties("AWS::SageMaker::Model", {"PrimaryContainer": Match.object_like({
        "Image": IMAGE})})
    statements = _only(asynchronous.find_resources("AWS::IAM::ManagedPolicy"))["Properties"]["PolicyDocument"][
        "Statement"]
    pull = next(s for s in statements if s.get("Sid") == "PullModelImages")
    assert pull["Resource"]["Fn::Join"][1][-1] == ":ecr:eu-west-1:763104351884:repository/pytorch-inference"
    assert {s.get("Sid") for s in statements} >= {"ReadAsyncInputs", "WriteEndpointData"}
    publish = next(s for s in statements if s.get("Sid") == "PublishAsyncNotifications")
    assert (publish["Action"], publish["Resource"]) == ("sns:Publish", [{"Ref": success}, {"Ref": error}])


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


def _endpoint_name(result: SynthResult, stack: str) -> str:
    name = _only(template(result, stack).find_resources("AWS::SageMaker::Endpoint"))["Properties"]["EndpointName"]
    assert isinstance(name, str)
    return name


def test_one_instance_updates_all_at_once_with_rollback_and_keeps_the_scaled_capacity(app: SynthResult) -> None:
    template(app, SEED).has_resource_properties("AWS::SageMaker::Endpoint", {
        "EndpointName": Match.string_like_regexp(r"^prod-rec-model-RecommendationModel-[0-9a-f]{8}$"),
        "RetainAllVariantProperties": True,
        "ExcludeRetainedVariantProperties": [{"VariantPropertyType": "DesiredWeight"}],
        "DeploymentConfig": {"BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600},
            "TerminationWaitInSeconds": 600}, "AutoRollbackConfiguration": Match.any_value()}})
    seed_alarms = template(app, SEED).find_resources("AWS::CloudWatch::Alarm")
    assert [_construct_id(a) for a in _rollback_alarm_ids(app, SEED)] == [
        "RecommendationModelErrors5xx", "RecommendationModelLatencyP99"]
    assert set(_rollback_alarm_ids(app, SEED)) <= set(seed_alarms)


def test_two_instances_shift_linear_steps(app: SynthResult) -> None:
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
def test_target_tracking_autoscaling_within_policy_bounds_sleeping_at_night(app: SynthResult) -> None:
    seed = template(app, SEED)
    schedule = DEV.endpoint_schedule
    assert schedule is not None
    target = _only(seed.find_resources("AWS::ApplicationAutoScaling::ScalableTarget", {"Properties": {
        "MaxCapacity": DEV.endpoint_max_capacity, "MinCapacity": DEV.endpoint_min_capacity,
        "ResourceId": f"endpoint/{_endpoint_name(app, SEED)}/variant/Primary",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "ServiceNamespace": "sagemaker",
        "ScheduledActions": [
            {"ScheduledActionName": "sleep", "Schedule": schedule.sleep, "Timezone": schedule.timezone,
             "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 1}},
            {"ScheduledActionName": "wake", "Schedule": schedule.wake, "Timezone": schedule.timezone,
             "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": DEV.endpoint_max_capacity}}]}}))
    assert any("Endpoint" in d for d in target["DependsOn"])  # the resource id names the endpoint literally
    seed.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "TargetValue": 1000, "ScaleInCooldown": 300, "ScaleOutCooldown": 60}})


def test_async_scales_on_its_backlog_from_zero_woken_by_the_backlog_alarm(app: SynthResult) -> None:
    asynchronous, name = template(app, "Async"), _endpoint_name(app, "Async")
    target = next(iter(asynchronous.find_resources("AWS::ApplicationAutoScaling::ScalableTarget", {"Properties": {
        "MinCapacity": 0, "MaxCapacity": DEV.endpoint_max_capacity}})))
    asynchronous.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyType": "TargetTrackingScaling", "ScalingTargetId": {"Ref": target},
        "TargetTrackingScalingPolicyConfiguration": {
            "CustomizedMetricSpecification": {"MetricName": "ApproximateBacklogSizePerInstance",
                                              "Namespace": "AWS/SageMaker", "Statistic": "Average",
                                              "Dimensions": [{"Name": "EndpointName", "Value": name}]},
            "TargetValue": 5, "ScaleInCooldown": 300, "ScaleOutCooldown": 60}})
    wake = next(iter(asynchronous.find_resources("AWS::ApplicationAutoScaling::ScalingPolicy", {"Properties": {
        "PolicyType": "StepScaling", "ScalingTargetId": {"Ref": target},
        "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity", "MetricAggregationType": "Average",
                                           "Cooldown": 300, "StepAdjustments": [
                                               {"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}}})))
    asynchronous.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "HasBacklogWithoutCapacity", "Namespace": "AWS/SageMaker", "Statistic": "Average",
        "Dimensions": [{"Name": "EndpointName", "Value": name}], "Period": 60, "EvaluationPeriods": 2,
        "DatapointsToAlarm": 2, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "missing", "AlarmActions": [{"Ref": wake}]})


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
    dashboard = json.dumps(_only(seed.find_resources("AWS::CloudWatch::Dashboard")))
    assert "Invocation5XXErrors" in dashboard
    # CPU is normalised to the instance's 4 vCPUs (ml.g4dn.xlarge): every utilization line reads 0-100 %
    assert "cpu_primary / 4" in dashboard and "CPU Primary (% of 4 vCPUs)" in dashboard
    name = _endpoint_name(app, SEED)
    seed.has_output("*", {"Value": name})
    seed.has_output("*", {"Value": {"Ref": Match.string_like_regexp(r"^RecommendationModelEndpoint")}})
    seed.has_resource_properties("AWS::SSM::Parameter", {  # the stable name that finds the current endpoint
        "Name": "/platform/endpoints/prod-rec-model-RecommendationModel", "Value": name, "Type": "String"})


# --- execution role and callers -----------------------------------------------------------------------------------
def _role_statements(result: SynthResult, stack: str) -> tuple[str, list[dict[str, Any]]]:
    found = template(result, stack)
    role_id = next(iter(found.find_resources("AWS::IAM::Role", {"Properties": {
        "AssumeRolePolicyDocument": {"Statement": [Match.object_like({
            "Principal": {"Service": "sagemaker.amazonaws.com"}})], "Version": Match.any_value()},
        "ManagedPolicyArns": Match.absent(), "Policies": Match.absent()}})))  # no AWS-managed, no inline policy
    managed = _only(found.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {"Roles": [{"Ref": role_id}]}}))
    return role_id, managed["Properties"]["PolicyDocument"]["Statement"]


def test_execution_role_is_least_privilege(app: SynthResult) -> None:
    seed = template(app, SEED)
    seed.resource_count_is("AWS::IAM::Policy", 0)  # no inline policies
    role_id, everything = _role_statements(app, SEED)
    statements = {s["Sid"]: s for s in everything if "Sid" in s}
    assert statements["ReadModelArtifacts"]["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::my-bucket/models/rec-model.tar.gz"]]}
    pull = json.dumps(statements["PullModelImages"]["Resource"])
    assert '"Fn::FindInMap": ["PlatformFrameworkAccounts"' in pull and ":repository/pytorch-inference" in pull
    assert statements["UseEndpointKey"]["Resource"]["Fn::GetAtt"][1] == "Arn"
    assert statements["WriteEndpointData"]["Resource"]["Fn::Join"][1][1] == "/data-capture/*"
    assert sorted(sid for sid, s in statements.items() if s["Resource"] == "*") == [
        "PublishEndpointMetrics", "UnscopableActions"]
    assert statements["UnscopableActions"]["Action"] == [
        "ecr:GetAuthorizationToken", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]  # no write action on '*'
    assert statements["PublishEndpointMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}
    rollback = [{"Fn::GetAtt": [alarm, "Arn"]} for alarm in _rollback_alarm_ids(app, SEED)]
    assert (statements["ReadRollbackAlarms"]["Action"], statements["ReadRollbackAlarms"]["Resource"]) == (
        "cloudwatch:DescribeAlarms", rollback)  # deployment guardrails read the rollback alarms with this role
    assert not any(a.endswith("*") for s in everything for a in
                   ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    (logs,) = (s for s in everything if "Sid" not in s)  # log_group.grant_write: its own log group only
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert logs["Resource"] == {"Fn::GetAtt": [next(iter(seed.find_resources("AWS::Logs::LogGroup"))), "Arn"]}
    # decisions on the role cover its sealed policy only (beside the deploy-time VPC conditions' PLAT-IAM3)
    managed = _only(seed.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {"Roles": [{"Ref": role_id}]}}))
    assert {a for a in _acks(managed) if not a.startswith("PLAT-IAM3[")} == {
        "AwsSolutions-IAM5[Resource::*]",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:subnet/*]",
        "AwsSolutions-IAM5[Resource::<RecommendationModelDataBucket3BD2575F.Arn>/data-capture/*]"}


def test_only_sagemaker_for_this_account_may_assume_the_execution_role(app: SynthResult) -> None:
    role_id, _ = _role_statements(app, SEED)
    (trust,) = app.template(SEED)["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {  # SageMaker's confused-deputy prevention: both global condition keys
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sagemaker:",
                                                         {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                                                         ":*"]]}}}


class _Account:
    """Where the trust policy is evaluated (the runtime tables' template evaluator resolves it with these)."""

    partition, region, account = "aws", "eu-west-1", "111122223333"

    def physical_id(self, stack: str, logical_id: str) -> str | None:
        return None

    def ssm(self, name: str) -> str:
        raise KeyError(name)

    def batch_cluster(self, environment: str) -> str:
        raise KeyError(environment)


@pytest.mark.parametrize(("context", "allowed"), [
    ({"aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/x"},
     True),
    ({"aws:SourceAccount": "999999999999", "aws:SourceArn": "arn:aws:sagemaker:eu-west-1:999999999999:endpoint/x"},
     False),  # SageMaker acting for another account's endpoint: the confused deputy
    ({"aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:sagemaker:us-east-1:111122223333:endpoint/x"},
     False),  # another region's resource
    ({}, False),  # a request without the keys
])
def test_the_trust_policy_decides_on_the_keys_sagemaker_sends(app: SynthResult, context: dict[str, str],
                                                               allowed: bool) -> None:
    from platform_constructs.local.runtime import policy
    from platform_constructs.local.runtime.resolve import resolve

    role_id, _ = _role_statements(app, SEED)
    template = app.template(SEED)
    trust = resolve(template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"], SEED, template,
                    _Account())
    request = policy.Request("sts:AssumeRole", "arn:aws:iam::111122223333:role/execution",
                             policy.Principal(service="sagemaker.amazonaws.com"), context)
    assert (policy.evaluate([trust], request, resource_policy=True) is policy.Effect.ALLOW) is allowed


def test_network_interface_actions_are_scoped_to_the_endpoints_vpc(app: SynthResult) -> None:
    _, everything = _role_statements(app, SEED)
    statements = {s["Sid"]: s for s in everything if "Sid" in s}
    vpc_parameter = next(p for p in app.template(SEED)["Parameters"] if "vpcid" in p.lower())
    vpc_arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ec2:", {"Ref": "AWS::Region"}, ":",
                                 {"Ref": "AWS::AccountId"}, ":vpc/", {"Ref": vpc_parameter}]]}
    create, manage = statements["CreateNetworkInterfaces"], statements["ManageEndpointNetworkInterfaces"]
    # one statement per action with every resource type it needs; the interface being created has no ec2:Vpc key
    assert (create["Action"], create["Condition"]) == ("ec2:CreateNetworkInterface",
                                                       {"ArnEqualsIfExists": {"ec2:Vpc": vpc_arn}})
    assert [r["Fn::Join"][1][-1] for r in create["Resource"][:2]] == [":network-interface/*", ":subnet/*"]
    assert create["Resource"][2]["Fn::Join"][1][-1]["Fn::GetAtt"][1] == "GroupId"  # its own security group only
    assert manage["Condition"] == {"ArnEquals": {"ec2:Vpc": vpc_arn}} and manage["Action"] == [
        "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"]
    policy = next(r for r in app.template(SEED)["Resources"].values() if r["Type"] == "AWS::IAM::ManagedPolicy")
    assert sum(a.startswith("PLAT-IAM3[Unverifiable::Condition::") for a in _acks(policy)) == 2  # deploy-time VPC
    _, serverless = _role_statements(app, "Serverless")
    assert not any("ec2:" in json.dumps(s["Action"]) for s in serverless)  # no VPC, no network interfaces


def test_grant_invoke_scopes_to_the_endpoint_arn(app: SynthResult) -> None:
    policies = template(app, "Default").find_resources("AWS::IAM::ManagedPolicy")
    caller = next(p for k, p in policies.items() if k.startswith("Caller"))
    (statement,) = caller["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
    assert statement["Resource"]["Fn::Join"][1][-1] == f":endpoint/{_endpoint_name(app, 'Default').lower()}"


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
    endpoint.role.add_to_principal_policy(iam.PolicyStatement(
        actions=["s3:GetObject"], resources=["arn:aws:s3:::my-bucket/models/extra.tar.gz"]))
    assert endpoint.node.validate() == [] and endpoint.role.node.validate() == []
    assert endpoint.role.user_policy is not None  # in the role's user policy: judged by the gate, never acknowledged


# --- the construct in-process: attributes, warnings, validation before any resource -------------------------------
def test_public_surface() -> None:
    endpoint = SecureModelEndpoint(Stack(new_app(), "S"), "E", model_data_url=URL, cost_center="team-a",
                                   endpoint_name="my-endpoint")
    for name in ("key", "log_group", "alarm_topic", "bucket", "role", "security_group", "endpoint",
                 "endpoint_config", "models", "alarms", "dashboard"):
        assert getattr(endpoint, name), name
    assert endpoint.endpoint_name == endpoint.settings.endpoint_name == f"my-endpoint-{endpoint.settings.generation}"
    assert set(endpoint.models) == {"Primary"} and endpoint.model is endpoint.models["Primary"]
    assert {"Errors5xx", "LatencyP99", "Rate4xx", "Cpu", "Memory", "Disk"} == set(endpoint.alarms)
    assert endpoint.settings.variants[0].image is not None


EXAMPLES: list[dict[str, Any]] = [
    {"env": "dev", "variants": [ModelVariant("B", "s3://my-bucket/models/v2.tar.gz", 0.5, "ml.g4dn.xlarge")]},
    {"env": "staging", "mode": "serverless"},  # prod requires monitoring, so real-time endpoints
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
    assert endpoint.alarms and bool(endpoint.rollback_alarms) != settings.serverless  # guardrails: instances only
    assert endpoint.endpoint.endpoint_name == settings.endpoint_name
    assert set(endpoint.scalable_targets) == {v.name for v in settings.autoscaled_variants}


def _warnings(construct: Construct) -> list[str]:
    return [str(entry.data) for entry in construct.node.metadata if entry.type == "aws:cdk:warning"]


def test_warnings_carry_their_ids() -> None:
    quiet = SecureModelEndpoint(Stack(new_app({"env": "prod"}), "S"), "Quiet", model_data_url=URL,
                                cost_center="team-a", monitoring=DataQualityMonitoring(baseline_dataset=BASELINE))
    loud = SecureModelEndpoint(Stack(new_app({"env": "staging"}), "S"), "Loud", model_data_url=URL,
                               cost_center="team-a", mode="serverless", min_capacity=3, bake_minutes=0)
    assert _warnings(quiet) == []
    (warning,) = _warnings(loud)
    assert warning.startswith("mode='serverless' ignores min_capacity=3 (realtime/async only), "
                              "bake_minutes=0 (realtime/async only)")
    assert warning.endswith(f"[ack: {endpoint_settings.WARNING_IGNORED_ARGUMENTS}]")


def test_an_unhonoured_canary_is_a_warning_not_silence() -> None:
    endpoint = SecureModelEndpoint(Stack(new_app(), "S"), "E", model_data_url=URL, cost_center="team-a")
    (warning,) = _warnings(endpoint)
    assert "traffic_shifting='canary' cannot be honoured" in warning
    assert warning.endswith(f"[ack: {endpoint_settings.WARNING_ALL_AT_ONCE}]")


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


def test_two_endpoints_with_one_name_in_an_app_are_a_synth_error_naming_both() -> None:
    app = new_app()
    SecureModelEndpoint(Stack(app, "A"), "Model", model_data_url=URL, cost_center="team-a", endpoint_name="churn")
    with pytest.raises(PlatformValidationError, match=r"B/Model: argument 'endpoint_name' = 'churn'.*'A/Model' "
                                                      r"already has it.*Fix: pass endpoint_name='churn-2'"):
        SecureModelEndpoint(Stack(app, "B"), "Model", model_data_url=URL, cost_center="team-a",
                            endpoint_name="churn")
    elsewhere = Stack(app, "C", env={"region": "eu-west-1", "account": "123456789012"})
    SecureModelEndpoint(elsewhere, "Model", model_data_url=URL, cost_center="team-a", endpoint_name="churn")


@pytest.mark.parametrize(("vpc", "expected"), [
    ("vpc-0123456789abcdef0", r"'vpc' = 'vpc-0123456789abcdef0'.*an IVpc.*got the string"),
    (None, None)])
def test_vpc_must_be_an_ivpc_with_isolated_subnets(vpc: object, expected: str | None) -> None:
    stack = Stack(new_app(), "S")
    if expected is None:  # a VPC without isolated subnets
        vpc, expected = ec2.Vpc(stack, "Vpc"), r"'vpc'.*has no isolated subnet"
    with pytest.raises(PlatformValidationError, match=expected):
        SecureModelEndpoint(stack, "E", model_data_url=URL, cost_center="team-a", vpc=vpc)  # type: ignore[arg-type]


def test_framework_images_in_a_stack_of_a_known_region_name_the_account() -> None:
    stack = Stack(new_app(), "S", env={"region": "eu-west-1", "account": "123456789012"})
    endpoint = SecureModelEndpoint(stack, "E", model_data_url=URL, cost_center="team-a", framework="sklearn")
    image = stack.resolve(endpoint.model.primary_container.image)  # type: ignore[union-attr]
    assert image == "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    with pytest.raises(PlatformValidationError, match=r"'framework' = 'pytorch'.*lists for ap-southeast-9"):
        SecureModelEndpoint(Stack(new_app(), "T", env={"region": "ap-southeast-9", "account": "123456789012"}), "E",
                            model_data_url=URL, cost_center="team-a", framework="pytorch")


def test_a_burstable_variant_is_not_autoscaled_and_updates_reset_its_count() -> None:
    endpoint = SecureModelEndpoint(Stack(new_app(), "S"), "E", model_data_url=URL, cost_center="team-a",
                                   instance_type="ml.t2.medium")
    assert endpoint.scalable_targets == {}
    assert [p.variant_property_type for p in endpoint.endpoint.exclude_retained_variant_properties] == [  # type: ignore
        "DesiredWeight", "DesiredInstanceCount"]
    assert any(endpoint_settings.WARNING_NO_AUTOSCALING in w for w in _warnings(endpoint))


def test_policy_file_and_environment_change_the_allowed_types() -> None:
    with pytest.raises(PlatformValidationError, match=r"allows in prod: ml.m5.xlarge"):
        SecureModelEndpoint(Stack(new_app({"env": "prod"}), "S"), "Endpoint", model_data_url=URL,
                            cost_center="team-a", instance_type="ml.t2.medium")


def test_example_app_contains_the_seed_stack(example_app: SynthResult) -> None:
    template(example_app, SEED).resource_count_is("AWS::SageMaker::Endpoint", 1)
