"""Model Monitor and model registry resources read back with boto3: baselining jobs, job definitions, model package
groups and the registry's approval workflow (the monitoring schedule is template only: :mod:`.verify_template`).

What the emulator does not keep is checked on the template and labelled so: a group's policy (moto has no group
policies), the state machine's logging and tracing (moto's CloudFormation passes neither on).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from platform_constructs.local.emulator import Emulator
from platform_constructs.local.verify_base import TEMPLATE, Check, Checker, Deployed, check, expect
from platform_constructs.local.verify_resolve import unresolved_in


def _name(physical_id: str) -> str:
    return physical_id.rsplit("/", maxsplit=1)[-1]


def _network(res: Deployed, network: Mapping[str, Any]) -> list[Check]:
    vpc = network.get("VpcConfig") or {}
    return [check(res, "network isolation", network.get("EnableNetworkIsolation") is True
                  and network.get("EnableInterContainerTrafficEncryption") is True,
                  f"EnableNetworkIsolation={network.get('EnableNetworkIsolation')} "
                  f"EnableInterContainerTrafficEncryption={network.get('EnableInterContainerTrafficEncryption')}"),
            check(res, "VPC config", bool(vpc.get("Subnets")) and bool(vpc.get("SecurityGroupIds")),
                  f"subnets={vpc.get('Subnets')} sgs={vpc.get('SecurityGroupIds')}")]


def check_processing_job(em: Emulator, res: Deployed) -> list[Check]:
    job = em.client("sagemaker").describe_processing_job(ProcessingJobName=_name(res.physical_id))
    cluster = job.get("ProcessingResources", {}).get("ClusterConfig", {})
    output_key = job.get("ProcessingOutputConfig", {}).get("KmsKeyId")
    return [check(res, "completed", job["ProcessingJobStatus"] == "Completed", job["ProcessingJobStatus"]),
            expect(res, "role", job.get("RoleArn"), res.value("RoleArn")),
            *_network(res, job.get("NetworkConfig", {})),
            check(res, "KMS keys", bool(cluster.get("VolumeKmsKeyId")) and bool(output_key),
                  f"volume={cluster.get('VolumeKmsKeyId')} output={output_key}")]


def _job_definition(em: Emulator, res: Deployed, kind: str) -> list[Check]:
    sagemaker = em.client("sagemaker")
    name = _name(res.physical_id)
    described = (sagemaker.describe_data_quality_job_definition(JobDefinitionName=name) if kind == "DataQuality"
                 else sagemaker.describe_model_quality_job_definition(JobDefinitionName=name))
    endpoint = described.get(f"{kind}JobInput", {}).get("EndpointInput", {}).get("EndpointName")
    output = described.get(f"{kind}JobOutputConfig", {})
    cluster = described.get("JobResources", {}).get("ClusterConfig", {})
    return [check(res, "exists", True, described["JobDefinitionArn"]),
            expect(res, "role", described.get("RoleArn"), res.value("RoleArn")),
            expect(res, "endpoint", endpoint, res.value(f"{kind}JobInput", "EndpointInput", "EndpointName")),
            *_network(res, described.get("NetworkConfig", {})),
            check(res, "KMS keys", bool(cluster.get("VolumeKmsKeyId")) and bool(output.get("KmsKeyId")),
                  f"volume={cluster.get('VolumeKmsKeyId')} output={output.get('KmsKeyId')}")]


def check_data_quality_job_definition(em: Emulator, res: Deployed) -> list[Check]:
    return _job_definition(em, res, "DataQuality")


def check_model_quality_job_definition(em: Emulator, res: Deployed) -> list[Check]:
    return _job_definition(em, res, "ModelQuality")


def check_model_package_group(em: Emulator, res: Deployed) -> list[Check]:
    group = em.client("sagemaker").describe_model_package_group(ModelPackageGroupName=_name(res.physical_id))
    checks = [expect(res, "name", group["ModelPackageGroupName"], res.value("ModelPackageGroupName"))]
    document = res.value("ModelPackageGroupPolicy")
    if document is not None:
        statements = document.get("Statement", []) if isinstance(document, Mapping) else []
        principals = sorted({p for s in statements for p in _listed(s.get("Principal", {}).get("AWS"))})
        checks.append(check(res, "group policy", bool(statements) and unresolved_in(document) is None,
                            f"{len(statements)} statements for {principals}", TEMPLATE))
    return checks


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def check_state_machine(em: Emulator, res: Deployed) -> list[Check]:
    machine = em.client("stepfunctions").describe_state_machine(stateMachineArn=res.physical_id)
    definition = json.loads(machine["definition"])
    logging = res.value("LoggingConfiguration", default={})
    tracing = res.value("TracingConfiguration", default={})
    return [expect(res, "role", machine["roleArn"], res.value("RoleArn")),
            check(res, "definition", definition.get("StartAt") in definition.get("States", {}),
                  f"StartAt={definition.get('StartAt')}, {len(definition.get('States', {}))} states"),
            check(res, "logging", logging.get("Level") == "ALL" and bool(logging.get("Destinations")),
                  f"Level={logging.get('Level')}", TEMPLATE),
            check(res, "tracing", tracing.get("Enabled") is True, f"Enabled={tracing.get('Enabled')}", TEMPLATE)]


CHECKS: dict[str, Checker] = {
    "AWS::SageMaker::ProcessingJob": check_processing_job,
    "AWS::SageMaker::DataQualityJobDefinition": check_data_quality_job_definition,
    "AWS::SageMaker::ModelQualityJobDefinition": check_model_quality_job_definition,
    "AWS::SageMaker::ModelPackageGroup": check_model_package_group,
    "AWS::StepFunctions::StateMachine": check_state_machine,
}
"""Resource type -> boto3 check against the emulator."""
