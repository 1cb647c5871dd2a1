"""The roles and the key of a Batch construct, written by us: the construct's KMS key, the ECS instance role,
the Fargate execution role, the job role, and the datastore statements the job role and the datastore grants share.

No AWS-managed policy is attached anywhere (``AmazonEC2ContainerServiceforEC2Role`` grants ``ecs:*``-style
wildcards on ``*``); every permission lives in the role's own customer-managed policy
(:class:`platform_constructs.baseline.PlatformRole`). Trust policies of service roles carry the confused-deputy
conditions the service supports (IAM User Guide, "The confused deputy problem"): ``aws:SourceAccount`` and
``aws:SourceArn`` for ECS tasks. EC2 instance roles get none: EC2 assumes an instance profile's role for the
instance, with no source account or ARN in the request context.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_resources, platform_origin
from platform_constructs.compute.deferred import Deferred
from platform_constructs.images.defaults import approved_repository_arns

READ_ACTIONS = ("s3:GetObject",)
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")
BATCH_DEFAULT_LOG_GROUP = "/aws/batch/job"
"""The log group of job definitions without a log configuration ("If not specified, aws/batch/job is used", AWS Batch
User Guide, "Use the awslogs log driver"): Metaflow registers its job definitions without one."""
EBS_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")


def service_linked_role_arn(stack: Stack) -> str:
    """AWS Batch's service-linked role: Batch's own permissions, no AWS-managed policy attached by us."""
    return (f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/batch.amazonaws.com/"
            "AWSServiceRoleForBatch")


def autoscaling_service_linked_role_arn(stack: Stack) -> str:
    """EC2 Auto Scaling's service-linked role: AWS Batch launches a managed compute environment's instances through
    Auto Scaling groups (the ``BatchServiceRolePolicy``: "creates and manages Amazon EC2 Auto Scaling groups for most
    compute environments"; Spot Fleets only with ``BEST_FIT`` spot, which no platform construct uses), and Auto
    Scaling uses this role to create the instances' encrypted volumes (EC2 Auto Scaling User Guide, "Required AWS
    KMS key policy for use with encrypted volumes")."""
    return (f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/autoscaling.amazonaws.com/"
            "AWSServiceRoleForAutoScaling")


def compute_key(scope: Construct) -> kms.Key:
    """The construct's key: datastore, logs, alarm topic, the instances' EBS volumes and the foreach table.

    EBS: the key policy lets EC2 Auto Scaling's service-linked role, the principal that creates the instances'
    volumes, make the calls of the two statements of the Auto Scaling guide (use of the key; grants for AWS
    resources only). That role's permissions are fixed by AWS and hold no customer managed key (EC2 Auto Scaling
    User Guide, "Required AWS KMS key policy for use with encrypted volumes"), so a statement for the account
    (``arn:...:root``, which only hands the decision to IAM policies: KMS Developer Guide, "Default key policy")
    cannot let it in: the key policy itself must allow it. It cannot name the role as its principal either: "the
    principals in the key policy must exist" (KMS API Reference, ``CreateKey``), and Auto Scaling creates its role
    on first use. So the statements' principal is ``*``, narrowed by ``aws:PrincipalArn`` to exactly that role and
    by ``kms:CallerAccount`` to this account: no other principal matches them.
    """
    key = baseline.platform_key(scope, "Key", description=f"{scope.node.path} Batch datastore, logs, volumes and "
                                "alarms", service_principals=("logs", "cloudwatch", "events"))
    stack = Stack.of(scope)
    launcher = {"ArnEquals": {"aws:PrincipalArn": autoscaling_service_linked_role_arn(stack)},
                "StringEquals": {"kms:CallerAccount": stack.account}}
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowEbsByAutoScalingServiceLinkedRole", principals=[iam.AnyPrincipal()],
        actions=list(EBS_KEY_ACTIONS), resources=["*"], conditions=launcher))
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowEbsGrantsByAutoScalingServiceLinkedRole", principals=[iam.AnyPrincipal()],
        actions=["kms:CreateGrant"], resources=["*"],
        conditions={**launcher, "Bool": {"kms:GrantIsForAWSResource": "true"}}))
    return key


def ecs_tasks_principal(stack: Stack) -> iam.IPrincipal:
    """``ecs-tasks.amazonaws.com`` for this account's ECS tasks only (ECS Developer Guide, "Task IAM role": the
    trust policy's ``aws:SourceAccount`` / ``aws:SourceArn`` conditions)."""
    return iam.ServicePrincipal("ecs-tasks.amazonaws.com").with_conditions({
        "StringEquals": {"aws:SourceAccount": stack.account},
        "ArnLike": {"aws:SourceArn": f"arn:{stack.partition}:ecs:{stack.region}:{stack.account}:*"}})


