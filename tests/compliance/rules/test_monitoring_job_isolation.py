"""PLAT-MON1 over bare Model Monitor job definitions, inline schedules and processing jobs."""

from __future__ import annotations

import pytest
from monitoring_job_support import ALL, changed, network_path

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.monitoring_job_isolation import RULE


@pytest.mark.parametrize("kind", sorted(ALL))
def test_isolated_jobs_pass(kind: str) -> None:
    assert evaluate(RULE, ALL[kind]()) == []


@pytest.mark.parametrize("kind", sorted(ALL))
def test_a_job_with_network_access_or_plain_traffic_is_reported(kind: str) -> None:
    path = network_path(kind)
    resource = changed(changed(ALL[kind](), f"{path}.EnableNetworkIsolation", False),
                       f"{path}.EnableInterContainerTrafficEncryption", ...)
    found = evaluate(RULE, resource)
    assert [v.location for v in found] == [f"Properties.{path}.EnableNetworkIsolation",
                                           f"Properties.{path}.EnableInterContainerTrafficEncryption"]
    assert "no network access" in found[0].message and "None" in found[1].message


def test_a_job_without_network_config_is_reported_twice() -> None:
    found = evaluate(RULE, changed(ALL["data-quality"](), "NetworkConfig", ...))
    assert len(found) == 2


def test_isolation_from_an_intrinsic_is_unverifiable() -> None:
    found = evaluate(RULE, changed(ALL["processing-job"](), "NetworkConfig.EnableNetworkIsolation",
                                   {"Ref": "Isolate"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message


def test_a_schedule_naming_a_job_definition_is_checked_there() -> None:
    schedule = {"Type": "AWS::SageMaker::MonitoringSchedule", "Properties": {
        "MonitoringScheduleName": "s", "MonitoringScheduleConfig": {"MonitoringJobDefinitionName": "def",
                                                                    "MonitoringType": "DataQuality"}}}
    assert evaluate(RULE, schedule) == []
