"""The plan of a GpuTrainingCluster: the GPU budget split over its compute environments (pure).

A cluster has up to three compute environments: single-node jobs run on spot (when ``spot``) with an on-demand
fallback behind one queue; multi-node parallel jobs run on a dedicated on-demand environment in one subnet and a
cluster placement group behind their own queue (AWS Batch runs multi-node parallel jobs on neither spot capacity
nor across Availability Zones: "Compute environment considerations for MNP", AWS Batch User Guide).

The budget is AWS Batch's documented bound summed over all of them (:func:`platform_constructs.catalog.
worst_case_gpus`): the multi-node environment gets exactly what ``nodes`` nodes need, each single-node
environment first what one default job needs (counting the one-instance overshoot where Batch allows it), and
what remains is split between them, spot first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from platform_constructs import catalog
from platform_constructs.catalog import InstanceSpec
from platform_constructs.compute.plan.arguments import check_flag, check_int
from platform_constructs.compute.plan.common import (
    MAX_NODES,
    CommonArguments,
    CommonSettings,
    ComputePlan,
    JobSize,
    PlanContext,
    Provisioning,
    allocation_strategy,
    check_instance_types,
    common_settings,
    job_memory_mib,
    kinds,
    split,
)
from platform_constructs.errors import Problem, Problems
from platform_constructs.policy import EnvironmentPolicy

MULTI_NODE_ENVIRONMENT = "MultiNodeComputeEnvironment"


@dataclass(frozen=True)
class TrainingSettings:
    """A validated GpuTrainingCluster: compute environments whose worst cases sum to at most ``max_gpus``."""

    common: CommonSettings
    max_gpus: int
    instance_specs: tuple[InstanceSpec, ...]
    plans: tuple[ComputePlan, ...]
    """Single-node environments (spot first, then on-demand), then the multi-node environment."""
    nodes: int
    shared_scratch: bool
    job: JobSize
    """What a single-node job, and each node of a multi-node job, requests."""
    spot_off_for_budget: bool = False
    """``spot`` was not given, the policy's default (spot) did not fit ``max_gpus``, so the cluster is on-demand."""

    @property
    def single_node_plans(self) -> tuple[ComputePlan, ...]:
        return self.plans[:-1]

    @property
    def multi_node_plan(self) -> ComputePlan:
        return self.plans[-1]

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
    gpus_ok = check_int(problems, "max_gpus", gpus, low=1, high=env.max_gpus,
                        allowed=f"an integer from 1 to the {env.name} cap {env.max_gpus}",
                        range_fix=f"pass max_gpus<={env.max_gpus}, or ask the platform team to raise "
                        f"environments.{env.name}.max_gpus in policies/platform.yaml", example=env.max_gpus)
    nodes_ok = check_int(problems, "nodes", nodes, low=2, high=MAX_NODES,
                         allowed=f"an integer from 2 (a multi-node job) to {MAX_NODES} (AWS Batch's default limit)",
                         range_fix=None, example=2)
    plans: list[ComputePlan] = []
    spot_off = False
    if gpus_ok and nodes_ok and not problems:
        plans, found = plan_training(env, int(gpus), specs, spot=common.spot, nodes=int(nodes))  # type: ignore[call-overload]
        if found and common.spot and args.spot is None:  # the policy's spot default: on-demand when it cannot fit
            on_demand, found_on_demand = plan_training(env, int(gpus), specs, spot=False, nodes=int(nodes))  # type: ignore[call-overload]
            if not found_on_demand:
                plans, found, spot_off = on_demand, [], True
        for problem in found:
            problems.add(problem.argument, problem.value, problem.allowed, problem.fix)
    problems.raise_if_any()
    node = node_spec(specs)
    return TrainingSettings(common=common, max_gpus=int(gpus), instance_specs=tuple(specs),  # type: ignore[call-overload]
                            plans=tuple(plans), nodes=int(nodes), shared_scratch=shared_scratch is True,  # type: ignore[call-overload]
                            job=JobSize(vcpus=node.vcpus, memory_mib=job_memory_mib(specs), gpus=node.gpus),
                            spot_off_for_budget=spot_off)


