"""The endpoint's CloudWatch dashboard: invocations, errors and latency per variant; on instances also invocations
per instance, utilization and the status of every alarm."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from platform_constructs.serving.monitoring import EndpointMetricFactory
from platform_constructs.serving.settings import EndpointSettings


def endpoint_dashboard(scope: Construct, settings: EndpointSettings, *, metrics: EndpointMetricFactory,
                       alarms: Sequence[cloudwatch.IAlarm]) -> cloudwatch.Dashboard:
    """``Dashboard`` of the endpoint ``scope``."""
    dashboard = cloudwatch.Dashboard(scope, "Dashboard")
    names = [v.name for v in settings.variants]
    dashboard.add_widgets(
        cloudwatch.TextWidget(markdown=f"# SageMaker endpoint `{settings.endpoint_name}` ({settings.mode})",
                              width=24),
        cloudwatch.GraphWidget(title="Invocations", left=[metrics.metric_invocations(variant_name=n) for n in names]),
        cloudwatch.GraphWidget(title="Errors", left=[
            *(metrics.metric_invocation_5xx_errors(variant_name=n) for n in names),
            *(metrics.metric_invocation_4xx_errors(variant_name=n) for n in names)]),
        cloudwatch.GraphWidget(title="Model latency p99 (microseconds)",
                               left=[metrics.metric_model_latency(variant_name=n) for n in names]),
    )
    if not settings.serverless:
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Invocations per instance",
                                   left=[metrics.metric_invocations_per_instance(variant_name=n) for n in names]),
            cloudwatch.GraphWidget(title="Utilization (%)", left=[
                m for n in names for m in (metrics.metric_cpu_utilization(variant_name=n),
                                           metrics.metric_memory_utilization(variant_name=n),
                                           metrics.metric_disk_utilization(variant_name=n))]),
            cloudwatch.AlarmStatusWidget(alarms=list(alarms), title="Alarms"),
        )
    return dashboard
