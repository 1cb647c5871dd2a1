"""The policy's endpoint keys (``platform_constructs/policy_serving.py``): the shipped values, the defaults of a
policy written before they existed, and every malformed value named with its key."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_constructs.errors import PolicyError
from platform_constructs.policy import default_policy_file, load_policy
from platform_constructs.policy_serving import EndpointSchedule, ServerlessPolicy

SHIPPED: dict[str, Any] = yaml.safe_load(default_policy_file().read_text(encoding="utf-8"))


def _load(tmp_path: Path, mutate: Callable[[dict[str, Any]], object]) -> Any:
    data = copy.deepcopy(SHIPPED)
    mutate(data)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_policy(path)


def test_the_shipped_policy_lets_non_prod_async_scale_to_zero_and_sleep() -> None:
    policy = load_policy()
    dev, prod = policy.environment("dev"), policy.environment("prod")
    assert (dev.async_min_capacity, prod.async_min_capacity) == (0, 1)
    assert dev.endpoint_schedule == EndpointSchedule("cron(0 20 ? * MON-FRI *)", "cron(0 7 ? * MON-FRI *)", "UTC")
    assert prod.endpoint_schedule is None
    assert dev.endpoint_serverless == ServerlessPolicy(True, 6144, 20, 2)
    assert set(policy.images.frameworks) == {"pytorch", "tensorflow", "sklearn", "xgboost"}
    assert policy.images.frameworks["sklearn"].gpu is None  # no GPU scikit-learn image
    assert policy.framework_accounts["dlc"]["us-east-1"] == "763104351884"
    assert policy.framework_accounts["sagemaker"]["eu-west-1"] == "141502667606"


def _strip_endpoint_keys(data: dict[str, Any]) -> None:
    for env in data["environments"].values():
        for key in ("endpoint_async_min_capacity", "endpoint_serverless", "endpoint_schedule"):
            env.pop(key, None)
    data["images"].pop("frameworks")
    data["registries"].pop("framework_accounts")


def test_a_policy_without_the_endpoint_keys_loads_with_the_documented_defaults(tmp_path: Path) -> None:
    policy = _load(tmp_path, _strip_endpoint_keys)
    dev = policy.environment("dev")
    assert dev.async_min_capacity == dev.endpoint_min_capacity  # async keeps the real-time floor
    assert dev.endpoint_serverless == ServerlessPolicy() and dev.endpoint_schedule is None
    assert policy.images.frameworks == {} and policy.framework_accounts == {}


def _env(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["environments"]["dev"].__setitem__(key, value)


BROKEN: list[tuple[Callable[[dict[str, Any]], object], str]] = [
    (_env("endpoint_async_min_capacity", -1), r"environments\.dev\.endpoint_async_min_capacity: expected 0\.\."),
    (_env("endpoint_async_min_capacity", 9), r"endpoint_async_min_capacity: expected 0..endpoint_max_capacity"),
    (_env("endpoint_serverless", {"allowed": "yes"}), r"endpoint_serverless\.allowed: expected true or false"),
    (_env("endpoint_serverless", {"allowed": True, "max_memory_mb": 3000}), r"max_memory_mb: expected one of"),
    (_env("endpoint_serverless", {"allowed": True, "max_concurrency": 500}), r"max_concurrency: expected 1\.\.200"),
    (_env("endpoint_serverless", {"allowed": True, "max_concurrency": 5, "max_provisioned_concurrency": 6}),
     r"max_provisioned_concurrency: expected 0\.\.max_concurrency"),
    (_env("endpoint_serverless", {"allowed": True, "memory": 1}), r"endpoint_serverless\.memory: unknown key"),
    (_env("endpoint_schedule", {"sleep": "0 20 * * *", "wake": "cron(0 7 ? * MON-FRI *)"}),
     r"endpoint_schedule\.sleep: expected an Application Auto Scaling cron expression"),
    (_env("endpoint_schedule", {"sleep": "cron(0 20 ? * MON-FRI *)", "wake": "cron(0 7 ? * MON-FRI *)",
                                "timezone": "Mars/Olympus"}), r"endpoint_schedule\.timezone: expected an IANA"),
    (_env("endpoint_schedule", {"sleep": "cron(0 20 ? * MON-FRI *)"}), r"endpoint_schedule\.wake: missing"),
    (lambda d: d["registries"]["framework_accounts"]["dlc"].__setitem__("us-east-1", "7631"),
     r"framework_accounts\.dlc\.us-east-1: expected a region name and a 12-digit account id"),
    (lambda d: d["images"]["frameworks"]["pytorch"].__setitem__("registry", "ngc"),
     r"images\.frameworks\.pytorch\.registry: 'ngc' is not a family of registries\.framework_accounts"),
    (lambda d: d["images"]["frameworks"].__setitem__("onnx", {"registry": "dlc"}),
     r"images\.frameworks\.onnx: expected a cpu and/or a gpu image"),
]


@pytest.mark.parametrize(("mutate", "expected"), BROKEN, ids=[e[1][:40] for e in BROKEN])
def test_a_malformed_endpoint_key_names_the_file_and_key(tmp_path: Path, mutate: Callable[[dict[str, Any]], object],
                                                          expected: str) -> None:
    with pytest.raises(PolicyError, match=expected):
        _load(tmp_path, mutate)
