"""The endpoint's argument checks and defaults, one method per group of arguments (used by :mod:`.settings`).

Pure (no ``aws_cdk``). Each method records every problem of its arguments in the shared
:class:`~platform_constructs.errors.Problems` and returns the values with the defaults applied (a default in place
of a wrong value, so the remaining checks can run; the problems are raised before anything is built).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from platform_constructs.errors import Problems
from platform_constructs.policy import EnvironmentPolicy, Policy
from platform_constructs.policy_serving import SERVERLESS_MEMORY_SIZES
from platform_constructs.serving.arguments import check_choice, check_int, check_number, is_int
from platform_constructs.serving.variants import NAME
from platform_constructs.values import describe

EndpointMode = Literal["realtime", "serverless", "async"]
TrafficShifting = Literal["canary", "linear"]
MODES: tuple[str, ...] = ("realtime", "serverless", "async")
TRAFFIC_SHIFTING: tuple[str, ...] = ("canary", "linear")
GENERATION_SUFFIX_LENGTH = 9
"""``-<8 hex digits>`` of the generation that follows the endpoint's name."""
MAX_BASE_NAME_LENGTH = 63 - GENERATION_SUFFIX_LENGTH
"""SageMaker's 63 characters for an endpoint's name, less ``-<generation>``."""

DEFAULT_MODE: EndpointMode = "realtime"
DEFAULT_INVOCATIONS_PER_INSTANCE = 1000
"""Target of the real-time target-tracking policy: invocations per instance per minute."""
MAX_INVOCATIONS_PER_INSTANCE = 1_000_000
"""The highest target accepted (about 16,700 requests a second per instance): a target the instances never reach
would never scale out, which is no autoscaling at all."""
DEFAULT_BACKLOG_PER_INSTANCE = 5.0
"""Target of the asynchronous target-tracking policy: queued requests per instance (``ApproximateBacklogSize
PerInstance``; the value of SageMaker's own asynchronous autoscaling example)."""
DEFAULT_DATA_CAPTURE_SAMPLING_PERCENT = 100
DEFAULT_TRAFFIC_SHIFTING: TrafficShifting = "canary"
DEFAULT_TRAFFIC_STEP_PERCENT = 10
"""Canary size (or linear step) of a blue/green deployment, in percent of capacity."""
MIN_LINEAR_STEP_PERCENT = 10
MAX_TRAFFIC_STEP_PERCENT = 50
"""A canary must be at most 50 % of a variant's capacity, a linear step 10-50 % (``TrafficRoutingConfig``)."""
DEFAULT_BAKE_MINUTES = 10
"""Minutes the new fleet must run alarm-free before the next traffic step (and before the old one is removed)."""
MAX_BAKE_MINUTES = 60
"""SageMaker waits at most 3600 s per traffic step."""
DEFAULT_SERVERLESS_MEMORY_MB = 2048
DEFAULT_SERVERLESS_MAX_CONCURRENCY = 5
DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS = 4
ASYNC_MAX_CONCURRENT_INVOCATIONS = 1000


@dataclass(frozen=True)
class ModeValues:
    """The capacity arguments of the chosen mode, defaults applied; the other modes' get their defaults."""

    min_capacity: int
    max_capacity: int
    invocations_per_instance: int
    backlog_per_instance: float
    data_capture_sampling_percent: int
    serverless_memory_mb: int
    serverless_max_concurrency: int
    serverless_provisioned_concurrency: int | None
    async_max_concurrent_invocations: int


