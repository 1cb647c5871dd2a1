"""The secure baseline (baseline.py): keys, log groups, buckets, topics and roles as every construct builds them.

A small platform construct calls every factory; it is synthesized once in dev and once in prod with every
compliance check (the baseline must need no acknowledgment beyond the ones it records itself).
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template
from constructs import Construct

from platform_constructs import baseline
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
                                         service_principals=("logs", "cloudwatch"))
        self.log_group = baseline.log_group(self, "Logs", key=self.key)
        self.bucket = baseline.secure_bucket(self, "Data", key=self.key, purpose="data")
        self.other_bucket = baseline.secure_bucket(self, "Other", key=self.key, purpose="other")
        self.topic = baseline.alarm_topic(self, "Topic", key=self.key)
        self.role = baseline.platform_role(self, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
                                           description="the baseline test role")
        self.key.grant_decrypt(self.role)
        self.role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[self.topic.topic_arn]))


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
    return [{"id": rule_id, "reason": DECISIONS[key].reason} for key in keys for rule_id in DECISIONS[key].rule_ids]


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
                               "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}),
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
            "Metadata": {METADATA_KEY: _acknowledged("bucket-replication")},
        })


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
                                                 "bucket-replication")},
    })
    dev.has_resource_properties("AWS::S3::BucketPolicy", {
        "Bucket": {"Ref": Match.string_like_regexp("^PlatformAccessLogs")},
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Sid": "S3ServerAccessLogsDelivery", "Effect": "Allow", "Action": "s3:PutObject",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}})])}})


def test_role_permissions_live_in_its_own_managed_policy(dev: Template) -> None:
    dev.resource_count_is("AWS::IAM::Policy", 0)
    dev.has_resource_properties("AWS::IAM::Role", {
        "Description": "the baseline test role", "ManagedPolicyArns": Match.absent(), "Policies": Match.absent()})
    dev.has_resource_properties("AWS::IAM::ManagedPolicy", {
        "Description": "Least-privilege permissions of the baseline test role",
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
