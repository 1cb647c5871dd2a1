"""The plan of a GpuTrainingCluster: the GPU budget split over spot and on-demand, multi-node jobs (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from platform_constructs import catalog
from platform_constructs.catalog import InstanceSpec
from platform_constructs.compute.plan.common import (
    MAX_NODES,
    CommonArguments,
    CommonSettings,
    ComputePlan,
    JobSize,
    PlanContext,
    allocation_strategy,
    check_flag,
    check_instance_types,
    common_settings,
    is_int,
    job_memory_mib,
    kinds,
    split,
)
from platform_constructs.errors import Problems
from platform_constructs.policy import EnvironmentPolicy


@dataclass(frozen=True)
class TrainingSettings:
    """A validated GpuTrainingCluster: compute environments whose worst cases sum to at most ``max_gpus``."""

    common: CommonSettings
    max_gpus: int
    instance_specs: tuple[InstanceSpec, ...]
    plans: tuple[ComputePlan, ...]
    nodes: int
    shared_scratch: bool
    job: JobSize
    """What a single-node job, and each node of a multi-node job, requests."""

    @property
    def efa(self) -> bool:
        """Whether the multi-node instances get an EFA interface: every chosen type supports EFA."""
        return all(s.efa for s in self.instance_specs)

    @property
    def worst_case_gpus(self) -> int:
        """The most GPUs the cluster's compute environments can run together (AWS Batch's documented bound)."""
        return sum(p.worst_case_gpus for p in self.plans)


def default_gpu_instance_types(env_types: Sequence[str]) -> list[str]:
    """The environment's GPU types with the fewest GPUs per instance (the finest-grained budget)."""
    specs = [s for name in env_types if (s := catalog.ec2(name)) is not None and s.gpu]
    fewest = min((s.gpus for s in specs), default=0)
    return [s.name for s in specs if s.gpus == fewest]


def node_spec(specs: Sequence[InstanceSpec]) -> InstanceSpec:
    """What one job (or multi-node job node) is sized for: the smallest chosen instance's GPUs and vCPUs."""
    return min(specs, key=lambda s: (s.gpus, s.vcpus, s.memory_gib))


def training_settings(ctx: PlanContext, args: CommonArguments, problems: Problems, *, instance_types: object,
                      max_gpus: object, nodes: object, shared_scratch: object) -> TrainingSettings:
    """Validate a GpuTrainingCluster's arguments and plan its budget; raise one PlatformValidationError."""
    env = ctx.env
    common = common_settings(ctx, args, problems)
    gpus = env.max_gpus if max_gpus is None else max_gpus
    check_flag(problems, "shared_scratch", shared_scratch)
    types = default_gpu_instance_types(env.ec2_instance_types) if instance_types is None else instance_types
    specs = check_instance_types(problems, env, types, gpu=True)
    gpus_ok = problems.check(
        is_int(gpus) and 1 <= gpus <= env.max_gpus, "max_gpus", gpus,  # type: ignore[operator]
        f"an integer from 1 to the {env.name} cap {env.max_gpus}",
        f"pass max_gpus<={env.max_gpus}, or ask the platform team to raise "
        f"environments.{env.name}.max_gpus in policies/platform.yaml")
    nodes_ok = problems.check(is_int(nodes) and 2 <= nodes <= MAX_NODES, "nodes", nodes,  # type: ignore[operator]
                              f"an integer from 2 (a multi-node job) to {MAX_NODES} (AWS Batch's default limit)",
                              "pass nodes=2")
    plans: list[ComputePlan] = []
    if gpus_ok and nodes_ok and not problems:
        plans = _plan_training(env, problems, gpus, specs, spot=common.spot, nodes=nodes)  # type: ignore[arg-type]
    problems.raise_if_any()
    node = node_spec(specs)
    return TrainingSettings(common=common, max_gpus=int(gpus), instance_specs=tuple(specs),  # type: ignore[call-overload]
                            plans=tuple(plans), nodes=int(nodes), shared_scratch=shared_scratch is True,  # type: ignore[call-overload]
                            job=JobSize(vcpus=node.vcpus, memory_mib=job_memory_mib(specs), gpus=node.gpus))


def _plan_training(env: EnvironmentPolicy, problems: Problems, max_gpus: int, specs: Sequence[InstanceSpec], *,
                   spot: bool, nodes: int) -> list[ComputePlan]:
    """Split ``max_gpus`` (and the policy's vCPUs) over spot and on-demand, each bounded by its worst case."""
    environments = kinds(spot=spot)
    gpu_shares = split(max_gpus, len(environments))
    vcpu_shares = split(env.max_vcpus, len(environments))
    largest = max(s.vcpus for s in specs)
    if largest > min(vcpu_shares):
        problems.add("instance_types", [s.name for s in specs],
                     f"types whose vCPUs fit the {env.name} vCPU cap {env.max_vcpus} split over "
                     f"{len(environments)} compute environments ({min(vcpu_shares)} each)",
                     "choose smaller GPU types" + (" or pass spot=False" if spot else ""))
        return []
    plans = []
    for (name, provisioning), gpus, vcpus in zip(environments, gpu_shares, vcpu_shares, strict=True):
        strategy = allocation_strategy(provisioning, gpu=True)
        overshoot = catalog.overshoots(strategy)
        need = catalog.worst_case_gpus(specs, largest, overshoot=overshoot)
        if need > gpus:
            total = sum(catalog.worst_case_gpus(specs, largest, overshoot=catalog.overshoots(
                allocation_strategy(p, gpu=True))) for _, p in environments)
            problems.add(
                "max_gpus", max_gpus,
                f"at least {total} for {', '.join(s.name for s in specs)}: one instance of each type must fit "
                f"each of the {len(environments)} compute environments, counting AWS Batch's one-instance "
                "overshoot on spot",
                f"pass max_gpus>={total}" + (", or spot=False" if spot else "") + ", or choose types with fewer "
                "GPUs")
            return []
        chosen = catalog.max_vcpus_for_gpus(specs, gpus, vcpus, overshoot=overshoot)
        plans.append(ComputePlan(name=f"{name}ComputeEnvironment", provisioning=provisioning, max_vcpus=chosen,
                                 instance_types=tuple(s.name for s in specs), allocation_strategy=strategy,
                                 gpu_budget=gpus,
                                 worst_case_gpus=catalog.worst_case_gpus(specs, chosen, overshoot=overshoot)))
    on_demand = plans[-1]
    node = node_spec(specs)
    fit = min(on_demand.gpu_budget // node.gpus, on_demand.max_vcpus // node.vcpus)
    if nodes > fit:
        problems.add("nodes", nodes,
                     f"at most {fit} nodes of {node.gpus} GPU(s) / {node.vcpus} vCPUs: the on-demand "
                     f"environment that runs multi-node jobs has {on_demand.gpu_budget} GPUs and "
                     f"{on_demand.max_vcpus} vCPUs",
                     f"pass nodes<={fit}" if fit >= 2 else "raise max_gpus" + (" or pass spot=False"
                                                                                 if spot else ""))
    return plans
