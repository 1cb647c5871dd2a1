"""The secure baseline: the one place that decides how keys, buckets, log groups and topics are built.

Every platform construct creates its stateful building blocks through these factories, so a change to
the organisation's baseline is one edit here. Each factory applies the environment's retention rule
(``RETAIN`` where the policy says so, i.e. prod) and records any acknowledgment it needs through
:mod:`platform_constructs.acknowledge` with its written reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnResource, Duration, Names, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from platform_constructs.acknowledge import acknowledge
from platform_constructs.core import PlatformConstruct, PlatformContext

_ACCESS_LOG_BUCKET_ID = "PlatformAccessLogs"


def platform_key(scope: Construct, id: str, *, description: str,
                 service_principals: Sequence[str] = ()) -> kms.Key:
    """A customer-managed KMS key with rotation on, retained where policy says so (deletion window 30 days
    there, else 7).

    ``service_principals`` are AWS services (e.g. ``logs``, ``sns``, ``cloudwatch``) allowed to use the key on
    behalf of this account only: ``aws:SourceAccount`` for every service but CloudWatch Logs, whose use is
    limited by the ``kms:EncryptionContext:aws:logs:arn`` of this account's and region's log groups. Default:
    none (the account's own principals only).
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
            conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            if service != "logs" else
            {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                         f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"}},
        ))
    if "logs" in service_principals:
        acknowledge(key, "logs-key-arn-condition")
    return key


def log_group(scope: Construct, id: str, *, key: kms.IKey, log_group_name: str | None = None) -> logs.LogGroup:
    """A KMS-encrypted log group with the environment's retention, retained where policy says so.

    ``key`` must let CloudWatch Logs use it (``platform_key(..., service_principals=("logs",))``).
    ``log_group_name``: default a name CloudFormation generates.
    """
    ctx = PlatformContext.of(scope)
    return logs.LogGroup(
        scope, id,
        log_group_name=log_group_name,
        encryption_key=key,
        retention=logs.RetentionDays(_retention_enum_name(ctx.env.log_retention_days)),
        removal_policy=ctx.removal_policy,
    )


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


def access_log_bucket(scope: Construct) -> s3.Bucket:
    """The stack's server-access-log bucket (one per stack, created on first use)."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child(_ACCESS_LOG_BUCKET_ID)
    if isinstance(existing, s3.Bucket):
        return existing
    ctx = PlatformContext.of(scope)
    bucket = s3.Bucket(
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
    # Log delivery through a bucket policy (what CDK's `serverAccessLogsUseBucketPolicy` flag does) instead of
    # the legacy LogDeliveryWrite ACL CDK would add without the flag (cfn-lint W3045).
    bucket.add_to_resource_policy(iam.PolicyStatement(
        sid="S3ServerAccessLogsDelivery", principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
        actions=["s3:PutObject"], resources=[bucket.arn_for_objects("*")],
        conditions={"StringEquals": {"aws:SourceAccount": stack.account}}))
    cfn_bucket = bucket.node.default_child
    if isinstance(cfn_bucket, CfnResource):
        cfn_bucket.add_property_deletion_override("AccessControl")
    # The bucket lives on the stack, outside any construct's tag scope: it carries the first user's tags.
    owner = next((c for c in reversed(scope.node.scopes) if isinstance(c, PlatformConstruct)), None)
    for name, value in (owner.tags if owner is not None else {}).items():
        Tags.of(bucket).add(name, value)
    acknowledge(bucket, "access-log-bucket-not-logged")
    acknowledge(bucket, "access-log-bucket-sse-s3")
    acknowledge(bucket, "bucket-replication")
    return bucket


def secure_bucket(scope: Construct, id: str, *, key: kms.IKey, purpose: str) -> s3.Bucket:
    """A KMS-encrypted (bucket key on), versioned, TLS-only bucket with public access blocked, access-logged to
    the stack's :func:`access_log_bucket`. Objects expire after the environment's log retention, at least 30
    days, and move to Intelligent-Tiering after 30 days when they live longer; old versions expire after 30."""
    ctx = PlatformContext.of(scope)
    expiry = max(ctx.env.log_retention_days, 30)
    bucket = s3.Bucket(
        scope, id,
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        server_access_logs_bucket=access_log_bucket(scope),
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
    acknowledge(bucket, "bucket-replication")
    return bucket


def alarm_topic(scope: Construct, id: str, *, key: kms.IKey) -> sns.Topic:
    """A KMS-encrypted, TLS-only SNS topic for alarms.

    CloudWatch can publish to a topic encrypted with a customer-managed key only when the key's policy lets the
    ``cloudwatch.amazonaws.com`` principal use it (SNS developer guide, "Enable compatibility between event
    sources from AWS services and encrypted topics"): create ``key`` with
    ``platform_key(..., service_principals=("cloudwatch",))``. The topic policy replaces SNS's default one, so
    it lets CloudWatch alarms of this account publish (AWS re:Post knowledge center, "Why didn't I receive an
    SNS notification for my CloudWatch alarm trigger?").
    """
    topic = sns.Topic(scope, id, master_key=key, enforce_ssl=True)
    topic.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowCloudWatchAlarms", principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions=["sns:Publish"], resources=[topic.topic_arn],
        conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}))
    return topic


class PlatformRole(iam.Role):
    """An IAM role whose permissions live in one customer-managed policy, never in an inline policy.

    Every grant (``bucket.grant_read(role)``, ``key.grant_decrypt(role)``, ...) lands in the role's
    own ``ManagedPolicy`` (HIPAA/NIST/PCI ``IAMNoInlinePolicy``), and no AWS-managed policy is ever
    attached. Create it with :func:`platform_role`.
    """

    def __init__(self, scope: Construct, id: str, *, assumed_by: iam.IPrincipal, description: str) -> None:
        super().__init__(scope, id, assumed_by=assumed_by, description=description)
        self.policy = iam.ManagedPolicy(self, "Policy", description=f"Least-privilege permissions of {description}")
        self.policy.attach_to_role(self)

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        self.policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self.policy)

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        self.policy.add_statements(statement)
        return True


def platform_role(scope: Construct, id: str, *, assumed_by: iam.IPrincipal, description: str) -> PlatformRole:
    """A least-privilege role: no inline policy, no managed AWS policy, grants collected in one place."""
    return PlatformRole(scope, id, assumed_by=assumed_by, description=description)


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
