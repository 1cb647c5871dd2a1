"""Property-based: 300 generated GpuTrainingCluster argument sets, each a budget-safe cluster or a clean error."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_batch as batch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from platform_constructs import GpuTrainingCluster, PlatformValidationError, catalog
from platform_constructs.catalog import worst_case_gpus
from platform_constructs.policy import load_policy
from platform_constructs.testing import new_app

POLICY = load_policy()
GPU_TYPES = sorted(name for name, spec in catalog.EC2_INSTANCES.items() if spec.gpu)
ARGUMENTS = {"cost_center", "instance_types", "max_gpus", "max_job_hours", "spot", "nodes", "shared_scratch"}



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
        "cost_center": draw(_mostly(st.sampled_from(("recs", "search-ranking")), st.sampled_from(("Bad Center", "x")))),
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


def _check_cluster(cluster: GpuTrainingCluster, env_name: str, given_args: dict[str, Any]) -> None:
    env = POLICY.environment(env_name)
    cap_gpus = given_args["max_gpus"] if given_args["max_gpus"] is not None else env.max_gpus
    cap_hours = given_args["max_job_hours"] if given_args["max_job_hours"] is not None else env.max_job_hours
    assert cap_gpus <= env.max_gpus and cap_hours <= env.max_job_hours
    total_gpus, total_vcpus, types = 0, 0, ["SPOT"] if cluster.plans[0].provisioning == "SPOT" else []
    for ce in cluster.compute_environments:
        resources = ce.compute_resources
        assert isinstance(resources, batch.CfnComputeEnvironment.ComputeResourcesProperty)
        specs = [catalog.ec2(t) for t in resources.instance_types or []]
        assert specs and all(s is not None and s.gpu and s.name in env.ec2_instance_types for s in specs)
        assert resources.launch_template is not None
        total_gpus += worst_case_gpus([s for s in specs if s is not None], int(resources.maxv_cpus),
                                      overshoot=resources.allocation_strategy != "BEST_FIT")
        total_vcpus += int(resources.maxv_cpus)
    assert total_gpus <= cap_gpus
    assert total_vcpus <= env.max_vcpus
    assert [p.provisioning for p in cluster.plans][: len(types)] == types
    for job in (cluster.job_definition, cluster.multi_node_job_definition):
        timeout = job.timeout
        assert isinstance(timeout, batch.CfnJobDefinition.TimeoutProperty)
        assert 60 <= int(timeout.attempt_duration_seconds or 0) <= cap_hours * 3600
    assert (cluster.scratch is not None) == (given_args["shared_scratch"] is True)
    node = min(cluster.instance_specs, key=lambda s: (s.gpus, s.vcpus, s.memory_gib))
    assert cluster.nodes * node.gpus <= cluster.plans[-1].gpu_budget


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arguments())
def test_every_argument_set_is_a_budget_safe_cluster_or_a_clean_error(args: dict[str, Any]) -> None:
    app = new_app({"env": args["env"]})
    kwargs = {k: v for k, v in args.items() if k != "env"}
    try:
        cluster = GpuTrainingCluster(Stack(app, "S"), "Train", **kwargs)
    except PlatformValidationError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.argument in ARGUMENTS
            assert problem.allowed and problem.fix
        assert "Allowed:" in str(error) and "Fix:" in str(error)
        event("clean error")
        return
    event("compliant construct")
    _check_cluster(cluster, args["env"], args)
