"""The endpoint's alarms, each notifying its KMS-encrypted topic, and the ones that roll a deployment back.

Per variant: 5xx errors, p99 model latency and 4xx rate; on instances also CPU, memory and disk, and GPU and GPU
memory on GPU instances. The 5xx and latency alarms roll a blue/green deployment back. SageMaker takes at most
``MAX_ROLLBACK_ALARMS`` (10) rollback alarms, i.e. two per variant for up to five variants; beyond that, one alarm
per kind on the highest value over all variants (``RollbackErrors5xx``, ``RollbackLatencyP99``) rolls back
instead, so every variant still guards every deployment.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from platform_constructs import catalog
from platform_constructs.serving.monitoring import EndpointMetricFactory
from platform_constructs.serving.settings import EndpointSettings
from platform_constructs.serving.variants import PRIMARY_VARIANT

LATENCY_UNITS_PER_MS = 1000
"""ModelLatency is reported in microseconds."""


class EndpointAlarms:
    """Creates the alarms of the endpoint ``scope`` in :attr:`alarms` (by construct id) and selects
    :attr:`rollback` (what the endpoint's auto-rollback configuration names)."""

    def __init__(self, scope: Construct, settings: EndpointSettings, *, metrics: EndpointMetricFactory,
                 topic: sns.ITopic) -> None:
        self._scope = scope
        self._settings = settings
        self._metrics = metrics
        self._action = cloudwatch_actions.SnsAction(topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self.rollback: list[cloudwatch.Alarm] = []
        period = settings.alarm_period_minutes
        errors, latency_ms = settings.alarm_5xx_errors, settings.alarm_p99_latency_ms
        for v in settings.variants:
            suffix = "" if v.name == PRIMARY_VARIANT else v.name
            self.rollback.append(self._alarm(
                f"Errors5xx{suffix}", metrics.metric_invocation_5xx_errors(variant_name=v.name), errors,
                f"variant {v.name}: more than {errors} 5xx errors per {period} min"))
            self.rollback.append(self._alarm(
                f"LatencyP99{suffix}", metrics.metric_model_latency(variant_name=v.name),
                latency_ms * LATENCY_UNITS_PER_MS, f"variant {v.name}: p99 model latency above {latency_ms} ms"))
            rate = settings.alarm_4xx_rate_percent
            self._alarm(f"Rate4xx{suffix}", metrics.metric_4xx_rate(variant_name=v.name), rate,
                        f"variant {v.name}: more than {rate}% of invocations are 4xx errors")
            if v.instance_type is not None:
                self._utilization_alarms(v.name, suffix, v.instance_type)
        if not settings.rollback_alarms_per_variant:
            self.rollback = [
                self._highest("RollbackErrors5xx", metrics.metric_invocation_5xx_errors, errors,
                              f"more than {errors} 5xx errors per {period} min"),
                self._highest("RollbackLatencyP99", metrics.metric_model_latency, latency_ms * LATENCY_UNITS_PER_MS,
                              f"p99 model latency above {latency_ms} ms"),
            ]

    def _utilization_alarms(self, variant: str, suffix: str, instance_type: str) -> None:
        metrics, limit = self._metrics, self._settings.alarm_utilization_percent
        spec = catalog.sagemaker(instance_type)
        vcpus = spec.vcpus if spec is not None else 1
        gpus = spec.gpus if spec is not None else 0
        self._alarm(f"Cpu{suffix}", metrics.metric_cpu_utilization(variant_name=variant), limit * vcpus,
                    f"variant {variant}: CPU above {limit}% of {vcpus} vCPUs")
        self._alarm(f"Memory{suffix}", metrics.metric_memory_utilization(variant_name=variant), limit,
                    f"variant {variant}: memory above {limit}%")
        self._alarm(f"Disk{suffix}", metrics.metric_disk_utilization(variant_name=variant), limit,
                    f"variant {variant}: disk above {limit}%")
        if gpus:
            self._alarm(f"Gpu{suffix}", metrics.metric_gpu_utilization(variant_name=variant), limit * gpus,
                        f"variant {variant}: GPU above {limit}% of {gpus} GPU(s)")
            self._alarm(f"GpuMemory{suffix}", metrics.metric_gpu_memory_utilization(variant_name=variant),
                        limit * gpus, f"variant {variant}: GPU memory above {limit}% of {gpus} GPU(s)")

    def _highest(self, id: str, metric: Callable[..., cloudwatch.Metric], threshold: float,
                 description: str) -> cloudwatch.Alarm:
        names = [v.name for v in self._settings.variants]
        highest = self._metrics.metric_highest_of([metric(variant_name=n) for n in names], label=f"{id} (highest)")
        return self._alarm(id, highest, threshold, f"rollback guard, any of {len(names)} variants: {description}")

    def _alarm(self, id: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self._scope, id, metric=metric, threshold=threshold,
            evaluation_periods=self._settings.alarm_evaluation_periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{self._settings.endpoint_name}: {description}",
        )
        alarm.add_alarm_action(self._action)
        self.alarms[id] = alarm
        return alarm
