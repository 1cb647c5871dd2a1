"""The policy file's schema: the structure ``policies/platform.yaml`` must have and the checks across its keys.

Pure (no I/O, no ``aws_cdk``): :func:`validate` takes the parsed YAML and returns every problem as
``key.path: what is wrong``; :mod:`platform_constructs.policy` loads the file and builds the policy from
valid data.

:data:`SCHEMA` is a small declarative schema:

* a ``dict`` maps keys to sub-schemas; every key is required unless written with a leading ``?``
  (``"?ssm_prefix"``), and keys the schema does not name are refused;
* ``{"*": schema}`` is a mapping of any keys, each value matching ``schema``;
* ``[type]`` is a non-empty list whose items match ``type``;
* a type is a leaf: ``str``, ``int`` (not a boolean), ``float`` (any number, not a boolean), ``bool``.
"""

from __future__ import annotations

import re
from typing import Any

from platform_constructs.policy_monitoring import ENVIRONMENT_KEYS as MONITORING_ENVIRONMENT_KEYS
from platform_constructs.policy_monitoring import MONITORING_KEYS, REGISTRY_KEYS
from platform_constructs.policy_monitoring import REGISTRIES_KEYS as MONITOR_REGISTRIES_KEYS
from platform_constructs.policy_monitoring import check as check_monitoring
from platform_constructs.policy_network import NETWORK_KEYS, network_problems
from platform_constructs.policy_serving import ENVIRONMENT_KEYS, IMAGES_KEYS, REGISTRIES_KEYS, check

STR_LIST = [str]
TAG_RULE: dict[str, Any] = {"?pattern": str, "?allowed": STR_LIST, "?default": str, "description": str}
ENVIRONMENT: dict[str, Any] = {
    "sagemaker_instance_types": STR_LIST,
    "default_sagemaker_instance_type": str,
    "ec2_instance_types": STR_LIST,
    "endpoint_min_capacity": int,
    "endpoint_max_capacity": int,
    "max_vcpus": int,
    "max_gpus": int,
    "max_job_hours": float,
    "spot": bool,
    "log_retention_days": int,
    "retain_stateful_resources": bool,
    **ENVIRONMENT_KEYS,
    **MONITORING_ENVIRONMENT_KEYS,
}
PRICES: dict[str, Any] = {
    "currency": str,
    "hours_per_month": float,
    "instance_hour": {"*": float},
    "?endpoint_hour": float,
    "?interface_endpoint_hour": float,
    "?serverless_gb_hour": float,
    "?fargate_vcpu_hour": float,
    "?fargate_gb_hour": float,
}
"""Hourly prices for the cost estimate (``platform describe``, the synth summary, ``cost_caps``)."""
SCHEMA: dict[str, Any] = {
    "version": int,
    "tags": {"required": {"*": TAG_RULE}},
    "registries": {"approved": STR_LIST, "?accounts": STR_LIST, **REGISTRIES_KEYS, **MONITOR_REGISTRIES_KEYS},
    "images": {
        "inference": str,
        "?inference_cpu": str,
        "training": str,
        "batch": str,
        "cuda_version": str,
        "python_version": str,
        "scan_block_severity": str,
        "?ssm_prefix": str,
        "?keep_images": int,
        "?require_signed_images": bool,
        "?base_pins": {"*": str},
        "?allowed_packages": STR_LIST,
        "?signing_profile": str,
        **IMAGES_KEYS,
    },
    "network": NETWORK_KEYS,
    "alarms": {
        "period_minutes": int,
        "evaluation_periods": int,
        "endpoint_5xx_errors": int,
        "endpoint_4xx_rate_percent": float,
        "endpoint_p99_latency_ms": int,
        "utilization_percent": float,
        "batch_queue_depth": int,
        "batch_failed_jobs": int,
    },
    "artifacts": {"max_size_gb": float, "required_metadata_fields": STR_LIST, "?allowed_pickle_imports": STR_LIST},
    "batch": {
        "runnable_cancel_minutes": int,
        "spot_retry_attempts": int,
        "share_decay_seconds": int,
        "compute_reservation_percent": int,
        "team_shares": {"*": float},
        "root_volume_gib": int,
    },
    "environments": {"*": ENVIRONMENT},
    "?prices": PRICES,
    "?package_index": {"url": str, "?login": str},
    "?cost_caps": {"*": {"*": float}},
    **MONITORING_KEYS,
    **REGISTRY_KEYS,
}
REQUIRED_ENVIRONMENTS = ("dev", "staging", "prod")
# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)
SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")



