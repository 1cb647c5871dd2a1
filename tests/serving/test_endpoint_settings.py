"""The endpoint's pure settings function: defaults from the policy, every bad argument named with a fix, the
warnings, and no ``aws_cdk`` (these tests start no Node process)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from platform_constructs.errors import PlatformValidationError, Problems
from platform_constructs.policy import load_policy
from platform_constructs.serving.settings import (
    DEFAULT_BAKE_MINUTES,
    DEFAULT_INVOCATIONS_PER_INSTANCE,
    MODE_SPECIFIC_ARGUMENTS,
    WARNING_IGNORED_ARGUMENTS,
    WARNING_NO_BAKE_TIME,
    WARNING_NO_CAPTURE,
    EndpointSettings,
    default_endpoint_name,
    endpoint_settings,
)
from platform_constructs.serving.variants import ModelVariant

URL = "s3://my-bucket/models/rec-model.tar.gz"
POLICY = load_policy()
DEV = POLICY.environment("dev")


def settings(env: str = "dev", **arguments: Any) -> EndpointSettings:
    kwargs: dict[str, Any] = {"model_data_url": URL, **arguments}
    return endpoint_settings(POLICY, POLICY.environment(env), stack_name="S", construct_id="Endpoint", **kwargs)


def test_importing_the_settings_starts_no_node_process() -> None:
    code = ("import sys, platform_constructs.serving.settings, platform_constructs.serving; "
            "print(sorted(m for m in ('aws_cdk', 'jsii', 'constructs') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_defaults_come_from_the_policy_and_the_documented_constants() -> None:
    alarms = POLICY.alarms
    result = settings()
    assert (result.mode, result.endpoint_name, result.min_capacity, result.max_capacity) == (
        "realtime", "S-Endpoint", DEV.endpoint_min_capacity, DEV.endpoint_max_capacity)
    assert (result.invocations_per_instance, result.data_capture_sampling_percent, result.traffic_shifting,
            result.traffic_step_percent, result.bake_minutes) == (DEFAULT_INVOCATIONS_PER_INSTANCE, 100, "canary",
                                                                  10, DEFAULT_BAKE_MINUTES)
    assert (result.alarm_5xx_errors, result.alarm_4xx_rate_percent, result.alarm_p99_latency_ms,
            result.alarm_utilization_percent, result.alarm_period_minutes, result.alarm_evaluation_periods) == (
        alarms.endpoint_5xx_errors, alarms.endpoint_4xx_rate_percent, alarms.endpoint_p99_latency_ms,
        alarms.utilization_percent, alarms.period_minutes, alarms.evaluation_periods)
    assert result.variants == (ModelVariant("Primary", URL, 1.0, DEV.default_sagemaker_instance_type,
                                            POLICY.images.inference),)
    assert result.warnings == () and result.model_artifacts == ("my-bucket/models/rec-model.tar.gz",)


def test_variants_inherit_the_endpoints_instance_type_and_image() -> None:
    image = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference@sha256:" + "b" * 64
    result = settings(instance_type="ml.c5.xlarge", image=image, primary_weight=3,
                      variants=[ModelVariant("B", "s3://my-bucket/b.tar.gz"),
                                ModelVariant("C", URL, 2.0, "ml.m5.xlarge", None)])
    assert [(v.name, v.weight, v.instance_type, v.image) for v in result.variants] == [
        ("Primary", 3.0, "ml.c5.xlarge", image), ("B", 1.0, "ml.c5.xlarge", image),
        ("C", 2.0, "ml.m5.xlarge", image)]
    assert result.model_artifacts == ("my-bucket/b.tar.gz", "my-bucket/models/rec-model.tar.gz")  # distinct, sorted


def test_serverless_has_no_instance_type_and_keeps_no_ignored_value() -> None:
    result = settings(mode="serverless", min_capacity=7, serverless_memory_mb=4096)
    assert result.serverless and result.variants[0].instance_type is None and not result.instance_store
    assert (result.min_capacity, result.serverless_memory_mb) == (DEV.endpoint_min_capacity, 4096)


def test_instance_store_and_rollback_alarm_selection() -> None:
    assert settings(instance_type="ml.g4dn.xlarge").instance_store
    assert not settings().instance_store
    five = [ModelVariant(f"V{i}", URL) for i in range(4)]
    assert settings(variants=five).rollback_alarms_per_variant  # 5 variants x 2 alarms = SageMaker's 10
    assert not settings(variants=[*five, ModelVariant("V9", URL)]).rollback_alarms_per_variant


def test_default_endpoint_name_is_valid_and_stable() -> None:
    assert default_endpoint_name("prod-rec-model", "RecommendationModel") == "prod-rec-model-RecommendationModel"
    assert default_endpoint_name("my_stack", "Model.v2") == "my-stack-Model-v2"
    long = default_endpoint_name("a-very-long-stack-name-for-the-recommendations-team-in-production",
                                 "RecommendationModelEndpoint")
    assert len(long) == 63 and long.startswith("a-very-long-stack-name")
    assert long == default_endpoint_name("a-very-long-stack-name-for-the-recommendations-team-in-production",
                                         "RecommendationModelEndpoint")


# --- every bad argument: one PlatformValidationError naming it, its value and a fix ----------------------------
BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"instance_type": "m5.xlarge"}, r"argument 'instance_type' = 'm5.xlarge'.*SageMaker instance type.*"
                                     r"Fix: pass instance_type='ml.m5.xlarge'"),
    ({"instance_type": "ml.p4d.24xlarge"}, r"'instance_type' = 'ml.p4d.24xlarge'.*allows in dev.*"
                                           r"Fix: pass instance_type='ml.m5.xlarge'"),
    ({"model_data_url": "https://my-bucket/model.tar.gz"}, r"'model_data_url' = 'https://my-bucket/model.tar.gz'.*"
                                                           r"s3://bucket/key.*Fix: pass model_data_url='s3://"),
    ({"model_data_url": "s3://my-bucket/models/"}, r"'model_data_url' = 's3://my-bucket/models/'"),
    ({"model_data_url": "s3://my-bucket/models/*.tar.gz"}, r"'model_data_url'.*no wildcards"),
    ({"model_data_url": "s3://my-bucket/${Token[TOKEN.12]}"}, r"'model_data_url'.*a literal s3://"),
    ({"model_data_url": 42}, r"'model_data_url' = 42"),
    ({"image": "docker.io/library/python:3.11"}, r"'image' = 'docker.io/library/python:3.11'.*approved registry.*"
                                                 r"Fix: push the image to an approved registry"),
    ({"image": "${Token[AWS.AccountId.1]}.dkr.ecr.eu-west-1.amazonaws.com/platform/m:1"}, r"'image'.*a literal"),
    ({"min_capacity": 3, "max_capacity": 2}, r"'max_capacity' = 2.*>= min_capacity \(3\)"),
    ({"max_capacity": 50}, r"'max_capacity' = 50.*<= 2 \(policy endpoint_max_capacity in dev\).*"
                           r"Fix: pass max_capacity=2"),
    ({"min_capacity": 0}, r"'min_capacity' = 0.*>= 1"),
    ({"min_capacity": 1.5}, r"'min_capacity' = 1.5.*an integer"),
    ({"invocations_per_instance": 0}, r"'invocations_per_instance' = 0.*positive integer"),
    ({"data_capture_sampling_percent": 101}, r"'data_capture_sampling_percent' = 101.*0 to 100"),
    ({"data_capture_sampling_percent": -1}, r"'data_capture_sampling_percent' = -1"),
    ({"endpoint_name": "x" * 64}, r"'endpoint_name' = 'x{64}'.*1-63 letters.*Fix: pass endpoint_name="),
    ({"endpoint_name": "my_model"}, r"'endpoint_name' = 'my_model'"),
    ({"endpoint_name": "${Token[TOKEN.7]}"}, r"'endpoint_name' = '\$\{Token"),
    ({"variants": [ModelVariant("v" * 64, URL)]}, r"'variants\[0\]\.name' = 'v{64}'"),
    ({"variants": [ModelVariant("Primary", URL)]}, r"'variants\[0\]\.name' = 'Primary'.*unique"),
    ({"variants": [ModelVariant("B", URL), ModelVariant("B", URL)]}, r"'variants\[1\]\.name' = 'B'.*unique"),
    ({"variants": [ModelVariant("B", URL, weight=0)]}, r"'variants\[0\]\.weight' = 0.*positive"),
    ({"variants": [ModelVariant("B", URL, weight=float("inf"))]}, r"'variants\[0\]\.weight' = inf"),
    ({"variants": [ModelVariant("B", "bucket/key")]}, r"'variants\[0\]\.model_data_url' = 'bucket/key'"),
    ({"variants": [ModelVariant("B", URL, instance_type="ml.bogus")]}, r"'variants\[0\]\.instance_type'"),
    ({"variants": [ModelVariant("B", URL, image="quay.io/x/y:1")]}, r"'variants\[0\]\.image' = 'quay.io/x/y:1'"),
    ({"variants": ["B"]}, r"'variants\[0\]' = 'B'.*a ModelVariant"),
    ({"variants": None}, r"'variants' = None.*a list of ModelVariant"),
    ({"variants": [ModelVariant(["B"], URL)]}, r"'variants\[0\]\.name' = \['B'\]"),  # type: ignore[arg-type]
    ({"variants": [ModelVariant(f"V{i}", URL) for i in range(10)]}, r"'variants' = 10.*at most 9"),
    ({"primary_weight": -1}, r"'primary_weight' = -1.*positive"),
    ({"mode": "batch"}, r"'mode' = 'batch'.*realtime, serverless, async"),
    ({"mode": "serverless", "instance_type": "ml.m5.xlarge"}, r"'instance_type'.*serverless.*remove instance_type"),
    ({"mode": "serverless", "variants": [ModelVariant("B", URL)]}, r"'variants' = \['B'\].*one serverless variant"),
    ({"mode": "serverless", "serverless_memory_mb": 1000}, r"'serverless_memory_mb' = 1000.*1024, 2048"),
    ({"mode": "serverless", "serverless_max_concurrency": 500}, r"'serverless_max_concurrency' = 500"),
    ({"mode": "async", "async_max_concurrent_invocations": 0}, r"'async_max_concurrent_invocations' = 0"),
    ({"traffic_shifting": "all-at-once"}, r"'traffic_shifting' = 'all-at-once'.*canary or linear"),
    ({"traffic_step_percent": 0}, r"'traffic_step_percent' = 0"),
    ({"traffic_step_percent": True}, r"'traffic_step_percent' = True"),
    ({"bake_minutes": 90}, r"'bake_minutes' = 90.*0 to 60"),
    ({"alarm_4xx_rate_percent": 150.0}, r"'alarm_4xx_rate_percent' = 150.0.*up to 100.*policy's alarm default"),
    ({"alarm_5xx_errors": 0}, r"'alarm_5xx_errors' = 0"),
    ({"alarm_p99_latency_ms": float("nan")}, r"'alarm_p99_latency_ms' = nan"),
    ({"alarm_utilization_percent": "90"}, r"'alarm_utilization_percent' = '90'"),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD_INPUTS, ids=[e[1][:40] for e in BAD_INPUTS])
def test_bad_input_names_argument_value_and_fix(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(PlatformValidationError, match=expected) as info:
        settings(**overrides)
    for problem in info.value.problems:
        assert f"S/Endpoint: argument '{problem.argument}' = {problem.value!r}" in str(info.value)
        assert problem.allowed and problem.fix


def test_every_problem_is_reported_at_once_after_the_callers_own() -> None:
    problems = Problems("App/Stack/Model")
    problems.add("cost_center", "", "a slug", "pass cost_center='team-a'")
    with pytest.raises(PlatformValidationError) as info:
        endpoint_settings(POLICY, DEV, stack_name="Stack", construct_id="Model", problems=problems,
                          model_data_url="gs://x/y", instance_type="ml.bogus", bake_minutes=-1, endpoint_name="-")
    assert [p.argument for p in info.value.problems] == ["cost_center", "endpoint_name", "bake_minutes",
                                                         "model_data_url", "instance_type"]
    assert str(info.value).startswith("5 problem(s) in App/Stack/Model:")


def test_the_environment_decides_instance_types_and_capacity() -> None:
    assert settings("prod").min_capacity == POLICY.environment("prod").endpoint_min_capacity
    with pytest.raises(PlatformValidationError, match=r"allows in prod: ml.m5.xlarge"):
        settings("prod", instance_type="ml.t2.medium")


# --- warnings: what a user should know but may accept ---------------------------------------------------------
@pytest.mark.parametrize("argument", sorted(MODE_SPECIFIC_ARGUMENTS))
def test_an_argument_the_mode_ignores_is_a_warning_naming_it(argument: str) -> None:
    values: dict[str, Any] = {"vpc": object(), "serverless_memory_mb": 4096, "min_capacity": 1, "max_capacity": 2}
    value = values.get(argument, 3)
    unused_by = next(m for m in ("realtime", "serverless", "async") if m not in MODE_SPECIFIC_ARGUMENTS[argument])
    given: dict[str, Any] = {argument: value}
    result = settings(mode=unused_by, **given)
    (warning,) = result.warnings
    assert warning.id == WARNING_IGNORED_ARGUMENTS
    assert f"mode={unused_by!r} ignores {argument}" in warning.message
    used_by = MODE_SPECIFIC_ARGUMENTS[argument][0]
    assert settings(mode=used_by, **given).warnings == ()


def test_no_bake_time_and_no_capture_are_warnings() -> None:
    assert [w.id for w in settings(bake_minutes=0).warnings] == [WARNING_NO_BAKE_TIME]
    assert [w.id for w in settings(data_capture_sampling_percent=0).warnings] == [WARNING_NO_CAPTURE]
    assert "Pass bake_minutes=10" in settings(bake_minutes=0).warnings[0].message
