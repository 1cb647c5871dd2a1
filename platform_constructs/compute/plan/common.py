"""What both Batch constructs' plans share: the context, the shared arguments and settings, the plan of one
compute environment, and the small checks and arithmetic (pure: no ``aws_cdk``)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from platform_constructs import catalog
from platform_constructs.arguments import expect_mapping, expect_number, expect_str
from platform_constructs.catalog import STRICT_ALLOCATION_STRATEGY, InstanceSpec
from platform_constructs.compute.plan.arguments import (
    check_flag,
    check_number,
    check_string_list,
    is_number,
)
from platform_constructs.errors import Problems
from platform_constructs.images.uri import ImageProblem
from platform_constructs.policy import EnvironmentPolicy, Policy

SPOT_ALLOCATION_STRATEGY = "SPOT_PRICE_CAPACITY_OPTIMIZED"
"""Spot: pools with the lowest interruption likelihood first, then price (AWS's recommended strategy)."""
ON_DEMAND_ALLOCATION_STRATEGY = "BEST_FIT_PROGRESSIVE"
"""On-demand fallback for CPU jobs: best fit, then the next-best types when the best one has no capacity."""
MIN_JOB_SECONDS = 60
"""AWS Batch's smallest attempt timeout."""
MEMORY_HEADROOM = 0.85
"""Share of an instance's memory a default job definition requests (the rest: OS, ECS agent, Docker)."""
FARGATE_JOB_VCPUS = 1.0
FARGATE_JOB_MEMORY_MIB = 2048
"""Fargate default job size: 1 vCPU, 2 GiB (a valid Fargate combination)."""
DEFAULT_NODES = 2
"""Nodes of the default multi-node parallel job definition."""
MAX_NODES = 1000
"""The most nodes of a multi-node parallel job: AWS Batch's default limit ("You can have up to 1,000 nodes in a
single job", AWS Batch User Guide, "Node groups"); a raised account limit is not assumed."""

Provisioning = Literal["SPOT", "EC2", "FARGATE_SPOT", "FARGATE"]


@dataclass(frozen=True)
class PlanContext:
    """What planning needs besides the arguments: the policy, the construct's team and its approved images."""

    policy: Policy
    env: EnvironmentPolicy
    team: str
    """The construct's CostCenter tag: the default share identifier and data prefix."""
    default_image: str
    """The approved image for the construct's purpose (a golden pipeline's, or the policy's)."""
    image_approved: Callable[[str], bool]
    """Whether a caller-supplied image comes from an approved registry."""
    image_problem: Callable[[str], ImageProblem | None] | None = None
    """Why a caller-supplied image is not approved (what is allowed, and the fix), when the caller can tell:
    :func:`platform_constructs.images.defaults.image_problem`, the rule behind ``image_approved``."""


@dataclass(frozen=True)
class CommonArguments:
    """The arguments both Batch constructs take, as given (``None``: not given)."""

    max_job_hours: object = None
    spot: object = None
    team_shares: object = None
    fair_share: object = False
    data_prefix: object = None
    image: object = None


@dataclass(frozen=True)
class CommonSettings:
    """The validated shared arguments, defaults applied."""

    max_job_hours: float
    data_prefix: str
    shares: Mapping[str, float]
    """Fair-share weight factor per share identifier (read-only)."""
    fair_share: bool
    spot: bool
    image: str
    share_identifier: str = "team"
    """The team's share identifier on a fair-share queue: the construct's CostCenter tag."""

    @property
    def timeout_seconds(self) -> int:
        """Every job attempt's timeout: ``max_job_hours`` rounded down to whole seconds (at least 60 s)."""
        return timeout_seconds(self.max_job_hours)


@dataclass(frozen=True)
class ComputePlan:
    """One compute environment as validated: what it may run and the budget it was given."""

    name: str
    provisioning: Provisioning
    max_vcpus: int
    instance_types: tuple[str, ...]
    allocation_strategy: str | None
    gpu_budget: int
    """GPUs this environment was allotted (0 for CPU environments)."""
    worst_case_gpus: int
    """The most GPUs it can run at once (:func:`platform_constructs.catalog.worst_case_gpus`); at most
    ``gpu_budget``."""


@dataclass(frozen=True)
class JobSize:
    """What a default job (or one node of a multi-node job) requests."""

    vcpus: float
    memory_mib: int
    gpus: int = 0


# --- small checks -------------------------------------------------------------------------------------------
def env_instance_types(env: EnvironmentPolicy, *, gpu: bool) -> list[str]:
    """The environment's allowed EC2 instance types that are (``gpu``) or are not GPU types, policy order."""
    return [name for name in env.ec2_instance_types
            if (spec := catalog.ec2(name)) is not None and spec.gpu == gpu]


def check_instance_types(problems: Problems, env: EnvironmentPolicy, value: object, *, gpu: bool,
                         argument: str = "instance_types") -> list[InstanceSpec]:
    """Validate instance type names; return the specs of the valid ones (problems recorded for the rest)."""
    allowed_here = env_instance_types(env, gpu=gpu)
    kind = "GPU" if gpu else "non-GPU"
    names = check_string_list(problems, argument, value, allowed=f"a non-empty list of {kind} instance types from "
                              f"the {env.name} policy: {', '.join(allowed_here) or 'none'}",
                              example=allowed_here[0] if allowed_here else None)
    if names is None:
        return []
    specs: list[InstanceSpec] = []
    for name in names:
        spec = catalog.ec2(name)
        if spec is None:
            ec2_name = name.removeprefix("ml.") if catalog.ec2(name.removeprefix("ml.")) is not None else None
            problems.add(argument, name, f"an instance type in the platform catalog; {kind} types allowed in "
                         f"{env.name}: {', '.join(allowed_here) or 'none'}",
                         f"pass {ec2_name!r} (AWS Batch runs EC2 instance types; 'ml.' names are SageMaker's)"
                         if ec2_name else f"check the spelling (e.g. {(allowed_here or ['g5.xlarge'])[0]!r}) or ask "
                         "the platform team to add it to catalog.py")
        elif name not in env.ec2_instance_types:
            problems.add(argument, name, f"an instance type of the {env.name} environment's ec2_instance_types: "
                         f"{', '.join(env.ec2_instance_types)}",
                         f"choose one of {', '.join(allowed_here) or 'those'}, or ask the platform team to "
                         f"allow it in policies/platform.yaml (environments.{env.name}.ec2_instance_types)")
        elif gpu and not spec.gpu:
            problems.add(argument, name, f"GPU-bearing instance types only ({', '.join(allowed_here) or 'none'} "
                         f"in {env.name})", "remove the CPU type; CPU jobs belong in a BatchComputeEnv")
        elif not gpu and spec.gpu:
            problems.add(argument, name, f"non-GPU instance types ({', '.join(allowed_here) or 'none'} in "
                         f"{env.name})", "pass gpu=True to run GPU jobs, or remove the GPU type")
        elif spec in specs:
            problems.add(argument, name, "each instance type once", f"remove the duplicate {name!r}")
        else:
            specs.append(spec)
    return specs


def timeout_seconds(hours: float) -> int:
    """A job attempt's timeout; never above ``hours`` (rounded down to whole seconds), never below 60 s."""
    return max(MIN_JOB_SECONDS, math.floor(hours * 3600))


def kinds(*, spot: bool, fargate: bool = False) -> list[tuple[str, Provisioning]]:
    """The compute environments behind one queue, in order: spot first (if ``spot``), then on-demand."""
    result: list[tuple[str, Provisioning]] = []
    if spot:
        result.append(("Spot", "FARGATE_SPOT" if fargate else "SPOT"))
    result.append(("OnDemand", "FARGATE" if fargate else "EC2"))
    return result


def allocation_strategy(provisioning: Provisioning, *, gpu: bool) -> str | None:
    """Spot: price-capacity-optimised; on-demand: best fit (strict for GPUs, progressive for CPUs)."""
    if provisioning.startswith("FARGATE"):
        return None
    if provisioning == "SPOT":
        return SPOT_ALLOCATION_STRATEGY
    return STRICT_ALLOCATION_STRATEGY if gpu else ON_DEMAND_ALLOCATION_STRATEGY


def split(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` shares, the first ones larger by at most one (spot first)."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def job_memory_mib(specs: Sequence[InstanceSpec]) -> int:
    """Memory a default job requests: the headroom share of the smallest chosen instance's memory."""
    return int(min(spec.memory_gib for spec in specs) * 1024 * MEMORY_HEADROOM)


# --- the shared arguments -------------------------------------------------------------------------------------
DATA_PREFIX = r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*/"
DATA_PREFIX_ALLOWED = "an S3 key prefix of lowercase path segments ending in '/', e.g. 'recs/'"
SHARE_IDENTIFIER = r"[A-Za-z0-9_-]{1,255}"
"""A fair-share identifier (AWS Batch ``CreateSchedulingPolicy``, ``shareIdentifier``: up to 255 letters, numbers,
hyphens and underscores)."""


def _prefix_meant(value: str) -> tuple[str, str] | None:
    """The key prefix a malformed ``data_prefix`` most likely means: the key of an ``s3://bucket/key/`` URL (the
    bucket is the datastore's), without a leading ``/``, with the trailing ``/``."""
    text = value.strip()
    if text.startswith("s3://"):
        key = text.removeprefix("s3://").partition("/")[2]
        return ("it is an S3 URL: data_prefix is the key prefix inside the datastore bucket",
                key.strip("/").lower() + "/")
    if text.startswith("/"):
        return "it starts with '/': S3 keys do not", text.strip("/").lower() + "/"
    if not text.endswith("/"):
        return "it has no trailing '/': a prefix ends with one", text.lower() + "/"
    return None


def _check_image(ctx: PlanContext, problems: Problems, image: object) -> None:
    """A caller's image: a string, then approved (with the reason it is not, when the context can tell)."""
    approved = "an image from " + ", ".join(ctx.policy.approved_registries)
    if not expect_str(problems, "image", image, allowed=f"{approved} (a string)",
                      fix="pass the full reference as a string, e.g. image='<registry>/<repository>@sha256:<digest>',"
                          " or omit image for the approved default"):
        return
    assert isinstance(image, str)
    found = ctx.image_problem(image) if ctx.image_problem is not None else None
    if found is not None:
        problems.add("image", image, found.allowed, found.fix)
    elif not ctx.image_approved(image):
        problems.add("image", image, approved,
                     "push the image to an approved registry, or omit image for the approved default")


def common_settings(ctx: PlanContext, args: CommonArguments, problems: Problems) -> CommonSettings:
    """Apply the defaults of the shared arguments and validate them into ``problems`` (raises nothing)."""
    env = ctx.env
    hours = env.max_job_hours if args.max_job_hours is None else args.max_job_hours
    prefix = f"{ctx.team}/" if args.data_prefix is None else args.data_prefix
    shares = {**ctx.policy.batch.team_shares, ctx.team: 1.0} if args.team_shares is None else args.team_shares
    image = ctx.default_image if args.image is None else args.image
    spot = env.spot if args.spot is None else args.spot
    check_number(problems, "max_job_hours", hours, low=MIN_JOB_SECONDS / 3600, high=env.max_job_hours,
                 allowed=f"a number of hours from {MIN_JOB_SECONDS / 3600:.4g} (AWS Batch's 60 s minimum) to the "
                 f"{env.name} cap {env.max_job_hours:g}",
                 range_fix=f"pass max_job_hours<={env.max_job_hours:g}, or ask the platform team to raise "
                 f"environments.{env.name}.max_job_hours in policies/platform.yaml", example=env.max_job_hours)
    expect_str(problems, "data_prefix", prefix, pattern=DATA_PREFIX, max_length=200, allowed=DATA_PREFIX_ALLOWED,
               fix="pass data_prefix='<team>/' (the default is the cost centre followed by '/')",
               example=f"{ctx.team}/", repair=_prefix_meant)
    shares_ok = expect_mapping(
        problems, "team_shares", shares, key_pattern=SHARE_IDENTIFIER, max_items=500,
        key_allowed="a share identifier of 1-255 letters, digits, '-' and '_'",
        check_value=lambda found, label, weight: expect_number(found, label, weight, minimum=0.0001,
                                                               maximum=999.9999, default=1.0),
        allowed="a mapping of 1-500 share identifiers (letters, digits, '-', '_') to weight factors "
                "0.0001..999.9999 (lower weight = larger share)",
        fix=f"pass team_shares={{{shares!r}: 1.0}}" if isinstance(shares, str) and
        re.fullmatch(SHARE_IDENTIFIER, shares, re.ASCII) else "pass team_shares={'recs': 1.0, 'search': 2.0}")
    check_flag(problems, "fair_share", args.fair_share)
    if image != ctx.default_image:
        _check_image(ctx, problems, image)
    check_flag(problems, "spot", spot)
    return CommonSettings(
        max_job_hours=float(hours) if is_number(hours) else 0.0,  # type: ignore[arg-type]
        data_prefix=str(prefix),
        shares=MappingProxyType({str(k): float(v) for k, v in shares.items()}
                                if shares_ok and isinstance(shares, Mapping) else {}),
        fair_share=args.fair_share is True, spot=spot is True, image=str(image), share_identifier=ctx.team)
