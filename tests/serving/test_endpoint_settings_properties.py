"""Property test of the pure settings function: every generated argument set either gives settings that keep the
policy's invariants or raises one PlatformValidationError naming exactly the arguments that are wrong.

No ``aws_cdk``: each example is a function call, so hundreds run in about a second. ``test_endpoint.py`` checks that
the resources follow the settings.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from platform_constructs.catalog import SAGEMAKER_INSTANCES
from platform_constructs.errors import PlatformValidationError
from platform_constructs.policy import EnvironmentPolicy, load_policy
from platform_constructs.serving.settings import endpoint_settings
from platform_constructs.serving.variants import ModelVariant

POLICY = load_policy()
URLS = {"s3://my-bucket/models/rec-model.tar.gz": True, "s3://b.example-1/a/b/c/model.tar.gz": True,
        "s3://my-bucket/models/v2.tar.gz": True,
        "s3://my-bucket/models/": False, "https://my-bucket/model.tar.gz": False, "s3://my-bucket": False,
        "s3://My_Bucket/model.tar.gz": False, "s3://my-bucket/models/*.tar.gz": False, "": False,
        "s3://my-bucket/models/model.pkl": False}
IMAGES = {None: True, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/model:1": False,  # account unknown
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311": False,  # a tag
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference@sha256:" + "b" * 64: True,
          "docker.io/library/python:3.11": False, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/model:1": False}
ENDPOINT_NAMES = {None: True, "my-endpoint": True, "a": True, "x" * 54: True, "A-b--1": True,
                  "": False, "x" * 55: False, "my_model": False, "-lead": False, "trail-": False, "name\n": False}
VARIANT_NAMES = {"B": True, "Challenger": True, "v2": True, "Primary": False, "bad_name": False, "v" * 64: False}
INSTANCE_TYPES = [None, *sorted(SAGEMAKER_INSTANCES)[::3], "ml.m5.xlarge", "ml.g4dn.xlarge", "ml.c5.xlarge",
                  "ml.bogus", "m5.xlarge"]
MODES = ["realtime", "serverless", "async", "batch"]


def _mostly(valid: st.SearchStrategy[Any], anything: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine in ten draws from ``valid``: about a quarter of the argument sets are then entirely valid."""
    return st.sampled_from([True] * 9 + [False]).flatmap(lambda pick_valid: valid if pick_valid else anything)


def _pool(labelled: dict[Any, bool]) -> st.SearchStrategy[Any]:
    return _mostly(st.sampled_from([k for k, ok in labelled.items() if ok]), st.sampled_from(list(labelled)))


def _capacity() -> st.SearchStrategy[int | None]:
    return _mostly(st.sampled_from([None, None, 2]), st.one_of(st.none(), st.integers(-1, 12)))


ENV_TYPES = sorted({t for e in POLICY.environments.values() for t in e.sagemaker_instance_types})
variant_strategy = st.builds(
    ModelVariant,
    name=_pool(VARIANT_NAMES),
    model_data_url=_pool(URLS),
    weight=_mostly(st.sampled_from([0.1, 0.5, 1.0, 3.0]), st.sampled_from([0.0, -1.0, 2.0])),
    instance_type=_mostly(st.sampled_from([None, "ml.m5.xlarge"]), st.sampled_from(INSTANCE_TYPES)),
    image=_pool(IMAGES),
)

