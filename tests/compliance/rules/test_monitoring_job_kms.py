"""PLAT-MON3 over bare Model Monitor job definitions, inline schedules and processing jobs."""

from __future__ import annotations

import pytest
from monitoring_job_support import ALL, changed

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.monitoring_job_kms import RULE

VOLUME = {"data-quality": "JobResources", "model-quality": "JobResources", "processing-job": "ProcessingResources",
          "inline-schedule": "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources"}
OUTPUT = {"data-quality": "DataQualityJobOutputConfig", "model-quality": "ModelQualityJobOutputConfig",
          "processing-job": "ProcessingOutputConfig",
          "inline-schedule": "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig"}


@pytest.mark.parametrize("kind", sorted(ALL))
def test_encrypted_jobs_pass(kind: str) -> None:
    assert evaluate(RULE, ALL[kind]()) == []


@pytest.mark.parametrize("kind", sorted(ALL))
def test_a_job_without_volume_or_output_key_is_reported(kind: str) -> None:
    resource = changed(changed(ALL[kind](), f"{VOLUME[kind]}.ClusterConfig.VolumeKmsKeyId", ...),
                       f"{OUTPUT[kind]}.KmsKeyId", "")
    found = evaluate(RULE, resource)
    assert [v.location for v in found] == [f"Properties.{VOLUME[kind]}.ClusterConfig.VolumeKmsKeyId",
                                           f"Properties.{OUTPUT[kind]}.KmsKeyId"]


def test_a_key_from_an_intrinsic_is_set() -> None:
    resource = changed(ALL["processing-job"](), "ProcessingOutputConfig.KmsKeyId", {"Ref": "KeyParameter"})
    assert evaluate(RULE, resource) == []