def _type_name(expected: Any) -> str:
    if isinstance(expected, list):
        return f"a list of {_type_name(expected[0])}"
    if isinstance(expected, dict):
        return "a mapping"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}[expected]


def _check(value: Any, expected: Any, key: str, problems: list[str]) -> None:
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            problems.append(f"{key}: expected a mapping, got {type(value).__name__} {value!r}")
            return
        if "*" in expected:
            for k, v in value.items():
                _check(v, expected["*"], f"{key}.{k}", problems)
            return
        fields = {k.lstrip("?"): (sub, k.startswith("?")) for k, sub in expected.items()}
        for k in value:
            if k not in fields:
                known = ", ".join(sorted(fields))
                problems.append(f"{key}.{k}: unknown key (expected one of: {known})")
        for k, (sub, optional) in fields.items():
            if k in value:
                _check(value[k], sub, f"{key}.{k}", problems)
            elif not optional:
                problems.append(f"{key}.{k}: missing (expected {_type_name(sub)})")
        return
    if isinstance(expected, list):
        if not isinstance(value, list) or not value:
            problems.append(f"{key}: expected a non-empty list of {_type_name(expected[0])}, got {value!r}")
            return
        for i, item in enumerate(value):
            _check(item, expected[0], f"{key}[{i}]", problems)
        return
    ok = isinstance(value, expected) and not (expected is not bool and isinstance(value, bool))
    if expected is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok:
        problems.append(f"{key}: expected {_type_name(expected)}, got {type(value).__name__} {value!r}")


