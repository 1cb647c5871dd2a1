"""Target-tracking autoscaling of each variant's instance count on invocations per instance (realtime and async)."""

from __future__ import annotations

from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.aws_applicationautoscaling import CfnScalableTarget, CfnScalingPolicy
from constructs import Construct

from platform_constructs.serving.settings import EndpointSettings
from platform_constructs.serving.variants import PRIMARY_VARIANT

SCALE_OUT_COOLDOWN_SECONDS = 60
"""Scale out quickly: a traffic spike should not wait."""
SCALE_IN_COOLDOWN_SECONDS = 300
"""Scale in slowly: instances take minutes to start, so do not give them back on a short lull."""
MAX_POLICY_NAME_LENGTH = 256
"""Application Auto Scaling's limit for a scaling policy's name."""


def configure_autoscaling(scope: Construct, settings: EndpointSettings, *, endpoint: sagemaker.CfnEndpoint,
                          ) -> tuple[dict[str, CfnScalableTarget], dict[str, CfnScalingPolicy]]:
    """Per variant (by name): a scalable target between ``min_capacity`` and ``max_capacity``
    (``ScalableTarget<suffix>``) and its target-tracking policy (``ScalingPolicy<suffix>``)."""
    targets: dict[str, CfnScalableTarget] = {}
    policies: dict[str, CfnScalingPolicy] = {}
    for v in settings.variants:
        suffix = "" if v.name == PRIMARY_VARIANT else v.name
        target = CfnScalableTarget(
            scope, f"ScalableTarget{suffix}",
            service_namespace="sagemaker",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            resource_id=f"endpoint/{settings.endpoint_name}/variant/{v.name}",
            min_capacity=settings.min_capacity,
            max_capacity=settings.max_capacity,
        )
        target.node.add_dependency(endpoint)  # resource_id names the endpoint literally
        policies[v.name] = CfnScalingPolicy(
            scope, f"ScalingPolicy{suffix}",
            policy_name=f"{settings.endpoint_name}-{v.name}-invocations"[:MAX_POLICY_NAME_LENGTH],
            policy_type="TargetTrackingScaling",
            scaling_target_id=target.ref,
            target_tracking_scaling_policy_configuration=CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty(
                target_value=float(settings.invocations_per_instance),
                predefined_metric_specification=CfnScalingPolicy.PredefinedMetricSpecificationProperty(
                    predefined_metric_type="SageMakerVariantInvocationsPerInstance"),
                scale_in_cooldown=SCALE_IN_COOLDOWN_SECONDS,
                scale_out_cooldown=SCALE_OUT_COOLDOWN_SECONDS,
            ),
        )
        targets[v.name] = target
    return targets, policies
