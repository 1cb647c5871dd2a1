"""plan.training_settings without jsii: every GpuTrainingCluster argument error, the issue's staging budget
for every combination of the policy's GPU types (AWS Batch's documented bound summed over the spot, on-demand and
multi-node environments), and (property-based) every generated argument set is a budget-safe plan or one clean
error."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from plan_support import POLICY, context

from platform_constructs import catalog
from platform_constructs.catalog import worst_case_gpus
from platform_constructs.compute.plan import (
    CommonArguments,
    TrainingSettings,
    default_gpu_instance_types,
    training_settings,
)
from platform_constructs.errors import PlatformValidationError, Problems

GPU_TYPES = sorted(name for name, spec in catalog.EC2_INSTANCES.items() if spec.gpu)
ARGUMENTS = {"instance_types", "max_gpus", "max_job_hours", "spot", "nodes", "shared_scratch"}
COMMON = ("max_job_hours", "spot", "team_shares", "fair_share", "data_prefix", "image")


def plan(env: str = "dev", **kwargs: Any) -> TrainingSettings:
    common = CommonArguments(**{k: kwargs.pop(k) for k in COMMON if k in kwargs})
    arguments = {"instance_types": None, "max_gpus": None, "nodes": 2, "shared_scratch": False, **kwargs}
    return training_settings(context(env, purpose="training"), common, Problems("S/Train"), **arguments)


def _overshoot(p: Any) -> bool:
    return not (p.allocation_strategy == "BEST_FIT" and p.provisioning == "EC2")


def test_default_types_are_the_finest_grained() -> None:
    staging = POLICY.environment("staging")
    assert default_gpu_instance_types(staging.ec2_instance_types) == ["g4dn.xlarge", "g4dn.2xlarge", "g5.xlarge"]
    settings = plan("staging", max_gpus=8, max_job_hours=24)
    assert [s.name for s in settings.instance_specs] == ["g4dn.xlarge", "g4dn.2xlarge", "g5.xlarge"]
    assert settings.worst_case_gpus <= 8
    assert (settings.job.gpus, settings.job.vcpus) == (1, 4)
    assert settings.common.timeout_seconds == 24 * 3600


def test_staging_split_spot_on_demand_and_multi_node() -> None:
    """max_gpus=8: the multi-node environment gets its 2 nodes' 2 GPUs; spot needs 2 for one job (its 4 vCPUs' worth
    plus one overshooting instance) and on-demand 1; the remaining 3 go 2 to spot, 1 to on-demand."""
    settings = plan("staging", max_gpus=8, max_job_hours=24)
    assert [(p.name, p.provisioning, p.allocation_strategy, p.gpu_budget, p.max_vcpus, p.worst_case_gpus)
            for p in settings.plans] == [
        ("SpotComputeEnvironment", "SPOT", "SPOT_PRICE_CAPACITY_OPTIMIZED", 4, 15, 4),
        ("OnDemandComputeEnvironment", "EC2", "BEST_FIT", 2, 11, 2),
        ("MultiNodeComputeEnvironment", "EC2", "BEST_FIT", 2, 11, 2)]
    assert settings.multi_node_plan is settings.plans[-1] and len(settings.single_node_plans) == 2


def test_the_policy_spot_default_gives_way_to_the_budget_but_an_explicit_spot_does_not() -> None:
    """dev (cap 4): spot needs 2, on-demand 1 and the two multi-node nodes 2, i.e. 5; without an explicit spot the
    cluster is on-demand (and says so); spot=True is refused with the arithmetic."""
    default = plan("dev")
    assert [p.provisioning for p in default.plans] == ["EC2", "EC2"] and default.spot_off_for_budget
    assert not plan("dev", spot=False).spot_off_for_budget
    with pytest.raises(PlatformValidationError, match=r"argument 'max_gpus' = 4 .*at least 5 for g4dn.xlarge, "
                                                      r"g4dn.2xlarge, g5.xlarge: 2 for the multi-node environment "
                                                      r"\(2 nodes x 1 GPU\(s\)\); 2 for the spot environment.*"
                                                      r"1 for the on-demand environment.*"
                                                      r"Fix: ask the platform team .*, or pass "
                                                      r"spot=False"):
        plan("dev", spot=True)


@pytest.mark.parametrize("types", [list(c) for n in (1, 2, 3) for c in itertools.combinations(
    [t for t in POLICY.environment("staging").ec2_instance_types if catalog.ec2(t).gpu], n)])  # type: ignore[union-attr]
def test_staging_budget_of_8_holds_for_every_combination_of_gpu_types(types: list[str]) -> None:
    try:
        settings = plan("staging", instance_types=types, max_gpus=8, max_job_hours=24)
    except PlatformValidationError as error:  # too coarse for the budget: refused, never over it
        assert {p.argument for p in error.problems} <= {"max_gpus", "nodes", "instance_types"}
        return
    total = 0
    for p in settings.plans:
        specs = [catalog.ec2(t) for t in p.instance_types]
        total += worst_case_gpus([s for s in specs if s is not None], p.max_vcpus, overshoot=_overshoot(p))
    assert total == settings.worst_case_gpus <= 8


def test_p4d_in_prod_needs_more_than_the_prod_cap() -> None:
    """Two 8-GPU nodes (16) plus one on-demand instance (8) do not fit prod's 16; 4-GPU types do."""
    with pytest.raises(PlatformValidationError, match=r"argument 'max_gpus' = 16 .*at least 24 for p4d.24xlarge: 16 "
                                                      r"for the multi-node environment \(2 nodes x 8 GPU\(s\)\); 8 for "
                                                      r"the on-demand environment. Fix: ask the platform team to raise "
                                                      r"environments.prod.max_gpus"):
        plan("prod", instance_types=["p4d.24xlarge"])
    settings = plan("prod", instance_types=["g5.12xlarge"])
    assert [(p.name, p.max_vcpus, p.worst_case_gpus) for p in settings.plans] == [
        ("OnDemandComputeEnvironment", 143, 8), ("MultiNodeComputeEnvironment", 143, 8)]


