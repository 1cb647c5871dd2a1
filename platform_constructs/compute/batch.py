"""BatchComputeEnv: a secure, budgeted AWS Batch environment for Metaflow-style ``@batch`` jobs.

A data scientist writes ``BatchComputeEnv(self, "Batch", cost_center="recs")`` and gets, in the platform
network's isolated subnets: spot capacity with an on-demand fallback behind one fair-share job queue, a secure
launch template, least-privilege roles, a KMS-encrypted datastore, log group and alarm topic, alarms and a
dashboard, a job definition with a timeout and spot-only retries, and the Metaflow settings as stack outputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from aws_cdk import Stack
from aws_cdk import aws_batch as batch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from platform_constructs import catalog
from platform_constructs.catalog import InstanceSpec
from platform_constructs.compute import _shared as _compute
from platform_constructs.compute._shared import ComputePlan, Monitoring
from platform_constructs.core import PlatformConstruct
from platform_constructs.network import resolve_network

FARGATE_JOB_VCPUS = 1.0
FARGATE_JOB_MEMORY_MIB = 2048
"""Fargate default job size: 1 vCPU, 2 GiB (a valid Fargate combination)."""


class BatchComputeEnv(PlatformConstruct):
    """AWS Batch compute for ``@batch``-style jobs, with spot + on-demand fallback, fair share and budget guards.

    :param cost_center: cost centre tag; also the team's default share identifier and data prefix. Required.
    :param max_vcpus: the most vCPUs all of this construct's compute environments may run together (split
        between spot and on-demand, spot getting the larger half). Default: the environment policy's
        ``max_vcpus``; refused above it. With ``gpu=True`` it is further bounded so that no more than the
        policy's ``max_gpus`` GPUs can ever run at once.
    :param instance_types: EC2 instance types. Default: the environment policy's non-GPU types (GPU types with
        ``gpu=True``). Every type must be in the catalog and allowed by the environment's policy.
    :param spot: spot capacity first, on-demand as fallback (``False``: on-demand only). Default: the
        environment policy's ``spot``.
    :param gpu: GPU jobs: GPU instance types only, the ECS GPU-optimised AMI, one GPU per default job.
        Default: ``False``.
    :param fargate: run on Fargate (Fargate Spot first when ``spot``) instead of EC2; CPU jobs only.
        Default: ``False``.
    :param max_job_hours: the timeout of every job definition. Default: the environment policy's
        ``max_job_hours``; refused above it.
    :param team_shares: fair-share weight factor per share identifier. Default: the policy's
        ``batch.team_shares`` plus ``{cost_center: 1.0}``.
    :param fair_share: attach the fair-share scheduling policy to the queue (jobs must then be submitted with a
        share identifier). Default: ``True``.
    :param data_prefix: the key prefix of the datastore the job role may read and write. Default:
        ``"<cost_center>/"``.
    :param datastore_bucket: an existing datastore bucket. Default: a new KMS-encrypted, versioned,
        access-logged bucket from the platform baseline.
    :param vpc: the VPC (its isolated subnets are used). Default: the platform network (see
        :func:`~platform_constructs.network.resolve_network`).
    :param image: the default job definition's container image. Default: the approved ``batch`` image.
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
        fair_share: bool = True,
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
        env, problems = self.env, self.problems
        max_vcpus = env.max_vcpus if max_vcpus is None else max_vcpus
        spot = env.spot if spot is None else spot
        common = _compute.check_common(self, max_job_hours=max_job_hours,
                                       data_prefix=data_prefix, team_shares=team_shares, fair_share=fair_share,
                                       image=image, purpose="batch")
        for argument, flag in (("spot", spot), ("gpu", gpu), ("fargate", fargate)):
            problems.check(isinstance(flag, bool), argument, flag, "True or False", f"pass {argument}=True/False")
        problems.check(not (gpu is True and fargate is True), "fargate", fargate,
                       "False when gpu=True (Fargate has no GPUs)", "drop fargate=True or gpu=True")
        specs: list[InstanceSpec] = []
        if fargate is True:
            problems.check(instance_types is None, "instance_types", instance_types,
                           "None with fargate=True (Fargate chooses the hardware)", "drop instance_types")
        else:
            types = _compute.env_instance_types(env, gpu=gpu is True) if instance_types is None else instance_types
            specs = _compute.check_instance_types(problems, env, types, gpu=gpu is True)
        vcpus_ok = problems.check(
            _compute.is_int(max_vcpus) and 1 <= max_vcpus <= env.max_vcpus, "max_vcpus", max_vcpus,
            f"an integer from 1 to the {env.name} cap {env.max_vcpus}",
            f"pass max_vcpus<={env.max_vcpus}, or ask the platform team to raise "
            f"environments.{env.name}.max_vcpus in policies/platform.yaml")
        plans: list[ComputePlan] = []
        if vcpus_ok and not problems:
            plans = self._plan(max_vcpus, specs, spot=spot is True, gpu=gpu is True, fargate=fargate is True)
        problems.raise_if_any()

        self.gpu = gpu is True
        self.fargate = fargate is True
        self.plans: tuple[ComputePlan, ...] = tuple(plans)
        """The validated compute environments (spot first) and their budgets."""
        self.max_job_hours = common.max_job_hours
        self.data_prefix = common.data_prefix
        self.image = common.image
        self._build(specs=specs, shares=common.shares, fair_share=fair_share is True, datastore_bucket=datastore_bucket,
                    vpc=vpc)

    # --- planning -----------------------------------------------------------------------------------------
    def _plan(self, max_vcpus: int, specs: Sequence[InstanceSpec], *, spot: bool, gpu: bool,
              fargate: bool) -> list[ComputePlan]:
        kinds = _compute.kinds(spot=spot, fargate=fargate)
        vcpu_shares = _compute.split(max_vcpus, len(kinds))
        gpu_shares = _compute.split(self.env.max_gpus, len(kinds)) if gpu else [0] * len(kinds)
        largest = max((s.vcpus for s in specs), default=math.ceil(FARGATE_JOB_VCPUS))
        plans: list[ComputePlan] = []
        for (name, provisioning), vcpu_share, gpus in zip(kinds, vcpu_shares, gpu_shares, strict=True):
            strategy = _compute.allocation_strategy(provisioning, gpu=gpu)
            overshoot = catalog.overshoots(strategy)
            vcpus = catalog.max_vcpus_for_gpus(specs, gpus, vcpu_share, overshoot=overshoot) if gpu else vcpu_share
            if vcpus < largest:
                need = largest * len(kinds)
                if gpu:
                    per_env = catalog.worst_case_gpus(specs, largest, overshoot=overshoot)
                    self.problems.add(
                        "instance_types", [s.name for s in specs],
                        f"types of which one instance fits the {self.env.name} GPU cap {self.env.max_gpus} split over "
                        f"the {len(kinds)} compute environments ({gpus} here; these types need {per_env}, counting "
                        "AWS Batch's one-instance overshoot on spot)",
                        "choose smaller GPU types" + (" or pass spot=False" if spot else ""))
                else:
                    unit = max(specs, key=lambda s: s.vcpus).name if specs else f"{FARGATE_JOB_VCPUS:g}-vCPU job"
                    self.problems.add(
                        "max_vcpus", max_vcpus,
                        f"at least {need} for one {unit} in each of the {len(kinds)} compute environments",
                        f"pass max_vcpus>={need}" + (" or choose smaller types" if specs else " or spot=False"))
                return []
            plans.append(ComputePlan(
                name=f"{name}ComputeEnvironment", provisioning=provisioning, max_vcpus=vcpus,
                instance_types=tuple(s.name for s in specs), allocation_strategy=strategy, gpu_budget=gpus,
                worst_case_gpus=catalog.worst_case_gpus(specs, vcpus, overshoot=overshoot) if gpu else 0))
        return plans

    # --- resources ----------------------------------------------------------------------------------------
    def _build(self, *, specs: Sequence[InstanceSpec], shares: Mapping[str, float], fair_share: bool,
               datastore_bucket: s3.IBucket | None, vpc: ec2.IVpc | None) -> None:
        stack = Stack.of(self)
        batch_policy = self.policy.batch
        network = resolve_network(self, vpc)
        base = _compute.foundation(self, datastore_bucket=datastore_bucket, prefix=self.data_prefix)
        self.key: kms.IKey = base.key
        self.log_group: logs.LogGroup = base.log_group
        self.datastore_bucket: s3.IBucket = base.bucket
        self.job_role: iam.Role = base.job_role
        self.security_group = _compute.security_group(self, network.vpc, cluster_traffic=False)
        self.execution_role: iam.Role | None = None
        self.compute_environments: list[batch.CfnComputeEnvironment] = []
        if self.fargate:
            self.execution_role = _compute.execution_role(self, log_group=self.log_group, policy=self.policy)
            for plan in self.plans:
                self.compute_environments.append(_compute.fargate_compute_environment(
                    self, plan, subnet_ids=network.subnet_ids,
                    security_group_ids=[self.security_group.security_group_id]))
        else:
            self.launch_template = _compute.launch_template(self, "LaunchTemplate", key=self.key,
                                                            volume_gib=batch_policy.root_volume_gib, tags=self.tags)
            profile = _compute.instance_role(self, log_group=self.log_group, policy=self.policy)
            for plan in self.plans:
                self.compute_environments.append(_compute.ec2_compute_environment(
                    self, plan, subnet_ids=network.subnet_ids,
                    security_group_ids=[self.security_group.security_group_id], template=self.launch_template,
                    instance_profile=profile, gpu=self.gpu, tags=self.tags))
        self.scheduling_policy = _compute.scheduling_policy(self, batch_policy, shares) if fair_share else None
        self.job_queue: batch.CfnJobQueue = _compute.job_queue(
            self, "JobQueue", environments=self.compute_environments, policy=self.scheduling_policy,
            batch_policy=batch_policy)
        self.job_definition: batch.CfnJobDefinition = self._job_definition(specs, fair_share)
        self.monitoring: Monitoring = _compute.monitoring(self, key=self.key, queues=[self.job_queue],
                                                          policy=self.policy, title=self.node.path)
        _compute.outputs(self, {
            "JobQueueArn": (self.job_queue.ref, "AWS Batch job queue (METAFLOW_BATCH_JOB_QUEUE)"),
            "JobRoleArn": (self.job_role.role_arn, "Job role (METAFLOW_ECS_S3_ACCESS_IAM_ROLE)"),
            "DatastoreBucketName": (self.datastore_bucket.bucket_name, "Datastore bucket"),
            "DatastorePrefix": (self.data_prefix, "The team's prefix in the datastore bucket"),
            "JobDefinitionArn": (self.job_definition.ref, "Default job definition"),
            "MetaflowConfig": (stack.to_json_string(self.metaflow_config()),
                               "Metaflow settings: save as ~/.metaflowconfig/config.json"),
        })

    def _job_definition(self, specs: Sequence[InstanceSpec], fair_share: bool) -> batch.CfnJobDefinition:
        if self.fargate:
            requirements = _compute.resource_requirements(vcpus=FARGATE_JOB_VCPUS, memory_mib=FARGATE_JOB_MEMORY_MIB)
        else:
            smallest = min(specs, key=lambda s: (s.vcpus, s.memory_gib))
            requirements = _compute.resource_requirements(
                vcpus=smallest.vcpus, memory_mib=_compute.job_memory_mib(specs), gpus=1 if self.gpu else 0)
        return batch.CfnJobDefinition(
            self, "JobDefinition", type="container",
            platform_capabilities=["FARGATE" if self.fargate else "EC2"],
            container_properties=_compute.container(image=self.image, role=self.job_role, group=self.log_group,
                                                    requirements=requirements, execution_role=self.execution_role,
                                                    fargate=self.fargate),
            timeout=batch.CfnJobDefinition.TimeoutProperty(
                attempt_duration_seconds=_compute.timeout_seconds(self.max_job_hours)),
            retry_strategy=_compute.retry_strategy(self.policy.batch),
            scheduling_priority=1 if fair_share else None,
            propagate_tags=True,
        )

    # --- Metaflow -----------------------------------------------------------------------------------------
    def metaflow_config(self) -> dict[str, str]:
        """The Metaflow settings for ``@batch`` against this environment (values resolve at deploy time).

        The stack output ``MetaflowConfig`` holds the same keys as JSON, ready to save as
        ``~/.metaflowconfig/config.json``. Keys: ``METAFLOW_BATCH_JOB_QUEUE``, ``METAFLOW_ECS_S3_ACCESS_IAM_ROLE``,
        ``METAFLOW_DATASTORE_SYSROOT_S3``, ``METAFLOW_DATATOOLS_S3ROOT``, ``METAFLOW_DEFAULT_DATASTORE``,
        ``METAFLOW_BATCH_CONTAINER_IMAGE`` (and ``METAFLOW_ECS_FARGATE_EXECUTION_ROLE`` on Fargate).
        """
        return _compute.metaflow_config(queue=self.job_queue, role=self.job_role, bucket=self.datastore_bucket,
                                        prefix=self.data_prefix, image=self.image,
                                        execution_role=self.execution_role)
