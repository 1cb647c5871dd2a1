"""The emulator's CloudFormation models, one behaviour per test, against moto's real service backends.

Each test works in its own account id (moto keeps one backend per account and region), so nothing here
touches the session emulator's resources (account 123456789012) and nothing needs resetting.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.batch.exceptions import ClientException
from moto.cloudformation import parsing
from moto.cloudwatch.models import cloudwatch_backends
from moto.codebuild.exceptions import InvalidInputException
from moto.codebuild.models import codebuild_backends
from moto.ec2.models import ec2_backends
from moto.iam.access_control import PermissionResult
from moto.s3.models import s3_backends
from moto.sagemaker.models import sagemaker_backends
from moto.sns.models import sns_backends

from platform_constructs.local import models
from platform_constructs.local.models import autoscaling, batch, cloudwatch, codebuild, ec2, s3, sns
from platform_constructs.local.verify_template import TEMPLATE_CHECKS

REGION = "us-east-1"
_accounts = itertools.count(210000000000)


@pytest.fixture
def account() -> str:
    """A fresh account id: a fresh set of moto backends."""
    return str(next(_accounts))


def _cfn(**props: Any) -> dict[str, Any]:
    return {"Properties": props}


def test_register_puts_every_model_in_the_type_map() -> None:
    classes = models.register()
    model_map = parsing.get_model_map()
    assert {c.CFN_TYPE for c in classes} >= {
        "AWS::CloudWatch::Alarm", "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::ApplicationAutoScaling::ScalingPolicy", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy",
        "AWS::Batch::SchedulingPolicy", "AWS::EC2::SecurityGroupEgress", "AWS::EC2::PlacementGroup",
        "AWS::CodeBuild::Project", "AWS::CodeArtifact::Domain", "AWS::CodeArtifact::Repository",
        "AWS::ECR::RegistryScanningConfiguration", "AWS::CDK::Metadata"}
    assert all(model_map[c.CFN_TYPE] is c for c in classes)
    assert models.register() == classes  # idempotent


def test_every_template_only_type_has_a_model_and_template_checks() -> None:
    modelled = models.modelled_types()
    for resource_type, reason in models.TEMPLATE_ONLY.items():
        assert resource_type in modelled and resource_type in TEMPLATE_CHECKS and reason


def test_unmodelled_names_types_without_a_model_but_not_custom_resources() -> None:
    assert models.unmodelled(["AWS::Imaginary::Thing", "Custom::X", "AWS::CloudWatch::Alarm"]) == [
        "AWS::Imaginary::Thing"]


def test_alarm_put_updated_in_place_and_deleted(account: str) -> None:
    props = {"Namespace": "AWS/SageMaker", "MetricName": "Invocation5XXErrors", "ComparisonOperator":
             "GreaterThanThreshold", "EvaluationPeriods": 2, "Period": 300, "Statistic": "Sum", "Threshold": 10,
             "Dimensions": [{"Name": "EndpointName", "Value": "e"}], "AlarmActions": ["arn:aws:sns:us-east-1:1:t"],
             "Tags": [{"Key": "CostCenter", "Value": "x"}]}
    alarm = cloudwatch.CloudWatchAlarm.create_from_cloudformation_json("s-Errors-ABC", _cfn(**props), account, REGION)
    backend = cloudwatch_backends[account][REGION]
    stored = backend.alarms["s-Errors-ABC"]
    assert (stored.namespace, stored.metric_name, stored.threshold, stored.alarm_actions) == (
        "AWS/SageMaker", "Invocation5XXErrors", 10.0, ["arn:aws:sns:us-east-1:1:t"])
    assert alarm.get_cfn_attribute("Arn") == stored.alarm_arn
    updated = cloudwatch.CloudWatchAlarm.update_from_cloudformation_json(
        alarm, "s-Errors-NEWSUFFIX", _cfn(**{**props, "Threshold": 20}), account, REGION)
    assert updated.physical_resource_id == "s-Errors-ABC"  # the generated name stays: no replacement
    assert backend.alarms["s-Errors-ABC"].threshold == 20.0
    updated.delete(account, REGION)
    assert "s-Errors-ABC" not in backend.alarms


def test_metric_math_alarm_keeps_its_queries(account: str) -> None:
    metrics = [{"Id": "errors", "ReturnData": False, "MetricStat": {"Metric": {
        "Namespace": "AWS/SageMaker", "MetricName": "Invocation4XXErrors",
        "Dimensions": [{"Name": "EndpointName", "Value": "e"}]}, "Period": 300, "Stat": "Sum"}},
        {"Id": "rate", "Expression": "100 * errors", "ReturnData": True}]
    cloudwatch.CloudWatchAlarm.create_from_cloudformation_json("rate", _cfn(
        Metrics=metrics, ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=1, Threshold=5), account, REGION)
    queries = cloudwatch_backends[account][REGION].alarms["rate"].metric_data_queries
    assert [(q.id, q.expression) for q in queries] == [("errors", None), ("rate", "100 * errors")]
    assert queries[0].metric_stat is not None and queries[0].metric_stat.metric.metric_name == "Invocation4XXErrors"


def _endpoint(account: str, name: str, variant: str) -> None:
    backend = sagemaker_backends[account][REGION]
    backend.create_model(f"{name}-model", f"arn:aws:iam::{account}:role/r", {"Image": "i"}, None, None, None)
    backend.create_endpoint_config(f"{name}-config", [{
        "VariantName": variant, "ModelName": f"{name}-model", "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large"}], {}, {}, [], "")
    backend.create_endpoint(name, f"{name}-config", [])


TARGET = {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/ep/variant/Primary",
          "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "MinCapacity": 1, "MaxCapacity": 2}


def test_scalable_target_needs_the_endpoint_variant(account: str) -> None:
    with pytest.raises(AWSValidationException, match="SageMaker endpoint 'ep' of 'endpoint/ep/variant/Primary'"):
        autoscaling.ScalableTarget.create_from_cloudformation_json("t", _cfn(**TARGET), account, REGION)
    _endpoint(account, "ep", "Blue")
    with pytest.raises(AWSValidationException, match="has no variant 'Primary'"):
        autoscaling.ScalableTarget.create_from_cloudformation_json("t", _cfn(**TARGET), account, REGION)


def test_scalable_target_with_scheduled_actions_and_its_policy(account: str) -> None:
    _endpoint(account, "ep", "Primary")
    action = {"ScheduledActionName": "night", "Schedule": "cron(0 20 * * ? *)",
              "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": 1}}
    target = autoscaling.ScalableTarget.create_from_cloudformation_json(
        "t", _cfn(**TARGET, ScheduledActions=[action]), account, REGION)
    assert target.physical_resource_id == "endpoint/ep/variant/Primary|sagemaker:variant:DesiredInstanceCount|sagemaker"
    backend = applicationautoscaling_backends[account][REGION]
    assert [a.scheduled_action_name for a in backend.scheduled_actions] == ["night"]
    policy = autoscaling.ScalingPolicy.create_from_cloudformation_json("p", _cfn(
        PolicyName="invocations", PolicyType="TargetTrackingScaling", ScalingTargetId=target.physical_resource_id,
        TargetTrackingScalingPolicyConfiguration={"TargetValue": 1000, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}), account, REGION)
    assert policy.policy.resource_id == "endpoint/ep/variant/Primary"
    autoscaling.ScalableTarget.update_from_cloudformation_json(target, "t2", _cfn(**TARGET), account, REGION)
    assert backend.scheduled_actions == []  # the action left the template: removed


def test_scaling_policy_needs_a_registered_target(account: str) -> None:
    with pytest.raises(AWSValidationException, match="No scalable target registered"):
        autoscaling.ScalingPolicy.create_from_cloudformation_json("p", _cfn(
            PolicyName="p", PolicyType="TargetTrackingScaling", ScalingTargetId=(
                "endpoint/ep/variant/Primary|sagemaker:variant:DesiredInstanceCount|sagemaker"),
            TargetTrackingScalingPolicyConfiguration={"TargetValue": 1}), account, REGION)


TLS_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    "Resource": ["arn:aws:s3:::probe-bucket", "arn:aws:s3:::probe-bucket/*"]}]}


@pytest.mark.parametrize(("statement", "expected"), [
    (TLS_ONLY["Statement"][0], PermissionResult.NEUTRAL),  # a TLS request: the Deny does not apply
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::probe-bucket/*"},
     PermissionResult.DENIED),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:Get*", "Resource": "arn:aws:s3:::probe-bucket/*"},
     PermissionResult.PERMITTED),
    ({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:role/r"}, "Action": "s3:*", "Resource": "*"},
     PermissionResult.NEUTRAL),  # a named principal: moto passes no caller, so it cannot be evaluated
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}, PermissionResult.DENIED),  # key absent
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
      "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}, PermissionResult.NEUTRAL),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
      "Condition": {"Null": {"aws:SourceVpce": "true"}}}, PermissionResult.DENIED),
])
def test_bucket_level_evaluation_follows_iam_rules(statement: dict[str, Any], expected: PermissionResult) -> None:
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    assert s3.evaluate(policy, "s3:GetObject", "arn:aws:s3:::probe-bucket/key") == expected


@pytest.mark.parametrize(("condition", "message"), [
    ({"StringEqualz": {"aws:SecureTransport": "true"}}, "unknown condition operator 'StringEqualz'"),
    ({"NumericEquals": {"aws:SecureTransport": "1"}}, "condition operator 'NumericEquals' is not evaluated"),
])
def test_bucket_level_evaluation_refuses_what_it_cannot_decide(condition: dict[str, Any], message: str) -> None:
    policy = {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                             "Condition": condition}]}
    with pytest.raises(ValueError, match=message):
        s3.evaluate(policy, "s3:GetObject", "arn:aws:s3:::probe-bucket/key")


def test_bucket_policy_attached_and_evaluated_for_tls_clients(account: str) -> None:
    backend = s3_backends[account]["aws"]
    backend.create_bucket("probe-bucket", REGION)
    policy = s3.BucketPolicy.create_from_cloudformation_json(
        "p", _cfn(Bucket="probe-bucket", PolicyDocument=TLS_ONLY), account, REGION)
    assert json.loads(backend.get_bucket_policy("probe-bucket") or b"") == TLS_ONLY
    bucket = backend.get_bucket("probe-bucket")
    assert bucket.get_permission("s3:PutObject", "arn:aws:s3:::probe-bucket/k") == PermissionResult.NEUTRAL
    policy.delete(account, REGION)
    assert backend.get_bucket_policy("probe-bucket") is None


def test_topic_policy_set_then_default_restored(account: str) -> None:
    backend = sns_backends[account][REGION]
    topic = backend.create_topic("alarms")
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
                                                        "Resource": topic.arn}]}
    policy = sns.TopicPolicy.create_from_cloudformation_json("tp", _cfn(PolicyDocument=document, Topics=[topic.arn]),
                                                             account, REGION)
    assert json.loads(topic.policy) == document
    policy.delete(account, REGION)
    assert json.loads(topic.policy)["Id"] == "__default_policy_ID"


def test_security_group_inline_egress_replaces_the_default_rule(account: str) -> None:
    backend = ec2_backends[account][REGION]
    vpc = backend.create_vpc("10.0.0.0/16")
    disallow = {"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "FromPort": 252,
                "IpProtocol": "icmp", "ToPort": 86}
    closed = ec2.SecurityGroupWithEgress.create_from_cloudformation_json(
        "closed", _cfn(GroupDescription="d", VpcId=vpc.id, SecurityGroupEgress=[disallow]), account, REGION)
    assert [(r.ip_protocol, r.ip_range) for r in closed.egress_rules] == [
        ("icmp", {"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic"})]
    default = ec2.SecurityGroupWithEgress.create_from_cloudformation_json(
        "open", _cfn(GroupDescription="d", VpcId=vpc.id), account, REGION)
    assert [(r.ip_protocol, r.ip_range) for r in default.egress_rules] == [("-1", {"CidrIp": "0.0.0.0/0"})]
    rule = ec2.SecurityGroupEgress.create_from_cloudformation_json(
        "self", _cfn(GroupId=closed.id, IpProtocol="-1", DestinationSecurityGroupId=closed.id), account, REGION)
    assert rule.physical_resource_id in {r.id for r in closed.egress_rules}
    rule.delete(account, REGION)
    assert rule.physical_resource_id not in {r.id for r in closed.egress_rules}


PROJECT = {"Source": {"Type": "NO_SOURCE", "BuildSpec": "version: 0.2"}, "Artifacts": {"Type": "NO_ARTIFACTS"},
           "Environment": {"Type": "LINUX_CONTAINER", "Image": "aws/codebuild/standard:7.0",
                           "ComputeType": "BUILD_GENERAL1_LARGE", "PrivilegedMode": True},
           "EncryptionKey": "arn:aws:kms:us-east-1:1:key/k", "ConcurrentBuildLimit": 1,
           "VpcConfig": {"VpcId": "vpc-1", "Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}


def test_codebuild_project_keeps_what_create_project_takes(account: str) -> None:
    props = {**PROJECT, "ServiceRole": f"arn:aws:iam::{account}:role/build"}
    codebuild.CodeBuildProject.create_from_cloudformation_json("build", _cfn(**props), account, REGION)
    (project,) = codebuild_backends[account][REGION].batch_get_projects(["build"])
    assert project["source"] == {"type": "NO_SOURCE", "buildspec": "version: 0.2"}
    assert project["environment"]["privilegedMode"] is True
    assert project["vpcConfig"] == {"vpcId": "vpc-1", "subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]}
    assert (project["encryptionKey"], project["concurrentBuildLimit"]) == ("arn:aws:kms:us-east-1:1:key/k", 1)


@pytest.mark.parametrize(("change", "message"), [
    ({"Source": {"Type": "NO_SOURCE", "Location": "s3://x"}}, "NO_SOURCE takes no location"),
    ({"Environment": {"Type": "MAC_CONTAINER", "Image": "i", "ComputeType": "BUILD_GENERAL1_LARGE"}},
     "Invalid type provided: MAC_CONTAINER"),
    ({"ServiceRole": "arn:aws:iam::999999999999:role/other"}, "Service role account ID does not match"),
])
def test_codebuild_project_refuses_what_create_project_refuses(account: str, change: dict[str, Any],
                                                               message: str) -> None:
    props = {**PROJECT, "ServiceRole": f"arn:aws:iam::{account}:role/build", **change}
    with pytest.raises(InvalidInputException, match=message):
        codebuild.CodeBuildProject.create_from_cloudformation_json("build", _cfn(**props), account, REGION)


def test_job_queue_needs_an_existing_scheduling_policy(account: str) -> None:
    missing = f"arn:aws:batch:us-east-1:{account}:scheduling-policy/none"
    with pytest.raises(ClientException, match=f"Scheduling policy {missing} does not exist"):
        batch.BatchJobQueue.create_from_cloudformation_json("q", _cfn(
            Priority=1, SchedulingPolicyArn=missing, ComputeEnvironmentOrder=[]), account, REGION)
    policy = batch.BatchSchedulingPolicy.create_from_cloudformation_json("fair", _cfn(FairsharePolicy={
        "ShareDecaySeconds": 3600, "ShareDistribution": [{"ShareIdentifier": "recs", "WeightFactor": 1}]}),
        account, REGION)
    assert policy.policy.fairshare_policy["shareDistribution"] == [{"shareIdentifier": "recs", "weightFactor": 1}]
