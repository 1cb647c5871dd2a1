"""The endpoint's settings: every argument of :class:`SecureModelEndpoint` validated against the policy, with the
defaults applied, as one frozen :class:`EndpointSettings` — or one :class:`PlatformValidationError` listing every
problem. Pure: no ``aws_cdk`` import, so validation and its property tests run without a Node process.

What the construct needs from its scope is passed in as plain values: the stack's name and the construct's id (for
the default endpoint name) and the default image (the app's golden image, else the policy's).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from platform_constructs import catalog
from platform_constructs.errors import Problems
from platform_constructs.policy import EnvironmentPolicy, Policy
from platform_constructs.serving.monitoring_settings import MonitoringSettings, monitoring_settings
from platform_constructs.serving.variants import (
    DEFAULT_PRIMARY_WEIGHT,
    MAX_NAME_LENGTH,
    NAME,
    ModelVariant,
    artifact_object,
    is_int,
    resolve_variants,
)

_T = TypeVar("_T")
EndpointMode = Literal["realtime", "serverless", "async"]
TrafficShifting = Literal["canary", "linear"]

MODES: tuple[str, ...] = ("realtime", "serverless", "async")
TRAFFIC_SHIFTING: tuple[str, ...] = ("canary", "linear")
MAX_ROLLBACK_ALARMS = 10
"""SageMaker's limit of alarms in an endpoint's auto-rollback configuration (``AutoRollbackConfig``)."""
ROLLBACK_ALARMS_PER_VARIANT = 2
"""5xx errors and p99 model latency."""

DEFAULT_MODE: EndpointMode = "realtime"
DEFAULT_INVOCATIONS_PER_INSTANCE = 1000
"""Target of the target-tracking policy: invocations per instance per minute."""
DEFAULT_DATA_CAPTURE_SAMPLING_PERCENT = 100
DEFAULT_TRAFFIC_SHIFTING: TrafficShifting = "canary"
DEFAULT_TRAFFIC_STEP_PERCENT = 10
"""Canary size (or linear step) of a blue/green deployment, in percent of capacity."""
DEFAULT_BAKE_MINUTES = 10
"""Minutes the new fleet must run alarm-free before the next traffic step (and before the old one is removed)."""
DEFAULT_SERVERLESS_MEMORY_MB = 2048
DEFAULT_SERVERLESS_MAX_CONCURRENCY = 5
DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS = 4
SERVERLESS_MEMORY_SIZES = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = 200
ASYNC_MAX_CONCURRENT_INVOCATIONS = 1000
MAX_BAKE_MINUTES = 60
"""SageMaker waits at most 3600 s per traffic step."""

DATA_CAPTURE_PREFIX = "data-capture"
ASYNC_INPUT_PREFIX = "async-input"
ASYNC_OUTPUT_PREFIX = "async-output"
ASYNC_FAILURE_PREFIX = "async-failures"

_INSTANCES: tuple[EndpointMode, ...] = ("realtime", "async")
MODE_SPECIFIC_ARGUMENTS: dict[str, tuple[EndpointMode, ...]] = {
    "min_capacity": _INSTANCES, "max_capacity": _INSTANCES, "invocations_per_instance": _INSTANCES,
    "data_capture_sampling_percent": _INSTANCES, "alarm_utilization_percent": _INSTANCES, "vpc": _INSTANCES,
    "serverless_memory_mb": ("serverless",), "serverless_max_concurrency": ("serverless",),
    "async_max_concurrent_invocations": ("async",),
}
"""The arguments only some modes use (the others ignore them, with the warning ``WARNING_IGNORED_ARGUMENTS``)."""

WARNING_IGNORED_ARGUMENTS = "platform-constructs:endpoint-ignored-arguments"
"""Arguments given that the chosen mode does not use."""
WARNING_NO_BAKE_TIME = "platform-constructs:endpoint-no-bake-time"
"""``bake_minutes=0``: no baking period in which a rollback alarm could stop a deployment."""
WARNING_NO_CAPTURE = "platform-constructs:endpoint-capture-sampling-zero"
"""``data_capture_sampling_percent=0``: capture is on but records nothing."""



@dataclass(frozen=True)
class SettingsWarning:
    """Something a user should know but may accept: emitted as a CDK warning with this id (acknowledge it with
    ``Annotations.of(endpoint).acknowledge_warning(id)``)."""

    id: str
    message: str


@dataclass(frozen=True)
class EndpointSettings:
    """The validated arguments of one endpoint, every default applied (what the construct builds)."""

    mode: EndpointMode
    endpoint_name: str
    variants: tuple[ModelVariant, ...]
    """The primary variant first, then the additional ones, each with its defaults applied."""
    min_capacity: int
    """Instances per variant at creation and the autoscaling floor (realtime and async)."""
    max_capacity: int
    invocations_per_instance: int
    data_capture_sampling_percent: int
    traffic_shifting: TrafficShifting
    traffic_step_percent: int
    bake_minutes: int
    serverless_memory_mb: int
    serverless_max_concurrency: int
    async_max_concurrent_invocations: int
    alarm_5xx_errors: float
    alarm_4xx_rate_percent: float
    alarm_p99_latency_ms: float
    alarm_utilization_percent: float
    alarm_period_minutes: int
    alarm_evaluation_periods: int
    warnings: tuple[SettingsWarning, ...] = ()
    monitoring: MonitoringSettings | None = None
    """SageMaker Model Monitor on the captured data (``monitoring``, :mod:`.monitoring_settings`); ``None``: none."""

    @property
    def serverless(self) -> bool:
        return self.mode == "serverless"

    @property
    def instance_store(self) -> bool:
        """Some variant runs on instances with local NVMe storage (SageMaker then rejects a volume ``KmsKeyId``)."""
        return any(v.instance_type is not None and catalog.sagemaker_has_instance_store(v.instance_type)
                   for v in self.variants)

    @property
    def rollback_alarms_per_variant(self) -> bool:
        """Each variant's own 5xx and latency alarms fit in the auto-rollback configuration; beyond
        ``MAX_ROLLBACK_ALARMS // 2`` variants, one alarm per kind over every variant rolls back instead."""
        return len(self.variants) * ROLLBACK_ALARMS_PER_VARIANT <= MAX_ROLLBACK_ALARMS

    @property
    def model_artifacts(self) -> tuple[str, ...]:
        """``bucket/key`` of each distinct model artifact object, sorted."""
        objects: set[str] = set()
        for variant in self.variants:
            objects.add(artifact_object(variant.model_data_url))
        return tuple(sorted(objects))


