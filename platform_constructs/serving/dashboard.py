"""The endpoint's CloudWatch dashboard: invocations, errors and latency per variant; on instances also invocations
per instance, utilization (CPU as a share of all vCPUs, so every line reads 0-100 %) and the status of every alarm;
for asynchronous endpoints the backlog per instance."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from platform_constructs import catalog
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
    if settings.mode == "async":
        dashboard.add_widgets(cloudwatch.GraphWidget(title="Asynchronous backlog per instance", left=[
            metrics.metric_approximate_backlog_size_per_instance()]))
    if not settings.serverless:
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Invocations per instance",
                                   left=[metrics.metric_invocations_per_instance(variant_name=n) for n in names]),
            cloudwatch.GraphWidget(title="Utilization (% of the instance: all vCPUs, memory, disk)", left=[
                m for v in settings.variants for m in (
                    metrics.metric_cpu_utilization_share(variant_name=v.name, vcpus=_vcpus(v.instance_type)),
                    metrics.metric_memory_utilization(variant_name=v.name),
                    metrics.metric_disk_utilization(variant_name=v.name))]),
            cloudwatch.AlarmStatusWidget(alarms=list(alarms), title="Alarms"),
        )
    return dashboard


def _vcpus(instance_type: str | None) -> int:
    spec = catalog.sagemaker(instance_type) if instance_type is not None else None
    return spec.vcpus if spec is not None else 1