def _semantic_checks(data: dict[str, Any], problems: list[str]) -> None:
    for name, rule in data["tags"]["required"].items():
        if "pattern" not in rule and "allowed" not in rule:
            problems.append(f"tags.required.{name}: needs `pattern` or `allowed`")
        if "pattern" in rule:
            try:
                re.compile(rule["pattern"])
            except re.error as exc:
                problems.append(f"tags.required.{name}.pattern: not a valid regular expression ({exc})")
    for name in ("CostCenter", "Environment"):
        if name not in data["tags"]["required"]:
            problems.append(f"tags.required.{name}: missing (the platform constructs set this tag)")
    for env in REQUIRED_ENVIRONMENTS:
        if env not in data["environments"]:
            problems.append(f"environments.{env}: missing (expected a mapping of environment settings)")
    for env, settings in data["environments"].items():
        key = f"environments.{env}"
        if settings["default_sagemaker_instance_type"] not in settings["sagemaker_instance_types"]:
            problems.append(f"{key}.default_sagemaker_instance_type: must be one of sagemaker_instance_types")
        if not 1 <= settings["endpoint_min_capacity"] <= settings["endpoint_max_capacity"]:
            problems.append(f"{key}.endpoint_min_capacity: expected 1 <= min <= endpoint_max_capacity")
        for field in ("max_vcpus", "max_gpus", "max_job_hours"):
            if settings[field] <= 0:
                problems.append(f"{key}.{field}: expected a positive number, got {settings[field]!r}")
        if settings["log_retention_days"] not in LOG_RETENTION_DAYS:
            problems.append(f"{key}.log_retention_days: expected one of CloudWatch's periods {LOG_RETENTION_DAYS}")
    batch = data["batch"]
    for field, low, high in (("runnable_cancel_minutes", 10, 1440), ("spot_retry_attempts", 1, 10),
                             ("share_decay_seconds", 0, 604800), ("compute_reservation_percent", 0, 99),
                             ("root_volume_gib", 30, 16384)):
        if not low <= batch[field] <= high:
            problems.append(f"batch.{field}: expected {low}..{high} (AWS Batch's range), got {batch[field]!r}")
    for team, weight in batch["team_shares"].items():
        if not 0.0001 <= weight <= 999.9999:
            problems.append(f"batch.team_shares.{team}: expected a weight factor 0.0001..999.9999, got {weight!r}")
    problems.extend(network_problems(data["network"]))
    if data["images"].get("keep_images", 1) < 1:
        problems.append("images.keep_images: expected a positive integer")
    if data["images"]["scan_block_severity"] not in SEVERITIES:
        problems.append(f"images.scan_block_severity: expected one of {', '.join(SEVERITIES)}")
    for index, account in enumerate(data["registries"].get("accounts", [])):
        if re.fullmatch(r"[0-9]{12}", account) is None:
            problems.append(f"registries.accounts[{index}]: expected a 12-digit AWS account id, got {account!r}")
    if re.fullmatch(r"[A-Za-z0-9_]{2,64}", data["images"].get("signing_profile", "platform")) is None:
        problems.append("images.signing_profile: expected an AWS Signer profile name (2-64 letters, digits, '_')")
    for name, version in data["images"].get("base_pins", {}).items():
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", str(name)) is None or not version.strip():
            problems.append(f"images.base_pins.{name}: expected a package name and its exact version")
    _price_checks(data, problems)
    _package_index_checks(data, problems)
    check_monitoring(data, problems)
    check(data, problems)


def _package_index_checks(data: dict[str, Any], problems: list[str]) -> None:
    index = data.get("package_index")
    if index is not None and not re.fullmatch(r"https://[^\s/]+(/\S*)?", index["url"], re.ASCII):
        problems.append(f"package_index.url: expected an https:// pip index URL, got {index['url']!r}")


def _price_checks(data: dict[str, Any], problems: list[str]) -> None:
    """Prices are non-negative and cover every instance type an environment allows; caps need prices."""
    prices = data.get("prices")
    caps = data.get("cost_caps", {})
    if prices is not None:
        if not 1 <= prices["hours_per_month"] <= 744:
            problems.append("prices.hours_per_month: expected 1..744 (730 is AWS's average month)")
        for key, value in prices.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                problems.append(f"prices.{key}: expected a price >= 0, got {value!r}")
        for name, value in prices["instance_hour"].items():
            if value < 0:
                problems.append(f"prices.instance_hour.{name}: expected a price >= 0, got {value!r}")
        for env, settings in data["environments"].items():
            for field in ("sagemaker_instance_types", "ec2_instance_types"):
                for name in settings[field]:
                    if name not in prices["instance_hour"]:
                        problems.append(f"prices.instance_hour.{name}: missing (environments.{env}.{field} allows "
                                        "it; every allowed type needs a price)")
    elif caps:
        problems.append("cost_caps: needs a prices section (a cap is checked against the estimated cost)")
    for center, per_env in caps.items():
        for env, cap in per_env.items():
            if env not in data["environments"]:
                problems.append(f"cost_caps.{center}.{env}: not an environment of this policy "
                                f"({', '.join(sorted(data['environments']))})")
            if cap <= 0:
                problems.append(f"cost_caps.{center}.{env}: expected a monthly amount > 0, got {cap!r}")


def validate(data: Any) -> list[str]:
    """Every problem of a parsed policy file: the structure first, then (if that holds) the cross-key checks."""
    problems: list[str] = []
    _check(data, SCHEMA, "policy", problems)
    if not problems:
        _semantic_checks(data, problems)
    return [p.removeprefix("policy.") for p in problems]