def default_endpoint_name(stack_name: str, construct_id: str) -> str:
    """``<stack name>-<id>`` in SageMaker's alphabet, shortened with a stable hash suffix beyond 63 characters."""
    raw = f"{stack_name}-{construct_id}"
    name = re.sub(r"-+", "-", re.sub(r"[^a-zA-Z0-9-]", "-", raw)).strip("-") or "endpoint"
    if len(name) > MAX_NAME_LENGTH:
        digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
        name = f"{name[:MAX_NAME_LENGTH - 9].rstrip('-')}-{digest}"
    return name


def endpoint_settings(
    policy: Policy,
    env: EnvironmentPolicy,
    *,
    stack_name: str,
    construct_id: str,
    model_data_url: str,
    default_image: str | None = None,
    problems: Problems | None = None,
    instance_type: str | None = None,
    image: str | None = None,
    variants: Sequence[ModelVariant] = (),
    primary_weight: float | None = None,
    mode: EndpointMode | None = None,
    min_capacity: int | None = None,
    max_capacity: int | None = None,
    invocations_per_instance: int | None = None,
    data_capture_sampling_percent: int | None = None,
    traffic_shifting: TrafficShifting | None = None,
    traffic_step_percent: int | None = None,
    bake_minutes: int | None = None,
    serverless_memory_mb: int | None = None,
    serverless_max_concurrency: int | None = None,
    async_max_concurrent_invocations: int | None = None,
    alarm_5xx_errors: float | None = None,
    alarm_4xx_rate_percent: float | None = None,
    alarm_p99_latency_ms: float | None = None,
    alarm_utilization_percent: float | None = None,
    endpoint_name: str | None = None,
    vpc: object | None = None,
    monitoring: object = None,
) -> EndpointSettings:
    """Validate the arguments of :class:`SecureModelEndpoint` against ``policy`` / ``env`` and apply the defaults.

    The arguments and their defaults are those of the construct (documented there). ``default_image`` is the image
    of variants given none (default: the policy's ``images.inference`` as written). ``problems`` collects the
    problems of the construct's other arguments (its tags), reported first; by default there are none and
    messages name ``<stack_name>/<construct_id>``. Raises one
    :class:`~platform_constructs.errors.PlatformValidationError` with every problem found.
    """
    problems = problems if problems is not None else Problems(f"{stack_name}/{construct_id}")
    check = problems.check
    alarms = policy.alarms
    chosen: EndpointMode = _or(mode, DEFAULT_MODE)
    serverless = chosen == "serverless"
    name = _or(endpoint_name, default_endpoint_name(stack_name, construct_id))
    low = _or(min_capacity, env.endpoint_min_capacity)
    high = _or(max_capacity, env.endpoint_max_capacity)
    target = _or(invocations_per_instance, DEFAULT_INVOCATIONS_PER_INSTANCE)
    sampling = _or(data_capture_sampling_percent, DEFAULT_DATA_CAPTURE_SAMPLING_PERCENT)
    shifting = _or(traffic_shifting, DEFAULT_TRAFFIC_SHIFTING)
    step = _or(traffic_step_percent, DEFAULT_TRAFFIC_STEP_PERCENT)
    bake = _or(bake_minutes, DEFAULT_BAKE_MINUTES)
    memory = _or(serverless_memory_mb, DEFAULT_SERVERLESS_MEMORY_MB)
    concurrency = _or(serverless_max_concurrency, DEFAULT_SERVERLESS_MAX_CONCURRENCY)
    async_invocations = _or(async_max_concurrent_invocations, DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS)
    thresholds: dict[str, float] = {
        "alarm_5xx_errors": _or(alarm_5xx_errors, alarms.endpoint_5xx_errors),
        "alarm_4xx_rate_percent": _or(alarm_4xx_rate_percent, alarms.endpoint_4xx_rate_percent),
        "alarm_p99_latency_ms": _or(alarm_p99_latency_ms, alarms.endpoint_p99_latency_ms),
        "alarm_utilization_percent": _or(alarm_utilization_percent, alarms.utilization_percent),
    }

    check(chosen in MODES, "mode", chosen, "one of " + ", ".join(MODES), "pass mode='realtime' (the default)")
    name_source = "endpoint_name" if endpoint_name is not None else "endpoint_name (derived from stack name and id)"
    check(isinstance(name, str) and NAME.match(name) is not None, name_source, name,
          f"1-{MAX_NAME_LENGTH} letters, digits and hyphens, starting and ending with a letter or digit",
          "pass endpoint_name='my-model' (at most 63 characters)")
    if not serverless:
        if check(is_int(low) and low >= env.endpoint_min_capacity, "min_capacity", low,
                 f"an integer >= {env.endpoint_min_capacity} (policy endpoint_min_capacity in {env.name})",
                 f"pass min_capacity={env.endpoint_min_capacity} or leave it unset"):
            check(is_int(high) and low <= high, "max_capacity", high, f"an integer >= min_capacity ({low})",
                  "pass max_capacity >= min_capacity")
        check(is_int(high) and high <= env.endpoint_max_capacity, "max_capacity", high,
              f"an integer <= {env.endpoint_max_capacity} (policy endpoint_max_capacity in {env.name})",
              f"pass max_capacity={env.endpoint_max_capacity} or leave it unset")
        check(is_int(target) and target >= 1, "invocations_per_instance", target,
              "a positive integer (invocations per instance per minute)",
              f"pass invocations_per_instance={DEFAULT_INVOCATIONS_PER_INSTANCE}")
        check(is_int(sampling) and 0 <= sampling <= 100, "data_capture_sampling_percent", sampling,
              "an integer from 0 to 100", "pass data_capture_sampling_percent=100 (capture every request)")
    else:
        check(is_int(memory) and memory in SERVERLESS_MEMORY_SIZES, "serverless_memory_mb", memory,
              "one of " + ", ".join(map(str, SERVERLESS_MEMORY_SIZES)),
              f"pass serverless_memory_mb={DEFAULT_SERVERLESS_MEMORY_MB}")
        check(is_int(concurrency) and 1 <= concurrency <= SERVERLESS_MAX_CONCURRENCY,
              "serverless_max_concurrency", concurrency, f"an integer from 1 to {SERVERLESS_MAX_CONCURRENCY}",
              f"pass serverless_max_concurrency={DEFAULT_SERVERLESS_MAX_CONCURRENCY}")
    if chosen == "async":
        check(is_int(async_invocations) and 1 <= async_invocations <= ASYNC_MAX_CONCURRENT_INVOCATIONS,
              "async_max_concurrent_invocations", async_invocations,
              f"an integer from 1 to {ASYNC_MAX_CONCURRENT_INVOCATIONS}",
              f"pass async_max_concurrent_invocations={DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS}")
    check(shifting in TRAFFIC_SHIFTING, "traffic_shifting", shifting, " or ".join(TRAFFIC_SHIFTING),
          f"pass traffic_shifting='{DEFAULT_TRAFFIC_SHIFTING}'")
    check(is_int(step) and 1 <= step <= 100, "traffic_step_percent", step, "an integer from 1 to 100",
          f"pass traffic_step_percent={DEFAULT_TRAFFIC_STEP_PERCENT}")
    check(is_int(bake) and 0 <= bake <= MAX_BAKE_MINUTES, "bake_minutes", bake,
          f"an integer from 0 to {MAX_BAKE_MINUTES} (SageMaker waits at most 3600 s per step)",
          f"pass bake_minutes={DEFAULT_BAKE_MINUTES}")
    for argument, value in thresholds.items():
        percent = argument.endswith("percent")
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= (100 if percent
                                                                                             else math.inf)
        check(ok, argument, value, "a positive number" + (" up to 100" if percent else ""),
              f"leave {argument} unset to use the policy's alarm default")

    resolved = resolve_variants(
        policy, env, problems, serverless=serverless, model_data_url=model_data_url, instance_type=instance_type,
        image=image, variants=variants,
        primary_weight=_or(primary_weight, DEFAULT_PRIMARY_WEIGHT),
        default_image=_or(default_image, policy.images.inference))
    monitor = monitoring_settings(policy, env, problems, monitoring=monitoring,
                                  mode=chosen if chosen in MODES else DEFAULT_MODE)
    problems.raise_if_any()

    mode_specific: dict[str, object] = {
        "min_capacity": min_capacity, "max_capacity": max_capacity, "vpc": vpc,
        "invocations_per_instance": invocations_per_instance,
        "data_capture_sampling_percent": data_capture_sampling_percent,
        "alarm_utilization_percent": alarm_utilization_percent,
        "serverless_memory_mb": serverless_memory_mb, "serverless_max_concurrency": serverless_max_concurrency,
        "async_max_concurrent_invocations": async_max_concurrent_invocations,
    }
    ignored = {k: v for k, v in mode_specific.items() if v is not None and chosen not in MODE_SPECIFIC_ARGUMENTS[k]}
    warnings = _warnings(chosen, ignored, bake=bake, sampling=sampling)
    if serverless:  # what serverless does not use: the values the policy would give, never the ignored ones
        low, high, target, sampling = (env.endpoint_min_capacity, env.endpoint_max_capacity,
                                       DEFAULT_INVOCATIONS_PER_INSTANCE, DEFAULT_DATA_CAPTURE_SAMPLING_PERCENT)
    else:
        memory, concurrency = DEFAULT_SERVERLESS_MEMORY_MB, DEFAULT_SERVERLESS_MAX_CONCURRENCY
    if chosen != "async":
        async_invocations = DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS
    return EndpointSettings(
        mode=chosen, endpoint_name=name, variants=resolved, min_capacity=low, max_capacity=high,
        invocations_per_instance=target, data_capture_sampling_percent=sampling, traffic_shifting=shifting,
        traffic_step_percent=step, bake_minutes=bake, serverless_memory_mb=memory,
        serverless_max_concurrency=concurrency, async_max_concurrent_invocations=async_invocations,
        alarm_5xx_errors=thresholds["alarm_5xx_errors"],
        alarm_4xx_rate_percent=thresholds["alarm_4xx_rate_percent"],
        alarm_p99_latency_ms=thresholds["alarm_p99_latency_ms"],
        alarm_utilization_percent=thresholds["alarm_utilization_percent"],
        alarm_period_minutes=alarms.period_minutes, alarm_evaluation_periods=alarms.evaluation_periods,
        warnings=warnings, monitoring=monitor,
    )