def _need(specs: Sequence[InstanceSpec], job_vcpus: int, provisioning: Provisioning) -> int:
    """The GPU budget a single-node environment needs to run one default job: the documented worst case at a
    ``maxvCpus`` of the job's vCPUs."""
    return catalog.worst_case_gpus(specs, job_vcpus, overshoot=catalog.overshoots(
        allocation_strategy(provisioning, gpu=True), provisioning))


def plan_training(env: EnvironmentPolicy, max_gpus: int, specs: Sequence[InstanceSpec], *, spot: bool,
                  nodes: int) -> tuple[list[ComputePlan], list[Problem]]:
    """The compute environments within ``max_gpus`` (and the policy's vCPUs), or the problems that prevent them."""
    node = node_spec(specs)
    single = kinds(spot=spot)
    vcpu_shares = split(env.max_vcpus, len(single) + 1)
    names = ", ".join(s.name for s in specs)
    if node.vcpus > min(vcpu_shares):
        return [], [Problem("instance_types", [s.name for s in specs],
                            f"types whose vCPUs fit the {env.name} vCPU cap {env.max_vcpus} split over "
                            f"{len(vcpu_shares)} compute environments ({min(vcpu_shares)} each)",
                            "choose smaller GPU types" + (" or pass spot=False" if spot else ""))]
    multi_gpus = nodes * node.gpus
    needs = [_need(specs, node.vcpus, provisioning) for _, provisioning in single]
    total = multi_gpus + sum(needs)
    if total > max_gpus:
        parts = [f"{multi_gpus} for the multi-node environment ({nodes} nodes x {node.gpus} GPU(s))"]
        extra = " (one instance plus AWS Batch's documented one-instance overshoot)"
        parts += [f"{need} for the {name.lower().replace('ondemand', 'on-demand')} environment"
                  + (extra if provisioning == "SPOT" else "")
                  for (name, provisioning), need in zip(single, needs, strict=True)]
        fixes = [f"pass max_gpus>={total}" if total <= env.max_gpus
                 else f"ask the platform team to raise environments.{env.name}.max_gpus (now {env.max_gpus})"]
        if spot:
            fixes.append("pass spot=False")
        if nodes > 2:
            fixes.append("pass nodes=2")
        fixes.append("choose types with fewer GPUs")
        return [], [Problem("max_gpus", max_gpus, f"at least {total} for {names}: {'; '.join(parts)}",
                            ", or ".join(fixes))]
    shares = [need + extra for need, extra in zip(needs, split(max_gpus - total, len(single)), strict=True)]
    plans: list[ComputePlan] = []
    for (name, provisioning), gpus, vcpus in zip(single, shares, vcpu_shares[:-1], strict=True):
        strategy = allocation_strategy(provisioning, gpu=True)
        overshoot = catalog.overshoots(strategy, provisioning)
        chosen = catalog.max_vcpus_for_gpus(specs, gpus, vcpus, overshoot=overshoot)
        plans.append(ComputePlan(name=f"{name}ComputeEnvironment", provisioning=provisioning, max_vcpus=chosen,
                                 instance_types=tuple(s.name for s in specs), allocation_strategy=strategy,
                                 gpu_budget=gpus,
                                 worst_case_gpus=catalog.worst_case_gpus(specs, chosen, overshoot=overshoot)))
    strategy = allocation_strategy("EC2", gpu=True)
    multi_vcpus = catalog.max_vcpus_for_gpus(specs, multi_gpus, vcpu_shares[-1], overshoot=False)
    fit = min(multi_gpus // node.gpus, multi_vcpus // node.vcpus)
    if nodes > fit:
        return [], [Problem("nodes", nodes, f"at most {fit} nodes of {node.gpus} GPU(s) / {node.vcpus} vCPUs: the "
                            f"multi-node environment can have {multi_vcpus} vCPUs of {names} within "
                            f"{multi_gpus} GPUs and the {env.name} vCPU cap", f"pass nodes<={fit}" if fit >= 2
                            else "choose types whose GPUs per vCPU are alike (the densest type fills the budget)")]
    plans.append(ComputePlan(name=MULTI_NODE_ENVIRONMENT, provisioning="EC2", max_vcpus=multi_vcpus,
                             instance_types=tuple(s.name for s in specs), allocation_strategy=strategy,
                             gpu_budget=multi_gpus,
                             worst_case_gpus=catalog.worst_case_gpus(specs, multi_vcpus, overshoot=False)))
    return plans, []
