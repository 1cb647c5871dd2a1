"""GpuTrainingCluster: GPU training on AWS Batch that cannot exceed its GPU or hour budget.

``GpuTrainingCluster(self, "Train", cost_center="recs", max_gpus=8, max_job_hours=24)`` builds GPU compute in the
platform network's isolated subnets: a spot compute environment with an on-demand fallback for single-node jobs,
the on-demand environment also serving multi-node parallel jobs in a cluster placement group (EFA when every
chosen type supports it), the ECS GPU-optimised AMI, a secure launch template, least-privilege roles, a
KMS-encrypted datastore, log group and alarm topic, fair-share queues that cancel jobs stuck in RUNNABLE, job
definitions with GPU requirements, timeouts and spot-only retries, alarms, a dashboard and the Metaflow settings.

Budget guards at synth: the compute environments' ``maxvCpus`` are computed so that, together, they can never
run more than ``max_gpus`` GPUs (see :func:`platform_constructs.catalog.worst_case_gpus`), and every job
definition's timeout is at most ``max_job_hours``; both are refused above the environment policy's caps.
"""

from __future__ import annotations

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

DEFAULT_NODES = 2
"""Nodes of the default multi-node parallel job definition."""


def default_gpu_instance_types(env_types: Sequence[str]) -> list[str]:
    """The environment's GPU types with the fewest GPUs per instance (the finest-grained budget)."""
    specs = [s for name in env_types if (s := catalog.ec2(name)) is not None and s.gpu]
    fewest = min((s.gpus for s in specs), default=0)
    return [s.name for s in specs if s.gpus == fewest]