@pytest.mark.parametrize(("env", "kwargs", "message"), [
    ("staging", {"max_gpus": 9}, r"argument 'max_gpus' = 9 .*the staging cap 8.*Fix: pass max_gpus<=8"),
    ("dev", {"max_gpus": 0}, r"argument 'max_gpus' = 0"),
    ("staging", {"max_job_hours": 25}, r"argument 'max_job_hours' = 25 .*cap 24"),
    ("staging", {"instance_types": ["m5.xlarge"]}, r"'m5.xlarge' .*GPU-bearing instance types only"),
    ("staging", {"instance_types": ["g9.xlarge"]}, r"'g9.xlarge' .*platform catalog"),
    ("dev", {"instance_types": ["p4d.24xlarge"]}, r"'p4d.24xlarge' .*dev environment's ec2_instance_types"),
    ("dev", {"max_gpus": 2, "spot": False}, r"argument 'max_gpus' = 2 .*at least 3 .*Fix: pass max_gpus>=3"),
    ("staging", {"instance_types": ["g5.12xlarge"], "max_gpus": 8, "spot": False},
     r"argument 'max_gpus' = 8 .*at least 12 .*8 for the multi-node environment \(2 nodes x 4 GPU\(s\)\)"),
    ("staging", {"nodes": 3, "spot": False, "max_gpus": 3}, r"argument 'max_gpus' = 3 .*at least 4.*pass nodes=2"),
    ("dev", {"max_gpus": "4"}, r"max_gpus must be an integer, got the string '4'\. .*"
                                     r"Fix: pass max_gpus=4 \(an integer, without quotes"),
    ("dev", {"max_gpus": 2.5}, r"max_gpus must be an integer, got the float 2.5\. .*Fix: pass max_gpus=2 or "
                               r"max_gpus=3 \(a whole number\)$"),
    ("dev", {"max_gpus": True}, r"max_gpus must be an integer, got the bool True"),
    ("dev", {"instance_types": "g5.xlarge"}, r"instance_types must be a list of strings, got the string "
                                             r"'g5.xlarge'\. .*Fix: pass instance_types=\['g5.xlarge'\]"),
    ("dev", {"nodes": "2"}, r"nodes must be an integer, got the string '2'"),
    ("dev", {"nodes": 1}, r"argument 'nodes' = 1 .*an integer from 2 \(a multi-node job\) to 1000"),
    ("dev", {"nodes": 1001}, r"argument 'nodes' = 1001 .*to 1000 \(AWS Batch's default limit\).*Fix: pass nodes=1000$"),
    ("dev", {"spot": "yes"}, r"argument 'spot' = 'yes'"),
    ("dev", {"shared_scratch": 1}, r"argument 'shared_scratch' = 1 .*True or False"),
])
def test_invalid_arguments_are_clean_errors(env: str, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PlatformValidationError, match=message):
        plan(env, **kwargs)


