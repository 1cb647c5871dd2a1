"""Bare Model Monitor resources for the PLAT-MON1..3 tests: compliant, with one property path changed."""

from __future__ import annotations

import copy
from typing import Any

KEY = {"Fn::GetAtt": ["Key", "Arn"]}
NETWORK = {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
           "VpcConfig": {"Subnets": {"Ref": "SubnetIds"}, "SecurityGroupIds": [{"Fn::GetAtt": ["Sg", "GroupId"]}]}}
CLUSTER = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20,
                             "VolumeKmsKeyId": KEY}}
OUTPUTS = [{"S3Output": {"S3Uri": "s3://bucket/model-monitor/reports", "LocalPath": "/opt/ml/processing/output"}}]


def data_quality() -> dict[str, Any]:
    return {"Type": "AWS::SageMaker::DataQualityJobDefinition", "Properties": {
        "DataQualityAppSpecification": {"ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/analyzer"},
        "DataQualityJobInput": {"EndpointInput": {"EndpointName": "e", "LocalPath": "/opt/ml/processing/input"}},
        "DataQualityJobOutputConfig": {"KmsKeyId": KEY, "MonitoringOutputs": OUTPUTS},
        "JobResources": copy.deepcopy(CLUSTER), "NetworkConfig": copy.deepcopy(NETWORK),
        "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}}}


def model_quality() -> dict[str, Any]:
    resource = data_quality()
    properties = resource["Properties"]
    properties["ModelQualityJobOutputConfig"] = properties.pop("DataQualityJobOutputConfig")
    return {"Type": "AWS::SageMaker::ModelQualityJobDefinition", "Properties": properties}


def inline_schedule() -> dict[str, Any]:
    definition = data_quality()["Properties"]
    return {"Type": "AWS::SageMaker::MonitoringSchedule", "Properties": {
        "MonitoringScheduleName": "s", "MonitoringScheduleConfig": {"MonitoringJobDefinition": {
            "MonitoringAppSpecification": definition["DataQualityAppSpecification"],
            "MonitoringInputs": [definition["DataQualityJobInput"]],
            "MonitoringOutputConfig": definition["DataQualityJobOutputConfig"],
            "MonitoringResources": definition["JobResources"], "NetworkConfig": definition["NetworkConfig"],
            "RoleArn": definition["RoleArn"]}}}}


def processing_job() -> dict[str, Any]:
    return {"Type": "AWS::SageMaker::ProcessingJob", "Properties": {
        "AppSpecification": {"ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/analyzer"},
        "ProcessingResources": copy.deepcopy(CLUSTER), "NetworkConfig": copy.deepcopy(NETWORK),
        "ProcessingOutputConfig": {"KmsKeyId": KEY, "Outputs": [{"OutputName": "o", "S3Output": {
            "S3Uri": "s3://bucket/baseline", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}}}


ALL = {"data-quality": data_quality, "model-quality": model_quality, "inline-schedule": inline_schedule,
       "processing-job": processing_job}


def changed(resource: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """``resource`` with the property at ``path`` (dotted, after ``Properties``) set to ``value`` (``...``:
    removed)."""
    result = copy.deepcopy(resource)
    node = result["Properties"]
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return result


def network_path(kind: str) -> str:
    return "MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig" if kind == "inline-schedule" \
        else "NetworkConfig"