class ArgumentChecks:
    """The checks of one :func:`~.settings.endpoint_settings` call."""

    def __init__(self, policy: Policy, env: EnvironmentPolicy, problems: Problems) -> None:
        self.policy, self.env, self.problems = policy, env, problems

    def mode(self, mode: object) -> EndpointMode:
        chosen = DEFAULT_MODE if mode is None else mode
        if not check_choice(self.problems, "mode", chosen, MODES, default=DEFAULT_MODE):
            return DEFAULT_MODE
        serverless = self.env.endpoint_serverless
        self.problems.check(
            chosen != "serverless" or serverless.allowed, "mode", chosen,
            f"'realtime' or 'async' in {self.env.name} (the policy's endpoint_serverless.allowed is false: a "
            "serverless endpoint has no VPC, network isolation or data capture)",
            "pass mode='realtime' (or mode='async' for requests that may wait), or choose another environment")
        return cast(EndpointMode, chosen)

    def name(self, endpoint_name: object, default: str) -> str:
        name = default if endpoint_name is None else endpoint_name
        source = "endpoint_name" if endpoint_name is not None else "endpoint_name (derived from stack name and id)"
        if isinstance(name, str) and NAME.fullmatch(name) is not None and len(name) <= MAX_BASE_NAME_LENGTH:
            return name
        allowed = (f"1-{MAX_BASE_NAME_LENGTH} letters, digits and hyphens, starting and ending with a letter or digit "
                   f"(SageMaker's 63 characters less the '-<generation>' the platform appends)")
        if not isinstance(name, str):
            allowed += f", got {describe(name)}"
        fixed = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:MAX_BASE_NAME_LENGTH].strip("-") \
            if isinstance(name, str) else ""
        self.problems.add(source, name, allowed, f"pass endpoint_name='{fixed or 'my-model'}'")
        return default

    def mode_values(self, mode: EndpointMode, *, min_capacity: object, max_capacity: object,
                    invocations_per_instance: object, backlog_per_instance: object,
                    data_capture_sampling_percent: object, serverless_memory_mb: object,
                    serverless_max_concurrency: object, serverless_provisioned_concurrency: object,
                    async_max_concurrent_invocations: object) -> ModeValues:
        env, problems = self.env, self.problems
        floor = env.async_min_capacity if mode == "async" else env.endpoint_min_capacity
        values = ModeValues(
            min_capacity=floor, max_capacity=env.endpoint_max_capacity,
            invocations_per_instance=DEFAULT_INVOCATIONS_PER_INSTANCE,
            backlog_per_instance=DEFAULT_BACKLOG_PER_INSTANCE,
            data_capture_sampling_percent=DEFAULT_DATA_CAPTURE_SAMPLING_PERCENT,
            serverless_memory_mb=DEFAULT_SERVERLESS_MEMORY_MB,
            serverless_max_concurrency=min(DEFAULT_SERVERLESS_MAX_CONCURRENCY, env.endpoint_serverless.max_concurrency),
            serverless_provisioned_concurrency=None,
            async_max_concurrent_invocations=DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS)
        if mode == "serverless":
            return self._serverless(values, serverless_memory_mb, serverless_max_concurrency,
                                    serverless_provisioned_concurrency)
        kind = "asynchronous" if mode == "async" else "real-time"
        low, high = values.min_capacity, values.max_capacity
        if min_capacity is not None and check_int(
                problems, "min_capacity", min_capacity, low=floor, high=env.endpoint_max_capacity, default=floor,
                meaning=f"the policy's floor for {kind} endpoints in {env.name} is {floor}"):
            low = cast(int, min_capacity)
        if max_capacity is not None and check_int(
                problems, "max_capacity", max_capacity, low=max(low, 1), high=env.endpoint_max_capacity,
                default=env.endpoint_max_capacity,
                meaning=f"at least min_capacity and at most the policy's endpoint_max_capacity in {env.name}"):
            high = cast(int, max_capacity)
        sampling = values.data_capture_sampling_percent
        if data_capture_sampling_percent is not None:
            if data_capture_sampling_percent == 0 and is_int(data_capture_sampling_percent):
                problems.add("data_capture_sampling_percent", 0, (
                    "an integer from 1 to 100: data capture is mandatory, and 0 % would capture no request, leaving "
                    "model monitoring and audits nothing to read"),
                    "pass data_capture_sampling_percent=100, or a smaller share such as 10 to capture fewer requests")
            elif check_int(problems, "data_capture_sampling_percent", data_capture_sampling_percent, low=1,
                           high=100, default=DEFAULT_DATA_CAPTURE_SAMPLING_PERCENT, percent=True,
                           meaning="percent of requests captured"):
                sampling = cast(int, data_capture_sampling_percent)
        target, backlog = values.invocations_per_instance, values.backlog_per_instance
        if mode == "realtime" and invocations_per_instance is not None and check_int(
                problems, "invocations_per_instance", invocations_per_instance, low=1,
                high=MAX_INVOCATIONS_PER_INSTANCE, default=DEFAULT_INVOCATIONS_PER_INSTANCE,
                meaning="invocations per instance per minute"):
            target = cast(int, invocations_per_instance)
        if mode == "async" and backlog_per_instance is not None and check_number(
                problems, "backlog_per_instance", backlog_per_instance,
                fix=f"pass backlog_per_instance={DEFAULT_BACKLOG_PER_INSTANCE:g} (queued requests per instance)"):
            backlog = float(cast(float, backlog_per_instance))
        invocations = values.async_max_concurrent_invocations
        if mode == "async" and async_max_concurrent_invocations is not None and check_int(
                problems, "async_max_concurrent_invocations", async_max_concurrent_invocations, low=1,
                high=ASYNC_MAX_CONCURRENT_INVOCATIONS, default=DEFAULT_ASYNC_MAX_CONCURRENT_INVOCATIONS):
            invocations = cast(int, async_max_concurrent_invocations)
        return ModeValues(low, high, target, backlog, sampling, values.serverless_memory_mb,
                          values.serverless_max_concurrency, None, invocations)

    def _serverless(self, values: ModeValues, memory: object, concurrency: object,
                    provisioned: object) -> ModeValues:
        bounds, problems, env = self.env.endpoint_serverless, self.problems, self.env.name
        memory_mb, max_concurrency, warm = values.serverless_memory_mb, values.serverless_max_concurrency, None
        sizes = [s for s in SERVERLESS_MEMORY_SIZES if s <= bounds.max_memory_mb]
        if memory is not None:
            if isinstance(memory, int) and not isinstance(memory, bool) and memory in sizes:
                memory_mb = memory
            else:
                nearest = min(sizes, key=lambda s: abs(s - memory) if isinstance(memory, (int, float))
                              and not isinstance(memory, bool) else s)
                problems.add("serverless_memory_mb", memory, "one of " + ", ".join(map(str, sizes)) +
                             f" (MB; the policy's endpoint_serverless.max_memory_mb in {env} is "
                             f"{bounds.max_memory_mb})" + ("" if is_int(memory) else f", got {describe(memory)}"),
                             f"pass serverless_memory_mb={nearest}")
        if concurrency is not None and check_int(
                problems, "serverless_max_concurrency", concurrency, low=1, high=bounds.max_concurrency,
                default=min(DEFAULT_SERVERLESS_MAX_CONCURRENCY, bounds.max_concurrency),
                meaning=f"concurrent invocations; the policy's endpoint_serverless.max_concurrency in {env}"):
            max_concurrency = cast(int, concurrency)
        if provisioned is not None:
            ceiling = min(max_concurrency, bounds.max_provisioned_concurrency)
            if ceiling < 1:
                problems.add("serverless_provisioned_concurrency", provisioned,
                             f"none in {env} (the policy's endpoint_serverless.max_provisioned_concurrency is 0)",
                             "remove serverless_provisioned_concurrency, or choose another environment")
            elif check_int(problems, "serverless_provisioned_concurrency", provisioned, low=1, high=ceiling,
                           default=1, meaning="warm instances kept ready; at most serverless_max_concurrency and "
                                              f"the policy's endpoint_serverless.max_provisioned_concurrency in {env}"):
                warm = cast(int, provisioned)
        return ModeValues(values.min_capacity, values.max_capacity, values.invocations_per_instance,
                          values.backlog_per_instance, values.data_capture_sampling_percent, memory_mb,
                          max_concurrency, warm, values.async_max_concurrent_invocations)

    def traffic(self, shifting: object, step: object, bake: object) -> tuple[TrafficShifting, int, int]:
        problems = self.problems
        chosen: TrafficShifting = DEFAULT_TRAFFIC_SHIFTING
        if shifting is not None and check_choice(problems, "traffic_shifting", shifting, TRAFFIC_SHIFTING,
                                                 default=DEFAULT_TRAFFIC_SHIFTING):
            chosen = cast(TrafficShifting, shifting)
        size = DEFAULT_TRAFFIC_STEP_PERCENT
        low = MIN_LINEAR_STEP_PERCENT if chosen == "linear" else 1
        if step is not None and check_int(
                problems, "traffic_step_percent", step, low=low, high=MAX_TRAFFIC_STEP_PERCENT,
                default=DEFAULT_TRAFFIC_STEP_PERCENT,
                meaning=f"percent of capacity per {chosen} step; SageMaker's range for a {chosen} step"):
            size = cast(int, step)
        minutes = DEFAULT_BAKE_MINUTES
        if bake is not None and check_int(
                problems, "bake_minutes", bake, low=0, high=MAX_BAKE_MINUTES, default=DEFAULT_BAKE_MINUTES,
                meaning="SageMaker waits at most 3600 s per step"):
            minutes = cast(int, bake)
        return chosen, size, minutes

    def thresholds(self, **given: object) -> dict[str, float]:
        alarms = self.policy.alarms
        defaults = {"alarm_5xx_errors": alarms.endpoint_5xx_errors,
                    "alarm_4xx_rate_percent": alarms.endpoint_4xx_rate_percent,
                    "alarm_p99_latency_ms": alarms.endpoint_p99_latency_ms,
                    "alarm_utilization_percent": alarms.utilization_percent}
        result: dict[str, float] = {}
        for argument, default in defaults.items():
            value = given[argument]
            result[argument] = default  # as written (an integer threshold stays one in the alarm's text)
            if value is not None and check_number(
                    self.problems, argument, value, high=100.0 if argument.endswith("percent") else None,
                    fix=f"leave {argument} unset to use the policy's alarm default ({default:g})"):
                result[argument] = cast(float, value)
        return result
