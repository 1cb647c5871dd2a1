"""The acceptance property on the construct itself: GpuTrainingCluster(max_gpus=8, max_job_hours=24) in staging never
can run more than 8 GPUs, for every combination of the policy's GPU types (and spot or not, and node counts), as
AWS Batch's documented bound summed over every compute environment it creates, computed from its L1 resources both
with the catalog arithmetic and by rule PLAT-BATCH2; a combination that cannot fit is refused, never built."""

from __future__ import annotations

import itertools
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_batch as batch
from hypothesis import event, given, settings
from hypothesis import strategies as st

from platform_constructs import GpuTrainingCluster, PlatformValidationError, catalog
from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.batch_compute_budget import RULE
from platform_constructs.policy import load_policy
from platform_constructs.testing import new_app

POLICY = load_policy()
STAGING = POLICY.environment("staging")
GPU_TYPES = [t for t in STAGING.ec2_instance_types if (s := catalog.ec2(t)) is not None and s.gpu]
COMBINATIONS = [list(c) for n in range(1, len(GPU_TYPES) + 1) for c in itertools.combinations(GPU_TYPES, n)]
APP = new_app({"env": "staging"})  # one app, one stack per example: no synth is needed for the L1s
_count = itertools.count()


def _resources(environment: batch.CfnComputeEnvironment) -> batch.CfnComputeEnvironment.ComputeResourcesProperty:
    resources = environment.compute_resources
    assert isinstance(resources, batch.CfnComputeEnvironment.ComputeResourcesProperty)
    return resources


def _as_template(cluster: GpuTrainingCluster) -> dict[str, Any]:
    """The compute environments' budget properties as template resources of one construct (its path)."""
    resources: dict[str, Any] = {"Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {}}}
    for environment in cluster.compute_environments:
        r = _resources(environment)
        resources[environment.node.id] = {
            "Type": "AWS::Batch::ComputeEnvironment", "Metadata": {"aws:cdk:path": environment.node.path},
            "Properties": {"Type": "MANAGED", "ComputeResources": {
                "Type": r.type, "MaxvCpus": r.maxv_cpus, "InstanceTypes": list(r.instance_types or []),
                "AllocationStrategy": r.allocation_strategy, "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}}}}}
    return {"Resources": resources}


@settings(max_examples=60, deadline=None)
@given(types=st.sampled_from(COMBINATIONS), spot=st.sampled_from((None, True, False)), nodes=st.integers(2, 4))
def test_staging_cluster_of_8_gpus_never_exceeds_8(types: list[str], spot: bool | None, nodes: int) -> None:
    stack = Stack(APP, f"T{next(_count)}")
    try:
        cluster = GpuTrainingCluster(stack, "Train", cost_center="recs", max_gpus=8, max_job_hours=24,
                                     instance_types=types, spot=spot, nodes=nodes)
    except PlatformValidationError as error:  # cannot fit: refused with the arithmetic, nothing built
        assert {p.argument for p in error.problems} <= {"max_gpus", "nodes", "instance_types"}
        event("refused")
        return
    event("built")
    total = 0
    for environment in cluster.compute_environments:
        r = _resources(environment)
        specs = [s for t in r.instance_types or [] if (s := catalog.ec2(t)) is not None]
        total += catalog.worst_case_gpus(specs, int(r.maxv_cpus), overshoot=catalog.overshoots(
            r.allocation_strategy, str(r.type)))
    assert total == cluster.settings.worst_case_gpus <= 8
    template = _as_template(cluster)
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Batch::ComputeEnvironment":
            assert evaluate(RULE, resource, env="staging", template=template, logical_id=logical_id) == []
    assert all(_resources(e).maxv_cpus <= STAGING.max_vcpus for e in cluster.compute_environments)
    assert cluster.node.validate() == []  # the construct's own synth-time re-check agrees
