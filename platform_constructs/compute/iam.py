"""The roles of a Batch construct, written by us: ECS instance role, Fargate execution role, job role, and the
datastore statements the job role and ``grant_read_datastore`` / ``grant_read_write_datastore`` share.

No AWS-managed policy is attached anywhere (``AmazonEC2ContainerServiceforEC2Role`` grants ``ecs:*``-style
wildcards on ``*``); every permission lives in the role's own customer-managed policy
(:class:`platform_constructs.baseline.PlatformRole`).
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_resources
from platform_constructs.images.defaults import approved_repository_arns

READ_ACTIONS = ("s3:GetObject",)
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")


def service_linked_role_arn(stack: Stack) -> str:
    """AWS Batch's service-linked role: Batch's own permissions, no AWS-managed policy attached by us."""
    return (f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/batch.amazonaws.com/"
            "AWSServiceRoleForBatch")


def image_pulls(role: baseline.PlatformRole, *, log_group: logs.ILogGroup) -> None:
    """Pull from the approved registries and write to ``log_group`` (ECS agent or Fargate execution role)."""
    repositories = approved_repository_arns(role)
    role.add_to_policy(iam.PolicyStatement(
        sid="PullApprovedImages",
        actions=["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        resources=repositories))
    role.add_to_policy(iam.PolicyStatement(
        sid="WriteJobLogs", actions=["logs:CreateLogStream", "logs:PutLogEvents"],
        resources=[log_group.log_group_arn]))
    acknowledge_resources(role.policy, "approved-registry-pulls", repositories)


def execution_role(scope: Construct, *, log_group: logs.ILogGroup) -> baseline.PlatformRole:
    """Fargate's task execution role: pull approved images, write this construct's logs."""
    role = baseline.platform_role(scope, "ExecutionRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
                                  description="Fargate: pull approved images and write this construct's logs")
    role.add_to_policy(iam.PolicyStatement(
        sid="ActionsWithoutResourceLevelPermissions", actions=["ecr:GetAuthorizationToken"], resources=["*"]))
    acknowledge(role.policy, "ecs-agent-unscoped-actions")
    image_pulls(role, log_group=log_group)
    return role


def instance_profile(scope: Construct, *, log_group: logs.ILogGroup) -> iam.CfnInstanceProfile:
    """The ECS container-instance role (in an instance profile), instead of ``AmazonEC2ContainerServiceforEC2Role``.

    The ECS agent may register with and report to AWS Batch's ECS clusters of this account and region only,
    pull from the approved registries only, and write to this construct's log group only.
    """
    stack = Stack.of(scope)
    role = baseline.platform_role(scope, "InstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                                  description="ECS agent on this construct's AWS Batch instances")
    ecs_arn = f"arn:{stack.partition}:ecs:{stack.region}:{stack.account}"
    clusters = [f"{ecs_arn}:cluster/AWSBatch-*", f"{ecs_arn}:container-instance/AWSBatch-*"]
    role.add_to_policy(iam.PolicyStatement(
        sid="EcsAgentClusters",
        actions=["ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance",
                 "ecs:SubmitContainerStateChange", "ecs:SubmitTaskStateChange", "ecs:SubmitAttachmentStateChanges"],
        resources=clusters[:1]))
    role.add_to_policy(iam.PolicyStatement(  # UpdateContainerInstancesState acts on container instances (SAR)
        sid="EcsAgentInstances", actions=["ecs:Poll", "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState"],
        resources=clusters[1:]))
    role.add_to_policy(iam.PolicyStatement(
        sid="ActionsWithoutResourceLevelPermissions",
        actions=["ecs:DiscoverPollEndpoint", "ecr:GetAuthorizationToken"], resources=["*"]))
    acknowledge(role.policy, "ecs-agent-unscoped-actions")
    acknowledge_resources(role.policy, "batch-managed-ecs-clusters", clusters)
    image_pulls(role, log_group=log_group)
    return iam.CfnInstanceProfile(scope, "InstanceProfile", roles=[role.role_name])


def datastore_statements(scope: Construct, *, bucket: s3.IBucket, prefix: str, key: kms.IKey | None,
                         write: bool, sids: bool) -> tuple[list[iam.PolicyStatement], str]:
    """Statements for the objects under ``prefix`` of the datastore: list the prefix, read (and with ``write``
    write and delete) its objects, use its key through S3 only. Returns them and the objects' ARN pattern.

    ``sids`` names the statements (the job role's own policy); grants to other principals carry no Sid, so that
    two grants into one policy never collide.
    """
    objects = bucket.arn_for_objects(f"{prefix}*")
    statements = [
        iam.PolicyStatement(sid="ListTeamPrefix" if sids else None, actions=["s3:ListBucket"],
                            resources=[bucket.bucket_arn], conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}}),
        iam.PolicyStatement(sid=("ReadWriteTeamPrefix" if write else "ReadTeamPrefix") if sids else None,
                            actions=[*READ_ACTIONS, *(WRITE_ACTIONS if write else ())], resources=[objects]),
    ]
    if key is not None:
        statements.append(iam.PolicyStatement(
            sid="DatastoreKeyThroughS3" if sids else None,
            actions=["kms:Decrypt", "kms:GenerateDataKey"] if write else ["kms:Decrypt"], resources=[key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{Stack.of(scope).region}.amazonaws.com"}}))
    return statements, objects


def job_role(scope: Construct, *, bucket: s3.IBucket, prefix: str, key: kms.IKey | None) -> baseline.PlatformRole:
    """The role every job assumes: read/write objects under the team's ``prefix`` of the datastore, its key."""
    role = baseline.platform_role(scope, "JobRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
                                  description="AWS Batch jobs: the team's datastore prefix only")
    statements, objects = datastore_statements(scope, bucket=bucket, prefix=prefix, key=key, write=True, sids=True)
    for statement in statements:
        role.add_to_policy(statement)
    acknowledge_resources(role.policy, "batch-job-role-team-prefix", [objects])
    return role


def grant_datastore(scope: Construct, grantee: iam.IGrantable, *, bucket: s3.IBucket, prefix: str,
                    key: kms.IKey | None, write: bool) -> iam.Grant:
    """Add the datastore statements to ``grantee``'s identity policy (nothing to the bucket's policy).

    The object ARN ends in ``<prefix>*``: the acknowledgment of that one wildcard (decision
    ``datastore-team-prefix-grant``) is applied to the grantee's construct when it is one of this app's.
    """
    statements, objects = datastore_statements(scope, bucket=bucket, prefix=prefix, key=key, write=write, sids=False)
    grant = iam.Grant.add_to_principal(grantee=grantee, actions=statements[0].actions,
                                       resource_arns=statements[0].resources, conditions=statements[0].conditions)
    for statement in statements[1:]:
        grant = grant.combine(iam.Grant.add_to_principal(
            grantee=grantee, actions=statement.actions, resource_arns=statement.resources,
            conditions=statement.conditions or None))
    if isinstance(grantee, Construct) and grant.success:
        acknowledge_resources(grantee, "datastore-team-prefix-grant", [objects])
    return grant
