"""Autoscaling of each variant's instance count (realtime and async), its wake-up from zero and its sleep schedule.

* Real-time: target tracking on invocations per instance (``SageMakerVariantInvocationsPerInstance``).
* Asynchronous: target tracking on the queue, ``ApproximateBacklogSizePerInstance``; with a minimum capacity of 0
  target tracking cannot start the first instance, so a step-scaling policy adds one when the
  ``HasBacklogWithoutCapacity`` alarm fires (SageMaker developer guide, "Autoscale an asynchronous endpoint",
  with the values of its scale-to-zero example).
* The environment's sleep schedule becomes scheduled actions on every scalable target.

Variants on burstable instance types get no scalable target: SageMaker cannot scale them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jsii
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.aws_applicationautoscaling import CfnScalableTarget, CfnScalingPolicy
from constructs import Construct

from platform_constructs.serving.monitoring import EndpointMetricFactory
from platform_constructs.serving.settings import EndpointSettings
from platform_constructs.serving.variants import PRIMARY_VARIANT

SCALE_OUT_COOLDOWN_SECONDS = 60
"""Scale out quickly: a traffic spike should not wait."""
SCALE_IN_COOLDOWN_SECONDS = 300
"""Scale in slowly: instances take minutes to start, so do not give them back on a short lull."""
WAKE_COOLDOWN_SECONDS = 300
WAKE_ALARM_PERIOD = Duration.minutes(1)
WAKE_ALARM_PERIODS = 2
"""``HasBacklogWithoutCapacity`` >= 1 for two one-minute periods starts the first instance."""
MAX_POLICY_NAME_LENGTH = 256
"""Application Auto Scaling's limit for a scaling policy's name."""
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@dataclass
class EndpointScaling:
    """What :func:`configure_autoscaling` created, by variant name."""

    targets: dict[str, CfnScalableTarget] = field(default_factory=dict)
    policies: dict[str, CfnScalingPolicy] = field(default_factory=dict)
    wake_policies: dict[str, CfnScalingPolicy] = field(default_factory=dict)
    wake_alarms: dict[str, cloudwatch.Alarm] = field(default_factory=dict)


def configure_autoscaling(scope: Construct, settings: EndpointSettings, *, endpoint: sagemaker.CfnEndpoint,
                          metrics: EndpointMetricFactory) -> EndpointScaling:
    """Per autoscaled variant: a scalable target between ``min_capacity`` and ``max_capacity``
    (``ScalableTarget<suffix>``) with the sleep schedule, its target-tracking policy (``ScalingPolicy<suffix>``)
    and, for an asynchronous endpoint that scales to zero, ``WakeOnBacklog<suffix>`` with its alarm."""
    scaling = EndpointScaling()
    for v in settings.autoscaled_variants:
        suffix = "" if v.name == PRIMARY_VARIANT else v.name
        target = CfnScalableTarget(
            scope, f"ScalableTarget{suffix}",
            service_namespace="sagemaker",
            scalable_dimension=SCALABLE_DIMENSION,
            resource_id=f"endpoint/{settings.endpoint_name}/variant/{v.name}",
            min_capacity=settings.min_capacity,
            max_capacity=settings.max_capacity,
            scheduled_actions=[CfnScalableTarget.ScheduledActionProperty(
                scheduled_action_name=action.name, schedule=action.schedule, timezone=action.timezone,
                scalable_target_action=CfnScalableTarget.ScalableTargetActionProperty(
                    min_capacity=action.min_capacity, max_capacity=action.max_capacity),
            ) for action in settings.schedule] or None,
        )
        target.node.add_dependency(endpoint)  # resource_id names the endpoint literally
        scaling.targets[v.name] = target
        scaling.policies[v.name] = CfnScalingPolicy(
            scope, f"ScalingPolicy{suffix}",
            policy_name=_policy_name(settings, v.name, "backlog" if settings.mode == "async" else "invocations"),
            policy_type="TargetTrackingScaling",
            scaling_target_id=target.ref,
            target_tracking_scaling_policy_configuration=_target_tracking(settings),
        )
        if settings.scales_to_zero:
            _wake_on_backlog(scope, settings, scaling, target=target, variant=v.name, suffix=suffix, metrics=metrics)
    return scaling


def _target_tracking(settings: EndpointSettings) -> CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty:
    if settings.mode == "async":
        return CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty(
            target_value=settings.backlog_per_instance,
            customized_metric_specification=CfnScalingPolicy.CustomizedMetricSpecificationProperty(
                metric_name="ApproximateBacklogSizePerInstance", namespace="AWS/SageMaker", statistic="Average",
                dimensions=[CfnScalingPolicy.MetricDimensionProperty(name="EndpointName",
                                                                     value=settings.endpoint_name)]),
            scale_in_cooldown=SCALE_IN_COOLDOWN_SECONDS, scale_out_cooldown=SCALE_OUT_COOLDOWN_SECONDS)
    return CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty(
        target_value=float(settings.invocations_per_instance),
        predefined_metric_specification=CfnScalingPolicy.PredefinedMetricSpecificationProperty(
            predefined_metric_type="SageMakerVariantInvocationsPerInstance"),
        scale_in_cooldown=SCALE_IN_COOLDOWN_SECONDS, scale_out_cooldown=SCALE_OUT_COOLDOWN_SECONDS)


def _wake_on_backlog(scope: Construct, settings: EndpointSettings, scaling: EndpointScaling, *,
                     target: CfnScalableTarget, variant: str, suffix: str, metrics: EndpointMetricFactory) -> None:
    policy = CfnScalingPolicy(
        scope, f"WakeOnBacklog{suffix}",
        policy_name=_policy_name(settings, variant, "wake-on-backlog"),
        policy_type="StepScaling",
        scaling_target_id=target.ref,
        step_scaling_policy_configuration=CfnScalingPolicy.StepScalingPolicyConfigurationProperty(
            adjustment_type="ChangeInCapacity", metric_aggregation_type="Average", cooldown=WAKE_COOLDOWN_SECONDS,
            step_adjustments=[CfnScalingPolicy.StepAdjustmentProperty(metric_interval_lower_bound=0,
                                                                      scaling_adjustment=1)]),
    )
    alarm = cloudwatch.Alarm(
        scope, f"HasBacklogWithoutCapacity{suffix}",
        metric=metrics.metric_has_backlog_without_capacity(period=WAKE_ALARM_PERIOD),
        threshold=1, evaluation_periods=WAKE_ALARM_PERIODS, datapoints_to_alarm=WAKE_ALARM_PERIODS,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.MISSING,
        alarm_description=f"{settings.endpoint_name}: requests wait and variant {variant} has no instance: start one",
    )
    alarm.add_alarm_action(_ScalingPolicyAction(policy))
    scaling.wake_policies[variant] = policy
    scaling.wake_alarms[variant] = alarm


@jsii.implements(cloudwatch.IAlarmAction)
class _ScalingPolicyAction:
    """An alarm action that runs an Application Auto Scaling policy."""

    def __init__(self, policy: CfnScalingPolicy) -> None:
        self._policy = policy

    def bind(self, scope: Construct, alarm: cloudwatch.IAlarm) -> cloudwatch.AlarmActionConfig:
        return cloudwatch.AlarmActionConfig(alarm_action_arn=self._policy.ref)  # Ref of a scaling policy: its ARN


def _policy_name(settings: EndpointSettings, variant: str, purpose: str) -> str:
    return f"{settings.endpoint_name}-{variant}-{purpose}"[:MAX_POLICY_NAME_LENGTH]