def _warnings(mode: str, ignored: dict[str, object], *, bake: int, sampling: int) -> tuple[SettingsWarning, ...]:
    warnings: list[SettingsWarning] = []
    if ignored:
        given = ", ".join(("vpc" if k == "vpc" else f"{k}={v!r}") + f" ({'/'.join(MODE_SPECIFIC_ARGUMENTS[k])} only)"
                          for k, v in ignored.items())
        warnings.append(SettingsWarning(WARNING_IGNORED_ARGUMENTS, (
            f"mode={mode!r} ignores {given}. Remove what this mode does not use, or choose the mode it is for.")))
    if bake == 0:
        warnings.append(SettingsWarning(WARNING_NO_BAKE_TIME, (
            "bake_minutes=0: each traffic step and the removal of the old fleet follow at once, so no rollback "
            f"alarm can stop a bad deployment. Pass bake_minutes={DEFAULT_BAKE_MINUTES} (the default) or more.")))
    if sampling == 0 and mode != "serverless":
        warnings.append(SettingsWarning(WARNING_NO_CAPTURE, (
            "data_capture_sampling_percent=0: data capture is on but records no request, so model monitoring "
            "and audits have nothing to read. Pass a sampling percentage above 0.")))
    return tuple(warnings)


def _or(value: _T | None, default: _T) -> _T:
    """The argument given, else its default: every default is applied through here."""
    return value if value is not None else default
