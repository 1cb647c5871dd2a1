"""SageMaker Model Monitor resources: baselining jobs, job definitions and monitoring schedules.

moto's CloudFormation has no model for any of them; its SageMaker backend has processing jobs and data- and
model-quality job definitions (``create_processing_job``, ``create_data_quality_job_definition``,
``create_model_quality_job_definition``), so these models create them there and boto3 reads them back. It has no
monitoring schedules at all (no ``CreateMonitoringSchedule``): ``AWS::SageMaker::MonitoringSchedule`` is in
:data:`platform_constructs.local.models.TEMPLATE_ONLY`, its model only answers Ref and ``Fn::GetAtt`` (the
violation rules name the schedule's ARN).

Ref and ``Fn::GetAtt`` as the types' registry schemas say (primary identifiers ``ProcessingJobArn``,
``JobDefinitionArn``, ``MonitoringScheduleArn``). Every property of a processing job and of a job definition is
create-only, so an update is a replacement: the new one is created, the old one deleted. moto's processing jobs are
``Completed`` at once (the analyzer does not run).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.utilities.utils import get_partition

from platform_constructs.local.models._base import Model, arn_name, name_for, properties, tag_list


def _backend(account_id: str, region_name: str) -> SageMakerModelBackend:
    return sagemaker_backends[account_id][region_name]


class ProcessingJob(Model, CloudFormationModel):
    """``AWS::SageMaker::ProcessingJob`` (the monitor's baselining jobs)."""

    CFN_TYPE = "AWS::SageMaker::ProcessingJob"
    NAME_PROPERTY = "ProcessingJobName"
    ATTRIBUTES = ("ProcessingJobArn", "ProcessingJobStatus", "CreationTime")

    def __init__(self, name: str, arn: str, status: str, created: str) -> None:
        self.name, self.arn, self.status, self.created = name, arn, status, created

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attributes(self) -> Mapping[str, Any]:
        return {"ProcessingJobArn": self.arn, "ProcessingJobStatus": self.status, "CreationTime": self.created}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> ProcessingJob:
        props = properties(cloudformation_json)
        name = name_for(props, cls.NAME_PROPERTY, resource_name)
        job = _backend(account_id, region_name).create_processing_job(
            app_specification=props["AppSpecification"], experiment_config=props.get("ExperimentConfig", {}),
            network_config=props.get("NetworkConfig", {}), processing_inputs=props.get("ProcessingInputs", []),
            processing_job_name=name, processing_output_config=props.get("ProcessingOutputConfig", {}),
            role_arn=props["RoleArn"], tags=tag_list(props.get("Tags")),
            stopping_condition=props.get("StoppingCondition", {}))
        # moto's CreateProcessingJob keeps neither; its DescribeProcessingJob returns the job's attributes
        job.__dict__.update(environment=dict(props.get("Environment", {})),
                            processing_resources=dict(props["ProcessingResources"]))
        return cls(name, job.arn, job.processing_job_status, job.creation_time.isoformat())

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> ProcessingJob:
        replacement = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                          region_name)
        cls.delete_from_cloudformation_json(original_resource.arn, {}, account_id, region_name)
        return replacement

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        """CloudFormation stops and deletes the job (its delete handler: StopProcessingJob, DeleteProcessingJob);
        moto's backend has no DeleteProcessingJob, so the job leaves its table."""
        _backend(account_id, region_name).processing_jobs.pop(arn_name(resource_name), None)


