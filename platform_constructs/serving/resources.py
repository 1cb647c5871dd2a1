"""The endpoint's SageMaker L1 resources: one model per variant, the endpoint configuration and the endpoint.

Each builder takes the validated :class:`~platform_constructs.serving.settings.EndpointSettings` and creates its
resource under the construct ``scope`` with the id it has always had (logical ids are public API).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge
from platform_constructs.serving.settings import (
    ASYNC_FAILURE_PREFIX,
    ASYNC_OUTPUT_PREFIX,
    DATA_CAPTURE_PREFIX,
    EndpointSettings,
)
from platform_constructs.serving.variants import PRIMARY_VARIANT, ModelVariant

_CAPACITY_PERCENT = "CAPACITY_PERCENT"


def model(scope: Construct, variant: ModelVariant, settings: EndpointSettings, *, image: str, model_data_url: str,
          role: baseline.PlatformRole, security_group: ec2.ISecurityGroup | None,
          subnet_ids: Sequence[str]) -> sagemaker.CfnModel:
    """The variant's model (``Model`` for the primary, ``<name>Model`` otherwise): network-isolated in the VPC,
    except in serverless mode, where SageMaker supports neither (a recorded acknowledgment). ``model_data_url``: the
    variant's artifact (a deploy-time value for a ``model_package``)."""
    isolated = not settings.serverless
    resource = sagemaker.CfnModel(
        scope, "Model" if variant.name == PRIMARY_VARIANT else f"{variant.name}Model",
        execution_role_arn=role.role_arn,
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image=image, model_data_url=model_data_url, mode="SingleModel"),
        enable_network_isolation=isolated,
        vpc_config=sagemaker.CfnModel.VpcConfigProperty(
            security_group_ids=[security_group.security_group_id], subnets=list(subnet_ids),
        ) if isolated and security_group is not None else None,
    )
    resource.node.add_dependency(role.policy)  # its permissions must exist before SageMaker validates access
    if not isolated:
        acknowledge(resource, "sagemaker-serverless-no-vpc")
    return resource


def endpoint_config(scope: Construct, settings: EndpointSettings, *, models: Mapping[str, sagemaker.CfnModel],
                    key: kms.IKey, bucket: s3.IBucket,
                    notifications: tuple[sns.ITopic, sns.ITopic] | None = None) -> sagemaker.CfnEndpointConfig:
    """``EndpointConfig``: the weighted variants, volumes under the endpoint's key (unless SageMaker rejects a key:
    NVMe instance storage, serverless), encrypted capture of inputs and outputs, and async output locations with
    their success and error topics (``notifications``)."""
    serverless = settings.serverless
    production_variants = [
        sagemaker.CfnEndpointConfig.ProductionVariantProperty(
            variant_name=v.name,
            model_name=models[v.name].attr_model_name,
            initial_variant_weight=v.weight,
            instance_type=v.instance_type,
            initial_instance_count=None if serverless else settings.initial_instance_count,
            serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
                memory_size_in_mb=settings.serverless_memory_mb, max_concurrency=settings.serverless_max_concurrency,
                provisioned_concurrency=settings.serverless_provisioned_concurrency,
            ) if serverless else None,
        )
        for v in settings.variants
    ]
    bucket_name = bucket.bucket_name
    config = sagemaker.CfnEndpointConfig(
        scope, "EndpointConfig",
        production_variants=production_variants,
        kms_key_id=None if settings.instance_store or serverless else key.key_arn,
        data_capture_config=None if serverless else sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
            enable_capture=True,
            initial_sampling_percentage=settings.data_capture_sampling_percent,
            destination_s3_uri=f"s3://{bucket_name}/{DATA_CAPTURE_PREFIX}",
            kms_key_id=key.key_arn,
            capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Input"),
                             sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Output")],
        ),
        async_inference_config=sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty(
            output_config=sagemaker.CfnEndpointConfig.AsyncInferenceOutputConfigProperty(
                s3_output_path=f"s3://{bucket_name}/{ASYNC_OUTPUT_PREFIX}/",
                s3_failure_path=f"s3://{bucket_name}/{ASYNC_FAILURE_PREFIX}/",
                kms_key_id=key.key_arn,
                notification_config=sagemaker.CfnEndpointConfig.AsyncInferenceNotificationConfigProperty(
                    success_topic=notifications[0].topic_arn, error_topic=notifications[1].topic_arn,
                ) if notifications is not None else None,
            ),
            client_config=sagemaker.CfnEndpointConfig.AsyncInferenceClientConfigProperty(
                max_concurrent_invocations_per_instance=settings.async_max_concurrent_invocations),
        ) if settings.mode == "async" else None,
    )
    if settings.instance_store:
        acknowledge(config, "sagemaker-instance-store-volume")
    if serverless:
        acknowledge(config, "sagemaker-serverless-no-data-capture")
        acknowledge(config, "sagemaker-serverless-volume-key")
    return config