arguments = st.fixed_dictionaries({
    "env": st.sampled_from(["dev", "staging", "prod"]),
    "model_data_url": _pool(URLS),
    "instance_type": _mostly(st.sampled_from([None, *ENV_TYPES]), st.sampled_from(INSTANCE_TYPES)),
    "image": _pool(IMAGES),
    "mode": _mostly(st.sampled_from(MODES[:3]), st.sampled_from(MODES)),
    "min_capacity": _capacity(),
    "max_capacity": _capacity(),
    "data_capture_sampling_percent": _mostly(st.integers(1, 100), st.integers(-5, 105)),
    "traffic_shifting": _mostly(st.sampled_from(["canary", "linear"]), st.just("all-at-once")),
    "traffic_step_percent": _mostly(st.integers(10, 50), st.integers(-1, 101)),
    "bake_minutes": _mostly(st.integers(0, 60), st.integers(-1, 61)),
    "serverless_memory_mb": _mostly(st.sampled_from([1024, 2048, 6144]), st.sampled_from([3000, 8192])),
    "endpoint_name": _pool(ENDPOINT_NAMES),
    "invocations_per_instance": _mostly(st.sampled_from([None, 1, 500]), st.sampled_from([0, -3, 2.5])),
    "alarm_4xx_rate_percent": _mostly(st.sampled_from([None, 0.5, 100]), st.sampled_from([0, 100.5, -1])),
    "variants": _mostly(st.lists(variant_strategy, max_size=2), st.lists(variant_strategy, min_size=5, max_size=10)),
})


def expected_problems(args: dict[str, Any], env: EnvironmentPolicy) -> set[str]:
    """The arguments that must be reported, derived from the issue's rules and the policy (not the construct)."""
    wrong: set[str] = set()
    mode = args["mode"]
    if mode not in ("realtime", "serverless", "async"):
        wrong.add("mode")
    if not ENDPOINT_NAMES[args["endpoint_name"]]:
        wrong.add("endpoint_name")
    checked = mode if mode in ("realtime", "serverless", "async") else "realtime"  # unknown: checked as the default
    floor = env.async_min_capacity if checked == "async" else env.endpoint_min_capacity
    if checked in ("realtime", "async"):
        low, high = args["min_capacity"], args["max_capacity"]
        if low is not None and not floor <= low <= env.endpoint_max_capacity:
            wrong.add("min_capacity")
            low = None
        low = floor if low is None else low
        if high is not None and not max(low, 1) <= high <= env.endpoint_max_capacity:
            wrong.add("max_capacity")
        if not 1 <= args["data_capture_sampling_percent"] <= 100:  # capture is mandatory: 0 % is refused
            wrong.add("data_capture_sampling_percent")
        target = args["invocations_per_instance"]
        if checked == "realtime" and target is not None and not (isinstance(target, int) and target >= 1):
            wrong.add("invocations_per_instance")
    elif args["serverless_memory_mb"] not in (1024, 2048, 3072, 4096, 5120, 6144):
        wrong.add("serverless_memory_mb")
    shifting = args["traffic_shifting"]
    if shifting not in ("canary", "linear"):
        wrong.add("traffic_shifting")
    if not (10 if shifting == "linear" else 1) <= args["traffic_step_percent"] <= 50:
        wrong.add("traffic_step_percent")
    if not 0 <= args["bake_minutes"] <= 60:
        wrong.add("bake_minutes")
    rate = args["alarm_4xx_rate_percent"]
    if rate is not None and not 0 < rate <= 100:
        wrong.add("alarm_4xx_rate_percent")
    variants: list[ModelVariant] = args["variants"]
    if len(variants) > 9:
        wrong.add("variants")
    if mode == "serverless":
        if args["instance_type"] is not None:
            wrong.add("instance_type")
        if variants:
            wrong.add("variants")
        variants = []
    default_type = args["instance_type"] or env.default_sagemaker_instance_type
    specs = [("", "model_data_url", args["model_data_url"], 1.0, default_type, args["image"]),
             *((f"variants[{i}].", f"variants[{i}].model_data_url", v.model_data_url, v.weight,
                v.instance_type or default_type, v.image) for i, v in enumerate(variants))]
    seen = {"Primary"}
    for index, (prefix, url_arg, url, weight, itype, image) in enumerate(specs):
        if index > 0:
            name = variants[index - 1].name
            if not VARIANT_NAMES[name] or name in seen:
                wrong.add(f"{prefix}name")
            seen.add(name)
            if weight <= 0:
                wrong.add(f"{prefix}weight")
        if not URLS[url]:
            wrong.add(url_arg)
        if mode != "serverless" and itype not in env.sagemaker_instance_types:
            wrong.add(f"{prefix}instance_type")
        if not IMAGES[image]:
            wrong.add(f"{prefix}image")
    return wrong


