"""What BatchComputeEnv and GpuTrainingCluster share: one base class, one public surface.

The base builds the foundation (the construct's KMS key, encrypted log group, datastore bucket and job role),
the instances' security group, monitoring, the Step Functions support Metaflow needs, the run-time guardrail and
the stack outputs; it publishes ``metaflow_config()`` and the grants, registers the synth-time checks
(:mod:`~platform_constructs.compute.checks`) and the warnings.

Arguments both constructs take (their keyword-only signatures repeat them; defaults are applied once, in
:func:`platform_constructs.compute.plan.common_settings`):

:param cost_center: cost centre tag; also the team's share identifier (on a fair-share queue) and default data
    prefix. Required.
:param max_job_hours: the attempt timeout of every job definition, Metaflow's default run-time limit, and the
    run-time guardrail's limit for every job on the queues. Default: the environment policy's ``max_job_hours``;
    refused above it.
:param spot: spot capacity first with an on-demand fallback (``False``: on-demand only). Default: the
    environment policy's ``spot``.
:param team_shares: fair-share weight factor per share identifier (with ``fair_share=True``). Default: the
    policy's ``batch.team_shares`` plus ``{cost_center: 1.0}``.
:param fair_share: fair-share queues instead of FIFO queues. Every job must then be submitted with a share
    identifier (the team's is the cost centre; ``grant_submit`` allows only it) and AWS Batch rejects jobs
    without one, such as Metaflow's ``@batch`` jobs. Default: ``False`` (FIFO).
:param data_prefix: the datastore key prefix the job role (and the datastore grants) may read and write.
    Default: ``"<cost_center>/"``.
:param datastore_bucket: an existing datastore bucket with its KMS key (``encryption_key``). Default: a new
    KMS-encrypted, versioned, access-logged bucket from the platform baseline.
:param vpc: the VPC (its isolated subnets are used). Default: the platform network
    (:func:`~platform_constructs.network.resolve_network`).
:param image: the job definitions' container image. Default: the approved image for the construct's purpose.
:param data_classification, project, owner: required tags; default: the policy's defaults.
:param tags: any other tag the policy requires, ``{name: value}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Annotations, CfnOutput, Stack
from aws_cdk import aws_batch as batch
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct, IConstruct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge
from platform_constructs.compute import checks, grants
from platform_constructs.compute import iam as compute_iam
from platform_constructs.compute.deferred import Deferred
from platform_constructs.compute.guardrail import RunTimeGuardrail, run_time_guardrail
from platform_constructs.compute.job_definition import job_definition_facts
from platform_constructs.compute.metaflow import metaflow_config, output_image
from platform_constructs.compute.monitoring import monitoring
from platform_constructs.compute.plan import CommonSettings, PlanContext
from platform_constructs.compute.queue import environment_facts, queue_order
from platform_constructs.compute.workflows import StepFunctionsSupport, step_functions_support
from platform_constructs.construct_arguments import expect_encrypted_bucket, expect_vpc
from platform_constructs.core import PlatformConstruct
from platform_constructs.images.defaults import Purpose, default_image, image_problem, is_approved_image
from platform_constructs.network import NetworkRef, resolve_network

WARNING_PREFIX = "platform-constructs:compute"
"""Prefix of the warning ids of the Batch constructs. A user who accepts one acknowledges it by id:
``Annotations.of(construct).acknowledge_warning("platform-constructs:compute:<id>", "<reason>")`` (the CDK CLI
prints the id with each warning)."""


def security_group(scope: PlatformConstruct, network: NetworkRef, *, cluster_traffic: bool) -> ec2.SecurityGroup:
    """No ingress; HTTPS to the network's interface endpoints (its CIDR) and to S3 and DynamoDB through its
    gateway endpoints (their prefix lists), nothing to the internet
    (:func:`platform_constructs.egress.https_egress_to_aws`: the ECS agent, ECR, CloudWatch Logs and the jobs' AWS
    calls all go through those endpoints; DynamoDB is the Metaflow foreach table the jobs write).

    ``cluster_traffic`` also opens all traffic between members of the group: the nodes of a multi-node job talk
    on any port (NCCL; the self-referencing all-traffic rule EFA also requires, EC2 User Guide, "Prepare an
    EFA-enabled security group").
    """
    group = ec2.SecurityGroup(scope, "SecurityGroup", vpc=network.vpc, allow_all_outbound=False,
                              description="Batch instances: HTTPS to VPC endpoints only")
    if cluster_traffic:
        group.add_ingress_rule(group, ec2.Port.all_traffic(), "Multi-node job traffic within the group")
        group.add_egress_rule(group, ec2.Port.all_traffic(), "Multi-node job traffic within the group")
        acknowledge(group, "multi-node-cluster-traffic")
    # after the decision: it covers the group and its rules so far, the self-referencing ones; the HTTPS rule to
    # S3's prefix list (a rule resource of its own) is no cluster traffic and is judged unacknowledged
    baseline.https_egress_to_aws(group, vpc_cidr=network.cidr, problems=scope.problems, dynamodb=True)
    return group


class BatchConstruct(PlatformConstruct):
    """The base of the Batch constructs (see the module docstring for the arguments they share).

    Attributes every Batch construct has: ``key``, ``log_group``, ``alarm_topic``, ``alarms``, ``dashboard``,
    ``bucket`` (the datastore), ``role`` (the job role), ``security_group``, ``compute_environments``,
    ``job_queue`` / ``job_queues``, ``job_definition`` / ``job_definitions``, ``launch_template`` (``None`` on
    Fargate), ``scheduling_policy`` (``None`` without fair share), ``execution_role`` (Fargate only),
    ``step_functions`` (the foreach table and the Step Functions and EventBridge roles), ``guardrail`` (the
    run-time guardrail), ``share_identifier`` and the validated ``settings``.
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
    step_functions: StepFunctionsSupport
    guardrail: RunTimeGuardrail

    def __init__(self, scope: Construct, id: str, *, cost_center: str, data_classification: str | None,
                 project: str | None, owner: str | None, tags: Mapping[str, str] | None) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        self.launch_template: ec2.CfnLaunchTemplate | None = None
        """The instances' launch template (``None`` on Fargate, which has no instances of ours)."""
        self.scheduling_policy: batch.CfnSchedulingPolicy | None = None
        self.execution_role: baseline.PlatformRole | None = None
        self._bucket_key: kms.IKey | None = None
        self._common: CommonSettings | None = None

    # --- planning -------------------------------------------------------------------------------------------
    def _plan_context(self, purpose: Purpose) -> PlanContext:
        return PlanContext(policy=self.policy, env=self.env, team=self.tags.get("CostCenter", "team"),
                           default_image=default_image(self, purpose),
                           image_approved=lambda image: is_approved_image(self, image),
                           image_problem=lambda image: image_problem(self, image))

    def _check_resources(self, *, vpc: object, datastore_bucket: object) -> None:
        """The construct-typed arguments, before jsii sees them (the plan raises every problem together): the
        shared checks of :mod:`platform_constructs.construct_arguments` (Batch jobs run only in isolated
        subnets; the job role and the datastore grants need the bucket's KMS key)."""
        if vpc is not None:
            expect_vpc(self.problems, "vpc", vpc)
        if datastore_bucket is not None:
            expect_encrypted_bucket(self.problems, "datastore_bucket", datastore_bucket)

    def _adopt(self, common: CommonSettings) -> None:
        self._common = common
        self.max_job_hours = common.max_job_hours
        self.data_prefix = common.data_prefix
        self.image = common.image
        self.share_identifier: str | None = common.share_identifier if common.fair_share else None
        """The team's share identifier on the fair-share queues (the cost centre); ``None`` on FIFO queues."""

    # --- resources ------------------------------------------------------------------------------------------
    def _foundation(self, *, datastore_bucket: s3.IBucket | None, vpc: ec2.IVpc | None,
                    cluster_traffic: bool) -> NetworkRef:
        """Network, key, encrypted log group, datastore bucket (the baseline's unless one is given), job role
        and security group."""
        network = resolve_network(self, vpc)
        self.key = compute_iam.compute_key(self)
        self.log_group = baseline.log_group(self, "Logs", key=self.key)
        if datastore_bucket is None:
            self.bucket = baseline.secure_bucket(self, "Datastore", key=self.key, purpose="datastore")
            self._bucket_key = self.key
        else:
            self.bucket, self._bucket_key = datastore_bucket, datastore_bucket.encryption_key
        self.role = compute_iam.job_role(self, bucket=self.bucket, prefix=self.data_prefix, key=self._bucket_key)
        self.security_group = security_group(self, network, cluster_traffic=cluster_traffic)
        return network

    def _finish(self, *, common: CommonSettings, max_vcpus: int, max_gpus: int,
                outputs: Mapping[str, tuple[str, str]]) -> None:
        """Monitoring, Step Functions support, the run-time guardrail, the stack outputs (the shared ones plus
        ``outputs``), the synth-time checks and warnings.

        Call after ``compute_environments``, ``job_queues`` and ``job_definitions`` are set.
        """
        watch = monitoring(self, key=self.key, queues=self.job_queues, alarm_policy=self.policy.alarms,
                           title=self.node.path)
        self.alarm_topic, self.alarms, self.dashboard = watch.topic, watch.alarms, watch.dashboard
        self.step_functions = step_functions_support(self, key=self.key, queues=self.job_queues, job_role=self.role)
        self.guardrail = run_time_guardrail(self, queues=self.job_queues, limit_seconds=common.timeout_seconds,
                                            prefix=self.step_functions.prefix, log_group=self.log_group,
                                            max_job_hours=common.max_job_hours)
        shared = {
            "JobQueueArn": (self.job_queue.ref, "AWS Batch job queue (METAFLOW_BATCH_JOB_QUEUE)"),
            "JobRoleArn": (self.role.role_arn, "Job role (METAFLOW_ECS_S3_ACCESS_IAM_ROLE)"),
            "DatastoreBucketName": (self.bucket.bucket_name, "Datastore bucket"),
            "DatastorePrefix": (self.data_prefix, "The team's prefix in the datastore bucket"),
            "StateMachinePrefix": (self.step_functions.prefix, "Prefix of the flows' state machines and schedules "
                                   "(METAFLOW_SFN_STATE_MACHINE_PREFIX)"),
        }
        if self.share_identifier is not None:
            shared["ShareIdentifier"] = (self.share_identifier, "The team's share identifier (SubmitJob "
                                         "shareIdentifier) on the fair-share queues")
        for name, (value, description) in {**shared, **outputs}.items():
            CfnOutput(self, name, value=value, description=description)
        CfnOutput(self, "MetaflowConfig", value=Stack.of(self).to_json_string(self.metaflow_config()),
                  description="Metaflow settings: save as ~/.metaflowconfig/config.json")
        self.node.add_validation(Deferred(lambda: self._budget_problems(max_vcpus=max_vcpus, max_gpus=max_gpus)))
        self.node.add_validation(Deferred(lambda: checks.timeout_problems(
            [job_definition_facts(j) for j in self.node.find_all() if isinstance(j, batch.CfnJobDefinition)],
            max_job_hours=self.max_job_hours)))
        if common.fair_share:
            self._warn("fairShareNeedsShareIdentifier", "the job queues are fair-share queues (fair_share=True): "
                       "AWS Batch rejects a job submitted without a shareIdentifier (SubmitJob), and Metaflow's "
                       "@batch sends none, so METAFLOW_BATCH_JOB_QUEUE cannot take Metaflow jobs. Omit fair_share "
                       "for FIFO queues, or submit with shareIdentifier="
                       f"{common.share_identifier!r}")

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
        """The Metaflow settings for ``@batch`` and ``step-functions create`` against :attr:`job_queue` (values
        resolve at deploy time; the keys are described in :mod:`platform_constructs.compute.metaflow`).

        The stack output ``MetaflowConfig`` holds the same keys as JSON, ready to save as
        ``~/.metaflowconfig/config.json``.
        """
        assert self._common is not None
        return metaflow_config(queue=self.job_queue, role=self.role, bucket=self.bucket, prefix=self.data_prefix,
                               image=output_image(self, self.image), timeout_seconds=self._common.timeout_seconds,
                               workflows=self.step_functions, execution_role=self.execution_role)

    def _client_grantee(self, grantee: iam.IGrantable, method: str) -> IConstruct:
        self.problems.raise_if_any()  # nothing pending from construction
        grants.check_grantee(self.problems, grantee, method)
        self.problems.raise_if_any()
        return grantee  # type: ignore[return-value]  # check_grantee: a construct

    def grant_submit(self, grantee: iam.IGrantable) -> iam.ManagedPolicy:
        """Allow ``grantee`` (an IAM role, user or group) to run jobs on this construct's queues, as
        ``aws batch submit-job`` or Metaflow's ``@batch`` does: submit with this construct's or Metaflow's job
        definitions (on fair-share queues only with :attr:`share_identifier`), register Metaflow's job definitions
        (never privileged, only with the job role), follow and stop jobs.

        The permissions are a managed policy this construct owns, attached to ``grantee`` and returned.
        """
        target = self._client_grantee(grantee, "grant_submit")
        client = grants.submit_statements(
            Stack.of(target), queues=[q.ref for q in self.job_queues], job_definitions=[j.ref for j in
                                                                                       self.job_definitions],
            job_role_arn=self.role.role_arn, share_identifier=self.share_identifier)
        return grants.attach_client_policy(self, target, "BatchSubmit", client)

    def grant_deploy_step_functions(self, grantee: iam.IGrantable) -> iam.ManagedPolicy:
        """Allow ``grantee`` (an IAM role, user or group) to run ``python flow.py step-functions create`` (and
        ``trigger``, ``delete``) with this construct's configuration: state machines and schedule rules named
        ``<METAFLOW_SFN_STATE_MACHINE_PREFIX>_*``, passing only this construct's Step Functions and EventBridge
        roles, and registering Metaflow's job definitions. Returns the attached managed policy."""
        target = self._client_grantee(grantee, "grant_deploy_step_functions")
        client = grants.deploy_statements(
            Stack.of(target), prefix=self.step_functions.prefix,
            state_machine_role_arn=self.step_functions.state_machine_role.role_arn,
            events_role_arn=self.step_functions.events_role.role_arn, job_role_arn=self.role.role_arn)
        return grants.attach_client_policy(self, target, "StepFunctionsDeploy", client)

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
