"""Property-based: 300 generated BatchComputeEnv argument sets, each a budget-safe environment or a clean error."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_batch as batch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from platform_constructs import BatchComputeEnv, PlatformValidationError, catalog
from platform_constructs.catalog import worst_case_gpus
from platform_constructs.policy import load_policy
from platform_constructs.testing import new_app

POLICY = load_policy()
ARGUMENTS = {"cost_center", "max_vcpus", "instance_types", "spot", "gpu", "fargate", "max_job_hours", "data_prefix",
             "team_shares"}
TYPES = ("m5.large", "m5.2xlarge", "c5.xlarge", "r5.large", "m5.24xlarge", "g4dn.xlarge", "g5.xlarge", "zz.large")



def _mostly(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``valid`` seven times in eight, so that about half of the generated sets are fully valid."""
    return st.integers(0, 7).flatmap(lambda i: invalid if i == 0 else valid)


@st.composite
def arguments(draw: st.DrawFn) -> dict[str, Any]:
    env_name = draw(st.sampled_from(("dev", "staging", "prod")))
    env = POLICY.environment(env_name)
    gpu = draw(st.booleans())
    fargate = draw(_mostly(st.just(False), st.just(True))) if gpu else draw(st.booleans())
    env_types = [t for t in env.ec2_instance_types if (s := catalog.ec2(t)) is not None and s.gpu == gpu]
    return {
        "env": env_name,
        "cost_center": draw(_mostly(st.sampled_from(("recs", "fraud-detection")), st.just("Bad Center"))),
        "max_vcpus": draw(_mostly(st.one_of(st.none(), st.integers(1, env.max_vcpus)),
                                  st.one_of(st.integers(-4, 0), st.integers(env.max_vcpus + 1, 5000)))),
        "instance_types": None if fargate else draw(_mostly(
            st.one_of(st.none(), st.lists(st.sampled_from(env_types), min_size=1, max_size=3, unique=True)),
            st.lists(st.sampled_from(TYPES), min_size=0, max_size=3))),
        "spot": draw(st.one_of(st.none(), st.booleans())),
        "gpu": gpu,
        "fargate": fargate,
        "max_job_hours": draw(_mostly(st.one_of(st.none(), st.floats(0.02, env.max_job_hours)),
                                      st.floats(env.max_job_hours + 0.01, 500))),
        "data_prefix": draw(_mostly(st.sampled_from((None, "team-a/", "a/b/")), st.sampled_from(("/abs", "NoSlash")))),
        "team_shares": draw(_mostly(
            st.one_of(st.none(), st.dictionaries(st.sampled_from(("recs", "search")), st.floats(0.001, 900),
                                                 min_size=1, max_size=2)),
            st.dictionaries(st.sampled_from(("recs", "bad id")), st.floats(-1, 1000), max_size=2))),
    }


def _check(env_name: str, args: dict[str, Any], compute: BatchComputeEnv) -> None:
    env = POLICY.environment(env_name)
    cap_vcpus = args["max_vcpus"] if args["max_vcpus"] is not None else env.max_vcpus
    cap_hours = args["max_job_hours"] if args["max_job_hours"] is not None else env.max_job_hours
    total_vcpus, total_gpus = 0, 0
    for ce in compute.compute_environments:
        resources = ce.compute_resources
        assert isinstance(resources, batch.CfnComputeEnvironment.ComputeResourcesProperty)
        total_vcpus += int(resources.maxv_cpus)
        if compute.fargate:
            assert resources.type.startswith("FARGATE") and resources.launch_template is None
            continue
        assert resources.launch_template is not None
        specs = [s for t in resources.instance_types or [] if (s := catalog.ec2(t)) is not None]
        assert len(specs) == len(resources.instance_types or []) > 0
        assert all(s.name in env.ec2_instance_types and s.gpu == compute.gpu for s in specs)
        if compute.gpu:
            total_gpus += worst_case_gpus(specs, int(resources.maxv_cpus),
                                          overshoot=resources.allocation_strategy != "BEST_FIT")
    assert 0 < total_vcpus <= min(cap_vcpus, env.max_vcpus)
    assert total_gpus <= env.max_gpus
    spot = args["spot"] if args["spot"] is not None else env.spot
    assert len(compute.compute_environments) == (2 if spot else 1)
    timeout = compute.job_definition.timeout
    assert isinstance(timeout, batch.CfnJobDefinition.TimeoutProperty)
    assert 60 <= int(timeout.attempt_duration_seconds or 0) <= min(cap_hours, env.max_job_hours) * 3600


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arguments())
def test_every_argument_set_is_a_budget_safe_environment_or_a_clean_error(args: dict[str, Any]) -> None:
    app = new_app({"env": args["env"]})
    kwargs = {k: v for k, v in args.items() if k != "env"}
    try:
        compute = BatchComputeEnv(Stack(app, "S"), "Batch", **kwargs)
    except PlatformValidationError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.argument in ARGUMENTS
            assert problem.allowed and problem.fix
        assert "Allowed:" in str(error) and "Fix:" in str(error)
        event("clean error")
        return
    event("compliant construct")
    _check(args["env"], args, compute)
