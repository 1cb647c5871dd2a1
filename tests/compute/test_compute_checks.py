"""compute.checks: the synth-time re-verification of budgets and timeouts, pure and through node.add_validation
on constructs whose public L1s were changed after construction (no synth unless the test needs one)."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Stack
from aws_cdk import aws_batch as batch

from platform_constructs import BatchComputeEnv, GpuTrainingCluster
from platform_constructs.compute.checks import (
    EnvironmentFacts,
    JobDefinitionFacts,
    budget_problems,
    queue_problems,
    timeout_problems,
)
from platform_constructs.policy import load_policy
from platform_constructs.testing import new_app

POLICY = load_policy()
DEV = POLICY.environment("dev")


def _env(name: str = "Spot", *, type: object = "SPOT", vcpus: object = 16, types: object = ("g4dn.xlarge",),
         strategy: object = "SPOT_PRICE_CAPACITY_OPTIMIZED") -> EnvironmentFacts:
    return EnvironmentFacts(name=name, type=type, max_vcpus=vcpus, instance_types=list(types)
                            if isinstance(types, tuple) else types, allocation_strategy=strategy)


def test_budget_counts_the_documented_overshoot() -> None:
    # 12 vCPUs of 4-vCPU single-GPU instances on spot: 3 within maxvCpus plus one overshooting instance = 4
    assert budget_problems([_env(vcpus=12)], env=DEV, max_vcpus=64, max_gpus=4) == []
    (problem,) = budget_problems([_env(vcpus=16)], env=DEV, max_vcpus=64, max_gpus=4)
    assert "can run 5 GPUs at once (Spot: 5;" in problem and "'max_gpus' = 4" in problem
    assert budget_problems([_env(type="EC2", vcpus=16, strategy="BEST_FIT")], env=DEV, max_vcpus=64, max_gpus=4) == []
    assert budget_problems([_env(type="EC2", vcpus=16, strategy=None)], env=DEV, max_vcpus=64,
                           max_gpus=4) == []  # Batch's default: BEST_FIT
    assert budget_problems([_env(vcpus=16, strategy="BEST_FIT")], env=DEV, max_vcpus=64, max_gpus=4)  # on spot


def test_budget_sums_over_environments_and_vcpus() -> None:
    problems = budget_problems([_env("A", vcpus=16), _env("B", type="EC2", vcpus=16, strategy="BEST_FIT")],
                               env=DEV, max_vcpus=30, max_gpus=6)
    assert problems == [
        "the compute environments' 'maxvCpus' add up to 32 > 'max_vcpus' = 30",
        "the compute environments can run 9 GPUs at once (A: 5, B: 4; AWS Batch may exceed maxvCpus by one "
        "instance except with BEST_FIT on on-demand capacity) > 'max_gpus' = 6"]
    assert budget_problems([_env(type="FARGATE", vcpus=8, types=None, strategy=None)], env=DEV, max_vcpus=8,
                           max_gpus=0) == []


@pytest.mark.parametrize(("facts", "message"), [
    (_env(vcpus="${Token[TOKEN.1]}"), r"'maxvCpus' = '\$\{Token\[TOKEN.1\]\}': the budget needs a literal integer"),
    (_env(vcpus=16.0), r"'maxvCpus' = 16.0"),
    (_env(types=["${Token[TOKEN.2]}"]), r"instance type '\$\{Token\[TOKEN.2\]\}', which is not a dev type"),
    (_env(types=["p4d.24xlarge"]), r"instance type 'p4d.24xlarge', which the dev policy does not allow"),
    (_env(types=None), r"'instanceTypes' = None"),
    (_env(strategy="${Token[TOKEN.3]}"), r"'allocationStrategy' = .*the GPU budget depends on it"),
])
def test_values_that_cannot_be_verified_are_reported(facts: EnvironmentFacts, message: str) -> None:
    (problem,) = budget_problems([facts], env=DEV, max_vcpus=64, max_gpus=4)
    assert re.search(message, problem), problem


def test_queues_and_timeouts() -> None:
    assert queue_problems("JobQueue", ["a", "b"], ["a", "b"]) == []
    assert "outside this construct (['x'])" in queue_problems("JobQueue", ["a", "x"], ["a"])[0]
    assert "cannot be verified" in queue_problems("JobQueue", "${Token[TOKEN.4]}", ["a"])[0]
    assert timeout_problems([JobDefinitionFacts("J", 3600)], max_job_hours=1) == []
    assert "has no timeout" in timeout_problems([JobDefinitionFacts("J", None)], max_job_hours=1)[0]
    assert "allowed: 60..3600" in timeout_problems([JobDefinitionFacts("J", 3601)], max_job_hours=1)[0]
    assert "allowed: 60..5400" in timeout_problems([JobDefinitionFacts("J", 30)], max_job_hours=1.5)[0]


# --- through the constructs: state changed after construction is caught at synth ------------------------------
def test_untouched_constructs_validate_clean() -> None:
    app = new_app({"env": "dev"})
    for construct in (BatchComputeEnv(Stack(app, "B"), "Batch", cost_center="recs", gpu=True),
                      BatchComputeEnv(Stack(app, "F"), "Batch", cost_center="recs", fargate=True),
                      GpuTrainingCluster(Stack(app, "T"), "Train", cost_center="recs")):
        assert construct.node.validate() == []


def test_a_raised_max_vcpus_breaks_the_gpu_budget() -> None:
    app = new_app({"env": "dev"})
    cluster = GpuTrainingCluster(Stack(app, "T"), "Train", cost_center="recs", max_gpus=4, spot=False)
    spot = cluster.compute_environments[0]  # the on-demand one: no spot in dev's budget of 4
    resources = spot.compute_resources
    assert isinstance(resources, batch.CfnComputeEnvironment.ComputeResourcesProperty)
    spot.compute_resources = batch.CfnComputeEnvironment.ComputeResourcesProperty(
        type=resources.type, maxv_cpus=40, subnets=resources.subnets, instance_types=resources.instance_types,
        allocation_strategy=resources.allocation_strategy, launch_template=resources.launch_template,
        instance_role=resources.instance_role)
    (problem,) = cluster.node.validate()
    assert "can run 12 GPUs at once (OnDemandComputeEnvironment: 10, MultiNodeComputeEnvironment: 2;" in problem
    assert problem.endswith("> 'max_gpus' = 4")
    with pytest.raises(RuntimeError, match=r"(?s)Validation failed.*\[T/Train\] the compute environments can run"):
        app.synth()


def test_a_longer_or_missing_timeout_and_a_foreign_environment_are_caught() -> None:
    app = new_app({"env": "dev"})
    stack = Stack(app, "B")
    construct = BatchComputeEnv(stack, "Batch", cost_center="recs", max_job_hours=2)
    construct.job_definition.timeout = batch.CfnJobDefinition.TimeoutProperty(attempt_duration_seconds=3 * 3600)
    batch.CfnJobDefinition(construct, "Mine", type="container")  # added under the construct: bounded too
    foreign = batch.CfnComputeEnvironment(stack, "Foreign", type="UNMANAGED")
    construct.job_queue.compute_environment_order = [
        *(construct.job_queue.compute_environment_order or []),  # type: ignore[misc]
        batch.CfnJobQueue.ComputeEnvironmentOrderProperty(compute_environment=foreign.ref, order=3)]
    problems = construct.node.validate()
    assert len(problems) == 3
    assert any("sends jobs to compute environments outside this construct" in p for p in problems)
    assert any("B/Batch/JobDefinition' has 'attemptDurationSeconds' = 10800; allowed: 60..7200" in p
               for p in problems)
    assert any("B/Batch/Mine' has no timeout" in p for p in problems)


def test_the_compute_package_exports_the_two_constructs() -> None:
    import platform_constructs
    from platform_constructs import compute

    assert compute.BatchComputeEnv is BatchComputeEnv is platform_constructs.BatchComputeEnv
    assert compute.GpuTrainingCluster is GpuTrainingCluster
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        compute.Nope  # noqa: B018
