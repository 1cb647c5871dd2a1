"""plan.batch_settings without jsii: every BatchComputeEnv argument error, and (property-based) every generated
argument set is a budget-safe plan or one clean error."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from plan_support import POLICY, context

from platform_constructs import catalog
from platform_constructs.catalog import worst_case_gpus
from platform_constructs.compute.plan import BatchSettings, CommonArguments, batch_settings
from platform_constructs.errors import PlatformValidationError, Problems

ARGUMENTS = {"max_vcpus", "instance_types", "spot", "gpu", "fargate", "max_job_hours", "data_prefix", "team_shares"}
TYPES = ("m5.large", "m5.2xlarge", "c5.xlarge", "r5.large", "m5.24xlarge", "g4dn.xlarge", "g5.xlarge", "zz.large")
COMMON = ("max_job_hours", "spot", "team_shares", "fair_share", "data_prefix", "image")


def plan(env: str = "dev", **kwargs: Any) -> BatchSettings:
    common = CommonArguments(**{k: kwargs.pop(k) for k in COMMON if k in kwargs})
    arguments = {"max_vcpus": None, "instance_types": None, "gpu": False, "fargate": False, **kwargs}
    return batch_settings(context(env), common, Problems("S/Batch"), **arguments)


def test_ten_line_default() -> None:
    dev = POLICY.environment("dev")
    settings = plan()
    assert [(p.name, p.provisioning, p.allocation_strategy) for p in settings.plans] == [
        ("SpotComputeEnvironment", "SPOT", "SPOT_PRICE_CAPACITY_OPTIMIZED"),
        ("OnDemandComputeEnvironment", "EC2", "BEST_FIT_PROGRESSIVE")]
    assert [p.max_vcpus for p in settings.plans] == [32, 32]  # the dev cap 64, spot first
    cpu_types = [t for t in dev.ec2_instance_types if not catalog.ec2(t).gpu]  # type: ignore[union-attr]
    assert all(list(p.instance_types) == cpu_types for p in settings.plans)
    assert (settings.job.vcpus, settings.job.gpus) == (2, 0)  # the smallest type, m5.large
    assert settings.job.memory_mib == int(8 * 1024 * 0.85)


def test_fargate_gpu_and_on_demand_only_plans() -> None:
    fargate = plan(fargate=True)
    assert [p.provisioning for p in fargate.plans] == ["FARGATE_SPOT", "FARGATE"]
    assert all(p.allocation_strategy is None and p.instance_types == () for p in fargate.plans)
    assert (fargate.job.vcpus, fargate.job.memory_mib) == (1.0, 2048)
    gpu = plan(gpu=True, instance_types=["g4dn.xlarge"])
    assert [p.allocation_strategy for p in gpu.plans] == ["SPOT_PRICE_CAPACITY_OPTIMIZED", "BEST_FIT"]
    assert sum(p.worst_case_gpus for p in gpu.plans) <= POLICY.environment("dev").max_gpus
    assert gpu.job.gpus == 1
    assert [p.provisioning for p in plan(spot=False).plans] == ["EC2"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"max_vcpus": 65}, r"argument 'max_vcpus' = 65 .*the dev cap 64.*Fix: pass max_vcpus<=64"),
    ({"max_vcpus": 0}, r"argument 'max_vcpus' = 0"),
    ({"max_vcpus": 8.5}, r"argument 'max_vcpus' = 8.5 .*an integer"),
    ({"instance_types": ["m5.huge"]}, r"argument 'instance_types' = 'm5.huge' .*platform catalog"),
    ({"instance_types": ["r5.large"]}, r"argument 'instance_types' = 'r5.large' .*ec2_instance_types"),
    ({"instance_types": ["g5.xlarge"]}, r"'g5.xlarge' .*non-GPU instance types.*pass gpu=True"),
    ({"instance_types": ["m5.large", "m5.large"]}, r"'m5.large' .*each instance type once"),
    ({"instance_types": "m5.large"}, r"argument 'instance_types' = 'm5.large' .*instance_types must be a list of "
                                     r"strings, got the string 'm5.large'.*a non-empty list.*"
                                     r"Fix: pass instance_types=\['m5.large'\] \(a list, even of one\)"),
    ({"instance_types": {"m5.large"}}, r"instance_types must be a list of strings, got the set \{'m5.large'\}"),
    ({"instance_types": [3]}, r"argument 'instance_types\[0\]' = 3 .*"
                              r"instance_types\[0\] must be a string, got the integer 3"),
    ({"max_vcpus": "64"}, r"max_vcpus must be an integer, got the string '64'\. .*"
                          r"Fix: pass max_vcpus=64 \(an integer, without quotes"),
    ({"max_vcpus": 2.5}, r"max_vcpus must be an integer, got the float 2.5\. .*Fix: pass max_vcpus=2 or "
                         r"max_vcpus=3 \(a whole number\)"),
    ({"max_vcpus": True}, r"max_vcpus must be an integer, got the bool True"),
    ({"instance_types": []}, r"argument 'instance_types' = \[\] .*a non-empty list"),
    ({"gpu": True, "instance_types": ["m5.large"]}, r"'m5.large' .*GPU-bearing instance types only"),
    ({"fargate": True, "gpu": True}, r"argument 'fargate' = True .*Fargate has no GPUs"),
    ({"fargate": True, "instance_types": ["m5.large"]}, r"argument 'instance_types' .*None with fargate=True"),
    ({"gpu": "yes"}, r"argument 'gpu' = 'yes' .*True or False"),
    ({"max_vcpus": 4, "instance_types": ["m5.2xlarge"]}, r"argument 'max_vcpus' = 4 .*at least 16 for one m5.2xlarge"),
    ({"max_vcpus": 1, "fargate": True, "spot": True}, r"argument 'max_vcpus' = 1 .*at least 2 for one 1-vCPU job"),
])
def test_invalid_arguments_are_clean_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PlatformValidationError, match=message):
        plan(**kwargs)


def test_gpu_types_too_big_for_the_gpu_cap_are_refused() -> None:
    # staging's cap of 8: one default job on spot needs 48 vCPUs' worth (4 GPUs) plus a 4-GPU overshoot
    with pytest.raises(PlatformValidationError, match=r"argument 'instance_types' = \['g5.12xlarge'\] .*GPU cap 8 in "
                                                      r"each of the 2 compute environments .*these types need "
                                                      r"8 \+ 4 = 12"):
        plan("staging", gpu=True, instance_types=["g5.12xlarge"])
    on_demand = plan("staging", gpu=True, instance_types=["g5.12xlarge"], spot=False)
    assert [(p.max_vcpus, p.worst_case_gpus) for p in on_demand.plans] == [(143, 8)]  # BEST_FIT: no overshoot


def test_the_gpu_budget_is_shared_from_what_each_environment_needs() -> None:
    """dev, g4dn.xlarge only: spot needs 2 for one job (4 vCPUs' worth plus one overshooting instance), on-demand
    1; the rest of the cap of 4 goes to spot first."""
    settings = plan("dev", gpu=True, instance_types=["g4dn.xlarge"])
    assert [(p.name, p.gpu_budget, p.max_vcpus, p.worst_case_gpus) for p in settings.plans] == [
        ("SpotComputeEnvironment", 3, 11, 3), ("OnDemandComputeEnvironment", 1, 7, 1)]


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


def _check(env_name: str, args: dict[str, Any], settings: BatchSettings) -> None:
    env = POLICY.environment(env_name)
    cap_vcpus = args["max_vcpus"] if args["max_vcpus"] is not None else env.max_vcpus
    cap_hours = args["max_job_hours"] if args["max_job_hours"] is not None else env.max_job_hours
    total_vcpus, total_gpus = 0, 0
    for p in settings.plans:
        total_vcpus += p.max_vcpus
        if settings.fargate:
            assert p.provisioning.startswith("FARGATE") and not p.instance_types
            continue
        specs = [s for t in p.instance_types if (s := catalog.ec2(t)) is not None]
        assert len(specs) == len(p.instance_types) > 0
        assert all(s.name in env.ec2_instance_types and s.gpu == settings.gpu for s in specs)
        assert p.max_vcpus >= min(s.vcpus for s in specs)  # one default job fits
        if settings.gpu:  # recomputed from the plan's own numbers, not taken from it
            worst = worst_case_gpus(specs, p.max_vcpus, overshoot=not (p.allocation_strategy == "BEST_FIT"
                                                                           and p.provisioning == "EC2"))
            assert worst == p.worst_case_gpus <= p.gpu_budget
            total_gpus += worst
    assert 0 < total_vcpus <= min(cap_vcpus, env.max_vcpus)
    assert total_gpus <= env.max_gpus
    spot = args["spot"] if args["spot"] is not None else env.spot
    assert len(settings.plans) == (2 if spot else 1)
    assert 60 <= settings.common.timeout_seconds <= min(cap_hours, env.max_job_hours) * 3600


@settings(max_examples=400, deadline=None)
@given(arguments())
def test_every_argument_set_is_a_budget_safe_plan_or_a_clean_error(args: dict[str, Any]) -> None:
    kwargs = {k: v for k, v in args.items() if k != "env"}
    try:
        result = plan(args["env"], **kwargs)
    except PlatformValidationError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.argument in ARGUMENTS
            assert problem.allowed and problem.fix
        assert "Allowed:" in str(error) and "Fix:" in str(error)
        event("clean error")
        return
    event("valid plan")
    _check(args["env"], args, result)
