"""The monitoring arguments of SecureModelEndpoint, validated without synthesizing (pure)."""

from __future__ import annotations

import dataclasses

import pytest

from platform_constructs.errors import PlatformValidationError, Problems
from platform_constructs.policy import load_policy
from platform_constructs.policy_monitoring import ModelMonitorRegistry
from platform_constructs.serving.monitoring_settings import (
    DataQualityMonitoring,
    ModelQualityMonitoring,
    MonitoringSettings,
    monitoring_settings,
)

POLICY = load_policy()
DEV, PROD = POLICY.environment("dev"), POLICY.environment("prod")
DATA = DataQualityMonitoring(baseline_dataset="s3://data/churn/train.csv")
MODEL = ModelQualityMonitoring(baseline_dataset="s3://data/churn/validation.csv", ground_truth="s3://labels/churn/",
                               problem_type="BinaryClassification", inference_attribute="0",
                               ground_truth_attribute="label", probability_attribute="1")


def settings(monitoring: object, *, env: object = DEV, mode: str = "realtime",
             policy: object = POLICY) -> MonitoringSettings | None:
    problems = Problems("stack/Model")
    result = monitoring_settings(policy, env, problems, monitoring=monitoring, mode=mode)  # type: ignore[arg-type]
    problems.raise_if_any()
    return result


def test_data_quality_takes_the_policys_defaults() -> None:
    result = settings(DATA)
    assert result is not None
    (job,) = result.jobs
    assert (job.kind, job.schedule, job.schedule_expression, job.max_runtime_seconds) == (
        "data-quality", "hourly", "cron(0 * ? * * *)", POLICY.monitoring.max_runtime_minutes * 60)
    assert (job.baseline_dataset.bucket, job.baseline_dataset.object_pattern) == ("data", "data/churn/train.csv")
    assert (result.instance_type, result.instance_count, result.volume_size_gb) == ("ml.m5.xlarge", 1, 20)


def test_both_kinds_with_offsets_for_late_labels() -> None:
    result = settings((DATA, dataclasses.replace(MODEL, schedule="daily", ground_truth_delay_hours=6)))
    assert result is not None
    data, model = result.jobs
    assert (data.short, model.short) == ("dq", "mq")
    assert model.time_offsets == ("-PT30H", "-PT6H")  # one day of inferences that ended six hours ago
    assert model.ground_truth is not None and model.ground_truth.list_prefix == "churn/*"


def test_no_monitoring_is_none_outside_prod() -> None:
    assert settings(None) is None


def test_a_prod_endpoint_without_monitoring_is_one_error_naming_the_argument_and_the_policy_key() -> None:
    with pytest.raises(PlatformValidationError) as info:
        settings(None, env=PROD)
    (problem,) = info.value.problems
    assert problem.argument == "monitoring"
    assert "environments.prod.monitoring_required" in str(info.value)
    assert "monitoring=DataQualityMonitoring(baseline_dataset=" in problem.fix


@pytest.mark.parametrize("mode", ["serverless", "async"])
def test_a_prod_endpoint_that_cannot_be_monitored_names_the_mode(mode: str) -> None:
    with pytest.raises(PlatformValidationError, match=r"argument 'mode'.*monitoring_required is true.*real-time"):
        settings(None, env=PROD, mode=mode)


@pytest.mark.parametrize("mode", ["serverless", "async"])
def test_monitoring_is_refused_where_model_monitor_cannot_read(mode: str) -> None:
    with pytest.raises(PlatformValidationError, match=r"argument 'monitoring'.*real-time endpoints only"):
        settings(DATA, mode=mode)


@pytest.mark.parametrize(("monitoring", "match"), [
    ("s3://data/train.csv", r"argument 'monitoring' = 's3://data/train.csv'.*DataQualityMonitoring"),
    ((DATA, DATA), r"one of each"),
    ((), r"one of each"),
    (DataQualityMonitoring(baseline_dataset="s3://data/*.csv"), r"monitoring.baseline_dataset.*no wildcards"),
    (DataQualityMonitoring(baseline_dataset="data/train.csv"), r"Fix: pass DataQualityMonitoring\(baseline_dataset='s3://"),
    (DataQualityMonitoring(baseline_dataset="s3://data/train.csv", schedule="Hourly"),  # type: ignore[arg-type]
     r"monitoring.schedule.*Fix: pass DataQualityMonitoring\(schedule='hourly', ...\)"),
    (DataQualityMonitoring(baseline_dataset="s3://data/t.csv", dataset_format="parquet"),  # type: ignore[arg-type]
     r"monitoring.dataset_format"),
    (dataclasses.replace(MODEL, ground_truth="s3://labels/churn"), r"ground_truth.*Fix: pass ModelQualityMonitoring"
                                                                   r"\(ground_truth='s3://labels/churn/'"),
    (dataclasses.replace(MODEL, problem_type="Regression"), r"probability_attribute.*BinaryClassification"),
    (dataclasses.replace(MODEL, inference_attribute="a b"), r"monitoring.inference_attribute"),
    (dataclasses.replace(MODEL, probability_threshold=1.5), r"probability_threshold"),
    (dataclasses.replace(MODEL, ground_truth_delay_hours=-1), r"ground_truth_delay_hours"),
])
def test_bad_monitoring_arguments(monitoring: object, match: str) -> None:
    with pytest.raises(PlatformValidationError, match=match):
        settings(monitoring)


def test_every_problem_is_reported_together_with_its_position_in_the_tuple() -> None:
    bad = (DataQualityMonitoring(baseline_dataset="nope"), dataclasses.replace(MODEL, ground_truth="nope"))
    with pytest.raises(PlatformValidationError) as info:
        settings(bad)
    assert [p.argument for p in info.value.problems] == ["monitoring[0].baseline_dataset",
                                                         "monitoring[1].ground_truth"]


def test_an_hourly_model_quality_job_fits_sagemakers_limit() -> None:
    long = dataclasses.replace(POLICY, monitoring=dataclasses.replace(POLICY.monitoring, max_runtime_minutes=45))
    assert settings(DATA, policy=long) is not None  # data quality: up to 60 minutes an hour
    with pytest.raises(PlatformValidationError, match=r"an hourly model-quality job may run at most 30 minutes"):
        settings(MODEL, policy=long)


def test_a_policy_without_the_analyzers_registry_refuses_monitoring() -> None:
    bare = dataclasses.replace(POLICY, model_monitor=ModelMonitorRegistry())
    with pytest.raises(PlatformValidationError, match=r"registries.model_monitor"):
        settings(DATA, policy=bare)
