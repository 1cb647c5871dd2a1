"""SageMaker Model Monitor on SecureModelEndpoint: the seed's stack plus a monitoring argument, synthesized once with
every check (the four cdk-nag packs, the platform rules, parliament) and cfn-lint, asserted with ``Template``/
``Match``; then what the construct refuses.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from platform_constructs import PlatformValidationError, SecureModelEndpoint
from platform_constructs.serving.monitoring_settings import DataQualityMonitoring, ModelQualityMonitoring
from platform_constructs.testing import ComplianceError, SynthResult, cfn_lint, new_app, synthesize

STACK = "monitored"
DATA = DataQualityMonitoring(baseline_dataset="s3://training-data/churn/train.csv")
MODEL = ModelQualityMonitoring(baseline_dataset="s3://training-data/churn/validation/", ground_truth="s3://labels/churn/",
                               problem_type="BinaryClassification", inference_attribute="0",
                               ground_truth_attribute="label", probability_attribute="1")
ISOLATED = {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
            "VpcConfig": {"SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("MonitorSecurityGroup"),
                                                               "GroupId"]}],
                          "Subnets": Match.any_value()}}
KEY = {"Fn::GetAtt": [Match.string_like_regexp("ModelKey"), "Arn"]}


def seed(stack: Stack, **monitoring: Any) -> SecureModelEndpoint:
    """The seed's ten lines, plus a monitoring argument."""
    return SecureModelEndpoint(stack, "RecommendationModel",
                               model_data_url="s3://my-bucket/models/rec-model.tar.gz",
                               instance_type="ml.g4dn.xlarge",  # GPU instance
                               cost_center="product-recommendations", **monitoring)


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    app = new_app(outdir=tmp_path_factory.mktemp("monitored"))
    seed(Stack(app, STACK), monitoring=(DATA, MODEL))
    return synthesize(app)


@pytest.fixture(scope="module")
def template(synth: SynthResult) -> Template:
    return Template.from_json(synth.template(STACK))


def endpoint_name(template: Template) -> str:
    """The SageMaker name of the seed's endpoint (``<name>-<generation>``): what the monitor reads."""
    (endpoint,) = template.find_resources("AWS::SageMaker::Endpoint").values()
    return str(endpoint["Properties"]["EndpointName"])


def statements(template: Template) -> dict[str, dict[str, Any]]:
    (policy,) = [r for lid, r in template.find_resources("AWS::IAM::ManagedPolicy").items()
                 if lid.startswith("RecommendationModelMonitorRole")]
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def test_the_seed_stack_with_monitoring_is_compliant_and_cfn_lint_clean(synth: SynthResult) -> None:
    assert cfn_lint(synth.template_path(STACK)) == []


@pytest.mark.parametrize(("kind", "rtype", "output"), [
    ("DataQuality", "AWS::SageMaker::DataQualityJobDefinition", "DataQualityJobOutputConfig"),
    ("ModelQuality", "AWS::SageMaker::ModelQualityJobDefinition", "ModelQualityJobOutputConfig"),
])
def test_job_definitions_are_isolated_in_the_vpc_with_the_endpoints_key(template: Template, kind: str, rtype: str,
                                                                         output: str) -> None:
    template.has_resource_properties(rtype, {
        "NetworkConfig": ISOLATED, "JobResources": {"ClusterConfig": Match.object_like({"VolumeKmsKeyId": KEY})},
        output: Match.object_like({"KmsKeyId": KEY}), "EndpointName": endpoint_name(template),
        "JobDefinitionName": Match.string_like_regexp(
            rf"^monitored-RecommendationModel-{kind[0].lower()}q-[0-9a-f]{{8}}$"),
    })


def test_each_kind_has_a_baselining_job_writing_its_baseline_under_the_endpoints_bucket(template: Template) -> None:
    jobs = template.find_resources("AWS::SageMaker::ProcessingJob")
    assert len(jobs) == 2
    for job in jobs.values():
        properties = job["Properties"]
        assert properties["NetworkConfig"]["EnableNetworkIsolation"] is True
        output = json.dumps(properties["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"])
        assert "/model-monitor/" in output and "/baseline" in output
    template.resource_properties_count_is("AWS::SageMaker::ProcessingJob", {
        "NetworkConfig": ISOLATED, "ProcessingOutputConfig": Match.object_like({"KmsKeyId": KEY}),
        "ProcessingResources": {"ClusterConfig": Match.object_like({"VolumeKmsKeyId": KEY})}}, 2)
    template.has_resource_properties("AWS::SageMaker::ProcessingJob", {
        "Environment": Match.object_like({"analysis_type": "MODEL_QUALITY", "problem_type": "BinaryClassification",
                                          "ground_truth_attribute": "label", "dataset_source":
                                          "/opt/ml/processing/input/baseline_dataset_input"}),
        "ProcessingInputs": [Match.object_like({"S3Input": Match.object_like({
            "S3Uri": "s3://training-data/churn/validation/", "S3DataType": "S3Prefix"})})]})


