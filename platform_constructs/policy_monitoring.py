"""The policy's keys for model monitoring and the model registry: their schema, dataclasses and checks.

Read by :mod:`.policy` (pure: no ``aws_cdk``). Every key is optional, so a policy file written before they existed
still loads with the documented defaults:

* ``monitoring``: the defaults of SageMaker Model Monitor on an endpoint (``SecureModelEndpoint(monitoring=...)``):
  schedule, the monitoring jobs' instances and runtime, and the alarm threshold on monitoring executions that found
  constraint violations;
* ``registries.model_monitor``: the registry of SageMaker Model Monitor's analyzer image
  (``sagemaker-model-monitor-analyzer``), hosted by one AWS account per region: the only image monitoring jobs run;
* ``model_registry``: where the approved model package of each project group is published (SSM prefix) and which
  of the organisation's workload accounts may read the groups;
* per environment: ``monitoring_required`` (an endpoint there must be monitored; prod as shipped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SCHEDULES = ("hourly", "daily")
"""Model Monitor schedules the platform offers: on every hour, or every day at midnight UTC."""
SCHEDULE_EXPRESSIONS = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}
"""The schedule's cron expression (SageMaker Python SDK ``CronExpressionGenerator.hourly()`` / ``daily()``)."""
SCHEDULE_SECONDS = {"hourly": 3600, "daily": 86400}
MAX_RUNTIME_SECONDS = {("data-quality", "hourly"): 3600, ("model-quality", "hourly"): 1800,
                       ("data-quality", "daily"): 86400, ("model-quality", "daily"): 86400}
"""``MonitoringStoppingCondition.MaxRuntimeInSeconds`` "cannot exceed the frequency of the job. For data quality ...
up to 3600 seconds for an hourly schedule. For model bias and model quality hourly schedules, ... up to 1800
seconds"; valid range 1-86400 (SageMaker API reference, MonitoringStoppingCondition)."""

MONITORING_KEYS: dict[str, Any] = {"?monitoring": {
    "schedule": str, "instance_type": str, "instance_count": int, "volume_size_gb": int,
    "max_runtime_minutes": int, "violations_alarm_threshold": int,
}}
"""Schema of the top-level ``monitoring`` section (merged into ``policy_schema.SCHEMA``)."""
REGISTRY_KEYS: dict[str, Any] = {"?model_registry": {"ssm_prefix": str, "?workload_accounts": [str]}}
"""Schema of the top-level ``model_registry`` section."""
REGISTRIES_KEYS: dict[str, Any] = {"?model_monitor": {"repository": str, "accounts": {"*": str}}}
"""Schema of ``registries.model_monitor``."""
ENVIRONMENT_KEYS: dict[str, Any] = {"?monitoring_required": bool}
"""Schema of the per-environment monitoring key."""

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]")
_REPOSITORY = re.compile(r"[a-z0-9]+(?:[._/-][a-z0-9]+)*")
_SSM_PREFIX = re.compile(r"(/[A-Za-z0-9_.-]+)+")
MAX_INSTANCE_COUNT = 100
"""``MonitoringClusterConfig.InstanceCount``: 1-100."""
MAX_VOLUME_SIZE_GB = 16384
"""``MonitoringClusterConfig.VolumeSizeInGB``: 1-16384."""


@dataclass(frozen=True)
class MonitoringPolicy:
    """Defaults of SageMaker Model Monitor on an endpoint (``monitoring:``).

    The shipped values: hourly executions on one ``ml.m5.xlarge`` with a 20 GB volume, at most 30 minutes each (the
    limit for hourly model-quality jobs), and an alarm as soon as one execution in a schedule period finds a
    constraint violation."""

    schedule: str = "hourly"
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = 1
    volume_size_gb: int = 20
    max_runtime_minutes: int = 30
    violations_alarm_threshold: int = 1
    """Monitoring executions with constraint violations, per schedule period, that set off the alarm."""


@dataclass(frozen=True)
class ModelMonitorRegistry:
    """SageMaker Model Monitor's analyzer image registry (``registries.model_monitor``): ``repository`` in the
    account ``accounts[region]``. Default: none (monitoring is refused with a message naming this key)."""

    repository: str = "sagemaker-model-monitor-analyzer"
    accounts: dict[str, str] = field(default_factory=dict)

    def image(self, account: str, region: str) -> str:
        """The analyzer image in ``region`` hosted by ``account`` (SageMaker documents no tag: the image it
        maintains)."""
        return f"{account}.dkr.ecr.{region}.amazonaws.com/{self.repository}"


