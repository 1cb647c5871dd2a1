"""GpuTrainingCluster: GPU training on AWS Batch that cannot exceed its GPU or hour budget.

``GpuTrainingCluster(self, "Train", cost_center="recs", max_gpus=8, max_job_hours=24)`` builds GPU compute in the
platform network's isolated subnets: single-node jobs on spot with an on-demand fallback behind one queue,
multi-node parallel jobs on a dedicated on-demand compute environment in one subnet and a cluster placement group
behind their own queue (AWS Batch runs multi-node jobs neither on spot nor across zones), the ECS GPU-optimised
AMI, a secure launch template, security groups on every compute environment, least-privilege roles, a
KMS-encrypted datastore, log group and alarm topic, FIFO queues (fair share on request) that cancel jobs stuck in
RUNNABLE, job definitions with GPU requirements, timeouts and spot-only retries, the run-time guardrail, alarms, a
dashboard and the Metaflow settings (``@batch`` and ``step-functions create``).

Budget guards at synth: the compute environments' ``maxvCpus`` are computed so that, together, they can never
run more than ``max_gpus`` GPUs under AWS Batch's documented bound (see
:func:`platform_constructs.catalog.worst_case_gpus` and :mod:`platform_constructs.compute.plan.training`), and
every job is bounded by ``max_job_hours``; both are refused above the environment policy's caps.

EFA: not attached. AWS Batch refuses a launch template with network interfaces (the only way to give an instance
an EFA interface) together with compute-environment security groups ("Either compute environment Security Groups
or Network Interfaces in Launch template are exclusively allowed", aws/aws-cdk#21577), and a multi-node job's
``awsvpc`` network interfaces take the compute environment's security groups or else the VPC's default group,
which the platform network closes. Multi-node jobs therefore talk over their own interfaces in the cluster's
security group (all traffic between its members).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from platform_constructs.catalog import InstanceSpec
from platform_constructs.compute import iam as compute_iam
from platform_constructs.compute import plan, queue
from platform_constructs.compute.base import BatchConstruct
from platform_constructs.compute.job_definition import container, job_definition, multi_node_properties
from platform_constructs.compute.launch_template import launch_template
from platform_constructs.compute.plan import DEFAULT_NODES, ComputePlan, TrainingSettings
from platform_constructs.compute.scratch import Scratch, scratch_file_system


class GpuTrainingCluster(BatchConstruct):
    """GPU training compute with hard GPU and hour budgets, spot + on-demand fallback and multi-node jobs.

    Arguments of its own (the shared ones, ``cost_center`` to ``tags``, are documented in
    :mod:`platform_constructs.compute.base`; here ``spot`` adds a spot environment for single-node jobs in front
    of the on-demand one; when ``spot`` is not given and the policy's default (spot) does not fit ``max_gpus``,
    the cluster is on-demand and says so in a warning, ``spotOffForBudget``):

    :param instance_types: GPU instance types. Default: the environment policy's GPU types with the fewest GPUs
        per instance (e.g. ``g4dn.xlarge, g4dn.2xlarge, g5.xlarge``). Only GPU types allowed by the policy.
    :param max_gpus: the most GPUs that may ever run at once across the whole cluster (AWS Batch's documented
        bound summed over every compute environment). Default: the environment policy's ``max_gpus``; refused
        above it, and refused when it cannot hold the multi-node environment's ``nodes`` nodes plus one default
        job in each single-node environment.
    :param nodes: nodes of the default multi-node parallel job definition (one smallest instance's GPUs each);
        the multi-node environment is sized for exactly that many. Default: ``2``.
    :param shared_scratch: an encrypted EFS file system (KMS at rest, TLS and IAM enforced, reachable only from
        the cluster's instances) mounted at ``/scratch`` in every job through an access point that runs every
        operation as the golden images' user, for data shared by a multi-node job's nodes; retained where the
        environment retains stateful resources (prod), like every file system. Default: ``False``.

    The job definitions' image is the approved ``training`` image.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cost_center: str,
        instance_types: Sequence[str] | None = None,
        max_gpus: int | None = None,
        max_job_hours: float | None = None,
        spot: bool | None = None,
        nodes: int = DEFAULT_NODES,
        shared_scratch: bool = False,
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
        self.settings: TrainingSettings = plan.training_settings(
            self._plan_context("training"),
            plan.CommonArguments(max_job_hours=max_job_hours, spot=spot, team_shares=team_shares,
                                 fair_share=fair_share, data_prefix=data_prefix, image=image),
            self.problems, instance_types=instance_types, max_gpus=max_gpus, nodes=nodes,
            shared_scratch=shared_scratch)
        self._adopt(self.settings.common)
        self.max_gpus = self.settings.max_gpus
        self.plans: tuple[ComputePlan, ...] = self.settings.plans
        """The validated compute environments (spot first, the multi-node one last); their ``worst_case_gpus``
        sum to at most max_gpus."""
        self.instance_specs: tuple[InstanceSpec, ...] = self.settings.instance_specs
        self.nodes = self.settings.nodes
        self._build(datastore_bucket=datastore_bucket, vpc=vpc)

    def _build(self, *, datastore_bucket: s3.IBucket | None, vpc: ec2.IVpc | None) -> None:
        settings, batch_policy, common = self.settings, self.policy.batch, self.settings.common
        network = self._foundation(datastore_bucket=datastore_bucket, vpc=vpc, cluster_traffic=True)
        groups = [self.security_group.security_group_id]
        profile = compute_iam.instance_profile(self, log_group=self.log_group)
        template = launch_template(self, "LaunchTemplate", key=self.key, volume_gib=batch_policy.root_volume_gib,
                                   tags=self.tags)
        self.launch_template = template
        self.placement_group = ec2.CfnPlacementGroup(self, "PlacementGroup", strategy="cluster")
        """The multi-node environment's cluster placement group (one Availability Zone: its single subnet's)."""
        single_subnet = [Fn.select(0, network.subnet_ids)]
        self.compute_environments = tuple(queue.ec2_compute_environment(
            self, p, subnet_ids=network.subnet_ids if p is not settings.multi_node_plan else single_subnet,
            security_group_ids=groups, template=template, instance_profile=profile, gpu=True, tags=self.tags,
            placement_group=self.placement_group.ref if p is settings.multi_node_plan else None)
            for p in self.plans)
        self.multi_node_compute_environment = self.compute_environments[-1]
        """The on-demand environment of multi-node jobs: one subnet, the cluster placement group."""
        self.scheduling_policy = queue.scheduling_policy(self, batch_policy, common.shares) if common.fair_share \
            else None
        self.job_queue = queue.job_queue(self, queue.queue_id("", fair_share=common.fair_share),
                                         environments=self.compute_environments[:-1],
                                         policy=self.scheduling_policy, batch_policy=batch_policy)
        self.multi_node_job_queue = queue.job_queue(
            self, queue.queue_id("MultiNode", fair_share=common.fair_share),
            environments=self.compute_environments[-1:], policy=self.scheduling_policy, batch_policy=batch_policy)
        self.job_queues = (self.job_queue, self.multi_node_job_queue)
        self.scratch: Scratch | None = scratch_file_system(
            self, vpc=network.vpc, subnet_ids=network.subnet_ids, key=self.key, clients=self.security_group,
            zones=self.policy.network.max_azs, role=self.role) if settings.shared_scratch else None
        job_container = container(image=self.image, role=self.role, group=self.log_group, size=settings.job,
                                  scratch=self.scratch)
        self.job_definition = job_definition(
            self, "JobDefinition", batch_policy=batch_policy, timeout_seconds=common.timeout_seconds,
            fair_share=common.fair_share, container_properties=job_container)
        self.multi_node_job_definition = job_definition(
            self, "MultiNodeJobDefinition", batch_policy=batch_policy, timeout_seconds=common.timeout_seconds,
            fair_share=common.fair_share, node_properties=multi_node_properties(nodes=self.nodes, node=job_container))
        self.job_definitions = (self.job_definition, self.multi_node_job_definition)
        if settings.spot_off_for_budget:
            self._warn("spotOffForBudget", f"the cluster is on-demand: the policy's default spot=True does not fit "
                       f"max_gpus={self.max_gpus} (a spot environment needs one instance more of budget, AWS Batch's "
                       "documented overshoot). Pass spot=False to say so, or raise max_gpus")
        if settings.worst_case_gpus < self.max_gpus:
            self._warn("gpuBudgetNotReachable", f"the cluster can run at most {settings.worst_case_gpus} of the "
                       f"{self.max_gpus} GPUs of max_gpus at once: whole instances of "
                       f"{', '.join(s.name for s in self.instance_specs)} fit no more within the budget of each "
                       "compute environment (counting AWS Batch's documented one-instance overshoot on spot)")
        self._finish(common=common, max_vcpus=self.env.max_vcpus, max_gpus=self.max_gpus, outputs={
            "MultiNodeJobQueueArn": (self.multi_node_job_queue.ref, "Queue for multi-node parallel jobs (Metaflow "
                                     "@parallel: @batch(queue=...))"),
            "JobDefinitionArn": (self.job_definition.ref, "Single-node GPU job definition"),
            "MultiNodeJobDefinitionArn": (self.multi_node_job_definition.ref, "Multi-node parallel job definition"),
            "MaxGpus": (str(settings.worst_case_gpus), "The most GPUs that can run at once"),
        })
