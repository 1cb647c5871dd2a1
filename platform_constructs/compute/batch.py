"""BatchComputeEnv: a secure, budgeted AWS Batch environment for Metaflow-style ``@batch`` jobs.

A data scientist writes ``BatchComputeEnv(self, "Batch", cost_center="recs")`` and gets, in the platform
network's isolated subnets: spot capacity with an on-demand fallback behind one FIFO job queue (fair share on
request), a secure launch template, least-privilege roles, a KMS-encrypted datastore, log group and alarm topic,
alarms and a dashboard, a job definition with a timeout and spot-only retries, the run-time guardrail, what
Metaflow's ``step-functions create`` needs, and the Metaflow settings as stack outputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from platform_constructs.catalog import InstanceSpec
from platform_constructs.compute import iam as compute_iam
from platform_constructs.compute import plan, queue
from platform_constructs.compute.base import BatchConstruct
from platform_constructs.compute.job_definition import container, job_definition
from platform_constructs.compute.launch_template import launch_template
from platform_constructs.compute.plan import BatchSettings, ComputePlan


class BatchComputeEnv(BatchConstruct):
    """AWS Batch compute for ``@batch``-style jobs, with spot + on-demand fallback and budget guards.

    Arguments of its own (the shared ones, ``cost_center`` to ``tags``, are documented in
    :mod:`platform_constructs.compute.base`):

    :param max_vcpus: the most vCPUs all of this construct's compute environments may run together (split
        between spot and on-demand, spot getting the larger half). Default: the environment policy's
        ``max_vcpus``; refused above it. With ``gpu=True`` it is further bounded so that no more than the
        policy's ``max_gpus`` GPUs can ever run at once.
    :param instance_types: EC2 instance types. Default: the environment policy's non-GPU types (GPU types with
        ``gpu=True``). Every type must be in the catalog and allowed by the environment's policy.
    :param gpu: GPU jobs: GPU instance types only, the ECS GPU-optimised AMI, one GPU per default job.
        Default: ``False``.
    :param fargate: run on Fargate (Fargate Spot first when ``spot``) instead of EC2; CPU jobs only.
        Default: ``False``.

    The default job definition's image is the approved ``batch`` image.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cost_center: str,
        max_vcpus: int | None = None,
        instance_types: Sequence[str] | None = None,
        spot: bool | None = None,
        gpu: bool = False,
        fargate: bool = False,
        max_job_hours: float | None = None,
        team_shares: Mapping[str, float] | None = None,
        fair_share: bool = False,
        data_prefix: str | None = None,
        datastore_bucket: s3.IBucket | None = None,
        vpc: ec2.IVpc | None = None,
        image: str | None = None,
        data_classification: str | None = None,
        project: str | None = None,
        owner: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        self._check_resources(vpc=vpc, datastore_bucket=datastore_bucket)
        self.settings: BatchSettings = plan.batch_settings(
            self._plan_context("batch"),
            plan.CommonArguments(max_job_hours=max_job_hours, spot=spot, team_shares=team_shares,
                                 fair_share=fair_share, data_prefix=data_prefix, image=image),
            self.problems, max_vcpus=max_vcpus, instance_types=instance_types, gpu=gpu, fargate=fargate)
        self._adopt(self.settings.common)
        self.gpu = self.settings.gpu
        self.fargate = self.settings.fargate
        self.plans: tuple[ComputePlan, ...] = self.settings.plans
        """The validated compute environments (spot first) and their budgets."""
        self.instance_specs: tuple[InstanceSpec, ...] = self.settings.instance_specs
        self._build(datastore_bucket=datastore_bucket, vpc=vpc)

    def _build(self, *, datastore_bucket: s3.IBucket | None, vpc: ec2.IVpc | None) -> None:
        settings, batch_policy = self.settings, self.policy.batch
        network = self._foundation(datastore_bucket=datastore_bucket, vpc=vpc, cluster_traffic=False)
        groups = [self.security_group.security_group_id]
        if self.fargate:
            self.execution_role = compute_iam.execution_role(self, log_group=self.log_group)
            self.compute_environments = tuple(queue.fargate_compute_environment(
                self, p, subnet_ids=network.subnet_ids, security_group_ids=groups) for p in self.plans)
        else:
            template = launch_template(self, "LaunchTemplate", key=self.key, volume_gib=batch_policy.root_volume_gib,
                                       tags=self.tags)
            self.launch_template = template
            profile = compute_iam.instance_profile(self, log_group=self.log_group)
            self.compute_environments = tuple(queue.ec2_compute_environment(
                self, p, subnet_ids=network.subnet_ids, security_group_ids=groups, template=template,
                instance_profile=profile, gpu=self.gpu, tags=self.tags) for p in self.plans)
        common = settings.common
        self.scheduling_policy = queue.scheduling_policy(self, batch_policy, common.shares) if common.fair_share \
            else None
        self.job_queue = queue.job_queue(self, queue.queue_id("", fair_share=common.fair_share),
                                         environments=self.compute_environments,
                                         policy=self.scheduling_policy, batch_policy=batch_policy)
        self.job_queues = (self.job_queue,)
        self.job_definition = job_definition(
            self, "JobDefinition", batch_policy=batch_policy, timeout_seconds=common.timeout_seconds,
            fair_share=common.fair_share, fargate=self.fargate,
            container_properties=container(image=self.image, role=self.role, group=self.log_group,
                                           size=settings.job, execution_role=self.execution_role,
                                           fargate=self.fargate))
        self.job_definitions = (self.job_definition,)
        self._finish(common=common, max_vcpus=settings.max_vcpus, max_gpus=self.env.max_gpus, outputs={
            "JobDefinitionArn": (self.job_definition.ref, "Default job definition"),
        })
