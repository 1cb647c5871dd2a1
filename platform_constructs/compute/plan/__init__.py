"""Pure planning of the Batch constructs: arguments + policy -> frozen settings, or one PlatformValidationError.

Nothing here imports ``aws_cdk``: every default, every argument check and the whole capacity and GPU budget
plan are decided before any resource exists, and can be tested without starting jsii. The constructs
(:mod:`~platform_constructs.compute.batch`, :mod:`~platform_constructs.compute.training`) turn the settings
into resources; :mod:`~platform_constructs.compute.checks` re-verifies the budgets at synth.

Defaults are applied here, once:

* ``max_job_hours``: the environment policy's ``max_job_hours``; ``spot``: the policy's ``spot``;
* ``data_prefix``: ``"<cost_center>/"``; ``team_shares``: the policy's ``batch.team_shares`` plus
  ``{cost_center: 1.0}``; ``image``: the approved default image for the construct's purpose;
* ``max_vcpus`` (BatchComputeEnv): the policy's ``max_vcpus``; ``max_gpus`` (GpuTrainingCluster): the policy's
  ``max_gpus``; instance types: the policy's types of the right kind.
"""

from platform_constructs.compute.plan.arguments import describe, is_int, is_number
from platform_constructs.compute.plan.batch import BatchSettings, batch_settings
from platform_constructs.compute.plan.common import (
    DEFAULT_NODES,
    FARGATE_JOB_MEMORY_MIB,
    FARGATE_JOB_VCPUS,
    MAX_NODES,
    MEMORY_HEADROOM,
    MIN_JOB_SECONDS,
    ON_DEMAND_ALLOCATION_STRATEGY,
    SPOT_ALLOCATION_STRATEGY,
    CommonArguments,
    CommonSettings,
    ComputePlan,
    JobSize,
    PlanContext,
    Provisioning,
    allocation_strategy,
    check_instance_types,
    common_settings,
    env_instance_types,
    job_memory_mib,
    kinds,
    split,
    timeout_seconds,
)
from platform_constructs.compute.plan.training import (
    TrainingSettings,
    default_gpu_instance_types,
    node_spec,
    training_settings,
)

__all__ = [
    "DEFAULT_NODES",
    "FARGATE_JOB_MEMORY_MIB",
    "FARGATE_JOB_VCPUS",
    "MAX_NODES",
    "MEMORY_HEADROOM",
    "MIN_JOB_SECONDS",
    "ON_DEMAND_ALLOCATION_STRATEGY",
    "SPOT_ALLOCATION_STRATEGY",
    "BatchSettings",
    "CommonArguments",
    "CommonSettings",
    "ComputePlan",
    "JobSize",
    "PlanContext",
    "Provisioning",
    "TrainingSettings",
    "allocation_strategy",
    "batch_settings",
    "check_instance_types",
    "common_settings",
    "default_gpu_instance_types",
    "describe",
    "env_instance_types",
    "is_int",
    "is_number",
    "job_memory_mib",
    "kinds",
    "node_spec",
    "split",
    "timeout_seconds",
    "training_settings",
]