class GpuTrainingCluster(PlatformConstruct):
    """GPU training compute with hard GPU and hour budgets, spot + on-demand fallback and multi-node jobs.

    :param cost_center: cost centre tag; also the team's default share identifier and data prefix. Required.
    :param instance_types: GPU instance types. Default: the environment policy's GPU types with the fewest GPUs
        per instance (e.g. ``g4dn.xlarge, g4dn.2xlarge, g5.xlarge``). Only GPU types allowed by the policy.
    :param max_gpus: the most GPUs that may ever run at once across the whole cluster. Default: the environment
        policy's ``max_gpus``; refused above it, and refused when smaller than one instance of the chosen types
        in each compute environment.
    :param max_job_hours: the timeout of every job definition. Default: the environment policy's
        ``max_job_hours``; refused above it.
    :param spot: spot first with on-demand fallback for single-node jobs (``False``: on-demand only). The GPU
        budget is split between the two, spot getting the larger half. Default: the environment policy's ``spot``.
    :param nodes: nodes of the default multi-node parallel job definition (one GPU instance's GPUs each).
        Default: ``2``; must fit the on-demand environment's budget.
    :param shared_scratch: an encrypted EFS file system (KMS at rest, TLS and IAM enforced, reachable only from
        the cluster's instances) mounted at ``/scratch`` in every job, for data shared by a multi-node job's
        nodes; deleted with the stack. Default: ``False``.
    :param team_shares: fair-share weight factor per share identifier. Default: the policy's
        ``batch.team_shares`` plus ``{cost_center: 1.0}``.
    :param fair_share: attach the fair-share scheduling policy to the queues. Default: ``True``.
    :param data_prefix: the datastore key prefix the job role may read and write. Default: ``"<cost_center>/"``.
    :param datastore_bucket: an existing datastore bucket. Default: a new bucket from the platform baseline.
    :param vpc: the VPC (its isolated subnets are used). Default: the platform network.
    :param image: the job definitions' container image. Default: the approved ``training`` image.
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
        max_gpus = env.max_gpus if max_gpus is None else max_gpus
        spot = env.spot if spot is None else spot
        common = _compute.check_common(self, max_job_hours=max_job_hours,
                                       data_prefix=data_prefix, team_shares=team_shares, fair_share=fair_share,
                                       image=image, purpose="training")
        problems.check(isinstance(spot, bool), "spot", spot, "True or False", "pass spot=True or spot=False")
        problems.check(isinstance(shared_scratch, bool), "shared_scratch", shared_scratch, "True or False",
                       "pass shared_scratch=True for an encrypted EFS scratch file system")
        types = default_gpu_instance_types(env.ec2_instance_types) if instance_types is None else instance_types
        specs = _compute.check_instance_types(problems, env, types, gpu=True)
        gpus_ok = problems.check(
            _compute.is_int(max_gpus) and 1 <= max_gpus <= env.max_gpus, "max_gpus", max_gpus,
            f"an integer from 1 to the {env.name} cap {env.max_gpus}",
            f"pass max_gpus<={env.max_gpus}, or ask the platform team to raise "
            f"environments.{env.name}.max_gpus in policies/platform.yaml")
        nodes_ok = problems.check(_compute.is_int(nodes) and 2 <= nodes <= 1000, "nodes", nodes,
                                  "an integer of at least 2 (a multi-node job)", "pass nodes=2")
        plans: list[ComputePlan] = []
        if gpus_ok and nodes_ok and not problems:
            plans = self._plan(max_gpus, specs, spot=spot is True, nodes=nodes)
        problems.raise_if_any()

        self.max_gpus = max_gpus
        self.plans: tuple[ComputePlan, ...] = tuple(plans)
        """The validated compute environments (spot first); their ``worst_case_gpus`` sum to at most max_gpus."""
        self.instance_specs: tuple[InstanceSpec, ...] = tuple(specs)
        self.efa = all(s.efa for s in specs)
        """Whether the on-demand (multi-node) instances get an EFA interface: every chosen type supports it."""
        self.nodes = nodes
        self.max_job_hours = common.max_job_hours
        self.data_prefix = common.data_prefix
        self.image = common.image
        self._build(shares=common.shares, fair_share=fair_share is True, datastore_bucket=datastore_bucket, vpc=vpc,
                    shared_scratch=shared_scratch is True)

    # --- planning -----------------------------------------------------------------------------------------
    def _plan(self, max_gpus: int, specs: Sequence[InstanceSpec], *, spot: bool, nodes: int) -> list[ComputePlan]:
        env = self.env
        kinds = _compute.kinds(spot=spot)
        gpu_shares = _compute.split(max_gpus, len(kinds))
        vcpu_shares = _compute.split(env.max_vcpus, len(kinds))
        largest = max(s.vcpus for s in specs)
        if largest > min(vcpu_shares):
            self.problems.add("instance_types", [s.name for s in specs],
                              f"types whose vCPUs fit the {env.name} vCPU cap {env.max_vcpus} split over "
                              f"{len(kinds)} compute environments ({min(vcpu_shares)} each)",
                              "choose smaller GPU types" + (" or pass spot=False" if spot else ""))
            return []
        plans = []
        for (name, provisioning), gpus, vcpus in zip(kinds, gpu_shares, vcpu_shares, strict=True):
            strategy = _compute.allocation_strategy(provisioning, gpu=True)
            overshoot = catalog.overshoots(strategy)
            need = catalog.worst_case_gpus(specs, largest, overshoot=overshoot)
            if need > gpus:
                total = sum(catalog.worst_case_gpus(specs, largest, overshoot=catalog.overshoots(
                    _compute.allocation_strategy(p, gpu=True))) for _, p in kinds)
                self.problems.add(
                    "max_gpus", max_gpus,
                    f"at least {total} for {', '.join(s.name for s in specs)}: one instance of each type must fit "
                    f"each of the {len(kinds)} compute environments, counting AWS Batch's one-instance overshoot "
                    "on spot",
                    f"pass max_gpus>={total}" + (", or spot=False" if spot else "") + ", or choose types with fewer "
                    "GPUs")
                return []
            chosen = catalog.max_vcpus_for_gpus(specs, gpus, vcpus, overshoot=overshoot)
            plans.append(ComputePlan(name=f"{name}ComputeEnvironment", provisioning=provisioning, max_vcpus=chosen,
                                     instance_types=tuple(s.name for s in specs), allocation_strategy=strategy,
                                     gpu_budget=gpus,
                                     worst_case_gpus=catalog.worst_case_gpus(specs, chosen, overshoot=overshoot)))
        on_demand = plans[-1]
        node = self._node_spec(specs)
        fit = min(on_demand.gpu_budget // node.gpus, on_demand.max_vcpus // node.vcpus)
        if nodes > fit:
            self.problems.add("nodes", nodes,
                              f"at most {fit} nodes of {node.gpus} GPU(s) / {node.vcpus} vCPUs: the on-demand "
                              f"environment that runs multi-node jobs has {on_demand.gpu_budget} GPUs and "
                              f"{on_demand.max_vcpus} vCPUs",
                              f"pass nodes<={fit}" if fit >= 2 else "raise max_gpus" + (" or pass spot=False"
                                                                                          if spot else ""))
        return plans

    @staticmethod
    def _node_spec(specs: Sequence[InstanceSpec]) -> InstanceSpec:
        """What one job (or multi-node job node) requests: the smallest chosen instance's GPUs and vCPUs."""
        return min(specs, key=lambda s: (s.gpus, s.vcpus, s.memory_gib))

    # --- resources ----------------------------------------------------------------------------------------
    def _build(self, *, shares: Mapping[str, float], fair_share: bool, datastore_bucket: s3.IBucket | None,
               vpc: ec2.IVpc | None, shared_scratch: bool) -> None:
        stack = Stack.of(self)
        batch_policy = self.policy.batch
        network = resolve_network(self, vpc)
        base = _compute.foundation(self, datastore_bucket=datastore_bucket, prefix=self.data_prefix)
        self.key: kms.IKey = base.key
        self.log_group: logs.LogGroup = base.log_group
        self.datastore_bucket: s3.IBucket = base.bucket
        self.job_role: iam.Role = base.job_role
        self.security_group = _compute.security_group(self, network.vpc, cluster_traffic=True)
        sg_ids = [self.security_group.security_group_id]
        profile = _compute.instance_role(self, log_group=self.log_group, policy=self.policy)
        self.launch_template = _compute.launch_template(self, "LaunchTemplate", key=self.key,
                                                        volume_gib=batch_policy.root_volume_gib, tags=self.tags)
        self.multi_node_launch_template = _compute.launch_template(
            self, "MultiNodeLaunchTemplate", key=self.key, volume_gib=batch_policy.root_volume_gib, tags=self.tags,
            efa_security_group=self.security_group if self.efa else None) if self.efa else self.launch_template
        self.placement_group = ec2.CfnPlacementGroup(self, "PlacementGroup", strategy="cluster")
        self.compute_environments: list[batch.CfnComputeEnvironment] = []
        for plan in self.plans:
            on_demand = plan.provisioning == "EC2"
            self.compute_environments.append(_compute.ec2_compute_environment(
                self, plan, subnet_ids=network.subnet_ids,
                security_group_ids=None if on_demand and self.efa else sg_ids,
                template=self.multi_node_launch_template if on_demand else self.launch_template,
                instance_profile=profile, gpu=True, tags=self.tags,
                placement_group=self.placement_group.ref if on_demand else None))
        self.scheduling_policy = _compute.scheduling_policy(self, batch_policy, shares) if fair_share else None
        self.job_queue: batch.CfnJobQueue = _compute.job_queue(
            self, "JobQueue", environments=self.compute_environments, policy=self.scheduling_policy,
            batch_policy=batch_policy)
        self.multi_node_job_queue: batch.CfnJobQueue = _compute.job_queue(
            self, "MultiNodeJobQueue", environments=self.compute_environments[-1:], policy=self.scheduling_policy,
            batch_policy=batch_policy)
        node = self._node_spec(self.instance_specs)
        requirements = _compute.resource_requirements(
            vcpus=node.vcpus, memory_mib=_compute.job_memory_mib(self.instance_specs), gpus=node.gpus)
        self.scratch: _compute.Scratch | None = _compute.scratch_file_system(
            self, vpc=network.vpc, subnet_ids=network.subnet_ids, key=self.key, clients=self.security_group,
            zones=self.policy.network.max_azs, role=self.job_role) if shared_scratch else None
        job_container = _compute.container(image=self.image, role=self.job_role, group=self.log_group,
                                           requirements=requirements,
                                           scratch=self.scratch.file_system if self.scratch is not None else None)
        common = {
            "platform_capabilities": ["EC2"],
            "timeout": batch.CfnJobDefinition.TimeoutProperty(
                attempt_duration_seconds=_compute.timeout_seconds(self.max_job_hours)),
            "retry_strategy": _compute.retry_strategy(batch_policy),
            "scheduling_priority": 1 if fair_share else None,
            "propagate_tags": True,
        }
        self.job_definition: batch.CfnJobDefinition = batch.CfnJobDefinition(
            self, "JobDefinition", type="container", container_properties=job_container, **common)  # type: ignore[arg-type]
        self.multi_node_job_definition: batch.CfnJobDefinition = batch.CfnJobDefinition(
            self, "MultiNodeJobDefinition", type="multinode",
            node_properties=batch.CfnJobDefinition.NodePropertiesProperty(
                num_nodes=self.nodes, main_node=0,
                node_range_properties=[batch.CfnJobDefinition.NodeRangePropertyProperty(
                    target_nodes="0:", container=job_container)]),
            **common)  # type: ignore[arg-type]
        self.monitoring: Monitoring = _compute.monitoring(
            self, key=self.key, queues=[self.job_queue, self.multi_node_job_queue], policy=self.policy,
            title=self.node.path)
        _compute.outputs(self, {
            "JobQueueArn": (self.job_queue.ref, "AWS Batch job queue (METAFLOW_BATCH_JOB_QUEUE)"),
            "MultiNodeJobQueueArn": (self.multi_node_job_queue.ref, "Queue for multi-node parallel jobs"),
            "JobRoleArn": (self.job_role.role_arn, "Job role (METAFLOW_ECS_S3_ACCESS_IAM_ROLE)"),
            "DatastoreBucketName": (self.datastore_bucket.bucket_name, "Datastore bucket"),
            "DatastorePrefix": (self.data_prefix, "The team's prefix in the datastore bucket"),
            "JobDefinitionArn": (self.job_definition.ref, "Single-node GPU job definition"),
            "MultiNodeJobDefinitionArn": (self.multi_node_job_definition.ref, "Multi-node parallel job definition"),
            "MaxGpus": (str(sum(p.worst_case_gpus for p in self.plans)), "The most GPUs that can run at once"),
            "MetaflowConfig": (stack.to_json_string(self.metaflow_config()),
                               "Metaflow settings: save as ~/.metaflowconfig/config.json"),
        })

    # --- Metaflow -----------------------------------------------------------------------------------------
    def metaflow_config(self) -> dict[str, str]:
        """The Metaflow settings for ``@batch(gpu=...)`` against the single-node queue (deploy-time values).

        Same keys as :meth:`platform_constructs.compute.batch.BatchComputeEnv.metaflow_config`; the stack output
        ``MetaflowConfig`` holds them as JSON.
        """
        return _compute.metaflow_config(queue=self.job_queue, role=self.job_role, bucket=self.datastore_bucket,
                                        prefix=self.data_prefix, image=self.image)
