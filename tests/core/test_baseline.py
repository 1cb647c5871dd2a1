"""The secure baseline (baseline.py): keys, log groups, buckets, topics, egress and roles as every construct
builds them.

A small platform construct calls every factory; it is synthesized once in dev and once in prod with every
compliance check (the baseline must need no acknowledgment beyond the ones it records itself).
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.compliance.acknowledgments import ORIGIN_KEY
from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.core import PlatformConstruct
from platform_constructs.policy import load_policy
from platform_constructs.policy_schema import LOG_RETENTION_DAYS
from platform_constructs.testing import new_app, synthesize

POLICY = load_policy()
OWNER_TAGS = {"CostCenter": "baseline-test", "Project": "baseline"}


class Everything(PlatformConstruct):
    """Every baseline factory, once (twice for the bucket: the access-log bucket is shared per stack)."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, cost_center="baseline-test", project="baseline")
        self.key = baseline.platform_key(self, "Key", description="baseline test",
                                         service_principals=("logs", "cloudwatch", "events"))
        self.log_group = baseline.log_group(self, "Logs", key=self.key)
        self.bucket = baseline.secure_bucket(self, "Data", key=self.key, purpose="data")
        self.other_bucket = baseline.secure_bucket(self, "Other", key=self.key, purpose="other")
        self.topic = baseline.alarm_topic(self, "Topic", key=self.key)
        self.role = baseline.platform_role(self, "Role", assumed_by=baseline.service_principal(self, "sagemaker"),
                                           description="the baseline test role")
        self.key.grant_decrypt(self.role)
        self.role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[self.topic.topic_arn]))
        vpc = ec2.Vpc.from_vpc_attributes(self, "Vpc", vpc_id="vpc-12345678", availability_zones=["eu-west-1a"])
        self.group = ec2.SecurityGroup(self, "Workload", vpc=vpc, allow_all_outbound=False, description="workload")
        baseline.https_egress_to_aws(self.group, vpc_cidr="10.40.0.0/16")


def _synth(env: str) -> Template:
    app = new_app({"env": env})
    Everything(Stack(app, "Base"), "Everything")
    return Template.from_json(synthesize(app).template("Base"))  # raises ComplianceError on any finding


@pytest.fixture(scope="module")
def dev() -> Template:
    return _synth("dev")


@pytest.fixture(scope="module")
def prod() -> Template:
    return _synth("prod")


def _acknowledged(*keys: str) -> list[dict[str, str]]:
    return [{"id": rule_id, "reason": DECISIONS[key].reason, "decision": key}
            for key in keys for rule_id in DECISIONS[key].rule_ids]


ORIGIN = {ORIGIN_KEY: {"type": "Everything", "path": "Base/Everything"}}


def test_key_rotates_and_lets_only_the_named_services_use_it(dev: Template) -> None:
    dev.resource_count_is("AWS::KMS::Key", 1)
    dev.has_resource_properties("AWS::KMS::Key", {
        "EnableKeyRotation": True, "PendingWindowInDays": 7,
        "KeyPolicy": {"Statement": Match.array_with([
            Match.object_like({"Sid": "AllowLogsService",
                               "Principal": {"Service": {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"},
                                                                           ".amazonaws.com"]]}},
                               "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": Match.any_value()}}}),
            Match.object_like({"Sid": "AllowCloudwatchService",
                               "Principal": {"Service": "cloudwatch.amazonaws.com"},
                               "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                                             "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", [
                                                 "arn:", {"Ref": "AWS::Partition"}, ":cloudwatch:",
                                                 {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                                                 ":alarm:*"]]}}}}),
            # EventBridge's KMS requests for encrypted SNS targets carry no source keys: a condition would drop them
            Match.object_like({"Sid": "AllowEventsService", "Principal": {"Service": "events.amazonaws.com"},
                               "Condition": Match.absent()}),
            # AWS Control Tower CT.KMS.PR.3: grants only for AWS resources or by AWS services
            Match.object_like({"Sid": "DenyGrantsExceptForAwsResources", "Effect": "Deny", "Principal": {"AWS": "*"},
                               "Action": "kms:CreateGrant", "Resource": "*",
                               "Condition": {"BoolIfExists": {"kms:GrantIsForAWSResource": "false",
                                                              "aws:PrincipalIsAWSService": "false"}}}),
        ])}})


