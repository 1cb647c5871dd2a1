"""The secure baseline: the one place that decides how keys, buckets, log groups, topics and roles are built.

Every platform construct creates its stateful building blocks through these factories, so a change to
the organisation's baseline is one edit here. Each factory applies the environment's retention rule
(``RETAIN`` where the policy says so, i.e. prod) and records any acknowledgment it needs through
:mod:`platform_constructs.acknowledge` with its written reason. Service principals are limited to this
account (and, where the service sends it, the source resource): the confused-deputy conditions AWS documents
for each of them. Roles are in :mod:`platform_constructs.roles`, workload egress in :mod:`platform_constructs.egress`
and S3's prefix lists in :mod:`platform_constructs.prefix_lists` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import CfnResource, Duration, IStableListProducer, Lazy, Names, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from platform_constructs.acknowledge import acknowledge
from platform_constructs.core import PlatformConstruct, PlatformContext, ancestors
from platform_constructs.egress import https_egress_to_aws
from platform_constructs.prefix_lists import S3_PREFIX_LISTS
from platform_constructs.roles import PlatformRole, deploy_time_input, platform_role, service_principal

__all__ = [
    "S3_PREFIX_LISTS",
    "PlatformRole",
    "access_log_bucket",
    "alarm_topic",
    "deploy_time_input",
    "https_egress_to_aws",
    "log_group",
    "platform_key",
    "platform_role",
    "secure_bucket",
    "service_principal",
    "tag_access_log_bucket",
    "tag_provider_resources",
]

_ACCESS_LOG_BUCKET_ID = "PlatformAccessLogs"
_ACCESS_LOG_BUCKET_ATTRIBUTE = "_platform_access_log_bucket"
_ACCESS_LOG_TAGS_ATTRIBUTE = "_platform_access_log_tags"


def platform_key(scope: Construct, id: str, *, description: str,
                 service_principals: Sequence[str] = ()) -> kms.Key:
    """A customer-managed KMS key with rotation on, retained where policy says so (deletion window 30 days
    there, else 7). Grants may be created only for AWS resources or by AWS services (AWS Control Tower
    CT.KMS.PR.3: a ``Deny`` of ``kms:CreateGrant`` unless ``kms:GrantIsForAWSResource`` or
    ``aws:PrincipalIsAWSService``), so no principal can hand the key's use to someone else.

    ``service_principals`` are AWS services (e.g. ``logs``, ``sns``, ``cloudwatch``, ``events``) allowed to use
    the key on behalf of this account only. The condition is the one each service documents:

    * ``logs``: ``kms:EncryptionContext:aws:logs:arn`` of this account's and region's log groups (CloudWatch
      Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS");
    * ``cloudwatch``: ``aws:SourceAccount`` and ``aws:SourceArn`` of this account's and region's alarms;
    * ``events``: none. EventBridge's requests to KMS for an encrypted SNS target carry no ``aws:SourceAccount``
      / ``aws:SourceArn`` (SNS Developer Guide, "Enable compatibility between event sources from AWS services
      and encrypted topics"); a condition there would drop every notification. The topic's policy limits who
      may publish instead (:func:`alarm_topic`);
    * any other service: ``aws:SourceAccount``.

    Default: none (the account's own principals only).
    """
    ctx = PlatformContext.of(scope)
    key = kms.Key(
        scope, id,
        description=description,
        enable_key_rotation=True,
        removal_policy=ctx.removal_policy,
        pending_window=Duration.days(30) if ctx.env.retain_stateful_resources else Duration.days(7),
    )
    stack = Stack.of(scope)
    for service in service_principals:
        principal = (
            iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com") if service == "logs"
            else iam.ServicePrincipal(f"{service}.amazonaws.com")
        )
        # logs: its condition is an encryption-context key, which DescribeKey requests never carry (AWS KMS
        # Service Authorization Reference), so kms:Describe* there would be granted nothing
        key.add_to_resource_policy(iam.PolicyStatement(
            sid=f"Allow{service.capitalize()}Service",
            principals=[principal],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                     *(["kms:Describe*"] if service != "logs" else [])],
            resources=["*"],  # in a key policy "*" means this key
            conditions=_key_service_conditions(stack, service),
        ))
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="DenyGrantsExceptForAwsResources", effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()],
        actions=["kms:CreateGrant"], resources=["*"],
        conditions={"BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}}))
    if "logs" in service_principals:
        acknowledge(key, "logs-key-arn-condition")
    return key


def _key_service_conditions(stack: Stack, service: str) -> dict[str, dict[str, str]] | None:
    if service == "logs":
        return {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                            f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"}}
    if service == "events":
        return None
    conditions = {"StringEquals": {"aws:SourceAccount": stack.account}}
    if service == "cloudwatch":
        conditions["ArnLike"] = {"aws:SourceArn": f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}:"
                                                  "alarm:*"}
    return conditions


def log_group(scope: Construct, id: str, *, key: kms.IKey, log_group_name: str | None = None) -> logs.LogGroup:
    """A KMS-encrypted log group with the environment's retention, retained where policy says so.

    ``key`` must let CloudWatch Logs use it (``platform_key(..., service_principals=("logs",))``).
    ``log_group_name``: default a name CloudFormation generates. A retention under a year (dev, staging) is
    the policy's decision (``log-retention-per-environment``; AWS Control Tower CT.CLOUDWATCH.PR.2 asks a year).
    """
    ctx = PlatformContext.of(scope)
    group = logs.LogGroup(
        scope, id,
        log_group_name=log_group_name,
        encryption_key=key,
        retention=logs.RetentionDays(_retention_enum_name(ctx.env.log_retention_days)),
        removal_policy=ctx.removal_policy,
    )
    if ctx.env.log_retention_days < 365:
        acknowledge(group, "log-retention-per-environment")
    return group


_RETENTION = {
    1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
    60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
    365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS",
    1827: "FIVE_YEARS", 2192: "SIX_YEARS", 2557: "SEVEN_YEARS", 2922: "EIGHT_YEARS", 3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}
"""CloudWatch retention periods (days, as the policy states them) to CDK's enum names."""


def _retention_enum_name(days: int) -> str:
    return _RETENTION[days]  # the policy loader accepts only these periods


def _event_notifications(bucket: s3.Bucket) -> None:
    """Object events go to EventBridge (native CloudFormation, no custom resource), where the organisation's
    detection rules can subscribe to them (AWS Control Tower CT.S3.PR.4)."""
    cfn_bucket = bucket.node.default_child
    if isinstance(cfn_bucket, CfnResource):
        cfn_bucket.add_property_override("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled",
                                         True)


@jsii.implements(IStableListProducer)
class _LogSources:
    """The source buckets that log to a stack's access-log bucket (its policy admits only their deliveries)."""

    def __init__(self, own_arn: str) -> None:
        self.arns: list[str] = []
        self._own_arn = own_arn

    def produce(self) -> list[str]:
        return self.arns or [self._own_arn]  # no source yet: admit none (the bucket never logs to itself)


class _AccessLogBucket(s3.Bucket):
    """The stack's access-log bucket, with the source buckets its policy admits."""

    log_sources: _LogSources


def access_log_bucket(scope: Construct) -> _AccessLogBucket:
    """The stack's server-access-log bucket (one per stack, created on first use).

    Log delivery is admitted through a bucket policy for the S3 logging service, limited to this account's
    source buckets in this stack (``aws:SourceAccount`` and ``aws:SourceArn``, S3 User Guide "Enabling Amazon
    S3 server access logging"), instead of the legacy LogDeliveryWrite ACL CDK would add (cfn-lint W3045).
    """
    stack = Stack.of(scope)
    # kept on the stack's Python object: found again without a call into Node (issue 19)
    existing = vars(stack).get(_ACCESS_LOG_BUCKET_ATTRIBUTE) or stack.node.try_find_child(_ACCESS_LOG_BUCKET_ID)
    if isinstance(existing, _AccessLogBucket):
        vars(stack)[_ACCESS_LOG_BUCKET_ATTRIBUTE] = existing
        return existing
    ctx = PlatformContext.of(scope)
    bucket = _AccessLogBucket(
        stack, _ACCESS_LOG_BUCKET_ID,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        enforce_ssl=True,
        versioned=True,
        removal_policy=ctx.removal_policy,
        auto_delete_objects=False,
        lifecycle_rules=[s3.LifecycleRule(
            id="expire-access-logs",
            expiration=Duration.days(max(ctx.env.log_retention_days, 1)),
            noncurrent_version_expiration=Duration.days(30),
            abort_incomplete_multipart_upload_after=Duration.days(7),
        )],
    )
    bucket.log_sources = _LogSources(bucket.bucket_arn)
    bucket.add_to_resource_policy(iam.PolicyStatement(
        sid="S3ServerAccessLogsDelivery", principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
        actions=["s3:PutObject"], resources=[bucket.arn_for_objects("*")],
        conditions={"StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": Lazy.list(bucket.log_sources)}}))
    cfn_bucket = bucket.node.default_child
    if isinstance(cfn_bucket, CfnResource):
        cfn_bucket.add_property_deletion_override("AccessControl")
    _event_notifications(bucket)
    # The bucket lives on the stack, outside any construct's tag scope: it carries the first user's tags.
    owner = next((c for c in reversed(ancestors(scope)) if isinstance(c, PlatformConstruct)), None)
    tag_access_log_bucket(bucket, owner.tags if owner is not None else {})
    for decision in ("access-log-bucket-not-logged", "access-log-bucket-sse-s3", "bucket-replication",
                     "bucket-no-object-lock"):
        acknowledge(bucket, decision, owner=owner)
    vars(stack)[_ACCESS_LOG_BUCKET_ATTRIBUTE] = bucket
    return bucket


def tag_access_log_bucket(bucket: s3.Bucket, tags: Mapping[str, str]) -> None:
    """Tag the stack's access-log bucket (outside every construct's tag scope) with ``tags``: later tags win
    (``TagManager.setTag``), so each construct logging to it applies its own; the same ones again change nothing and
    are skipped without a call into Node (the tags last applied are kept on the bucket's Python object)."""
    if vars(bucket).get(_ACCESS_LOG_TAGS_ATTRIBUTE) != dict(tags):
        tagger = Tags.of(bucket)
        for name, value in tags.items():
            tagger.add(name, value)
        vars(bucket)[_ACCESS_LOG_TAGS_ATTRIBUTE] = dict(tags)


def secure_bucket(scope: Construct, id: str, *, key: kms.IKey, purpose: str) -> s3.Bucket:
    """A KMS-encrypted (bucket key on), versioned, TLS-only bucket with public access blocked, access-logged to
    the stack's :func:`access_log_bucket` and sending object events to EventBridge. Objects expire after the
    environment's log retention, at least 30 days, and move to Intelligent-Tiering after 30 days when they live
    longer; old versions expire after 30."""
    ctx = PlatformContext.of(scope)
    expiry = max(ctx.env.log_retention_days, 30)
    logs_bucket = access_log_bucket(scope)
    bucket = s3.Bucket(
        scope, id,
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        server_access_logs_bucket=logs_bucket,
        server_access_logs_prefix=f"{Names.unique_id(scope)[-60:]}/{id}/",
        removal_policy=ctx.removal_policy,
        lifecycle_rules=[s3.LifecycleRule(
            id=f"{purpose}-lifecycle",
            transitions=[s3.Transition(storage_class=s3.StorageClass.INTELLIGENT_TIERING,
                                       transition_after=Duration.days(30))] if expiry > 30 else None,
            expiration=Duration.days(expiry),
            noncurrent_version_expiration=Duration.days(30),
            abort_incomplete_multipart_upload_after=Duration.days(7),
        )],
    )
    logs_bucket.log_sources.arns.append(bucket.bucket_arn)
    _event_notifications(bucket)
    acknowledge(bucket, "bucket-replication")
    acknowledge(bucket, "bucket-no-object-lock")
    return bucket


def alarm_topic(scope: Construct, id: str, *, key: kms.IKey) -> sns.Topic:
    """A KMS-encrypted, TLS-only SNS topic for alarms, to which AWS services may publish only for this account.

    CloudWatch can publish to a topic encrypted with a customer-managed key only when the key's policy lets the
    ``cloudwatch.amazonaws.com`` principal use it (SNS developer guide, "Enable compatibility between event
    sources from AWS services and encrypted topics"): create ``key`` with
    ``platform_key(..., service_principals=("cloudwatch",))``. The topic policy replaces SNS's default one, so
    it lets CloudWatch alarms of this account and region publish (``aws:SourceAccount`` and ``aws:SourceArn``, AWS
    re:Post knowledge center, "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?"), and
    it denies publishing by an AWS service on behalf of
    another account (``aws:SourceAccount`` present and not this account): an EventBridge rule or alarm elsewhere
    cannot use the service as a confused deputy.
    """
    topic = sns.Topic(scope, id, master_key=key, enforce_ssl=True)
    stack = Stack.of(scope)
    account = stack.account
    topic.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowCloudWatchAlarms", principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions=["sns:Publish"], resources=[topic.topic_arn],
        conditions={"StringEquals": {"aws:SourceAccount": account}, "ArnLike": {
            "aws:SourceArn": f"arn:{stack.partition}:cloudwatch:{stack.region}:{account}:alarm:*"}}))
    topic.add_to_resource_policy(iam.PolicyStatement(
        sid="DenyServicePublishForOtherAccounts", effect=iam.Effect.DENY, principals=[iam.StarPrincipal()],
        actions=["sns:Publish"], resources=[topic.topic_arn],
        conditions={"Bool": {"aws:PrincipalIsAWSService": "true"},
                    "StringNotEqualsIfExists": {"aws:SourceAccount": account}}))
    return topic


def tag_provider_resources(scope: Construct, provider_id: str, tags: dict[str, str]) -> None:
    """Tag the raw resources of a CDK-internal custom-resource provider singleton in ``scope``'s stack.

    CDK builds these providers from untyped ``CfnResource`` objects that ``Tags.of`` cannot reach, so
    the required tags are written as a property override instead. The handler's ``DependsOn`` on its
    role is dropped: its ``Fn::GetAtt`` of the role already orders them (cfn-lint W3005).
    """
    provider = Stack.of(scope).node.try_find_child(provider_id)
    if provider is None:
        return
    tag_list = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    for child in provider.node.find_all():
        if isinstance(child, CfnResource) and child.cfn_resource_type in ("AWS::IAM::Role", "AWS::Lambda::Function"):
            child.add_property_override("Tags", tag_list)
            if child.cfn_resource_type == "AWS::Lambda::Function":
                child.add_deletion_override("DependsOn")