@dataclass(frozen=True)
class RegistryPolicy:
    """The model registry (``model_registry:``): the SSM prefix under which each project's latest approved model
    package is published, and the workload accounts that may read the model package groups. Default: prefix
    ``/platform/model-registry``, no other account."""

    ssm_prefix: str = "/platform/model-registry"
    workload_accounts: tuple[str, ...] = ()


def monitoring(data: dict[str, Any]) -> MonitoringPolicy:
    return MonitoringPolicy(**data["monitoring"]) if "monitoring" in data else MonitoringPolicy()


def model_monitor_registry(registries: dict[str, Any]) -> ModelMonitorRegistry:
    spec = registries.get("model_monitor")
    return ModelMonitorRegistry(repository=spec["repository"], accounts=dict(spec["accounts"])) if spec \
        else ModelMonitorRegistry()


def registry(data: dict[str, Any]) -> RegistryPolicy:
    spec = data.get("model_registry")
    if spec is None:
        return RegistryPolicy()
    return RegistryPolicy(ssm_prefix=spec["ssm_prefix"], workload_accounts=tuple(spec.get("workload_accounts", ())))


def check(data: dict[str, Any], problems: list[str]) -> None:
    """The semantic checks of the monitoring and registry keys of a schema-valid policy ``data``."""
    spec = data.get("monitoring")
    if spec is not None:
        if spec["schedule"] not in SCHEDULES:
            problems.append(f"monitoring.schedule: expected one of {', '.join(SCHEDULES)}, got {spec['schedule']!r}")
        if not spec["instance_type"].startswith("ml."):
            problems.append(f"monitoring.instance_type: expected a SageMaker instance type (ml.*), got "
                            f"{spec['instance_type']!r}")
        for key, high in (("instance_count", MAX_INSTANCE_COUNT), ("volume_size_gb", MAX_VOLUME_SIZE_GB),
                          ("max_runtime_minutes", 24 * 60), ("violations_alarm_threshold", None)):
            if spec[key] < 1 or (high is not None and spec[key] > high):
                expected = f"1..{high}" if high is not None else "a positive integer"
                problems.append(f"monitoring.{key}: expected {expected}, got {spec[key]!r}")
        schedule = spec["schedule"] if spec["schedule"] in SCHEDULES else "hourly"
        limit = min(MAX_RUNTIME_SECONDS[(kind, schedule)] for kind in ("data-quality", "model-quality"))
        if spec["max_runtime_minutes"] * 60 > limit:
            article = "an" if schedule == "hourly" else "a"
            problems.append(f"monitoring.max_runtime_minutes: at most {limit // 60} for {article} {schedule} schedule "
                            "(SageMaker: a monitoring job may not run longer than its schedule's period, and an "
                            f"hourly model-quality job at most 1800 s), got {spec['max_runtime_minutes']!r}")
    monitor = data["registries"].get("model_monitor")
    if monitor is not None:
        if _REPOSITORY.fullmatch(monitor["repository"]) is None:
            problems.append(f"registries.model_monitor.repository: expected an ECR repository name, got "
                            f"{monitor['repository']!r}")
        for region, account in monitor["accounts"].items():
            if _REGION.fullmatch(region) is None or _ACCOUNT_ID.fullmatch(account) is None:
                problems.append(f"registries.model_monitor.accounts.{region}: expected a region name and a 12-digit "
                                f"account id, got {region!r}: {account!r}")
    spec = data.get("model_registry")
    if spec is not None:
        if _SSM_PREFIX.fullmatch(spec["ssm_prefix"]) is None:
            problems.append(f"model_registry.ssm_prefix: expected an SSM path such as '/platform/model-registry', "
                            f"got {spec['ssm_prefix']!r}")
        for i, account in enumerate(spec.get("workload_accounts", ())):
            if _ACCOUNT_ID.fullmatch(account) is None:
                problems.append(f"model_registry.workload_accounts[{i}]: expected a 12-digit account id, got "
                                f"{account!r}")
