"""What BatchComputeEnv and GpuTrainingCluster share: one base class, one public surface.

The base builds the foundation (the construct's KMS key, encrypted log group, datastore bucket and job role),
the instances' security group, monitoring and the stack outputs; it publishes ``metaflow_config()`` and the
grants, registers the synth-time checks (:mod:`~platform_constructs.compute.checks`) and the warnings.

Arguments both constructs take (their keyword-only signatures repeat them; defaults are applied once, in
:func:`platform_constructs.compute.plan.common_settings`):

:param cost_center: cost centre tag; also the team's default share identifier and data prefix. Required.
:param max_job_hours: the attempt timeout of every job definition. Default: the environment policy's
    ``max_job_hours``; refused above it.
:param spot: spot capacity first with an on-demand fallback (``False``: on-demand only). Default: the
    environment policy's ``spot``.
:param team_shares: fair-share weight factor per share identifier. Default: the policy's ``batch.team_shares``
    plus ``{cost_center: 1.0}``.
:param fair_share: attach the fair-share scheduling policy to the queues; every job must then be submitted with
    a share identifier (AWS Batch ``SubmitJob``). Default: ``True``.
:param data_prefix: the datastore key prefix the job role (and the datastore grants) may read and write.
    Default: ``"<cost_center>/"``.
:param datastore_bucket: an existing datastore bucket. Default: a new KMS-encrypted, versioned, access-logged
    bucket from the platform baseline.
:param vpc: the VPC (its isolated subnets are used). Default: the platform network
    (:func:`~platform_constructs.network.resolve_network`).
:param image: the job definitions' container image. Default: the approved image for the construct's purpose.
:param data_classification, project, owner: required tags; default: the policy's defaults.
:param tags: any other tag the policy requires, ``{name: value}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import jsii
from aws_cdk import Annotations, CfnOutput, Stack
from aws_cdk import aws_batch as batch
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct, IValidation

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_grant
from platform_constructs.compute import checks
from platform_constructs.compute import iam as compute_iam
from platform_constructs.compute.job_definition import job_definition_facts
from platform_constructs.compute.metaflow import metaflow_config
from platform_constructs.compute.monitoring import monitoring
from platform_constructs.compute.plan import CommonSettings, PlanContext
from platform_constructs.compute.queue import environment_facts, queue_order
from platform_constructs.core import PlatformConstruct
from platform_constructs.images.defaults import Purpose, default_image, is_approved_image
from platform_constructs.network import NetworkRef, resolve_network

WARNING_PREFIX = "platform-constructs:compute"
"""Prefix of the warning ids of the Batch constructs. A user who accepts one acknowledges it by id:
``Annotations.of(construct).acknowledge_warning("platform-constructs:compute:<id>", "<reason>")`` (the CDK CLI
prints the id with each warning)."""


@jsii.implements(IValidation)
class _Deferred:
    """A ``node.add_validation`` check built from a function returning error messages."""

    def __init__(self, check: Callable[[], list[str]]) -> None:
        self._check = check

    def validate(self) -> list[str]:
        return self._check()


def compute_key(scope: Construct) -> kms.Key:
    """The construct's key: datastore, logs, alarm topic and the instances' EBS volumes.

    EC2 encrypts the volumes on behalf of the instance launcher (Batch's EC2 fleet / Auto Scaling service-linked
    roles), so the key allows its use *through EC2 in this account only* (``kms:ViaService`` +
    ``kms:CallerAccount``), the same statement AWS's own ``aws/ebs`` key carries.
    """
    key = baseline.platform_key(scope, "Key", description=f"{scope.node.path} Batch datastore, logs, volumes and "
                                "alarms", service_principals=("logs", "cloudwatch", "events"))
    stack = Stack.of(scope)
    via_ec2 = {"StringEquals": {"kms:ViaService": f"ec2.{stack.region}.amazonaws.com",
                                "kms:CallerAccount": stack.account}}
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowEbsThroughEc2InThisAccount", principals=[iam.AnyPrincipal()],
        actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                 "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
        resources=["*"], conditions=via_ec2))
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowEbsGrantsThroughEc2InThisAccount", principals=[iam.AnyPrincipal()], actions=["kms:CreateGrant"],
        resources=["*"], conditions={**via_ec2, "Bool": {"kms:GrantIsForAWSResource": "true"}}))
    return key


def security_group(scope: Construct, vpc: ec2.IVpc, *, cluster_traffic: bool) -> ec2.SecurityGroup:
    """No ingress; HTTPS out (the isolated subnets reach AWS only through VPC endpoints).

    ``cluster_traffic`` also opens all traffic between members of the group (multi-node jobs: NCCL/EFA).
    """
    group = ec2.SecurityGroup(scope, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
                              description="Batch instances: HTTPS to VPC endpoints only")
    group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs through VPC endpoints")
    if cluster_traffic:
        group.add_ingress_rule(group, ec2.Port.all_traffic(), "Multi-node job traffic within the group")
        group.add_egress_rule(group, ec2.Port.all_traffic(), "Multi-node job traffic within the group")
        acknowledge(group, "multi-node-cluster-traffic")
    return group


class BatchConstruct(PlatformConstruct):
    """The base of the Batch constructs (see the module docstring for the arguments they share).

    Attributes every Batch construct has: ``key``, ``log_group``, ``alarm_topic``, ``alarms``, ``dashboard``,
    ``bucket`` (the datastore), ``role`` (the job role), ``security_group``, ``compute_environments``,
    ``job_queue`` / ``job_queues``, ``job_definition`` / ``job_definitions``, ``launch_template`` (``None`` on
    Fargate), ``scheduling_policy`` (``None`` without fair share), ``execution_role`` (Fargate only), and the
    validated ``settings``.
    """

    key: kms.Key
    log_group: logs.LogGroup
    bucket: s3.IBucket
    role: baseline.PlatformRole
    security_group: ec2.SecurityGroup
    alarm_topic: sns.Topic
    alarms: dict[str, cw.Alarm]
    dashboard: cw.Dashboard
    compute_environments: tuple[batch.CfnComputeEnvironment, ...]
    job_queue: batch.CfnJobQueue
    job_queues: tuple[batch.CfnJobQueue, ...]
    job_definition: batch.CfnJobDefinition
    job_definitions: tuple[batch.CfnJobDefinition, ...]

    def __init__(self, scope: Construct, id: str, *, cost_center: str, data_classification: str | None,
                 project: str | None, owner: str | None, tags: Mapping[str, str] | None) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        self.launch_template: ec2.CfnLaunchTemplate | None = None
        """The instances' launch template (``None`` on Fargate, which has no instances of ours)."""
        self.scheduling_policy: batch.CfnSchedulingPolicy | None = None
        self.execution_role: baseline.PlatformRole | None = None
        self._bucket_key: kms.IKey | None = None

    # --- planning -------------------------------------------------------------------------------------------
    def _plan_context(self, purpose: Purpose) -> PlanContext:
        return PlanContext(policy=self.policy, env=self.env, team=self.tags.get("CostCenter", "team"),
                           default_image=default_image(self, purpose),
                           image_approved=lambda image: is_approved_image(self, image))

    def _adopt(self, common: CommonSettings) -> None:
        self.max_job_hours = common.max_job_hours
        self.data_prefix = common.data_prefix
        self.image = common.image

    # --- resources ------------------------------------------------------------------------------------------
    def _foundation(self, *, datastore_bucket: s3.IBucket | None, vpc: ec2.IVpc | None,
                    cluster_traffic: bool) -> NetworkRef:
        """Network, key, encrypted log group, datastore bucket (the baseline's unless one is given), job role
        and security group."""
        network = resolve_network(self, vpc)
        self.key = compute_key(self)
        self.log_group = baseline.log_group(self, "Logs", key=self.key)
        if datastore_bucket is None:
            self.bucket = baseline.secure_bucket(self, "Datastore", key=self.key, purpose="datastore")
            self._bucket_key = self.key
        else:
            self.bucket, self._bucket_key = datastore_bucket, datastore_bucket.encryption_key
            if self._bucket_key is None:
                self._warn("datastoreKeyUnknown", "datastore_bucket has no known KMS key, so the job role gets no "
                           "kms:Decrypt/GenerateDataKey: if the bucket is encrypted with a customer-managed key, "
                           "grant them on that key to this construct's role (or pass a bucket with its key)")
        self.role = compute_iam.job_role(self, bucket=self.bucket, prefix=self.data_prefix, key=self._bucket_key)
        self.security_group = security_group(self, network.vpc, cluster_traffic=cluster_traffic)
        return network

    def _finish(self, *, common: CommonSettings, max_vcpus: int, max_gpus: int,
                outputs: Mapping[str, tuple[str, str]]) -> None:
        """Monitoring, the stack outputs (the shared ones plus ``outputs``), the synth-time checks and warnings.

        Call after ``compute_environments``, ``job_queues`` and ``job_definitions`` are set.
        """
        watch = monitoring(self, key=self.key, queues=self.job_queues, alarm_policy=self.policy.alarms,
                           title=self.node.path)
        self.alarm_topic, self.alarms, self.dashboard = watch.topic, watch.alarms, watch.dashboard
        shared = {
            "JobQueueArn": (self.job_queue.ref, "AWS Batch job queue (METAFLOW_BATCH_JOB_QUEUE)"),
            "JobRoleArn": (self.role.role_arn, "Job role (METAFLOW_ECS_S3_ACCESS_IAM_ROLE)"),
            "DatastoreBucketName": (self.bucket.bucket_name, "Datastore bucket"),
            "DatastorePrefix": (self.data_prefix, "The team's prefix in the datastore bucket"),
        }
        for name, (value, description) in {**shared, **outputs}.items():
            CfnOutput(self, name, value=value, description=description)
        CfnOutput(self, "MetaflowConfig", value=Stack.of(self).to_json_string(self.metaflow_config()),
                  description="Metaflow settings: save as ~/.metaflowconfig/config.json")
        self.node.add_validation(_Deferred(lambda: self._budget_problems(max_vcpus=max_vcpus, max_gpus=max_gpus)))
        self.node.add_validation(_Deferred(lambda: checks.timeout_problems(
            [job_definition_facts(j) for j in self.node.find_all() if isinstance(j, batch.CfnJobDefinition)],
            max_job_hours=self.max_job_hours)))
        if common.fair_share:
            self._warn("fairShareNeedsShareIdentifier", "the job queues are fair-share queues: AWS Batch rejects a "
                       "job submitted without a shareIdentifier (SubmitJob), and Metaflow's @batch sends none. "
                       "Pass fair_share=False for a FIFO queue when the submitter cannot set one")

    def _budget_problems(self, *, max_vcpus: int, max_gpus: int) -> list[str]:
        problems = checks.budget_problems([environment_facts(e) for e in self.compute_environments], env=self.env,
                                          max_vcpus=max_vcpus, max_gpus=max_gpus)
        own = [e.ref for e in self.compute_environments]
        for queue in self.job_queues:
            problems += checks.queue_problems(queue.node.id, queue_order(queue), own)
        return problems

    def _warn(self, id: str, message: str) -> None:
        """A warning the user should know but may accept (``cdk synth`` prints it; acknowledgeable by id)."""
        Annotations.of(self).add_warning_v2(f"{WARNING_PREFIX}:{id}", message)

    # --- public helpers ---------------------------------------------------------------------------------------
    def metaflow_config(self) -> dict[str, str]:
        """The Metaflow settings for ``@batch`` against :attr:`job_queue` (values resolve at deploy time).

        The stack output ``MetaflowConfig`` holds the same keys as JSON, ready to save as
        ``~/.metaflowconfig/config.json``: ``METAFLOW_BATCH_JOB_QUEUE``, ``METAFLOW_ECS_S3_ACCESS_IAM_ROLE``,
        ``METAFLOW_DATASTORE_SYSROOT_S3``, ``METAFLOW_DATATOOLS_S3ROOT``, ``METAFLOW_DEFAULT_DATASTORE``,
        ``METAFLOW_BATCH_CONTAINER_IMAGE`` (and ``METAFLOW_ECS_FARGATE_EXECUTION_ROLE`` on Fargate).
        """
        return metaflow_config(queue=self.job_queue, role=self.role, bucket=self.bucket, prefix=self.data_prefix,
                               image=self.image, execution_role=self.execution_role)

    def grant_submit(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to submit jobs to this construct's queues with its job definitions
        (``batch:SubmitJob`` on exactly those ARNs, as aws-cdk's ``grantSubmitJob`` does). On a fair-share queue
        each job must carry a share identifier, e.g. the cost centre."""
        grant = iam.Grant.add_to_principal(
            grantee=grantee, actions=["batch:SubmitJob"],
            resource_arns=[*(q.ref for q in self.job_queues), *(j.ref for j in self.job_definitions)])
        if grant.success:  # the queue and revision AWS Batch documents, not the catalogue's (decision's reason)
            acknowledge_grant(grantee, "batch-submit-job-resources")
        return grant

    def grant_read_datastore(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to list and read the objects under :attr:`data_prefix` of the datastore (and to
        decrypt them through S3 with the datastore's key)."""
        return compute_iam.grant_datastore(self, grantee, bucket=self.bucket, prefix=self.data_prefix,
                                           key=self._bucket_key, write=False)

    def grant_read_write_datastore(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` what the jobs may do in the datastore: list, read, write and delete the objects
        under :attr:`data_prefix` (and use the datastore's key through S3)."""
        return compute_iam.grant_datastore(self, grantee, bucket=self.bucket, prefix=self.data_prefix,
                                           key=self._bucket_key, write=True)

