"""The endpoint's CloudWatch metrics, in one factory (as cdk-monitoring-constructs' ``*MetricFactory``): the
alarms, the dashboard and the construct's ``metric_*()`` helpers all read them from here. Creates no resource."""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from platform_constructs.serving.variants import PRIMARY_VARIANT

METRICS_NAMESPACE = "AWS/SageMaker"
"""Invocation metrics (invocations, errors, latency), per endpoint and variant."""
INSTANCE_METRICS_NAMESPACE = "/aws/sagemaker/Endpoints"
"""Instance metrics (CPU, memory, disk, GPU utilization), per endpoint and variant."""


class EndpointMetricFactory:
    """Metrics of one SageMaker endpoint's variants, each aggregated over ``period``.

    :param endpoint_name: the endpoint's name (the ``EndpointName`` dimension).
    :param period: the aggregation period of every metric (the policy's ``alarms.period_minutes``).
    """

    def __init__(self, endpoint_name: str, *, period: Duration) -> None:
        self.endpoint_name = endpoint_name
        self.period = period
        self._made: dict[tuple[str, str, str, str, Duration], cloudwatch.Metric] = {}

    def metric(self, metric_name: str, *, variant_name: str = PRIMARY_VARIANT, statistic: str = "Sum",
               namespace: str = METRICS_NAMESPACE, period: Duration | None = None) -> cloudwatch.Metric:
        """A metric of one variant: ``AWS/SageMaker`` and the ``Sum`` statistic unless told otherwise.

        Made once per factory and arguments: a ``Metric`` is an immutable value (its ``with_``/``attach_to`` return
        new ones), so the alarms, the dashboard and the ``metric_*`` helpers share it (each made metric is a call
        into Node: issue 19)."""
        chosen = period or self.period
        key = (namespace, metric_name, statistic, variant_name, chosen)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = cloudwatch.Metric(
                namespace=namespace, metric_name=metric_name, statistic=statistic, period=chosen,
                dimensions_map={"EndpointName": self.endpoint_name, "VariantName": variant_name},
            )
        return made

    def metric_invocations(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("Invocations", variant_name=variant_name)

    def metric_invocations_per_instance(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("InvocationsPerInstance", variant_name=variant_name)

    def metric_invocation_5xx_errors(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("Invocation5XXErrors", variant_name=variant_name)

    def metric_invocation_4xx_errors(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("Invocation4XXErrors", variant_name=variant_name)

    def metric_4xx_rate(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.MathExpression:
        """Percentage of invocations that returned a 4xx error (0 when there is no traffic)."""
        return cloudwatch.MathExpression(
            expression="IF(invocations > 0, 100 * errors / invocations, 0)",
            using_metrics={"errors": self.metric_invocation_4xx_errors(variant_name=variant_name),
                           "invocations": self.metric_invocations(variant_name=variant_name)},
            label=f"4xx rate % {variant_name}", period=self.period,
        )

    def metric_model_latency(self, *, variant_name: str = PRIMARY_VARIANT, statistic: str = "p99") -> cloudwatch.Metric:
        """Model latency in microseconds (SageMaker's unit); p99 unless ``statistic`` says otherwise."""
        return self.metric("ModelLatency", variant_name=variant_name, statistic=statistic)

    def metric_cpu_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """CPU utilization summed over the instance's vCPUs (0-100 x vCPUs), average."""
        return self._instance_metric("CPUUtilization", variant_name)

    def metric_memory_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """Memory utilization of the instance (0-100), average."""
        return self._instance_metric("MemoryUtilization", variant_name)

    def metric_disk_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """Disk utilization of the instance (0-100), average."""
        return self._instance_metric("DiskUtilization", variant_name)

    def metric_gpu_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """GPU utilization summed over the instance's GPUs (0-100 x GPUs), average."""
        return self._instance_metric("GPUUtilization", variant_name)

    def metric_gpu_memory_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """GPU memory utilization summed over the instance's GPUs (0-100 x GPUs), average."""
        return self._instance_metric("GPUMemoryUtilization", variant_name)

    def metric_approximate_backlog_size_per_instance(self) -> cloudwatch.Metric:
        """Asynchronous requests queued per instance (endpoint-wide), average."""
        return self._endpoint_metric("ApproximateBacklogSizePerInstance")

    def metric_has_backlog_without_capacity(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """1 while asynchronous requests wait and the endpoint has no instance (endpoint-wide), average."""
        return self._endpoint_metric("HasBacklogWithoutCapacity", period=period)

    def metric_cpu_utilization_share(self, *, variant_name: str = PRIMARY_VARIANT,
                                     vcpus: int) -> cloudwatch.MathExpression:
        """CPU utilization as a share of all the instance's ``vcpus`` (0-100), average."""
        metric_id = "cpu_" + re.sub(r"[^a-z0-9]", "_", variant_name.lower())  # unique per variant within a graph
        return cloudwatch.MathExpression(
            expression=f"{metric_id} / {vcpus}",
            using_metrics={metric_id: self.metric_cpu_utilization(variant_name=variant_name)},
            label=f"CPU {variant_name} (% of {vcpus} vCPUs)", period=self.period)

    def metric_highest_of(self, metrics: Sequence[cloudwatch.IMetric], *, label: str) -> cloudwatch.MathExpression:
        """The highest of ``metrics`` at each period (``MAX([...])``): one series that breaches when any does.
        CloudWatch alarms on metric math accept at most 10 metrics (SageMaker's limit of variants is 10 too)."""
        ids = [f"v{i}" for i in range(len(metrics))]
        return cloudwatch.MathExpression(expression=f"MAX([{', '.join(ids)}])",
                                         using_metrics=dict(zip(ids, metrics, strict=True)), label=label,
                                         period=self.period)

    def _endpoint_metric(self, metric_name: str, *, period: Duration | None = None) -> cloudwatch.Metric:
        return cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=metric_name, statistic="Average",
                                 period=period or self.period, dimensions_map={"EndpointName": self.endpoint_name})

    def _instance_metric(self, metric_name: str, variant_name: str) -> cloudwatch.Metric:
        return self.metric(metric_name, variant_name=variant_name, statistic="Average",
                           namespace=INSTANCE_METRICS_NAMESPACE)
