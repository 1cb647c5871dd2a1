"""Where a SageMaker monitoring or processing job keeps its network, volume and output settings (shared by
PLAT-MON1..3; pure, not itself a rule).

Model Monitor jobs are declared as job definitions (data quality, model quality, model bias, model explainability),
inline in a monitoring schedule (``MonitoringScheduleConfig.MonitoringJobDefinition``), or, for baselining, as a
processing job; each type spells the same three settings under its own property names (the CloudFormation resource
specification of each type).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.compliance.rules.base import Resource, props

_OUTPUT = {
    "AWS::SageMaker::DataQualityJobDefinition": "DataQualityJobOutputConfig",
    "AWS::SageMaker::ModelQualityJobDefinition": "ModelQualityJobOutputConfig",
    "AWS::SageMaker::ModelBiasJobDefinition": "ModelBiasJobOutputConfig",
    "AWS::SageMaker::ModelExplainabilityJobDefinition": "ModelExplainabilityJobOutputConfig",
}
SCHEDULE = "AWS::SageMaker::MonitoringSchedule"
PROCESSING_JOB = "AWS::SageMaker::ProcessingJob"
JOB_TYPES: tuple[str, ...] = (*_OUTPUT, SCHEDULE, PROCESSING_JOB)
"""The resource types PLAT-MON1..3 check."""


@dataclass(frozen=True)
class JobSettings:
    """The three settings of one job, each with its property path (``base`` is the path of the job's properties)."""

    base: str
    network: Any
    network_path: str
    volume_key: Any
    volume_key_path: str
    output_key: Any
    output_key_path: str


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def job_settings(resource: Resource) -> JobSettings | None:
    """The job's settings; ``None`` for a schedule that names a separate job definition (checked there)."""
    kind, properties, base = resource.get("Type"), props(resource), "Properties"
    if kind == SCHEDULE:
        properties = _get(properties, "MonitoringScheduleConfig", "MonitoringJobDefinition")
        if not isinstance(properties, Mapping):
            return None
        base = "Properties.MonitoringScheduleConfig.MonitoringJobDefinition"
    if kind == PROCESSING_JOB:
        resources, output = "ProcessingResources", "ProcessingOutputConfig"
    elif kind == SCHEDULE:
        resources, output = "MonitoringResources", "MonitoringOutputConfig"
    else:
        resources, output = "JobResources", _OUTPUT[str(kind)]
    return JobSettings(
        base=base,
        network=properties.get("NetworkConfig"), network_path=f"{base}.NetworkConfig",
        volume_key=_get(properties, resources, "ClusterConfig", "VolumeKmsKeyId"),
        volume_key_path=f"{base}.{resources}.ClusterConfig.VolumeKmsKeyId",
        output_key=_get(properties, output, "KmsKeyId"), output_key_path=f"{base}.{output}.KmsKeyId",
    )
