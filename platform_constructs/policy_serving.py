"""The policy's keys for SageMaker endpoints: their schema, dataclasses and checks (read by :mod:`.policy`).

Every key here is optional, so a policy file written before they existed still loads with the documented defaults:

* per environment: ``endpoint_async_min_capacity`` (the floor of asynchronous endpoints; ``0`` lets them scale to
  zero), ``endpoint_serverless`` (whether serverless endpoints are allowed and their bounds) and
  ``endpoint_schedule`` (when non-production endpoints sleep and wake);
* ``images.frameworks``: the approved inference image per framework and processor kind, where
  ``{framework_account}`` is the AWS account that hosts the framework's images in the stack's region;
* ``registries.framework_accounts``: those accounts, per registry family and region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SERVERLESS_MEMORY_SIZES = (1024, 2048, 3072, 4096, 5120, 6144)
"""SageMaker's serverless memory sizes (MB), ``ServerlessConfig.MemorySizeInMB``."""
SERVERLESS_MAX_CONCURRENCY = 200
"""SageMaker's limit of ``ServerlessConfig.MaxConcurrency`` (and of ``ProvisionedConcurrency``)."""
FRAMEWORK_ACCOUNT = "{framework_account}"
"""Placeholder in ``images.frameworks`` for the account hosting the framework's images in the stack's region."""

ENVIRONMENT_KEYS: dict[str, Any] = {
    "?endpoint_async_min_capacity": int,
    "?endpoint_serverless": {"allowed": bool, "?max_memory_mb": int, "?max_concurrency": int,
                             "?max_provisioned_concurrency": int},
    "?endpoint_schedule": {"sleep": str, "wake": str, "?timezone": str},
}
"""Schema of the per-environment endpoint keys (merged into ``policy.ENVIRONMENT``)."""
IMAGES_KEYS: dict[str, Any] = {"?frameworks": {"*": {"registry": str, "?cpu": str, "?gpu": str}}}
REGISTRIES_KEYS: dict[str, Any] = {"?framework_accounts": {"*": {"*": str}}}

_CRON = re.compile(r"cron\((\S+ ){5}\S+\)")
"""Application Auto Scaling's cron format: six fields (minutes hours day-of-month month day-of-week year)."""
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]")


@dataclass(frozen=True)
class ServerlessPolicy:
    """Whether an environment allows serverless endpoints (which have no VPC, network isolation or data
    capture) and within which bounds. Default: allowed, up to SageMaker's own limits."""

    allowed: bool = True
    max_memory_mb: int = SERVERLESS_MEMORY_SIZES[-1]
    max_concurrency: int = SERVERLESS_MAX_CONCURRENCY
    max_provisioned_concurrency: int = SERVERLESS_MAX_CONCURRENCY


@dataclass(frozen=True)
class EndpointSchedule:
    """When an environment's endpoints sleep (scale to their floor) and wake (back to their capacity):
    Application Auto Scaling cron expressions in ``timezone`` (an IANA name). Default timezone: UTC."""

    sleep: str
    wake: str
    timezone: str = "UTC"


@dataclass(frozen=True)
class FrameworkImages:
    """The approved inference images of one framework: ``cpu`` and/or ``gpu`` (image URI templates with
    ``{framework_account}`` and ``{region}``), hosted by the accounts of ``registry`` in
    ``registries.framework_accounts``."""

    registry: str
    cpu: str | None = None
    gpu: str | None = None


def environment_values(values: dict[str, Any]) -> dict[str, Any]:
    """The endpoint keys of one environment's validated mapping as dataclasses (others unchanged)."""
    result = dict(values)
    if "endpoint_serverless" in result:
        result["endpoint_serverless"] = ServerlessPolicy(**result["endpoint_serverless"])
    if "endpoint_schedule" in result:
        result["endpoint_schedule"] = EndpointSchedule(**result["endpoint_schedule"])
    return result


def frameworks(images: dict[str, Any]) -> dict[str, FrameworkImages]:
    return {name: FrameworkImages(**spec) for name, spec in images.get("frameworks", {}).items()}


def framework_accounts(registries: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {family: dict(accounts) for family, accounts in registries.get("framework_accounts", {}).items()}


def check(data: dict[str, Any], problems: list[str]) -> None:
    """The semantic checks of the endpoint keys of a schema-valid policy ``data``."""
    for env, settings in data["environments"].items():
        key = f"environments.{env}"
        floor = settings.get("endpoint_async_min_capacity")
        if floor is not None and not 0 <= floor <= settings["endpoint_max_capacity"]:
            problems.append(f"{key}.endpoint_async_min_capacity: expected 0..endpoint_max_capacity, got {floor!r}")
        serverless = ServerlessPolicy(**settings.get("endpoint_serverless", {"allowed": True}))
        if serverless.max_memory_mb not in SERVERLESS_MEMORY_SIZES:
            problems.append(f"{key}.endpoint_serverless.max_memory_mb: expected one of {SERVERLESS_MEMORY_SIZES}")
        if not 1 <= serverless.max_concurrency <= SERVERLESS_MAX_CONCURRENCY:
            problems.append(f"{key}.endpoint_serverless.max_concurrency: expected 1..{SERVERLESS_MAX_CONCURRENCY}")
        if not 0 <= serverless.max_provisioned_concurrency <= serverless.max_concurrency:
            problems.append(f"{key}.endpoint_serverless.max_provisioned_concurrency: expected 0..max_concurrency")
        schedule = settings.get("endpoint_schedule")
        if schedule is not None:
            for field in ("sleep", "wake"):
                if _CRON.fullmatch(schedule[field]) is None:
                    problems.append(f"{key}.endpoint_schedule.{field}: expected an Application Auto Scaling cron "
                                    f"expression such as 'cron(0 20 ? * MON-FRI *)', got {schedule[field]!r}")
            if not _timezone(schedule.get("timezone", "UTC")):
                problems.append(f"{key}.endpoint_schedule.timezone: expected an IANA time zone such as "
                                f"'Europe/Berlin', got {schedule['timezone']!r}")
    accounts = data["registries"].get("framework_accounts", {})
    for family, regions in accounts.items():
        for region, account in regions.items():
            if _REGION.fullmatch(region) is None or _ACCOUNT_ID.fullmatch(account) is None:
                problems.append(f"registries.framework_accounts.{family}.{region}: expected a region name and a "
                                f"12-digit account id, got {region!r}: {account!r}")
    for name, spec in data["images"].get("frameworks", {}).items():
        if spec["registry"] not in accounts:
            problems.append(f"images.frameworks.{name}.registry: {spec['registry']!r} is not a family of "
                            f"registries.framework_accounts ({', '.join(sorted(accounts)) or 'none'})")
        if "cpu" not in spec and "gpu" not in spec:
            problems.append(f"images.frameworks.{name}: expected a cpu and/or a gpu image")


def _timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
