"""The emulator's Model Monitor and model registry models, against moto's SageMaker backend (one account each)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from moto.cloudformation import parsing
from moto.sagemaker.models import sagemaker_backends

from platform_constructs.local import models
from platform_constructs.local.models import sagemaker_monitoring, sagemaker_registry
from platform_constructs.local.verify_template import TEMPLATE_CHECKS, Declared

REGION = "us-east-1"
_accounts = itertools.count(230000000000)
NETWORK = {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
           "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}
CLUSTER = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20,
                             "VolumeKmsKeyId": "arn:aws:kms:us-east-1:1:key/k"}}
ROLE = "arn:aws:iam::123456789012:role/monitor"
OUTPUT = {"KmsKeyId": "arn:aws:kms:us-east-1:1:key/k", "MonitoringOutputs": [
    {"S3Output": {"S3Uri": "s3://b/model-monitor/reports", "LocalPath": "/opt/ml/processing/output"}}]}


@pytest.fixture
def account() -> str:
    return str(next(_accounts))


def _cfn(**props: Any) -> dict[str, Any]:
    return {"Properties": props}


def test_the_types_are_modelled_and_the_schedule_is_template_only() -> None:
    models.register()
    model_map = parsing.get_model_map()
    for cls in (sagemaker_monitoring.ProcessingJob, sagemaker_monitoring.DataQualityJobDefinition,
                sagemaker_monitoring.ModelQualityJobDefinition, sagemaker_monitoring.MonitoringSchedule,
                sagemaker_registry.ModelPackageGroup):
        assert model_map[cls.CFN_TYPE] is cls
    assert "AWS::SageMaker::MonitoringSchedule" in models.TEMPLATE_ONLY


def test_a_baselining_job_is_created_completed_and_deleted(account: str) -> None:
    props = {"AppSpecification": {"ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/analyzer"},
             "Environment": {"analysis_type": "MODEL_QUALITY"}, "NetworkConfig": NETWORK,
             "ProcessingResources": CLUSTER, "RoleArn": ROLE,
             "ProcessingOutputConfig": {"KmsKeyId": "k", "Outputs": []}}
    job = sagemaker_monitoring.ProcessingJob.create_from_cloudformation_json("stack-Baseline-X", _cfn(**props),
                                                                            account, REGION)
    described = sagemaker_backends[account][REGION].describe_processing_job("stack-Baseline-X")
    assert (described["ProcessingJobStatus"], described["Environment"]) == ("Completed",
                                                                            {"analysis_type": "MODEL_QUALITY"})
    assert job.physical_resource_id == described["ProcessingJobArn"] == job.get_cfn_attribute("ProcessingJobArn")
    sagemaker_monitoring.ProcessingJob.delete_from_cloudformation_json(job.physical_resource_id, {}, account, REGION)
    assert "stack-Baseline-X" not in sagemaker_backends[account][REGION].processing_jobs


def test_a_data_quality_definition_is_replaced_under_its_new_name(account: str) -> None:
    props = {"JobDefinitionName": "model-dq-aaaaaaaa", "RoleArn": ROLE, "JobResources": CLUSTER,
             "NetworkConfig": NETWORK, "DataQualityAppSpecification": {"ImageUri": "analyzer"},
             "DataQualityJobInput": {"EndpointInput": {"EndpointName": "model", "LocalPath": "/in"}},
             "DataQualityJobOutputConfig": OUTPUT}
    cls = sagemaker_monitoring.DataQualityJobDefinition
    first = cls.create_from_cloudformation_json("x", _cfn(**props), account, REGION)
    renamed = _cfn(**{**props, "JobDefinitionName": "model-dq-bbbbbbbb"})
    second = cls.update_from_cloudformation_json(first, "x", renamed, account, REGION)
    assert set(sagemaker_backends[account][REGION].data_quality_job_definitions) == {"model-dq-bbbbbbbb"}
    cls.delete_from_cloudformation_json(second.physical_resource_id, {}, account, REGION)
    assert sagemaker_backends[account][REGION].data_quality_job_definitions == {}


def test_a_model_quality_definition_keeps_its_endpoint_input(account: str) -> None:
    props = {"JobDefinitionName": "model-mq-aaaaaaaa", "RoleArn": ROLE, "JobResources": CLUSTER,
             "NetworkConfig": NETWORK, "ModelQualityAppSpecification": {"ImageUri": "analyzer",
                                                                          "ProblemType": "Regression"},
             "ModelQualityJobInput": {"EndpointInput": {"EndpointName": "model", "LocalPath": "/in",
                                                        "InferenceAttribute": "0"},
                                      "GroundTruthS3Input": {"S3Uri": "s3://labels/"}},
             "ModelQualityJobOutputConfig": OUTPUT}
    definition = sagemaker_monitoring.ModelQualityJobDefinition.create_from_cloudformation_json(
        "x", _cfn(**props), account, REGION)
    described = sagemaker_backends[account][REGION].describe_model_quality_job_definition("model-mq-aaaaaaaa")
    assert described["ModelQualityJobInput"]["EndpointInput"]["EndpointName"] == "model"
    assert definition.get_cfn_attribute("JobDefinitionArn") == described["JobDefinitionArn"]


def test_a_schedule_answers_its_arn_and_is_checked_on_the_template(account: str) -> None:
    props = {"MonitoringScheduleName": "Model-dq", "MonitoringScheduleConfig": {
        "MonitoringJobDefinitionName": "model-dq-aaaaaaaa", "MonitoringType": "DataQuality",
        "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}}}
    schedule = sagemaker_monitoring.MonitoringSchedule.create_from_cloudformation_json("x", _cfn(**props), account,
                                                                                      REGION)
    assert schedule.get_cfn_attribute("MonitoringScheduleArn") == \
        f"arn:aws:sagemaker:{REGION}:{account}:monitoring-schedule/model-dq"
    checks = TEMPLATE_CHECKS["AWS::SageMaker::MonitoringSchedule"](
        Declared("s", "Schedule", "AWS::SageMaker::MonitoringSchedule", props, "no schedules"))
    assert [c.passed for c in checks] == [True, True, True]
    bad = {**props, "MonitoringScheduleConfig": {"MonitoringType": "Other", "ScheduleConfig": {}}}
    assert [c.passed for c in TEMPLATE_CHECKS["AWS::SageMaker::MonitoringSchedule"](
        Declared("s", "Schedule", "AWS::SageMaker::MonitoringSchedule", bad, "no schedules"))] == [True, False, False]


def test_a_group_is_created_updated_in_place_and_deleted(account: str) -> None:
    cls = sagemaker_registry.ModelPackageGroup
    props = {"ModelPackageGroupName": "churn", "Tags": [{"Key": "Project", "Value": "churn"}]}
    group = cls.create_from_cloudformation_json("x", _cfn(**props), account, REGION)
    backend = sagemaker_backends[account][REGION]
    assert group.physical_resource_id == backend.describe_model_package_group("churn").arn
    same = cls.update_from_cloudformation_json(group, "x", _cfn(ModelPackageGroupName="churn", Tags=[]), account,
                                               REGION)
    assert same.physical_resource_id == group.physical_resource_id and backend.model_package_groups["churn"].tags == []
    renamed = cls.update_from_cloudformation_json(same, "x", _cfn(ModelPackageGroupName="churn-2"), account, REGION)
    assert set(backend.model_package_groups) == {"churn-2"}
    cls.delete_from_cloudformation_json(renamed.physical_resource_id, {}, account, REGION)
    assert backend.model_package_groups == {}
