"""The policy's cost and installation sections (``prices:``, ``package_index:``): frozen dataclasses that
:mod:`platform_constructs.policy` loads and re-exports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = ["PackageIndexPolicy", "PricePolicy", "prices_policy"]


@dataclass(frozen=True)
class PricePolicy:
    """Hourly prices (``prices:``) the cost estimate uses: the organisation's negotiated rates."""

    currency: str
    hours_per_month: float
    instance_hour: Mapping[str, float]
    """Per instance type (``ml.*`` for endpoints, EC2 types for Batch), per instance-hour."""
    endpoint_hour: float = 0.0
    """A charge per endpoint per hour on top of its instances (0: none)."""
    interface_endpoint_hour: float = 0.0
    """Per VPC interface endpoint per Availability Zone per hour."""
    serverless_gb_hour: float | None = None
    """SageMaker serverless inference, per GB of memory per hour of compute (None: not estimated)."""
    fargate_vcpu_hour: float | None = None
    fargate_gb_hour: float | None = None


@dataclass(frozen=True)
class PackageIndexPolicy:
    """``package_index:`` — where data scientists' projects install platform-constructs from (e.g. the
    organisation's CodeArtifact PyPI repository), never a bare public name."""

    url: str
    """The pip index URL (``--index-url``), e.g. ``https://<domain>-<account>.d.codeartifact.<region>.amazonaws.com
    /pypi/<repository>/simple/``."""
    login: str | None = None
    """The command that logs pip in, e.g. ``aws codeartifact login --tool pip --domain ... --repository ...``."""


def prices_policy(data: dict[str, Any] | None) -> PricePolicy | None:
    """The ``prices:`` section, ``None`` when the policy has none."""
    if data is None:
        return None
    values = {k: float(v) for k, v in data.items() if k not in ("currency", "instance_hour")}
    return PricePolicy(currency=data["currency"], instance_hour=MappingProxyType(
        {str(k): float(v) for k, v in data["instance_hour"].items()}), **values)
