"""Pure synth-time checks of state that can still change after a Batch construct is built.

The constructs expose their L1 resources (``compute_environments``, ``job_queues``, ``job_definitions``), and a
caller may change them, or add job definitions under the construct, after construction. Planning
(:mod:`~platform_constructs.compute.plan`) guarantees the budgets of what the construct built; these functions
re-verify them over what the resources say at synth (each construct registers them with
``node.add_validation``). They take plain values read from the L1s and return error messages: a value that is a
deploy-time token cannot be verified and is reported, never passed.

They read the L1s' typed properties, so a raw ``add_property_override`` is not seen here; the compliance gate's
PLAT-BATCH1 and PLAT-BATCH2, which judge the synthesized template (overrides included) with the same arithmetic,
still refuse it. This tier exists for its messages, which name the construct's arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from platform_constructs import catalog
from platform_constructs.catalog import STRICT_ALLOCATION_STRATEGY
from platform_constructs.compute.plan import MIN_JOB_SECONDS, is_int, timeout_seconds
from platform_constructs.policy import EnvironmentPolicy

_TOKEN = "${Token["


@dataclass(frozen=True)
class EnvironmentFacts:
    """A compute environment's ``ComputeResources`` as its L1 holds them at synth (values may be tokens)."""

    name: str
    type: object
    max_vcpus: object
    instance_types: object
    allocation_strategy: object


@dataclass(frozen=True)
class JobDefinitionFacts:
    name: str
    timeout_seconds: object
    """``Timeout.AttemptDurationSeconds`` (``None`` when the job definition has no timeout)."""


def _unresolved(value: object) -> bool:
    return isinstance(value, str) and _TOKEN in value


def budget_problems(environments: Sequence[EnvironmentFacts], *, env: EnvironmentPolicy, max_vcpus: int,
                    max_gpus: int) -> list[str]:
    """Whether the compute environments together stay within ``max_vcpus`` vCPUs and ``max_gpus`` GPUs.

    GPUs are counted with AWS Batch's documented bound (:func:`platform_constructs.catalog.worst_case_gpus`).
    """
    problems: list[str] = []
    total_vcpus, total_gpus, parts = 0, 0, []
    for facts in environments:
        if not is_int(facts.max_vcpus):
            problems.append(f"compute environment '{facts.name}' has 'maxvCpus' = {facts.max_vcpus!r}: the budget "
                            "needs a literal integer (a deploy-time value cannot be verified)")
            continue
        vcpus = int(facts.max_vcpus)  # type: ignore[call-overload]
        total_vcpus += vcpus
        if isinstance(facts.type, str) and facts.type.startswith("FARGATE"):
            continue  # Fargate runs no GPUs
        types = facts.instance_types
        if not isinstance(types, Sequence) or isinstance(types, str) or not types:
            problems.append(f"compute environment '{facts.name}' has 'instanceTypes' = {types!r}: the GPU budget "
                            "needs the literal instance types")
            continue
        specs = []
        for name in types:
            spec = catalog.ec2(name) if isinstance(name, str) and not _unresolved(name) else None
            if spec is None:
                problems.append(f"compute environment '{facts.name}' has instance type {name!r}, which is not a "
                                f"{env.name} type of the platform catalog ({', '.join(env.ec2_instance_types)})")
            elif name not in env.ec2_instance_types:
                problems.append(f"compute environment '{facts.name}' has instance type {name!r}, which the "
                                f"{env.name} policy does not allow ({', '.join(env.ec2_instance_types)})")
            else:
                specs.append(spec)
        strategy = facts.allocation_strategy if facts.allocation_strategy is not None else STRICT_ALLOCATION_STRATEGY
        if not isinstance(strategy, str) or _unresolved(strategy):
            problems.append(f"compute environment '{facts.name}' has 'allocationStrategy' = {strategy!r}: the GPU "
                            "budget depends on it")
            continue
        gpus = catalog.worst_case_gpus(specs, vcpus, overshoot=catalog.overshoots(
            strategy, facts.type if isinstance(facts.type, str) else "SPOT"))
        total_gpus += gpus
        parts.append(f"{facts.name}: {gpus}")
    if total_vcpus > max_vcpus:
        problems.append(f"the compute environments' 'maxvCpus' add up to {total_vcpus} > 'max_vcpus' = {max_vcpus}")
    if total_gpus > max_gpus:
        problems.append(f"the compute environments can run {total_gpus} GPUs at once ({', '.join(parts)}; AWS Batch "
                        "may exceed maxvCpus by one instance except with BEST_FIT on on-demand capacity) > "
                        f"'max_gpus' = {max_gpus}")
    return problems


def queue_problems(queue: str, order: object, own_environments: Sequence[str]) -> list[str]:
    """Whether a job queue sends jobs only to this construct's compute environments (``order``: the
    ``ComputeEnvironment`` values of its ``computeEnvironmentOrder``; ``own_environments``: their ``Ref``s)."""
    if not isinstance(order, Sequence) or isinstance(order, str):
        return [f"job queue '{queue}' has a computeEnvironmentOrder that cannot be verified: {order!r}"]
    foreign = [value for value in order if value not in own_environments]
    return [f"job queue '{queue}' sends jobs to compute environments outside this construct ({foreign!r}): their "
            "capacity is not part of the budget"] if foreign else []


def timeout_problems(job_definitions: Sequence[JobDefinitionFacts], *, max_job_hours: float) -> list[str]:
    """Whether every job definition's attempt timeout is set and at most ``max_job_hours``."""
    limit = timeout_seconds(max_job_hours)
    problems = []
    for job in job_definitions:
        value = job.timeout_seconds
        if value is None:
            problems.append(f"job definition '{job.name}' has no timeout; every job here is bounded by "
                            f"'max_job_hours' = {max_job_hours:g} (attemptDurationSeconds <= {limit})")
        elif not is_int(value) or not MIN_JOB_SECONDS <= value <= limit:  # type: ignore[operator]
            problems.append(f"job definition '{job.name}' has 'attemptDurationSeconds' = {value!r}; allowed: "
                            f"{MIN_JOB_SECONDS}..{limit} ('max_job_hours' = {max_job_hours:g})")
    return problems
