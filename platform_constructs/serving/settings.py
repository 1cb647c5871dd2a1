"""The endpoint's settings: every argument of :class:`SecureModelEndpoint` validated against the policy, with the
defaults applied, as one frozen :class:`EndpointSettings` — or one :class:`PlatformValidationError` listing every
problem. Pure: no ``aws_cdk`` import, so validation and its property tests run without a Node process.

What the construct needs from its scope is passed in as plain values: the stack's name and the construct's id (for
the default endpoint name) and the app's golden inference image, if it has one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TypeVar

from platform_constructs import catalog
from platform_constructs.errors import Problems
from platform_constructs.policy import EnvironmentPolicy, Policy
from platform_constructs.serving import deployment, notices
from platform_constructs.serving.arguments import check_bool
from platform_constructs.serving.checks import (
    ASYNC_MAX_CONCURRENT_INVOCATIONS,
    DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS,
    DEFAULT_BACKLOG_PER_INSTANCE,
    DEFAULT_BAKE_MINUTES,
    DEFAULT_DATA_CAPTURE_SAMPLING_PERCENT,
    DEFAULT_INVOCATIONS_PER_INSTANCE,
    DEFAULT_MODE,
    DEFAULT_SERVERLESS_MAX_CONCURRENCY,
    DEFAULT_SERVERLESS_MEMORY_MB,
    DEFAULT_TRAFFIC_SHIFTING,
    DEFAULT_TRAFFIC_STEP_PERCENT,
    MAX_BAKE_MINUTES,
    MAX_BASE_NAME_LENGTH,
    MODES,
    TRAFFIC_SHIFTING,
    ArgumentChecks,
    EndpointMode,
    TrafficShifting,
)
from platform_constructs.serving.deployment import ScheduledScaling, TrafficRouting
from platform_constructs.serving.monitoring_settings import MonitoringSettings, monitoring_settings
from platform_constructs.serving.notices import SettingsWarning
from platform_constructs.serving.variants import DEFAULT_PRIMARY_WEIGHT, ModelVariant, artifact_object, resolve_variants

_T = TypeVar("_T")
MAX_ROLLBACK_ALARMS = 10
"""SageMaker's limit of alarms in an endpoint's auto-rollback configuration (``AutoRollbackConfig``)."""
ROLLBACK_ALARMS_PER_VARIANT = 2
"""5xx errors and p99 model latency."""

DATA_CAPTURE_PREFIX = "data-capture"
ASYNC_INPUT_PREFIX = "async-input"
ASYNC_OUTPUT_PREFIX = "async-output"
ASYNC_FAILURE_PREFIX = "async-failures"

_INSTANCES: tuple[EndpointMode, ...] = ("realtime", "async")
MODE_SPECIFIC_ARGUMENTS: dict[str, tuple[EndpointMode, ...]] = {
    "min_capacity": _INSTANCES, "max_capacity": _INSTANCES, "data_capture_sampling_percent": _INSTANCES,
    "alarm_utilization_percent": _INSTANCES, "vpc": _INSTANCES, "traffic_shifting": _INSTANCES,
    "traffic_step_percent": _INSTANCES, "bake_minutes": _INSTANCES, "sleep": _INSTANCES,
    "invocations_per_instance": ("realtime",), "backlog_per_instance": ("async",),
    "serverless_memory_mb": ("serverless",), "serverless_max_concurrency": ("serverless",),
    "serverless_provisioned_concurrency": ("serverless",), "async_max_concurrent_invocations": ("async",),
}
"""The arguments only some modes use (the others ignore them, with the warning ``WARNING_IGNORED_ARGUMENTS``)."""

# The warning ids, where they have always been importable from.
WARNING_IGNORED_ARGUMENTS = notices.WARNING_IGNORED_ARGUMENTS
WARNING_NO_BAKE_TIME = notices.WARNING_NO_BAKE_TIME
WARNING_ALL_AT_ONCE = notices.WARNING_ALL_AT_ONCE
WARNING_NO_AUTOSCALING = notices.WARNING_NO_AUTOSCALING
WARNING_NO_SLEEP = notices.WARNING_NO_SLEEP


@dataclass(frozen=True)
class EndpointSettings:
    """The validated arguments of one endpoint, every default applied (what the construct builds)."""

    mode: EndpointMode
    name: str
    """The endpoint's stable name (``endpoint_name``, or derived from the stack and id)."""
    generation: str
    """Hash of what an update cannot change (:func:`~.deployment.generation`)."""
    variants: tuple[ModelVariant, ...]
    """The primary variant first, then the additional ones, each with its defaults applied."""
    min_capacity: int
    """Instances per variant the autoscaling keeps at least (0: an asynchronous endpoint may scale to zero)."""
    max_capacity: int
    invocations_per_instance: int
    backlog_per_instance: float
    data_capture_sampling_percent: int
    traffic_shifting: TrafficShifting
    """What was asked for; :attr:`traffic_routing` is what the capacity allows."""
    traffic_routing: TrafficRouting
    traffic_step_percent: int
    bake_minutes: int
    serverless_memory_mb: int
    serverless_max_concurrency: int
    serverless_provisioned_concurrency: int | None
    async_max_concurrent_invocations: int
    schedule: tuple[ScheduledScaling, ...]
    """The scheduled actions of every scalable target (sleep, wake); empty when the endpoint never sleeps."""
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
    def endpoint_name(self) -> str:
        """The endpoint's SageMaker name: ``<name>-<generation>`` (a new endpoint when the generation changes)."""
        return deployment.physical_name(self.name, self.generation)

    @property
    def serverless(self) -> bool:
        return self.mode == "serverless"

    @property
    def initial_instance_count(self) -> int:
        """Instances per variant at creation (SageMaker starts every instance variant with at least one)."""
        return max(self.min_capacity, 1)

    @property
    def scales_to_zero(self) -> bool:
        return self.mode == "async" and self.min_capacity == 0

    @property
    def autoscaled_variants(self) -> tuple[ModelVariant, ...]:
        return tuple(v for v in self.variants if v.autoscaled)

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
        """``bucket/key`` of each distinct model artifact object named at synth (``model_data_url``), sorted."""
        return tuple(sorted({artifact_object(v.model_data_url) for v in self.variants if v.model_data_url}))

    @property
    def model_packages(self) -> tuple[str, ...]:
        """The model registry groups whose latest Approved package a variant serves (``model_package``), sorted."""
        return tuple(sorted({v.model_package.group for v in self.variants if v.model_package is not None}))


