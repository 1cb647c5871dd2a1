"""The plan of a BatchComputeEnv: vCPUs split over spot and on-demand, GPUs bounded by the policy (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from platform_constructs import catalog
from platform_constructs.catalog import InstanceSpec
from platform_constructs.compute.plan.arguments import check_flag, check_int
from platform_constructs.compute.plan.common import (
    FARGATE_JOB_MEMORY_MIB,
    FARGATE_JOB_VCPUS,
    CommonArguments,
    CommonSettings,
    ComputePlan,
    JobSize,
    PlanContext,
    allocation_strategy,
    check_instance_types,
    common_settings,
    env_instance_types,
    job_memory_mib,
    kinds,
    split,
)
from platform_constructs.errors import Problems
from platform_constructs.policy import EnvironmentPolicy


@dataclass(frozen=True)
class BatchSettings:
    """A validated BatchComputeEnv: its compute environments (spot first) and default job."""

    common: CommonSettings
    gpu: bool
    fargate: bool
    max_vcpus: int
    instance_specs: tuple[InstanceSpec, ...]
    plans: tuple[ComputePlan, ...]
    job: JobSize


def batch_settings(ctx: PlanContext, args: CommonArguments, problems: Problems, *, max_vcpus: object,
                   instance_types: object, gpu: object, fargate: object) -> BatchSettings:
    """Validate a BatchComputeEnv's arguments and plan its compute; raise one PlatformValidationError."""
    env = ctx.env
    common = common_settings(ctx, args, problems)
    vcpus = env.max_vcpus if max_vcpus is None else max_vcpus
    check_flag(problems, "gpu", gpu)
    check_flag(problems, "fargate", fargate)
    problems.check(not (gpu is True and fargate is True), "fargate", fargate,
                   "False when gpu=True (Fargate has no GPUs)", "drop fargate=True or gpu=True")
    specs: list[InstanceSpec] = []
    if fargate is True:
        problems.check(instance_types is None, "instance_types", instance_types,
                       "None with fargate=True (Fargate chooses the hardware)", "drop instance_types")
    else:
        types = env_instance_types(env, gpu=gpu is True) if instance_types is None else instance_types
        specs = check_instance_types(problems, env, types, gpu=gpu is True)
    vcpus_ok = check_int(problems, "max_vcpus", vcpus, low=1, high=env.max_vcpus,
                         allowed=f"an integer from 1 to the {env.name} cap {env.max_vcpus}",
                         range_fix=f"pass max_vcpus<={env.max_vcpus}, or ask the platform team to raise "
                         f"environments.{env.name}.max_vcpus in policies/platform.yaml", example=env.max_vcpus)
    plans: list[ComputePlan] = []
    if vcpus_ok and not problems:
        plans = _plan_batch(env, problems, vcpus, specs, spot=common.spot, gpu=gpu is True,  # type: ignore[arg-type]
                            fargate=fargate is True)
    problems.raise_if_any()
    if fargate is True:
        job = JobSize(vcpus=FARGATE_JOB_VCPUS, memory_mib=FARGATE_JOB_MEMORY_MIB)
    else:
        smallest = min(specs, key=lambda s: (s.vcpus, s.memory_gib))
        job = JobSize(vcpus=smallest.vcpus, memory_mib=job_memory_mib(specs), gpus=1 if gpu is True else 0)
    return BatchSettings(common=common, gpu=gpu is True, fargate=fargate is True, max_vcpus=int(vcpus),  # type: ignore[call-overload]
                         instance_specs=tuple(specs), plans=tuple(plans), job=job)


def _plan_batch(env: EnvironmentPolicy, problems: Problems, max_vcpus: int, specs: Sequence[InstanceSpec], *,
                spot: bool, gpu: bool, fargate: bool) -> list[ComputePlan]:
    """Split ``max_vcpus`` over the compute environments; with ``gpu``, bound each by its share of max_gpus.

    GPU shares: each environment first gets what one default job needs under AWS Batch's documented bound
    (:func:`platform_constructs.catalog.worst_case_gpus` at a ``maxvCpus`` of the job's vCPUs), then the rest of
    the policy's ``max_gpus`` is split between them, spot first.
    """
    environments = kinds(spot=spot, fargate=fargate)
    vcpu_shares = split(max_vcpus, len(environments))
    job_vcpus = min((s.vcpus for s in specs), default=math.ceil(FARGATE_JOB_VCPUS))
    if min(vcpu_shares) < job_vcpus:
        need = job_vcpus * len(environments)
        unit = min(specs, key=lambda s: s.vcpus).name if specs else f"{FARGATE_JOB_VCPUS:g}-vCPU job"
        problems.add("max_vcpus", max_vcpus,
                     f"at least {need} for one {unit} in each of the {len(environments)} compute environments",
                     f"pass max_vcpus>={need}" + ("" if specs else " or spot=False"))
        return []
    gpu_shares = [0] * len(environments)
    if gpu:
        strategies = [allocation_strategy(p, gpu=True) for _, p in environments]
        needs = [catalog.worst_case_gpus(specs, job_vcpus, overshoot=catalog.overshoots(strategy, p))
                 for strategy, (_, p) in zip(strategies, environments, strict=True)]
        if sum(needs) > env.max_gpus:
            problems.add(
                "instance_types", [s.name for s in specs],
                f"types of which one default job fits the {env.name} GPU cap {env.max_gpus} in each of the "
                f"{len(environments)} compute environments (these types need {' + '.join(map(str, needs))} = "
                f"{sum(needs)}, counting AWS Batch's documented one-instance overshoot on spot)",
                "choose smaller GPU types" + (" or pass spot=False" if spot else ""))
            return []
        gpu_shares = [need + extra for need, extra in zip(needs, split(env.max_gpus - sum(needs),
                                                                        len(environments)), strict=True)]
    plans: list[ComputePlan] = []
    for (name, provisioning), vcpu_share, gpus in zip(environments, vcpu_shares, gpu_shares, strict=True):
        strategy = allocation_strategy(provisioning, gpu=gpu)
        overshoot = catalog.overshoots(strategy, provisioning) if specs else False
        vcpus = catalog.max_vcpus_for_gpus(specs, gpus, vcpu_share, overshoot=overshoot) if gpu else vcpu_share
        plans.append(ComputePlan(
            name=f"{name}ComputeEnvironment", provisioning=provisioning, max_vcpus=vcpus,
            instance_types=tuple(s.name for s in specs), allocation_strategy=strategy, gpu_budget=gpus,
            worst_case_gpus=catalog.worst_case_gpus(specs, vcpus, overshoot=overshoot) if gpu else 0))
    return plans