def image_pulls(role: baseline.PlatformRole, *, log_groups: Sequence[str]) -> None:
    """Pull from the approved registries and write to ``log_groups`` (ARNs; ECS agent or Fargate execution role)."""
    repositories = approved_repository_arns(role)
    role.add_to_policy(iam.PolicyStatement(
        sid="PullApprovedImages",
        actions=["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        resources=repositories))
    role.add_to_policy(iam.PolicyStatement(
        sid="WriteJobLogs", actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=list(log_groups)))
    acknowledge_resources(role.policy, "approved-registry-pulls", repositories)


def execution_role(scope: Construct, *, log_group: logs.ILogGroup) -> baseline.PlatformRole:
    """Fargate's task execution role: pull approved images, write this construct's logs."""
    role = baseline.platform_role(scope, "ExecutionRole", assumed_by=ecs_tasks_principal(Stack.of(scope)),
                                  description="Fargate: pull approved images and write this construct's logs")
    role.add_to_policy(iam.PolicyStatement(
        sid="ActionsWithoutResourceLevelPermissions", actions=["ecr:GetAuthorizationToken"], resources=["*"]))
    acknowledge(role.policy, "ecs-agent-unscoped-actions")
    image_pulls(role, log_groups=[log_group.log_group_arn])
    return role


def instance_profile(scope: Construct, *, log_group: logs.ILogGroup) -> iam.CfnInstanceProfile:
    """The ECS container-instance role (in an instance profile), instead of ``AmazonEC2ContainerServiceforEC2Role``.

    The ECS agent may register with and report to AWS Batch's ECS clusters of this account and region only
    (``ecs:UpdateContainerInstancesState`` on container instances, its only resource type in the IAM Service
    Authorization Reference), pull from the approved registries only, and write to this construct's log group and
    Batch's default job log group (:data:`BATCH_DEFAULT_LOG_GROUP`, where the logs of job definitions without a log
    configuration go) only.
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
    role.add_to_policy(iam.PolicyStatement(
        sid="EcsAgentInstances", actions=["ecs:Poll", "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState"],
        resources=clusters[1:]))
    role.add_to_policy(iam.PolicyStatement(
        sid="ActionsWithoutResourceLevelPermissions",
        actions=["ecs:DiscoverPollEndpoint", "ecr:GetAuthorizationToken"], resources=["*"]))
    acknowledge(role.policy, "ecs-agent-unscoped-actions")
    acknowledge_resources(role.policy, "batch-managed-ecs-clusters", clusters)
    default_group = (f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:"
                     f"{BATCH_DEFAULT_LOG_GROUP}:*")
    image_pulls(role, log_groups=[log_group.log_group_arn, default_group])
    acknowledge_resources(role.policy, "batch-default-job-log-streams", [default_group])
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
    role = baseline.platform_role(scope, "JobRole", assumed_by=ecs_tasks_principal(Stack.of(scope)),
                                  description="AWS Batch jobs: the team's datastore prefix only")
    statements, objects = datastore_statements(scope, bucket=bucket, prefix=prefix, key=key, write=True, sids=True)
    for statement in statements:
        role.add_to_policy(statement)
    acknowledge_resources(role.policy, "batch-job-role-team-prefix", [objects])
    return role


def acknowledge_resources_at_synth(construct: IConstruct, decision_key: str, resources: Sequence[str]) -> None:
    """:func:`~platform_constructs.acknowledge.acknowledge_resources`, applied when the app is validated.

    A resource value that references another stack (a grant to a principal outside the bucket's stack) resolves to
    its ``Fn::ImportValue`` only after CDK has prepared the app's cross-stack references, which it does right before
    it runs ``node.add_validation`` checks; resolved earlier it names the other stack's ``Fn::GetAtt`` and the
    acknowledgment would miss the finding.
    """
    owner = platform_origin(construct)  # the granting construct, known now (no frame names it at synth)
    construct.node.add_validation(Deferred(lambda: _acknowledge_now(construct, decision_key, resources, owner)))


def _acknowledge_now(construct: IConstruct, decision_key: str, resources: Sequence[str],
                     owner: IConstruct | None) -> list[str]:
    acknowledge_resources(construct, decision_key, resources, owner=owner)
    return []


def grant_datastore(scope: Construct, grantee: iam.IGrantable, *, bucket: s3.IBucket, prefix: str,
                    key: kms.IKey | None, write: bool) -> iam.Grant:
    """Add the datastore statements to ``grantee``'s identity policy (nothing to the bucket's policy).

    The object ARN ends in ``<prefix>*``: the acknowledgment of that one wildcard (decision
    ``datastore-team-prefix-grant``) is applied to the grantee's construct when it is one of this app's, also when
    the grantee lives in another stack than the bucket.
    """
    statements, objects = datastore_statements(scope, bucket=bucket, prefix=prefix, key=key, write=write, sids=False)
    grant = iam.Grant.add_to_principal(grantee=grantee, actions=statements[0].actions,
                                       resource_arns=statements[0].resources, conditions=statements[0].conditions)
    for statement in statements[1:]:
        grant = grant.combine(iam.Grant.add_to_principal(
            grantee=grantee, actions=statement.actions, resource_arns=statement.resources,
            conditions=statement.conditions or None))
    if isinstance(grantee, Construct) and grant.success:
        acknowledge_resources_at_synth(grantee, "datastore-team-prefix-grant", [objects])
    return grant