def test_schedules_run_the_definitions_hourly(template: Template) -> None:
    for short, kind in (("dq", "DataQuality"), ("mq", "ModelQuality")):
        template.has_resource_properties("AWS::SageMaker::MonitoringSchedule", {
            "MonitoringScheduleName": f"monitored-RecommendationModel-{short}",
            "MonitoringScheduleConfig": {
                "MonitoringJobDefinitionName": Match.string_like_regexp(f"-{short}-[0-9a-f]{{8}}$"),
                "MonitoringType": kind, "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}}})
    template.has_resource_properties("AWS::SageMaker::ModelQualityJobDefinition", {"ModelQualityJobInput": {
        "EndpointInput": Match.object_like({"StartTimeOffset": "-PT25H", "EndTimeOffset": "-PT24H",
                                            "InferenceAttribute": "0", "ProbabilityAttribute": "1"}),
        "GroundTruthS3Input": {"S3Uri": "s3://labels/churn/"}}})


def test_the_analyzer_image_comes_from_the_policys_registry_for_the_stacks_region(synth: SynthResult) -> None:
    template = synth.template(STACK)
    assert template["Mappings"]["PlatformModelMonitorAccounts"]["us-east-1"] == {"account": "156813124566"}
    image = json.dumps(template["Resources"][next(k for k, v in template["Resources"].items()
                                                  if v["Type"] == "AWS::SageMaker::ProcessingJob")]
                       ["Properties"]["AppSpecification"]["ImageUri"])
    assert "PlatformModelMonitorAccounts" in image and "sagemaker-model-monitor-analyzer" in image


def test_the_monitoring_role_reads_only_the_capture_prefix_and_the_baselines(template: Template) -> None:
    found = statements(template)
    reads = {sid: json.dumps(s["Resource"]) for sid, s in found.items()
             if "s3:GetObject" in s["Action"] and sid.startswith("Read")}
    assert set(reads) == {"ReadCapturedData", "ReadDataQualityBaseline", "ReadModelQualityBaseline",
                          "ReadModelQualityGroundTruth", "ReadWriteMonitorResults"}
    name = endpoint_name(template)
    assert f"/data-capture/{name}/*" in reads["ReadCapturedData"]
    assert reads["ReadDataQualityBaseline"] == '{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ' \
        '":s3:::training-data/churn/train.csv"]]}'
    assert "training-data/churn/validation/*" in reads["ReadModelQualityBaseline"]
    assert "/model-monitor/*" in reads["ReadWriteMonitorResults"]
    assert found["ListCapturedData"]["Condition"] == {
        "StringLike": {"s3:prefix": f"data-capture/{name}/*"}}
    assert found["ListDataQualityBaseline"]["Condition"] == {"StringLike": {"s3:prefix": "churn/train.csv*"}}
    assert not any("ecr:" in json.dumps(s["Action"]) for s in found.values())  # SageMaker pulls its own analyzer


def test_the_role_may_be_assumed_by_sagemaker_for_this_account_only(template: Template) -> None:
    template.has_resource_properties("AWS::IAM::Role", {
        "Description": f"SageMaker Model Monitor role of endpoint {endpoint_name(template)}",
        "AssumeRolePolicyDocument": {"Statement": [Match.object_like({
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                          "ArnLike": {"aws:SourceArn": Match.any_value()}}})]}})


def test_violations_alarm_to_the_endpoints_topic(template: Template) -> None:
    template.has_resource_properties("AWS::Events::Rule", {"EventPattern": {
        "source": ["aws.sagemaker"], "detail-type": ["SageMaker Processing Job State Change"],
        "detail": {"MonitoringScheduleArn": [{"Fn::GetAtt": [Match.string_like_regexp("DataQualitySchedule"),
                                                             "MonitoringScheduleArn"]}],
                   "ProcessingJobStatus": ["Completed"], "ExitMessage": [{"prefix": "CompletedWithViolations"}]}}})
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "AlarmActions": [{"Ref": Match.string_like_regexp("RecommendationModelAlarmTopic")}],
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1, "Metrics": [Match.object_like({
            "MetricStat": Match.object_like({"Period": 3600, "Stat": "Sum", "Metric": Match.object_like({
                "Namespace": "AWS/Events", "MetricName": "MatchedEvents",
                "Dimensions": [{"Name": "RuleName", "Value": {"Ref": Match.string_like_regexp(
                    "ModelQualityViolations")}}]})})})]})


def test_the_alarms_are_on_the_endpoints_dashboard(synth: SynthResult) -> None:
    (dashboard,) = synth.resources(STACK, "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    assert "Model Monitor: executions with constraint violations" in body
    assert "DataQualityViolationsAlarm" in body and "ModelQualityViolationsAlarm" in body


def test_a_prod_endpoint_without_monitoring_is_one_clean_error() -> None:
    app = new_app({"env": "prod"})
    with pytest.raises(PlatformValidationError) as info:
        seed(Stack(app, "prod"))
    assert len(info.value.problems) == 1
    assert str(info.value).startswith("prod/RecommendationModel: argument 'monitoring' = None is not allowed.")
    assert "environments.prod.monitoring_required" in str(info.value)


def test_a_later_grant_on_star_to_the_monitoring_role_fails_synth() -> None:
    app = new_app()
    stack = Stack(app, "grant")
    endpoint = seed(stack, monitoring=DATA)
    assert endpoint.monitor is not None
    endpoint.monitor.role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))
    with pytest.raises((ComplianceError, RuntimeError), match=r"role grant/RecommendationModel/Monitor/Role: a grant "
                                                             r"added to it after construction allows s3:GetObject on"):
        synthesize(app)