def test_stateful_resources_are_retained_in_prod_and_destroyed_in_dev(dev: Template, prod: Template) -> None:
    for resource_type in ("AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::S3::Bucket"):
        prod.all_resources(resource_type, {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
        dev.all_resources(resource_type, {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"})
    prod.has_resource_properties("AWS::KMS::Key", {"PendingWindowInDays": 30})


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_log_group_is_encrypted_with_the_environment_retention(dev: Template, prod: Template, env: str) -> None:
    template = dev if env == "dev" else prod
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^EverythingKey"), "Arn"]},
        "RetentionInDays": POLICY.environment(env).log_retention_days})


def test_a_retention_under_a_year_is_the_environment_s_decision(dev: Template, prod: Template) -> None:
    """Control Tower asks a year (CT.CLOUDWATCH.PR.2); dev keeps 30 days by policy, prod keeps 365 and needs none."""
    dev.has_resource("AWS::Logs::LogGroup", {"Metadata": {
        METADATA_KEY: _acknowledged("log-retention-per-environment"), **ORIGIN}})
    prod.has_resource("AWS::Logs::LogGroup", {"Metadata": Match.absent()})


def test_every_retention_the_policy_accepts_maps_to_the_same_number_of_days() -> None:
    assert sorted(baseline._RETENTION) == sorted(LOG_RETENTION_DAYS)
    stack = Stack(new_app(), "Retention")
    for days, name in baseline._RETENTION.items():
        group = logs.LogGroup(stack, f"Group{days}", retention=logs.RetentionDays[name])
        cfn = group.node.default_child
        assert isinstance(cfn, logs.CfnLogGroup)
        assert cfn.retention_in_days == days, name


def test_secure_buckets_are_kms_encrypted_versioned_private_and_logged(dev: Template) -> None:
    dev.resource_count_is("AWS::S3::Bucket", 3)  # the two buckets and the stack's one access-log bucket
    for name in ("Data", "Other"):
        dev.has_resource("AWS::S3::Bucket", {
            "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{
                    "BucketKeyEnabled": True,
                    "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": {"Fn::GetAtt": [Match.string_like_regexp("^EverythingKey"), "Arn"]}}}]},
                "VersioningConfiguration": {"Status": "Enabled"},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                   "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "LoggingConfiguration": {
                    "DestinationBucketName": {"Ref": Match.string_like_regexp("^PlatformAccessLogs")},
                    "LogFilePrefix": Match.string_like_regexp(f"^BaseEverything[0-9A-F]{{8}}/{name}/$")},
                "LifecycleConfiguration": {"Rules": [Match.object_like({
                    "ExpirationInDays": max(POLICY.environment("dev").log_retention_days, 30),
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    "Status": "Enabled"})]},
            },
            "Metadata": {METADATA_KEY: _acknowledged("bucket-replication", "bucket-no-object-lock"), **ORIGIN},
        })


def test_every_bucket_sends_its_object_events_to_eventbridge(dev: Template) -> None:
    """AWS Control Tower CT.S3.PR.4, natively (no notification custom resource)."""
    dev.all_resources_properties("AWS::S3::Bucket", {
        "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}})
    dev.resource_count_is("Custom::S3BucketNotifications", 0)


def _tls_only(statements: list[Any]) -> bool:
    return any(s.get("Effect") == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
               for s in statements)


def test_every_bucket_and_the_topic_refuse_requests_without_tls(dev: Template) -> None:
    bucket_policies = dev.find_resources("AWS::S3::BucketPolicy")
    assert len(bucket_policies) == 3
    assert all(_tls_only(p["Properties"]["PolicyDocument"]["Statement"]) for p in bucket_policies.values())
    (topic_policy,) = dev.find_resources("AWS::SNS::TopicPolicy").values()
    assert _tls_only(topic_policy["Properties"]["PolicyDocument"]["Statement"])
    dev.has_resource_properties("AWS::SNS::Topic", {
        "KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^EverythingKey"), "Arn"]}})


def test_access_log_bucket_is_shared_sse_s3_delivered_by_policy_tagged_and_acknowledged(dev: Template) -> None:
    dev.has_resource("AWS::S3::Bucket", {
        "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "AccessControl": Match.absent(),  # no legacy LogDeliveryWrite ACL
            "LoggingConfiguration": Match.absent(),
            "Tags": Match.array_with([{"Key": k, "Value": v} for k, v in sorted(OWNER_TAGS.items())]),
        },
        "Metadata": {METADATA_KEY: _acknowledged("access-log-bucket-not-logged", "access-log-bucket-sse-s3",
                                                 "bucket-replication", "bucket-no-object-lock"),
                     ORIGIN_KEY: {"type": "Everything", "path": "Base/Everything"}},
    })
    sources = [{"Fn::GetAtt": [Match.string_like_regexp(f"^Everything{name}"), "Arn"]} for name in ("Data", "Other")]
    dev.has_resource_properties("AWS::S3::BucketPolicy", {
        "Bucket": {"Ref": Match.string_like_regexp("^PlatformAccessLogs")},
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Sid": "S3ServerAccessLogsDelivery", "Effect": "Allow", "Action": "s3:PutObject",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                          "ArnLike": {"aws:SourceArn": sources}}})])}})


def test_the_topic_refuses_services_publishing_for_another_account(dev: Template) -> None:
    alarms = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":cloudwatch:", {"Ref": "AWS::Region"}, ":",
                                {"Ref": "AWS::AccountId"}, ":alarm:*"]]}
    dev.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Sid": "AllowCloudWatchAlarms", "Effect": "Allow", "Action": "sns:Publish",
                           "Principal": {"Service": "cloudwatch.amazonaws.com"},
                           "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                                         "ArnLike": {"aws:SourceArn": alarms}}}),
        Match.object_like({"Sid": "DenyServicePublishForOtherAccounts", "Effect": "Deny", "Action": "sns:Publish",
                           "Principal": "*",  # "*" (not {"AWS": "*"}): every principal, AWS services included
                           "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"},
                                         "StringNotEqualsIfExists": {"aws:SourceAccount": {
                                             "Ref": "AWS::AccountId"}}}})])}})