def default_endpoint_name(stack_name: str, construct_id: str) -> str:
    """``<stack name>-<id>`` in SageMaker's alphabet, shortened with a stable hash suffix beyond
    :data:`MAX_BASE_NAME_LENGTH` characters (the generation follows it)."""
    raw = f"{stack_name}-{construct_id}"
    name = re.sub(r"-+", "-", re.sub(r"[^a-zA-Z0-9-]", "-", raw)).strip("-") or "endpoint"
    if len(name) > MAX_BASE_NAME_LENGTH:
        digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
        name = f"{name[:MAX_BASE_NAME_LENGTH - 9].rstrip('-')}-{digest}"
    return name


def endpoint_settings(
    policy: Policy, env: EnvironmentPolicy, *, stack_name: str, construct_id: str, model_data_url: object = None,
    golden_image: str | None = None, problems: Problems | None = None, instance_type: object = None,
    image: object = None, framework: object = None, variants: object = (), primary_weight: object = None,
    mode: object = None, min_capacity: object = None, max_capacity: object = None,
    invocations_per_instance: object = None, backlog_per_instance: object = None,
    data_capture_sampling_percent: object = None, traffic_shifting: object = None,
    traffic_step_percent: object = None, bake_minutes: object = None, serverless_memory_mb: object = None,
    serverless_max_concurrency: object = None, serverless_provisioned_concurrency: object = None,
    async_max_concurrent_invocations: object = None, sleep: object = None, alarm_5xx_errors: object = None,
    alarm_4xx_rate_percent: object = None, alarm_p99_latency_ms: object = None,
    alarm_utilization_percent: object = None, endpoint_name: object = None, vpc: object = None,
    monitoring: object = None, model_package: object = None,
    image_accounts: tuple[str, ...] = (),
) -> EndpointSettings:
    """Validate the arguments of :class:`SecureModelEndpoint` against ``policy`` / ``env`` and apply the defaults.

    The arguments and their defaults are those of the construct (documented there). ``golden_image`` is the app's
    golden inference image (default: none, so variants given no image serve the policy's framework images).
    ``image_accounts``: the accounts ``{account}`` of an approved registry may be (default: none known at synth).
    ``problems`` collects the problems of the construct's other arguments (its tags), reported first; by default
    there are none and messages name ``<stack_name>/<construct_id>``. Raises one
    :class:`~platform_constructs.errors.PlatformValidationError` with every problem found.
    """
    problems = problems if problems is not None else Problems(f"{stack_name}/{construct_id}")
    checks = ArgumentChecks(policy, env, problems)
    chosen = checks.mode(mode)
    name = checks.name(endpoint_name, default_endpoint_name(stack_name, construct_id))
    values = checks.mode_values(
        chosen, min_capacity=min_capacity, max_capacity=max_capacity,
        invocations_per_instance=invocations_per_instance, backlog_per_instance=backlog_per_instance,
        data_capture_sampling_percent=data_capture_sampling_percent, serverless_memory_mb=serverless_memory_mb,
        serverless_max_concurrency=serverless_max_concurrency,
        serverless_provisioned_concurrency=serverless_provisioned_concurrency,
        async_max_concurrent_invocations=async_max_concurrent_invocations)
    shifting, step, bake = checks.traffic(traffic_shifting, traffic_step_percent, bake_minutes)
    thresholds = checks.thresholds(alarm_5xx_errors=alarm_5xx_errors, alarm_4xx_rate_percent=alarm_4xx_rate_percent,
                                   alarm_p99_latency_ms=alarm_p99_latency_ms,
                                   alarm_utilization_percent=alarm_utilization_percent)
    if sleep is not None:
        check_bool(problems, "sleep", sleep, fix="pass sleep=False to keep the endpoint awake, or leave it unset")
    resolved = resolve_variants(
        policy, env, problems, serverless=chosen == "serverless", model_data_url=model_data_url,
        instance_type=instance_type, image=image, framework=framework, variants=variants,
        primary_weight=_or(primary_weight, DEFAULT_PRIMARY_WEIGHT), golden_image=golden_image,
        image_accounts=image_accounts, model_package=model_package)
    monitor = monitoring_settings(policy, env, problems, monitoring=monitoring,
                                  mode=chosen if chosen in MODES else DEFAULT_MODE)
    problems.raise_if_any()

    given = {"min_capacity": min_capacity, "max_capacity": max_capacity, "vpc": vpc, "sleep": sleep,
             "invocations_per_instance": invocations_per_instance, "backlog_per_instance": backlog_per_instance,
             "data_capture_sampling_percent": data_capture_sampling_percent,
             "alarm_utilization_percent": alarm_utilization_percent, "traffic_shifting": traffic_shifting,
             "traffic_step_percent": traffic_step_percent, "bake_minutes": bake_minutes,
             "serverless_memory_mb": serverless_memory_mb, "serverless_max_concurrency": serverless_max_concurrency,
             "serverless_provisioned_concurrency": serverless_provisioned_concurrency,
             "async_max_concurrent_invocations": async_max_concurrent_invocations}
    ignored = {k: v for k, v in given.items() if v is not None and chosen not in MODE_SPECIFIC_ARGUMENTS[k]}
    warnings = [notices.ignored_arguments(chosen, ignored, MODE_SPECIFIC_ARGUMENTS)] if ignored else []
    routing: TrafficRouting = "ALL_AT_ONCE"
    schedule: tuple[ScheduledScaling, ...] = ()
    if chosen != "serverless":
        low, high = values.min_capacity, values.max_capacity
        routing = deployment.traffic_routing(shifting, step, low)
        if routing == "ALL_AT_ONCE":
            needed = next(n for n in range(1, 201) if deployment.traffic_routing(shifting, step, n) != routing)
            warnings.append(notices.all_at_once(shifting, step, low, needed))
        if bake == 0:
            warnings.append(notices.no_bake_time(DEFAULT_BAKE_MINUTES))
        if sleep is not False and env.endpoint_schedule is not None:
            floor = env.async_min_capacity if chosen == "async" else max(env.endpoint_min_capacity,
                                                                          deployment.REALTIME_FLOOR)
            schedule = deployment.sleep_schedule(env.endpoint_schedule, floor=min(floor, low), min_capacity=low,
                                                 max_capacity=high)
        elif sleep is True:
            warnings.append(notices.no_sleep(f"the policy gives {env.name} no endpoint_schedule"))
        fixed = [(v.name, str(v.instance_type)) for v in resolved if not v.autoscaled]
        if fixed:
            warnings.append(notices.no_autoscaling(fixed, low, sleeps=bool(schedule)))
    return EndpointSettings(
        mode=chosen, name=name, generation=deployment.generation(chosen, [(v.name, v.instance_type)
                                                                          for v in resolved]),
        variants=resolved, min_capacity=values.min_capacity, max_capacity=values.max_capacity,
        invocations_per_instance=values.invocations_per_instance, backlog_per_instance=values.backlog_per_instance,
        data_capture_sampling_percent=values.data_capture_sampling_percent, traffic_shifting=shifting,
        traffic_routing=routing, traffic_step_percent=step, bake_minutes=bake,
        serverless_memory_mb=values.serverless_memory_mb, serverless_max_concurrency=values.serverless_max_concurrency,
        serverless_provisioned_concurrency=values.serverless_provisioned_concurrency,
        async_max_concurrent_invocations=values.async_max_concurrent_invocations, schedule=schedule,
        alarm_5xx_errors=thresholds["alarm_5xx_errors"], alarm_4xx_rate_percent=thresholds["alarm_4xx_rate_percent"],
        alarm_p99_latency_ms=thresholds["alarm_p99_latency_ms"],
        alarm_utilization_percent=thresholds["alarm_utilization_percent"],
        alarm_period_minutes=policy.alarms.period_minutes, alarm_evaluation_periods=policy.alarms.evaluation_periods,
        warnings=tuple(warnings), monitoring=monitor,
    )


