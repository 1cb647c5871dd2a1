"""The endpoint's metric factory and the construct's ``metric_*`` helpers that delegate to it (no synth)."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch

from platform_constructs import SecureModelEndpoint
from platform_constructs.serving.monitoring import INSTANCE_METRICS_NAMESPACE, METRICS_NAMESPACE, EndpointMetricFactory
from platform_constructs.testing import new_app

FACTORY = EndpointMetricFactory("my-endpoint", period=Duration.minutes(5))


def test_invocation_metrics_are_per_endpoint_and_variant() -> None:
    metric = FACTORY.metric_model_latency(variant_name="B")
    assert (metric.namespace, metric.metric_name, metric.statistic) == (METRICS_NAMESPACE, "ModelLatency", "p99")
    assert metric.dimensions == {"EndpointName": "my-endpoint", "VariantName": "B"}
    assert metric.period.to_minutes() == 5
    assert FACTORY.metric_invocations().dimensions == {"EndpointName": "my-endpoint", "VariantName": "Primary"}
    assert (FACTORY.metric_invocation_5xx_errors().metric_name, FACTORY.metric_invocation_5xx_errors().statistic) == (
        "Invocation5XXErrors", "Sum")


def test_instance_metrics_are_averages_in_the_endpoint_namespace() -> None:
    for metric in (FACTORY.metric_cpu_utilization(), FACTORY.metric_memory_utilization(),
                   FACTORY.metric_disk_utilization(), FACTORY.metric_gpu_utilization(),
                   FACTORY.metric_gpu_memory_utilization()):
        assert (metric.namespace, metric.statistic) == (INSTANCE_METRICS_NAMESPACE, "Average")


def test_async_metrics_are_per_endpoint() -> None:
    for metric in (FACTORY.metric_approximate_backlog_size_per_instance(),
                   FACTORY.metric_has_backlog_without_capacity(period=Duration.minutes(1))):
        assert (metric.namespace, metric.statistic, metric.dimensions) == (
            METRICS_NAMESPACE, "Average", {"EndpointName": "my-endpoint"})
    assert FACTORY.metric_has_backlog_without_capacity(period=Duration.minutes(1)).period.to_minutes() == 1


def test_cpu_share_divides_by_the_vcpus() -> None:
    share = FACTORY.metric_cpu_utilization_share(variant_name="Chall-enger", vcpus=8)
    assert share.expression == "cpu_chall_enger / 8"
    assert [m.metric_name for m in share.using_metrics.values()] == ["CPUUtilization"]  # type: ignore[attr-defined]


def test_rates_and_the_highest_of_several_metrics_are_math_expressions() -> None:
    rate = FACTORY.metric_4xx_rate(variant_name="B")
    assert rate.expression == "IF(invocations > 0, 100 * errors / invocations, 0)"
    assert {k: m.metric_name for k, m in rate.using_metrics.items()  # type: ignore[attr-defined]
            } == {"errors": "Invocation4XXErrors", "invocations": "Invocations"}
    highest = FACTORY.metric_highest_of([FACTORY.metric_invocations(variant_name=n) for n in ("A", "B", "C")],
                                        label="most invocations")
    assert isinstance(highest, cloudwatch.MathExpression)
    assert highest.expression == "MAX([v0, v1, v2])" and set(highest.using_metrics) == {"v0", "v1", "v2"}


def test_the_construct_delegates_to_its_factory() -> None:
    endpoint = SecureModelEndpoint(Stack(new_app(), "S"), "E", model_data_url="s3://my-bucket/m.tar.gz",
                                   cost_center="team-a", endpoint_name="my")
    assert endpoint.metrics.endpoint_name == endpoint.endpoint_name == f"my-{endpoint.settings.generation}"
    pairs = [(endpoint.metric_invocations(), FACTORY.metric_invocations()),
             (endpoint.metric_model_latency(statistic="p50"), FACTORY.metric_model_latency(statistic="p50")),
             (endpoint.metric_cpu_utilization(variant_name="B"), FACTORY.metric_cpu_utilization(variant_name="B")),
             (endpoint.metric("OverheadLatency", statistic="Average"), FACTORY.metric("OverheadLatency",
                                                                                      statistic="Average"))]
    for mine, expected in pairs:
        assert (mine.namespace, mine.metric_name, mine.statistic) == (
            expected.namespace, expected.metric_name, expected.statistic)
        assert mine.dimensions == {**(expected.dimensions or {}), "EndpointName": endpoint.endpoint_name}
    assert endpoint.metric_4xx_rate().expression == FACTORY.metric_4xx_rate().expression
