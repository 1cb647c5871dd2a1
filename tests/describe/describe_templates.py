"""Bare templates shaped like the platform constructs' (only what the describe readers look at)."""

from __future__ import annotations

from typing import Any

NETWORK_PARAMETER = {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/platform/network/vpc-id"}


def entry(path: str, construct: str, resources: list[str], **facts: Any) -> dict[str, Any]:
    return {"path": path, "construct": construct, "cost_center": "churn", "resources": resources, **facts}


def endpoint_template(*, mode: str = "realtime", instance_type: str = "ml.m5.large", low: int = 1,
                      high: int = 2) -> dict[str, Any]:
    variant: dict[str, Any] = {"VariantName": "Primary", "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                               "InitialVariantWeight": 1}
    if mode == "serverless":
        variant["ServerlessConfig"] = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    else:
        variant.update(InstanceType=instance_type, InitialInstanceCount=low)
    config: dict[str, Any] = {"ProductionVariants": [variant]}
    bucket = {"Ref": "Bucket"}
    if mode == "async":
        config["AsyncInferenceConfig"] = {"OutputConfig": {
            "S3OutputPath": {"Fn::Join": ["", ["s3://", bucket, "/async-output"]]},
            "S3FailurePath": {"Fn::Join": ["", ["s3://", bucket, "/async-failures"]]}}}
    resources: dict[str, Any] = {
        "Model": {"Type": "AWS::SageMaker::Model", "Properties": {"PrimaryContainer": {
            "Image": {"Fn::Join": ["", ["763104351884.dkr.ecr.", {"Ref": "AWS::Region"}, ".amazonaws.com/x:1"]]},
            "ModelDataUrl": "s3://churn-models/model.tar.gz"}}},
        "Config": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": config},
        "Endpoint": {"Type": "AWS::SageMaker::Endpoint", "Properties": {
            "EndpointName": "churn-Model", "EndpointConfigName": {"Fn::GetAtt": ["Config", "EndpointConfigName"]}}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Errors": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "MetricName": "Invocation5XXErrors", "Statistic": "Sum", "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 10, "AlarmActions": [{"Ref": "Topic"}]}},
        "Latency": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "MetricName": "ModelLatency", "ExtendedStatistic": "p99", "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 2000000, "AlarmActions": [{"Ref": "Topic"}]}},
    }
    if mode != "serverless":
        resources["Target"] = {"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
            "ResourceId": "endpoint/churn-Model/variant/Primary", "MinCapacity": low, "MaxCapacity": high}}
    return {"Metadata": {
                "platform:synth": {"environment": "dev", "policy": "default", "policy_sha256": "0" * 64},
                "platform:constructs": [entry("churn/Model", "SecureModelEndpoint", list(resources))]},
            "Parameters": {"VpcParameter": NETWORK_PARAMETER},
            "Resources": resources,
            "Outputs": {"EndpointName": {"Description": "SageMaker endpoint name", "Value": "churn-Model"}}}


def batch_template(*, fair_share: bool = True) -> dict[str, Any]:
    def environment(kind: str, strategy: str | None, types: list[str], max_vcpus: int) -> dict[str, Any]:
        compute: dict[str, Any] = {"Type": kind, "MinvCpus": 0, "MaxvCpus": max_vcpus, "InstanceTypes": types}
        if strategy:
            compute["AllocationStrategy"] = strategy
        return {"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"ComputeResources": compute}}

    queue: dict[str, Any] = {"ComputeEnvironmentOrder": [{"ComputeEnvironment": {"Ref": "Spot"}, "Order": 1},
                                                         {"ComputeEnvironment": {"Ref": "OnDemand"}, "Order": 2}]}
    if fair_share:
        queue["SchedulingPolicyArn"] = {"Ref": "Shares"}
    resources: dict[str, Any] = {
        "Spot": environment("SPOT", "SPOT_PRICE_CAPACITY_OPTIMIZED", ["g4dn.xlarge", "g5.xlarge"], 8),
        "OnDemand": environment("EC2", "BEST_FIT", ["g4dn.xlarge", "g5.xlarge"], 11),
        "Fargate": environment("FARGATE", None, [], 4),
        "Queue": {"Type": "AWS::Batch::JobQueue", "Properties": queue},
        "Job": {"Type": "AWS::Batch::JobDefinition", "Properties": {}},
    }
    return {"Metadata": {"platform:constructs": [entry("train/Train", "GpuTrainingCluster", list(resources),
                                                       gpu_budget=4)]},
            "Parameters": {"VpcParameter": NETWORK_PARAMETER},
            "Resources": resources,
            "Outputs": {"QueueArn": {"Description": "queue", "Value": {"Ref": "Queue"}},
                        "JobArn": {"Description": "job", "Value": {"Ref": "Job"}},
                        "TrainMetaflowConfig": {"Description": "Metaflow", "Value": "{}"}}}
