"""The policy's monitoring and registry keys: optional, typed, and checked across keys (pure, no file)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from platform_constructs.policy import default_policy_file, load_policy
from platform_constructs.policy_monitoring import MonitoringPolicy, RegistryPolicy, monitoring, registry
from platform_constructs.policy_schema import validate

SHIPPED: dict[str, Any] = yaml.safe_load(default_policy_file().read_text(encoding="utf-8"))


def changed(path: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(SHIPPED)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return data


def test_the_shipped_policy_monitors_prod_with_the_analyzer_of_every_listed_region() -> None:
    policy = load_policy()
    assert [name for name, env in policy.environments.items() if env.monitoring_required] == ["prod"]
    assert policy.model_monitor.accounts["us-west-2"] == "159807026194"  # the AWS docs' example image
    assert policy.model_monitor.image("159807026194", "us-west-2") == \
        "159807026194.dkr.ecr.us-west-2.amazonaws.com/sagemaker-model-monitor-analyzer"
    assert policy.monitoring.schedule == "hourly"


@pytest.mark.parametrize("path", ["monitoring", "model_registry", "registries.model_monitor",
                                  "environments.prod.monitoring_required", "model_registry.workload_accounts"])
def test_the_keys_are_optional(path: str) -> None:
    assert validate(changed(path, ...)) == []


def test_absent_sections_take_the_documented_defaults() -> None:
    bare = changed("monitoring", ...)
    del bare["model_registry"]
    assert monitoring(bare) == MonitoringPolicy() and registry(bare) == RegistryPolicy()


@pytest.mark.parametrize(("path", "value", "problem"), [
    ("monitoring.schedule", "weekly", "monitoring.schedule: expected one of hourly, daily, got 'weekly'"),
    ("monitoring.instance_type", "m5.xlarge", "monitoring.instance_type: expected a SageMaker instance type"),
    ("monitoring.instance_count", 0, "monitoring.instance_count: expected 1..100, got 0"),
    ("monitoring.violations_alarm_threshold", 0, "monitoring.violations_alarm_threshold: expected a positive"),
    ("monitoring.max_runtime_minutes", 45, "monitoring.max_runtime_minutes: at most 30 for an hourly schedule"),
    ("registries.model_monitor.accounts", {"us-east-1": "1568"}, "registries.model_monitor.accounts.us-east-1"),
    ("model_registry.ssm_prefix", "platform/registry", "model_registry.ssm_prefix: expected an SSM path"),
    ("model_registry.workload_accounts", ["nope"], "model_registry.workload_accounts[0]: expected a 12-digit"),
    ("environments.prod.monitoring_required", "yes", "environments.prod.monitoring_required: expected true or false"),
])
def test_bad_values_name_the_key(path: str, value: object, problem: str) -> None:
    (found,) = validate(changed(path, value))
    assert found.startswith(problem)
