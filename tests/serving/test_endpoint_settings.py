"""The endpoint's pure settings function: defaults from the policy, every bad argument named with a fix that fits,
the warnings, and no ``aws_cdk`` (these tests start no Node process)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

import pytest

from platform_constructs.errors import PlatformValidationError, Problems
from platform_constructs.policy import load_policy
from platform_constructs.policy_serving import EndpointSchedule, ServerlessPolicy
from platform_constructs.serving import deployment
from platform_constructs.serving.monitoring_settings import DataQualityMonitoring
from platform_constructs.serving.settings import (
    DEFAULT_BACKLOG_PER_INSTANCE,
    DEFAULT_BAKE_MINUTES,
    DEFAULT_INVOCATIONS_PER_INSTANCE,
    MODE_SPECIFIC_ARGUMENTS,
    WARNING_ALL_AT_ONCE,
    WARNING_IGNORED_ARGUMENTS,
    WARNING_NO_AUTOSCALING,
    WARNING_NO_BAKE_TIME,
    WARNING_NO_SLEEP,
    EndpointSettings,
    default_endpoint_name,
    endpoint_settings,
)
from platform_constructs.serving.variants import ModelVariant

URL = "s3://my-bucket/models/rec-model.tar.gz"
DIGEST = "sha256:" + "2" * 64
POLICY = load_policy()
DEV = POLICY.environment("dev")
PROD = POLICY.environment("prod")
CPU_PYTORCH = POLICY.images.frameworks["pytorch"].cpu


MONITORING = DataQualityMonitoring(baseline_dataset="s3://my-bucket/datasets/train.csv")


def settings(env: str = "dev", **arguments: Any) -> EndpointSettings:
    """The settings in ``env``. Where the environment requires monitoring (prod), a real-time endpoint gets a
    data-quality monitor; an async or serverless one (which Model Monitor cannot read) is judged under the same
    environment with ``monitoring_required`` off: these tests are of the environment's other bounds (the
    requirement has its own tests in tests/serving/test_monitoring_settings.py)."""
    environment = POLICY.environment(env)
    kwargs: dict[str, Any] = {"model_data_url": URL, **arguments}
    if environment.monitoring_required and "monitoring" not in kwargs:
        if kwargs.get("mode") in (None, "realtime"):
            kwargs["monitoring"] = MONITORING
        else:
            environment = dataclasses.replace(environment, monitoring_required=False)
    return endpoint_settings(POLICY, environment, stack_name="S", construct_id="Endpoint", **kwargs)


def test_importing_the_settings_starts_no_node_process() -> None:
    code = ("import sys, platform_constructs.serving.settings, platform_constructs.serving; "
            "print(sorted(m for m in ('aws_cdk', 'jsii', 'constructs') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_defaults_come_from_the_policy_and_the_documented_constants() -> None:
    alarms = POLICY.alarms
    result = settings()
    assert (result.mode, result.name, result.min_capacity, result.max_capacity) == (
        "realtime", "S-Endpoint", DEV.endpoint_min_capacity, DEV.endpoint_max_capacity)
    assert result.endpoint_name == f"S-Endpoint-{result.generation}" and len(result.generation) == 8
    assert (result.invocations_per_instance, result.data_capture_sampling_percent, result.traffic_shifting,
            result.traffic_step_percent, result.bake_minutes) == (DEFAULT_INVOCATIONS_PER_INSTANCE, 100, "canary",
                                                                  10, DEFAULT_BAKE_MINUTES)
    assert (result.alarm_5xx_errors, result.alarm_4xx_rate_percent, result.alarm_p99_latency_ms,
            result.alarm_utilization_percent, result.alarm_period_minutes, result.alarm_evaluation_periods) == (
        alarms.endpoint_5xx_errors, alarms.endpoint_4xx_rate_percent, alarms.endpoint_p99_latency_ms,
        alarms.utilization_percent, alarms.period_minutes, alarms.evaluation_periods)
    # the default instance type is a CPU type: the default framework's CPU image
    assert result.variants == (ModelVariant("Primary", URL, 1.0, DEV.default_sagemaker_instance_type, CPU_PYTORCH,
                                            "pytorch"),)
    assert result.model_artifacts == ("my-bucket/models/rec-model.tar.gz",)


def test_variants_inherit_the_endpoints_instance_type_and_image() -> None:
    image = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference@sha256:" + "b" * 64
    result = settings(instance_type="ml.c5.xlarge", image=image, primary_weight=3,
                      variants=[ModelVariant("B", "s3://my-bucket/b.tar.gz"),
                                ModelVariant("C", URL, 2.0, "ml.m5.xlarge", None)])
    assert [(v.name, v.weight, v.instance_type, v.image) for v in result.variants] == [
        ("Primary", 3.0, "ml.c5.xlarge", image), ("B", 1.0, "ml.c5.xlarge", image),
        ("C", 2.0, "ml.m5.xlarge", image)]
    assert result.model_artifacts == ("my-bucket/b.tar.gz", "my-bucket/models/rec-model.tar.gz")  # distinct, sorted


def test_framework_images_follow_each_variants_processor_kind() -> None:
    result = settings(framework="xgboost", variants=[ModelVariant("Gpu", URL, instance_type="ml.g4dn.xlarge"),
                                                     ModelVariant("Torch", URL, framework="pytorch")])
    xgboost, pytorch = POLICY.images.frameworks["xgboost"], POLICY.images.frameworks["pytorch"]
    assert [(v.image, v.framework) for v in result.variants] == [
        (xgboost.cpu, "xgboost"), (xgboost.gpu, "xgboost"), (pytorch.cpu, "pytorch")]
    assert settings(instance_type="ml.g4dn.xlarge").variants[0].image == pytorch.gpu
    assert settings(mode="serverless").variants[0].image == pytorch.cpu  # serverless runs on CPU
    golden = "{{resolve:ssm:/platform/images/default/inference}}"
    assert settings(golden_image=golden).variants[0].image == golden  # the app's golden image, unless told otherwise
    assert settings(golden_image=golden, framework="sklearn").variants[0].image == POLICY.images.frameworks[
        "sklearn"].cpu


def test_a_policy_without_framework_images_serves_its_inference_image() -> None:
    bare = dataclasses.replace(POLICY, images=dataclasses.replace(POLICY.images, frameworks={}))
    result = endpoint_settings(bare, DEV, stack_name="S", construct_id="E", model_data_url=URL)
    assert result.variants[0].image == POLICY.images.inference


def test_serverless_has_no_instance_type_and_keeps_no_ignored_value() -> None:
    result = settings(mode="serverless", min_capacity=7, serverless_memory_mb=4096,
                      serverless_provisioned_concurrency=2)
    assert result.serverless and result.variants[0].instance_type is None and not result.instance_store
    assert (result.min_capacity, result.serverless_memory_mb, result.serverless_provisioned_concurrency) == (
        DEV.endpoint_min_capacity, 4096, 2)
    assert result.schedule == () and result.traffic_routing == "ALL_AT_ONCE"


def test_instance_store_and_rollback_alarm_selection() -> None:
    assert settings(instance_type="ml.g4dn.xlarge").instance_store
    assert not settings().instance_store
    five = [ModelVariant(f"V{i}", URL) for i in range(4)]
    assert settings(variants=five).rollback_alarms_per_variant  # 5 variants x 2 alarms = SageMaker's 10
    assert not settings(variants=[*five, ModelVariant("V9", URL)]).rollback_alarms_per_variant


def test_default_endpoint_name_is_valid_stable_and_leaves_room_for_the_generation() -> None:
    assert default_endpoint_name("prod-rec-model", "RecommendationModel") == "prod-rec-model-RecommendationModel"
    assert default_endpoint_name("my_stack", "Model.v2") == "my-stack-Model-v2"
    long = default_endpoint_name("a-very-long-stack-name-for-the-recommendations-team-in-production",
                                 "RecommendationModelEndpoint")
    assert len(long) == 54 and long.startswith("a-very-long-stack-name")
    assert long == default_endpoint_name("a-very-long-stack-name-for-the-recommendations-team-in-production",
                                         "RecommendationModelEndpoint")
    assert len(settings(endpoint_name="x" * 54).endpoint_name) == 63  # SageMaker's limit, generation included


# --- the generation: what an update cannot change ----------------------------------------------------------------
def test_the_generation_changes_with_instance_types_variants_and_mode_only() -> None:
    base = settings()
    assert base.generation == settings(primary_weight=2, data_capture_sampling_percent=10, min_capacity=2,
                                       image=f"763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference@{DIGEST}",
                                       model_data_url="s3://my-bucket/models/v2.tar.gz").generation
    others = {settings(instance_type="ml.c5.xlarge").generation, settings(mode="async").generation,
              settings(variants=[ModelVariant("B", URL)]).generation, base.generation}
    assert len(others) == 4
    assert settings(endpoint_name="other").generation == base.generation  # the name is its own part


# --- traffic shifting chosen from capacity -------------------------------------------------------------------------
def test_one_instance_shifts_all_at_once_with_a_warning_and_two_allow_a_canary() -> None:
    dev = settings()
    assert dev.traffic_routing == "ALL_AT_ONCE"
    (warning,) = [w for w in dev.warnings if w.id == WARNING_ALL_AT_ONCE]
    assert "traffic_shifting='canary' cannot be honoured" in warning.message
    assert "Pass min_capacity=2 or more" in warning.message
    assert settings("prod").traffic_routing == "CANARY" and settings("prod").warnings == ()
    assert settings("prod", traffic_shifting="linear", traffic_step_percent=50).traffic_routing == "LINEAR"
    assert settings("staging", min_capacity=4, traffic_step_percent=50).traffic_routing == "CANARY"
    assert settings("staging", min_capacity=3, traffic_step_percent=50).traffic_routing == "ALL_AT_ONCE"


# --- async: backlog scaling, to zero where the policy allows ---------------------------------------------------------
def test_async_scales_on_the_backlog_down_to_the_policys_floor() -> None:
    dev = settings(mode="async")
    assert (dev.min_capacity, dev.initial_instance_count, dev.scales_to_zero) == (0, 1, True)
    assert dev.backlog_per_instance == DEFAULT_BACKLOG_PER_INSTANCE
    prod = settings("prod", mode="async", backlog_per_instance=2.5)
    assert (prod.min_capacity, prod.scales_to_zero, prod.backlog_per_instance) == (1, False, 2.5)
    with pytest.raises(PlatformValidationError, match=r"'min_capacity' = 0.*from 1 to 10.*floor for asynchronous"):
        settings("prod", mode="async", min_capacity=0)


# --- the sleep schedule -----------------------------------------------------------------------------------------
def test_non_prod_endpoints_sleep_on_the_policys_schedule() -> None:
    schedule = DEV.endpoint_schedule
    assert schedule is not None
    assert settings().schedule == (
        deployment.ScheduledScaling("sleep", schedule.sleep, schedule.timezone, 1, 1),
        deployment.ScheduledScaling("wake", schedule.wake, schedule.timezone, 1, 2))
    asleep, awake = settings(mode="async").schedule
    assert (asleep.min_capacity, asleep.max_capacity, awake.min_capacity, awake.max_capacity) == (0, 0, 0, 2)
    assert settings(sleep=False).schedule == ()
    assert settings("prod").schedule == ()  # the shipped policy has no schedule for prod
    (warning,) = settings("prod", sleep=True).warnings
    assert warning.id == WARNING_NO_SLEEP and "no endpoint_schedule" in warning.message


def test_a_burstable_instance_type_gets_no_autoscaling_and_says_so() -> None:
    result = settings(instance_type="ml.t2.medium")
    assert result.autoscaled_variants == ()
    (warning,) = [w for w in result.warnings if w.id == WARNING_NO_AUTOSCALING]
    assert "Primary (ml.t2.medium) keep min_capacity=1" in warning.message
    assert "do not sleep on the policy's schedule" in warning.message  # dev has a schedule: say it is not kept


# --- the policy can forbid serverless and bounds it ---------------------------------------------------------------
def test_the_policy_forbids_or_bounds_serverless_per_environment() -> None:
    closed = dataclasses.replace(DEV, endpoint_serverless=ServerlessPolicy(allowed=False))
    with pytest.raises(PlatformValidationError, match=r"'mode' = 'serverless'.*endpoint_serverless.allowed is false"):
        endpoint_settings(POLICY, closed, stack_name="S", construct_id="E", model_data_url=URL, mode="serverless")
    with pytest.raises(PlatformValidationError, match=r"'serverless_max_concurrency' = 50.*from 1 to 20"):
        settings(mode="serverless", serverless_max_concurrency=50)
    with pytest.raises(PlatformValidationError, match=r"'serverless_provisioned_concurrency' = 3.*from 1 to 2"):
        settings(mode="serverless", serverless_provisioned_concurrency=3)
    cold = dataclasses.replace(DEV, endpoint_serverless=ServerlessPolicy(max_provisioned_concurrency=0))
    with pytest.raises(PlatformValidationError, match=r"provisioned_concurrency' = 1.*none in dev"):
        endpoint_settings(POLICY, cold, stack_name="S", construct_id="E", model_data_url=URL, mode="serverless",
                          serverless_provisioned_concurrency=1)
    small = dataclasses.replace(DEV, endpoint_serverless=ServerlessPolicy(max_memory_mb=2048))
    with pytest.raises(PlatformValidationError, match=r"'serverless_memory_mb' = 4096.*one of 1024, 2048 .*"
                                                      r"Fix: pass serverless_memory_mb=2048"):
        endpoint_settings(POLICY, small, stack_name="S", construct_id="E", model_data_url=URL, mode="serverless",
                          serverless_memory_mb=4096)


def test_a_schedule_from_another_policy_applies() -> None:
    night = dataclasses.replace(PROD, monitoring_required=False, endpoint_schedule=EndpointSchedule(
        "cron(0 22 * * ? *)", "cron(0 6 * * ? *)", "Europe/Berlin"))
    result = endpoint_settings(POLICY, night, stack_name="S", construct_id="E", model_data_url=URL)
    assert [(a.name, a.timezone, a.min_capacity, a.max_capacity) for a in result.schedule] == [
        ("sleep", "Europe/Berlin", 2, 2), ("wake", "Europe/Berlin", 2, 10)]


# --- every bad argument: one PlatformValidationError naming it, its value and a fix that fits ---------------------
BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"instance_type": "m5.xlarge"}, r"argument 'instance_type' = 'm5.xlarge'.*SageMaker instance type.*"
                                     r"Fix: pass instance_type='ml.m5.xlarge'"),
    ({"instance_type": "ml.p4d.24xlarge"}, r"'instance_type' = 'ml.p4d.24xlarge'.*allows in dev.*"
                                           r"Fix: pass instance_type='ml.m5.xlarge'"),
    ({"instance_type": 4}, r"'instance_type' = 4.*got the integer 4"),
    ({"model_data_url": "https://my-bucket.s3.amazonaws.com/model.tar.gz"},
     r"'model_data_url' = 'https://.*s3://bucket/key.*Fix: pass model_data_url='s3://my-bucket/model.tar.gz' "
     r"\(the s3:// form"),
    ({"model_data_url": "s3://my-bucket/models/"}, r"'model_data_url' = 's3://my-bucket/models/'"),
    ({"model_data_url": "s3://my-bucket/models/*.tar.gz"}, r"'model_data_url'.*no wildcards"),
    ({"model_data_url": "s3://my-bucket/${Token[TOKEN.12]}"}, r"'model_data_url'.*a literal s3://"),
    ({"model_data_url": 42}, r"'model_data_url' = 42.*got the integer 42"),
    ({"model_data_url": "s3://my-bucket/models/model.pkl"},
     r"'model_data_url' = 's3://my-bucket/models/model.pkl'.*ending in \.tar\.gz.*Fix: package the model: "
     r"tar -czf model\.tar\.gz.*model_data_url='s3://my-bucket/models/model\.tar\.gz'"),
    ({"model_data_url": "s3://my-bucket/models/model.tar.gz\n"}, r"'model_data_url'"),
    ({"model_data_url": "s3://192.168.5.4/model.tar.gz"}, r"'model_data_url'.*the bucket '192\.168\.5\.4' is no S3 "
     r"bucket name \(not formatted as an IP address"),
    ({"model_data_url": "s3://xn--churn/model.tar.gz"}, r"'model_data_url'.*reserved prefix 'xn--'"),
    ({"image": 3.1}, r"'image' = 3\.1.*approved registry.*got the float 3\.1"),
    ({"image": "docker.io/library/python:3.11"}, r"'image' = 'docker.io/library/python:3.11'.*approved registry.*"
                                                 r"Fix: push the image to an approved registry.*or pass framework="),
    ({"image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311"},
     r"'image'.*pinned by digest.*not by the tag '2.3.0-cpu-py311'"),
    ({"image": "${Token[AWS.AccountId.1]}.dkr.ecr.eu-west-1.amazonaws.com/platform/m:1"}, r"'image'.*a literal"),
    ({"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/pytorch:1", "framework": "pytorch"},
     r"'image'.*either image or framework"),
    ({"framework": "Sklearn"}, r"'framework' = 'Sklearn'.*Fix: pass framework='sklearn'"),
    ({"framework": "torch"}, r"'framework' = 'torch'.*Fix: pass framework='pytorch'"),
    ({"framework": "sklearn", "instance_type": "ml.g4dn.xlarge"},
     r"'framework' = 'sklearn'.*GPU instance type.*no gpu image.*Fix: choose a CPU instance type"),
    ({"min_capacity": 3, "max_capacity": 2}, r"'min_capacity' = 3.*from 1 to 2"),
    ({"max_capacity": 50}, r"'max_capacity' = 50.*from 1 to 2 .*endpoint_max_capacity in dev.*"
                           r"Fix: pass max_capacity=2"),
    ({"min_capacity": 0}, r"'min_capacity' = 0.*from 1 to 2.*Fix: pass min_capacity=1"),
    ({"min_capacity": 1.5}, r"'min_capacity' = 1.5.*an integer.*got the float 1.5.*Fix: pass min_capacity=2"),
    ({"min_capacity": "2"}, r"'min_capacity' = '2'.*got the string '2'.*Fix: pass min_capacity=2"),
    ({"min_capacity": True}, r"'min_capacity' = True.*got the bool True"),
    ({"invocations_per_instance": 0}, r"'invocations_per_instance' = 0.*an integer from 1 to 1000000"),
    ({"invocations_per_instance": 10**12}, r"'invocations_per_instance' = 1000000000000.*from 1 to 1000000.*"
     r"Fix: pass invocations_per_instance=1000000"),
    ({"data_capture_sampling_percent": 101}, r"'data_capture_sampling_percent' = 101.*1 to 100"),
    ({"data_capture_sampling_percent": -1}, r"'data_capture_sampling_percent' = -1"),
    ({"data_capture_sampling_percent": 0}, r"'data_capture_sampling_percent' = 0.*data capture is mandatory.*"
                                           r"Fix: pass data_capture_sampling_percent=100"),
    ({"data_capture_sampling_percent": 0.1}, r"'data_capture_sampling_percent' = 0.1.*got the float 0.1.*"
                                             r"Fix: pass data_capture_sampling_percent=10$"),
    ({"endpoint_name": "x" * 55}, r"'endpoint_name' = 'x{55}'.*1-54 letters.*Fix: pass endpoint_name='x{54}'"),
    ({"endpoint_name": "my_model"}, r"'endpoint_name' = 'my_model'.*Fix: pass endpoint_name='my-model'"),
    ({"endpoint_name": "${Token[TOKEN.7]}"}, r"'endpoint_name' = '\$\{Token"),
    ({"endpoint_name": "model\n"}, r"'endpoint_name' = 'model\\n'"),
    ({"variants": [ModelVariant("v" * 64, URL)]}, r"'variants\[0\]\.name' = 'v{64}'"),
    ({"variants": [ModelVariant("Primary", URL)]}, r"'variants\[0\]\.name' = 'Primary'.*unique"),
    ({"variants": [ModelVariant(3, URL)]}, r"'variants\[0\]\.name' = 3.*got the integer 3"),  # type: ignore[arg-type]
    ({"variants": [ModelVariant("B", URL), ModelVariant("B", URL)]}, r"'variants\[1\]\.name' = 'B'.*unique"),
    ({"variants": [ModelVariant("B", URL, weight=0)]}, r"'variants\[0\]\.weight' = 0.*positive"),
    ({"variants": [ModelVariant("B", URL, weight=float("inf"))]}, r"'variants\[0\]\.weight' = inf"),
    ({"variants": [ModelVariant("B", URL, weight="1")]},  # type: ignore[arg-type]
     r"'variants\[0\]\.weight' = '1'.*got the string"),
    ({"variants": [ModelVariant("B", "bucket/key")]}, r"'variants\[0\]\.model_data_url' = 'bucket/key'"),
    ({"variants": [ModelVariant("B", URL, instance_type="ml.bogus")]}, r"'variants\[0\]\.instance_type'"),
    ({"variants": [ModelVariant("B", URL, image="quay.io/x/y:1")]}, r"'variants\[0\]\.image' = 'quay.io/x/y:1'"),
    ({"variants": [ModelVariant("B", URL, framework="java")]}, r"'variants\[0\]\.framework' = 'java'"),
    ({"variants": ["B"]}, r"'variants\[0\]' = 'B'.*a ModelVariant, got the string 'B'"),
    ({"variants": None}, r"'variants' = None.*a list of ModelVariant"),
    ({"variants": "B"}, r"'variants' = 'B'.*a list of ModelVariant, got the string 'B'"),
    ({"variants": [ModelVariant(["B"], URL)]}, r"'variants\[0\]\.name' = \['B'\]"),  # type: ignore[arg-type]
    ({"variants": [ModelVariant(f"V{i}", URL) for i in range(10)]}, r"'variants' = 10.*at most 9"),
    ({"primary_weight": -1}, r"'primary_weight' = -1.*positive"),
    ({"mode": "batch"}, r"'mode' = 'batch'.*'realtime', 'serverless', 'async'"),
    ({"mode": "Serverless"}, r"'mode' = 'Serverless'.*Fix: pass mode='serverless'"),
    ({"mode": "serverless", "instance_type": "ml.m5.xlarge"}, r"'instance_type'.*serverless.*remove instance_type"),
    ({"mode": "serverless", "variants": [ModelVariant("B", URL)]}, r"'variants' = \['B'\].*one serverless variant"),
    ({"mode": "serverless", "serverless_memory_mb": 1000}, r"'serverless_memory_mb' = 1000.*1024, 2048.*"
                                                           r"Fix: pass serverless_memory_mb=1024"),
    ({"mode": "serverless", "serverless_max_concurrency": 500}, r"'serverless_max_concurrency' = 500"),
    ({"mode": "async", "async_max_concurrent_invocations": 0}, r"'async_max_concurrent_invocations' = 0"),
    ({"mode": "async", "backlog_per_instance": 0}, r"'backlog_per_instance' = 0.*positive number"),
    ({"traffic_shifting": "all-at-once"}, r"'traffic_shifting' = 'all-at-once'.*'canary', 'linear'"),
    ({"traffic_shifting": "Linear"}, r"'traffic_shifting' = 'Linear'.*Fix: pass traffic_shifting='linear'"),
    ({"traffic_step_percent": 0}, r"'traffic_step_percent' = 0"),
    ({"traffic_step_percent": 60}, r"'traffic_step_percent' = 60.*from 1 to 50.*Fix: pass traffic_step_percent=50"),
    ({"traffic_shifting": "linear", "traffic_step_percent": 5}, r"'traffic_step_percent' = 5.*from 10 to 50"),
    ({"traffic_step_percent": True}, r"'traffic_step_percent' = True"),
    ({"bake_minutes": 90}, r"'bake_minutes' = 90.*0 to 60"),
    ({"sleep": "false"}, r"'sleep' = 'false'.*True or False, got the string 'false'.*Fix: pass sleep=False"),
    ({"sleep": 1}, r"'sleep' = 1.*True or False.*Fix: pass sleep=True"),
    ({"alarm_4xx_rate_percent": 150.0}, r"'alarm_4xx_rate_percent' = 150.0.*up to 100.*policy's alarm default"),
    ({"alarm_5xx_errors": 0}, r"'alarm_5xx_errors' = 0"),
    ({"alarm_p99_latency_ms": float("nan")}, r"'alarm_p99_latency_ms' = nan"),
    ({"alarm_p99_latency_ms": float("inf")}, r"'alarm_p99_latency_ms' = inf.*finite"),
    ({"alarm_utilization_percent": "90"}, r"'alarm_utilization_percent' = '90'.*Fix: pass "
                                          r"alarm_utilization_percent=90 \(a number, not a string\)"),
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
    assert settings("prod").min_capacity == PROD.endpoint_min_capacity
    with pytest.raises(PlatformValidationError, match=r"allows in prod: ml.m5.xlarge"):
        settings("prod", instance_type="ml.t2.medium")


# --- warnings: what a user should know but may accept ---------------------------------------------------------
@pytest.mark.parametrize("argument", sorted(MODE_SPECIFIC_ARGUMENTS))
def test_an_argument_the_mode_ignores_is_a_warning_naming_it(argument: str) -> None:
    values: dict[str, Any] = {"vpc": object(), "serverless_memory_mb": 4096, "min_capacity": 2, "max_capacity": 2,
                              "traffic_shifting": "canary", "traffic_step_percent": 10, "sleep": False,
                              "serverless_max_concurrency": 3, "serverless_provisioned_concurrency": 1,
                              "backlog_per_instance": 2.0, "bake_minutes": 5}
    value = values.get(argument, 3)
    unused_by = next(m for m in ("realtime", "serverless", "async") if m not in MODE_SPECIFIC_ARGUMENTS[argument])
    given: dict[str, Any] = {argument: value}
    result = settings("prod", mode=unused_by, **given)
    (warning,) = [w for w in result.warnings if w.id == WARNING_IGNORED_ARGUMENTS]
    assert f"mode={unused_by!r} ignores {argument}" in warning.message
    used_by = MODE_SPECIFIC_ARGUMENTS[argument][0]
    assert WARNING_IGNORED_ARGUMENTS not in {w.id for w in settings("prod", mode=used_by, **given).warnings}


def test_no_bake_time_is_a_warning() -> None:
    assert [w.id for w in settings("prod", bake_minutes=0).warnings] == [WARNING_NO_BAKE_TIME]
    assert "Pass bake_minutes=10" in settings("prod", bake_minutes=0).warnings[0].message