def _or(value: _T | None, default: _T) -> _T:
    """The argument given, else its default: every default is applied through here."""
    return value if value is not None else default


__all__ = [  # the defaults and limits live in .checks; importable from here as they always were
    "ASYNC_FAILURE_PREFIX", "ASYNC_INPUT_PREFIX", "ASYNC_MAX_CONCURRENT_INVOCATIONS", "ASYNC_OUTPUT_PREFIX",
    "DATA_CAPTURE_PREFIX", "DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS",
    "DEFAULT_BACKLOG_PER_INSTANCE", "DEFAULT_BAKE_MINUTES", "DEFAULT_DATA_CAPTURE_SAMPLING_PERCENT",
    "DEFAULT_INVOCATIONS_PER_INSTANCE", "DEFAULT_MODE", "DEFAULT_SERVERLESS_MAX_CONCURRENCY",
    "DEFAULT_SERVERLESS_MEMORY_MB", "DEFAULT_TRAFFIC_SHIFTING", "DEFAULT_TRAFFIC_STEP_PERCENT", "MAX_BAKE_MINUTES",
    "MAX_BASE_NAME_LENGTH", "MAX_ROLLBACK_ALARMS", "MODES", "MODE_SPECIFIC_ARGUMENTS", "TRAFFIC_SHIFTING",
    "WARNING_ALL_AT_ONCE", "WARNING_IGNORED_ARGUMENTS", "WARNING_NO_AUTOSCALING", "WARNING_NO_BAKE_TIME",
    "WARNING_NO_SLEEP", "EndpointMode", "EndpointSettings", "SettingsWarning", "TrafficShifting",
    "default_endpoint_name", "endpoint_settings",
]