def test_workload_egress_is_https_to_the_vpc_and_s3_only(dev: Template) -> None:
    dev.has_resource_properties("AWS::EC2::SecurityGroup", {"GroupDescription": "workload", "SecurityGroupEgress": [
        {"CidrIp": "10.40.0.0/16", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "Description": "HTTPS to the VPC endpoints"}]})
    dev.has_resource_properties("AWS::EC2::SecurityGroupEgress", {  # a deploy-time peer: a rule resource of its own
        "GroupId": {"Fn::GetAtt": [Match.string_like_regexp("^EverythingWorkload"), "GroupId"]},
        "DestinationPrefixListId": {"Fn::FindInMap": ["PlatformS3PrefixLists", {"Ref": "AWS::Region"}, "s3"]},
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Description": "HTTPS to S3 through the gateway endpoint"})
    dev.resource_count_is("AWS::EC2::SecurityGroupEgress", 1)
    assert dev.to_json()["Mappings"]["PlatformS3PrefixLists"] == {
        region: {"s3": prefix} for region, prefix in baseline.S3_PREFIX_LISTS.items()}


def test_role_permissions_live_in_managed_policies_and_grants_from_this_test_are_the_user_s(dev: Template) -> None:
    """The test is not library code: its grants land in the role's user policy, judged by the gate."""
    dev.resource_count_is("AWS::IAM::Policy", 0)
    dev.has_resource_properties("AWS::IAM::Role", {
        "Description": "the baseline test role", "ManagedPolicyArns": Match.absent(), "Policies": Match.absent()})
    dev.has_resource_properties("AWS::IAM::ManagedPolicy", {
        "Description": "Grants added to the role of the baseline test role after construction",
        "Roles": [{"Ref": Match.string_like_regexp("^EverythingRole")}],
        "PolicyDocument": {"Statement": [
            Match.object_like({"Action": "kms:Decrypt", "Resource": {
                "Fn::GetAtt": [Match.string_like_regexp("^EverythingKey"), "Arn"]}}),
            Match.object_like({"Action": "sns:Publish",
                               "Resource": {"Ref": Match.string_like_regexp("^EverythingTopic")}}),
        ]}})


def test_tagging_a_missing_provider_is_a_no_op() -> None:
    stack = Stack(new_app(), "NoProvider")
    baseline.tag_provider_resources(stack, "Custom::NotInThisStack", {"CostCenter": "x"})
    assert stack.node.try_find_child("Custom::NotInThisStack") is None


class _Logged(PlatformConstruct):
    """A construct whose bucket logs to the stack's access-log bucket, tagging it as the endpoint does."""

    def __init__(self, scope: Construct, id: str, *, cost_center: str) -> None:
        super().__init__(scope, id, cost_center=cost_center)
        key = baseline.platform_key(self, "Key", description="access-log tags test")
        baseline.secure_bucket(self, "Data", key=key, purpose="data")
        baseline.tag_access_log_bucket(baseline.access_log_bucket(self), self.tags)
        baseline.tag_access_log_bucket(baseline.access_log_bucket(self), self.tags)  # again: nothing changes


def test_the_access_log_bucket_carries_the_tags_of_the_last_construct_logging_to_it() -> None:
    app = new_app()
    stack = Stack(app, "Logged")
    _Logged(stack, "First", cost_center="first-team")
    _Logged(stack, "Second", cost_center="second-team")
    template = Template.from_json(synthesize(app).template("Logged"))
    buckets = {logical_id: {tag["Key"]: tag["Value"] for tag in resource["Properties"]["Tags"]}
               for logical_id, resource in template.find_resources("AWS::S3::Bucket").items()}
    (logs,) = [tags for logical_id, tags in buckets.items() if logical_id.startswith("PlatformAccessLogs")]
    assert logs["CostCenter"] == "second-team"
    assert sorted(tags["CostCenter"] for logical_id, tags in buckets.items()
                  if not logical_id.startswith("PlatformAccessLogs")) == ["first-team", "second-team"]
