"""PLAT-MON2 over bare Model Monitor job definitions, inline schedules and processing jobs."""

from __future__ import annotations

import pytest
from monitoring_job_support import ALL, changed, network_path

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.monitoring_job_vpc import RULE


@pytest.mark.parametrize("kind", sorted(ALL))
def test_jobs_in_the_vpc_pass(kind: str) -> None:
    assert evaluate(RULE, ALL[kind]()) == []


@pytest.mark.parametrize("kind", sorted(ALL))
def test_a_job_outside_any_vpc_is_reported(kind: str) -> None:
    path = network_path(kind)
    found = evaluate(RULE, changed(ALL[kind](), f"{path}.VpcConfig", ...))
    assert [(v.location, v.message) for v in found] == [
        (f"Properties.{path}.VpcConfig", "no VpcConfig; the job must run in the platform VPC's subnets")]


def test_a_vpc_config_without_security_groups_is_reported() -> None:
    found = evaluate(RULE, changed(ALL["model-quality"](), "NetworkConfig.VpcConfig.SecurityGroupIds", []))
    assert [v.message for v in found] == ["VpcConfig has no SecurityGroupIds"]


def test_a_vpc_config_from_an_intrinsic_is_unverifiable() -> None:
    found = evaluate(RULE, changed(ALL["data-quality"](), "NetworkConfig.VpcConfig", {"Ref": "Vpc"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