def endpoint(scope: Construct, settings: EndpointSettings, *, config: sagemaker.CfnEndpointConfig,
             rollback_alarms: Sequence[cloudwatch.IAlarm]) -> sagemaker.CfnEndpoint:
    """``Endpoint``, named ``<name>-<generation>``: a change the generation covers creates a new endpoint.

    Real-time and asynchronous endpoints update blue/green, shifting traffic as :attr:`traffic_routing` says (canary
    or linear steps of ``traffic_step_percent``, else all at once), each step and the old fleet's removal baked
    ``bake_minutes``, rolled back automatically when any of ``rollback_alarms`` fires; the update keeps the
    instance counts autoscaling chose (``RetainAllVariantProperties``) and takes the weights from the
    configuration (``ExcludeRetainedVariantProperties``: ``DesiredWeight``, and ``DesiredInstanceCount`` when a
    variant is not autoscaled). Serverless endpoints get SageMaker's default update: deployment guardrails and
    retained instance counts apply to instance-based endpoints only."""
    if settings.serverless:
        return sagemaker.CfnEndpoint(scope, "Endpoint", endpoint_config_name=config.attr_endpoint_config_name,
                                     endpoint_name=settings.endpoint_name)
    routing = settings.traffic_routing
    step = sagemaker.CfnEndpoint.CapacitySizeProperty(type=_CAPACITY_PERCENT, value=settings.traffic_step_percent)
    bake_seconds = settings.bake_minutes * 60
    excluded = ["DesiredWeight"] + ([] if all(v.autoscaled for v in settings.variants) else ["DesiredInstanceCount"])
    return sagemaker.CfnEndpoint(
        scope, "Endpoint",
        endpoint_config_name=config.attr_endpoint_config_name,
        endpoint_name=settings.endpoint_name,
        retain_all_variant_properties=True,
        exclude_retained_variant_properties=[
            sagemaker.CfnEndpoint.VariantPropertyProperty(variant_property_type=p) for p in excluded],
        deployment_config=sagemaker.CfnEndpoint.DeploymentConfigProperty(
            blue_green_update_policy=sagemaker.CfnEndpoint.BlueGreenUpdatePolicyProperty(
                traffic_routing_configuration=sagemaker.CfnEndpoint.TrafficRoutingConfigProperty(
                    type=routing,
                    canary_size=step if routing == "CANARY" else None,
                    linear_step_size=step if routing == "LINEAR" else None,
                    wait_interval_in_seconds=bake_seconds,
                ),
                termination_wait_in_seconds=bake_seconds,
            ),
            auto_rollback_configuration=sagemaker.CfnEndpoint.AutoRollbackConfigProperty(
                alarms=[sagemaker.CfnEndpoint.AlarmProperty(alarm_name=a.alarm_name) for a in rollback_alarms]),
        ),
    )