def _mostly(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``valid`` seven times in eight, so that about half of the generated sets are fully valid."""
    return st.integers(0, 7).flatmap(lambda i: invalid if i == 0 else valid)


@st.composite
def arguments(draw: st.DrawFn) -> dict[str, Any]:
    env_name = draw(st.sampled_from(("dev", "staging", "prod")))
    env = POLICY.environment(env_name)
    env_gpu_types = [t for t in env.ec2_instance_types if t in GPU_TYPES]
    return {
        "env": env_name,
        "instance_types": draw(_mostly(
            st.one_of(st.none(), st.lists(st.sampled_from(env_gpu_types), min_size=1, max_size=3, unique=True)),
            st.lists(st.sampled_from((*GPU_TYPES, "m5.xlarge", "g9.xlarge")), min_size=0, max_size=3))),
        "max_gpus": draw(_mostly(st.one_of(st.none(), st.integers(1, env.max_gpus)),
                                 st.one_of(st.integers(-2, 0), st.integers(env.max_gpus + 1, 40)))),
        "max_job_hours": draw(_mostly(st.one_of(st.none(), st.floats(0.02, env.max_job_hours)),
                                      st.one_of(st.floats(-1, 0.01), st.floats(env.max_job_hours + 0.01, 500)))),
        "spot": draw(_mostly(st.one_of(st.none(), st.booleans()), st.just("yes"))),
        "nodes": draw(_mostly(st.integers(2, 3), st.integers(-1, 8))),
        "shared_scratch": draw(_mostly(st.booleans(), st.just(1))),
    }


def _check(settings: TrainingSettings, env_name: str, args: dict[str, Any]) -> None:
    env = POLICY.environment(env_name)
    cap_gpus = args["max_gpus"] if args["max_gpus"] is not None else env.max_gpus
    cap_hours = args["max_job_hours"] if args["max_job_hours"] is not None else env.max_job_hours
    assert cap_gpus <= env.max_gpus and cap_hours <= env.max_job_hours
    total_gpus, total_vcpus = 0, 0
    for p in settings.plans:
        specs = [catalog.ec2(t) for t in p.instance_types]
        assert specs and all(s is not None and s.gpu and s.name in env.ec2_instance_types for s in specs)
        total_gpus += worst_case_gpus([s for s in specs if s is not None], p.max_vcpus, overshoot=_overshoot(p))
        total_vcpus += p.max_vcpus
    assert total_gpus == settings.worst_case_gpus <= cap_gpus
    assert total_vcpus <= env.max_vcpus
    spot = args["spot"] if args["spot"] is not None else env.spot and not settings.spot_off_for_budget
    assert settings.spot_off_for_budget <= (args["spot"] is None)
    assert [p.provisioning for p in settings.plans] == (["SPOT", "EC2", "EC2"] if spot else ["EC2", "EC2"])
    assert settings.multi_node_plan.allocation_strategy == "BEST_FIT"  # multi-node: on-demand, never overshoots
    assert 60 <= settings.common.timeout_seconds <= cap_hours * 3600
    assert settings.shared_scratch == (args["shared_scratch"] is True)
    node = min(settings.instance_specs, key=lambda s: (s.gpus, s.vcpus, s.memory_gib))
    assert settings.nodes * node.gpus <= settings.multi_node_plan.gpu_budget
    assert settings.nodes * node.vcpus <= settings.multi_node_plan.max_vcpus
    assert all(p.max_vcpus >= node.vcpus for p in settings.single_node_plans)  # a default job fits each


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
    _check(result, args["env"], args)