class _JobDefinition(Model):
    """What the data- and model-quality job definitions share; subclasses name the backend's calls."""

    ATTRIBUTES = ("JobDefinitionArn", "CreationTime")
    NAME_PROPERTY = "JobDefinitionName"
    KIND = ""

    def __init__(self, name: str, arn: str) -> None:
        self.name, self.arn = name, arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attributes(self) -> Mapping[str, Any]:
        return {"JobDefinitionArn": self.arn, "CreationTime": ""}

    @classmethod
    @abstractmethod
    def _create(cls, name: str, props: Mapping[str, Any], backend: SageMakerModelBackend) -> str:
        """Create the definition ``name`` in ``backend``; its ARN."""
        raise NotImplementedError(f"{cls.__name__} must create its definition")

    @classmethod
    @abstractmethod
    def _delete(cls, name: str, backend: SageMakerModelBackend) -> None:
        """Delete the definition ``name`` from ``backend`` if it is there."""
        raise NotImplementedError(f"{cls.__name__} must delete its definition")

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> _JobDefinition:
        props = properties(cloudformation_json)
        name = name_for(props, cls.NAME_PROPERTY, resource_name)
        return cls(name, cls._create(name, props, _backend(account_id, region_name)))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> _JobDefinition:
        replacement = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                          region_name)
        if replacement.name != original_resource.name:
            cls._delete(original_resource.name, _backend(account_id, region_name))
        return replacement

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        cls._delete(arn_name(resource_name), _backend(account_id, region_name))


class DataQualityJobDefinition(_JobDefinition, CloudFormationModel):
    CFN_TYPE = "AWS::SageMaker::DataQualityJobDefinition"

    @classmethod
    def _create(cls, name: str, props: Mapping[str, Any], backend: SageMakerModelBackend) -> str:
        created = backend.create_data_quality_job_definition(
            account_id=backend.account_id, job_definition_name=name, tags=tag_list(props.get("Tags")),
            role_arn=props["RoleArn"], job_resources=props["JobResources"],
            stopping_condition=props.get("StoppingCondition"), environment=None,
            network_config=props.get("NetworkConfig"), data_quality_baseline_config=props.get(
                "DataQualityBaselineConfig"),
            data_quality_app_specification=props["DataQualityAppSpecification"],
            data_quality_job_input=props["DataQualityJobInput"],
            data_quality_job_output_config=props["DataQualityJobOutputConfig"])
        return str(created["JobDefinitionArn"])

    @classmethod
    def _delete(cls, name: str, backend: SageMakerModelBackend) -> None:
        if name in backend.data_quality_job_definitions:
            backend.delete_data_quality_job_definition(name)


class ModelQualityJobDefinition(_JobDefinition, CloudFormationModel):
    CFN_TYPE = "AWS::SageMaker::ModelQualityJobDefinition"

    @classmethod
    def _create(cls, name: str, props: Mapping[str, Any], backend: SageMakerModelBackend) -> str:
        return backend.create_model_quality_job_definition(
            job_definition_name=name, model_quality_baseline_config=props.get("ModelQualityBaselineConfig"),
            model_quality_app_specification=props["ModelQualityAppSpecification"],
            model_quality_job_input=props["ModelQualityJobInput"],
            model_quality_job_output_config=props["ModelQualityJobOutputConfig"],
            job_resources=props["JobResources"], network_config=props.get("NetworkConfig"),
            role_arn=props["RoleArn"], stopping_condition=props.get("StoppingCondition"),
            tags=tag_list(props.get("Tags")))

    @classmethod
    def _delete(cls, name: str, backend: SageMakerModelBackend) -> None:
        if name in backend.model_quality_job_definitions:
            backend.delete_model_quality_job_definition(name)


class MonitoringSchedule(Model, CloudFormationModel):
    """Template only: moto has no monitoring schedules. Ref and ``MonitoringScheduleArn``:
    ``arn:aws:sagemaker:REGION:ACCOUNT:monitoring-schedule/<name>`` (lowercase, as SageMaker writes its ARNs)."""

    CFN_TYPE = "AWS::SageMaker::MonitoringSchedule"
    ATTRIBUTES = ("MonitoringScheduleArn", "CreationTime", "LastModifiedTime")

    def __init__(self, name: str, account_id: str, region_name: str) -> None:
        self.name = name
        self.arn = (f"arn:{get_partition(region_name)}:sagemaker:{region_name}:{account_id}:"
                    f"monitoring-schedule/{name.lower()}")

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attributes(self) -> Mapping[str, Any]:
        return {"MonitoringScheduleArn": self.arn, "CreationTime": "", "LastModifiedTime": ""}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> MonitoringSchedule:
        return cls(str(properties(cloudformation_json)["MonitoringScheduleName"]), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> MonitoringSchedule:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        """Nothing to delete: the emulator has no monitoring schedules."""
