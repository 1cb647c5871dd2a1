"""The policy schema on parsed data (pure, no file): the schema language and the cross-key checks."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from platform_constructs.policy import default_policy_file
from platform_constructs.policy_schema import validate

SHIPPED: dict[str, Any] = yaml.safe_load(default_policy_file().read_text(encoding="utf-8"))


def changed(path: str, value: object) -> dict[str, Any]:
    """The shipped policy with the key at ``path`` (dotted) set to ``value`` (``...``: deleted)."""
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


def test_the_shipped_policy_is_valid() -> None:
    assert validate(SHIPPED) == []


def test_optional_keys_may_be_left_out() -> None:
    assert validate(changed("images.ssm_prefix", ...)) == []
    assert validate(changed("images.keep_images", ...)) == []
    assert validate(changed("tags.required.DataClassification.default", ...)) == []


@pytest.mark.parametrize(("path", "value", "problem"), [
    ("version", True, "version: expected an integer, got bool True"),
    ("environments.dev.max_job_hours", 12, None),  # a number may be an integer
    ("environments.dev.max_job_hours", False, "environments.dev.max_job_hours: expected a number, got bool False"),
    ("alarms.period_minutes", 5.5, "alarms.period_minutes: expected an integer, got float 5.5"),
    ("registries.approved", "one", "registries.approved: expected a non-empty list of a string, got 'one'"),
    ("registries.approved", [3], "registries.approved[0]: expected a string, got int 3"),
    ("batch.team_shares", [], "batch.team_shares: expected a mapping, got list []"),
    ("network.cidr", ..., "network.cidr: missing (expected a string)"),
])
def test_leaf_types(path: str, value: object, problem: str | None) -> None:
    assert validate(changed(path, value)) == ([] if problem is None else [problem])


def test_an_unknown_key_names_the_keys_allowed_there() -> None:
    (problem,) = validate(changed("network.cidr_block", "10.0.0.0/16"))
    assert problem == ("network.cidr_block: unknown key (expected one of: cidr, max_azs, resource_accounts, "
                       "resource_org_id, ssm_prefix)")


def test_the_endpoints_may_reach_more_accounts_and_an_organisation() -> None:
    assert validate(changed("network.resource_accounts", ["111122223333"])) == []
    assert validate(changed("network.resource_org_id", "o-abcdefghij")) == []


def test_cross_key_checks_run_only_on_a_well_formed_file() -> None:
    """A missing key is reported as such, not as a crash of a check that reads it."""
    assert validate(changed("environments.dev.max_gpus", ...)) == [
        "environments.dev.max_gpus: missing (expected an integer)"]


@pytest.mark.parametrize(("path", "value", "problem"), [
    ("environments.prod.default_sagemaker_instance_type", "ml.c5.large",
     "environments.prod.default_sagemaker_instance_type: must be one of sagemaker_instance_types"),
    ("environments.dev.endpoint_min_capacity", 0, "environments.dev.endpoint_min_capacity: expected 1 <= min"),
    ("environments.dev.max_gpus", 0, "environments.dev.max_gpus: expected a positive number, got 0"),
    ("batch.compute_reservation_percent", 100, "batch.compute_reservation_percent: expected 0..99"),
    ("batch.team_shares", {"recs": 0.0}, "batch.team_shares.recs: expected a weight factor 0.0001..999.9999"),
    ("images.scan_block_severity", "SEVERE", "images.scan_block_severity: expected one of INFORMATIONAL, LOW"),
    ("images.keep_images", 0, "images.keep_images: expected a positive integer"),
    ("tags.required.Owner", {"description": "who"}, "tags.required.Owner: needs `pattern` or `allowed`"),
    ("tags.required.CostCenter", ..., "tags.required.CostCenter: missing (the platform constructs set this tag)"),
    ("network.resource_accounts", ["1234"], "network.resource_accounts: '1234' is not a 12-digit AWS account id"),
    ("network.resource_org_id", "org-1", "network.resource_org_id: 'org-1' is not an AWS Organizations id"),
])
def test_cross_key_checks(path: str, value: object, problem: str) -> None:
    (found,) = validate(changed(path, value))
    assert found.startswith(problem)
