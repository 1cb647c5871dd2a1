"""The policy's ``network:`` keys: their schema, dataclass and checks (read by :mod:`.policy` and
:mod:`.policy_schema`).

``resource_accounts`` and ``resource_org_id`` are optional: the platform network's VPC endpoint policies let
workloads reach resources of the deploying account, of the accounts images come from, and of these accounts or this
organisation (``aws:ResourceAccount`` / ``aws:ResourceOrgID``), nothing else (:mod:`platform_constructs.network`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

NETWORK_KEYS: dict[str, Any] = {"ssm_prefix": str, "cidr": str, "max_azs": int, "?resource_accounts": [str],
                                "?resource_org_id": str}
"""The schema of ``network:`` (``?``: optional)."""


@dataclass(frozen=True)
class NetworkPolicy:
    ssm_prefix: str
    cidr: str
    max_azs: int
    resource_accounts: tuple[str, ...] = ()
    """Accounts (besides the deploying one and the approved registries') whose resources the VPC endpoints reach."""
    resource_org_id: str | None = None
    """The organisation whose resources the VPC endpoints reach (``aws:ResourceOrgID``); ``None``: accounts only."""


def network_problems(network: dict[str, Any]) -> list[str]:
    """What is wrong with the (schema-valid) ``network:`` section beyond its types."""
    problems = [f"network.resource_accounts: {account!r} is not a 12-digit AWS account id"
                for account in network.get("resource_accounts", []) if not re.fullmatch(r"\d{12}", account)]
    org = network.get("resource_org_id")
    if org is not None and not re.fullmatch(r"o-[a-z0-9]{10,32}", org):
        problems.append(f"network.resource_org_id: {org!r} is not an AWS Organizations id (o- and 10-32 characters)")
    return problems


def network_policy(network: dict[str, Any]) -> NetworkPolicy:
    """The validated ``network:`` section as a :class:`NetworkPolicy`."""
    return NetworkPolicy(**{**network, "resource_accounts": tuple(network.get("resource_accounts", ()))})