_VALID: dict[str, Any] = {
    "env": "dev", "model_data_url": "s3://my-bucket/models/rec-model.tar.gz",
    "instance_type": None, "image": None, "min_capacity": None, "max_capacity": None,
    "data_capture_sampling_percent": 50, "traffic_shifting": "canary", "traffic_step_percent": 10, "bake_minutes": 10,
    "serverless_memory_mb": 2048, "endpoint_name": None, "variants": [], "mode": "realtime",
    "invocations_per_instance": None, "alarm_4xx_rate_percent": None}


_BAD_IMAGE = "docker.io/library/python:3.11"


@example(args=_VALID | {"variants": [ModelVariant("B", "s3://my-bucket/models/v2.tar.gz", 0.5, "ml.g4dn.xlarge")]})
@example(args=_VALID | {"mode": "serverless", "env": "prod"})
@example(args=_VALID | {"image": _BAD_IMAGE, "variants": [  # one string object, reported for both arguments
    ModelVariant("B", "s3://my-bucket/models/v2.tar.gz"), ModelVariant("v2", "s3://my-bucket/models/v2.tar.gz",
                                                                       image=_BAD_IMAGE)]})
@example(args=_VALID | {"mode": "async", "env": "staging", "traffic_shifting": "linear"})
@settings(max_examples=1000, deadline=None)
@given(args=arguments)
def test_every_argument_set_gives_valid_settings_or_one_clear_error(args: dict[str, Any]) -> None:
    # monitoring_required (prod) off: these arguments are the endpoint's; tests/serving/test_monitoring_settings.py
    # checks the requirement
    env = dataclasses.replace(POLICY.environment(args["env"]), monitoring_required=False)
    kwargs = {k: v for k, v in args.items() if k != "env"}
    expected = expected_problems(args, env)
    try:
        result = endpoint_settings(POLICY, env, stack_name="S", construct_id="Endpoint", **kwargs)
    except PlatformValidationError as error:
        reported = {p.argument for p in error.problems}
        event(f"rejected: {len(reported)} wrong argument(s)")
        assert reported == expected
        for problem in error.problems:
            assert problem.allowed and problem.fix
            assert f"S/Endpoint: argument '{problem.argument}'" in str(error)
        return
    assert not expected, f"accepted although {expected} are invalid"
    event(f"built: {args['mode']}")

    assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", result.endpoint_name)
    assert result.endpoint_name == f"{result.name}-{result.generation}"
    assert [v.name for v in result.variants] == ["Primary", *(v.name for v in args["variants"])]
    assert all(v.weight > 0 and v.image for v in result.variants)
    if result.serverless:
        assert all(v.instance_type is None for v in result.variants) and not result.instance_store
    else:
        assert {v.instance_type for v in result.variants} <= set(env.sagemaker_instance_types)
        floor = env.async_min_capacity if result.mode == "async" else env.endpoint_min_capacity
        assert floor <= result.min_capacity <= result.max_capacity <= env.endpoint_max_capacity
        assert result.initial_instance_count >= 1 and 1 <= result.data_capture_sampling_percent <= 100
        # canary/linear only when one step moves at most half of the minimum capacity
        step = max(1, -(-result.traffic_step_percent * result.min_capacity // 100))
        shifts = result.min_capacity > 0 and 2 * step <= result.min_capacity
        assert (result.traffic_routing != "ALL_AT_ONCE") == shifts
    assert result.rollback_alarms_per_variant == (len(result.variants) <= 5)
    assert len(result.model_artifacts) <= len(result.variants)
