"""PLAT-BATCH2 over bare AWS::Batch::ComputeEnvironment resources (with their launch templates)."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.batch_compute_budget import RULE

LAUNCH_TEMPLATE = {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {}}}


def environment(**resources: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Type": "EC2", "MinvCpus": 0, "MaxvCpus": 16, "InstanceTypes": ["g4dn.xlarge"],
        "Subnets": [{"Ref": "Subnet"}], "SecurityGroupIds": [{"Ref": "Sg"}],
        "InstanceRole": {"Fn::GetAtt": ["Profile", "Arn"]},
        "LaunchTemplate": {"LaunchTemplateId": {"Ref": "LaunchTemplate"}, "Version": "$Latest"},
    }
    base.update(resources)
    compute = {k: v for k, v in base.items() if v is not None}
    return {"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"Type": "managed", "ComputeResources": compute}}


def check(resource: dict[str, Any], env: str = "dev", **others: dict[str, Any]) -> list[str]:
    template = {"Resources": {"Ce": resource, "LaunchTemplate": LAUNCH_TEMPLATE, **others}}
    return [f"{v.location}: {v.message}" for v in evaluate(RULE, resource, env=env, template=template,
                                                            logical_id="Ce")]


def at(resource: dict[str, Any], path: str) -> dict[str, Any]:
    return {**resource, "Metadata": {"aws:cdk:path": path}}


def test_gpu_environment_within_budget_passes() -> None:
    assert check(environment()) == []  # 16 vCPUs of g4dn.xlarge (1 GPU / 4 vCPUs): 4 GPUs, dev allows 4


def test_fargate_needs_no_instance_types_or_launch_template() -> None:
    fargate = environment(Type="FARGATE", InstanceTypes=None, LaunchTemplate=None, InstanceRole=None)
    assert check(fargate) == []


def test_generic_and_disallowed_instance_types_are_reported() -> None:
    found = check(environment(InstanceTypes=["optimal", "p4d.24xlarge"]))
    assert any("'optimal' is not allowed in dev" in f for f in found)
    assert any("'p4d.24xlarge' is not allowed in dev" in f for f in found)
    assert check(environment(InstanceTypes=None)) == [
        "Properties.ComputeResources.InstanceTypes: no InstanceTypes; Batch would choose any instance type "
        "(GPUs included)"]


def test_vcpu_and_gpu_budgets_are_reported() -> None:
    found = check(environment(MaxvCpus=128))  # dev: max_vcpus 64, and 128 / 4 = 32 GPUs > 4
    assert found == [
        "Properties.ComputeResources.MaxvCpus: MaxvCpus of this compute environment add up to 128, above 64, the "
        "max_vcpus of dev",
        "Properties.ComputeResources.MaxvCpus: GPU budget: this compute environment can run up to 32 GPUs at once "
        "(Ce: 32; AWS Batch's documented bound: MaxvCpus worth of instances plus one instance except with BEST_FIT "
        "on EC2); dev allows 4 (lower MaxvCpus)",
    ]
    # mixing CPU and GPU types: the worst case is the GPU-densest mix
    assert len(check(environment(MaxvCpus=32, InstanceTypes=["m5.xlarge", "g4dn.xlarge"]))) == 1


def test_gpu_budget_is_the_documented_bound() -> None:
    # BEST_FIT on EC2 never exceeds MaxvCpus: 7 vCPUs hold one g4dn.xlarge (4 vCPUs), so 1 GPU
    assert check(environment(MaxvCpus=7, AllocationStrategy="BEST_FIT")) == []
    assert check(environment(MaxvCpus=16)) == []  # no strategy on EC2: Batch's default, BEST_FIT
    # other strategies (and BEST_FIT on spot) may overshoot by one instance: 12 vCPUs' worth (3) + 1 = 4 GPUs
    assert check(environment(MaxvCpus=12, AllocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED", Type="SPOT")) == []
    # the example: maxvCpus 16 of 4-vCPU, 1-GPU types may run 20 vCPUs, i.e. 5 GPUs
    over = check(environment(MaxvCpus=16, AllocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED", Type="SPOT"))
    assert len(over) == 1 and "can run up to 5 GPUs at once (Ce: 5;" in over[0]
    assert len(check(environment(MaxvCpus=16, AllocationStrategy="BEST_FIT", Type="SPOT"))) == 1
    assert len(check(environment(MaxvCpus=16, AllocationStrategy="BEST_FIT_PROGRESSIVE"))) == 1


def test_the_budget_is_summed_over_one_constructs_compute_environments() -> None:
    """Two environments of one construct (same aws:cdk:path parent) within dev's 4 GPUs alone, 5 together; another
    construct's environment is not counted."""
    spot = at(environment(MaxvCpus=8, AllocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED", Type="SPOT"), "s/Train/Spot")
    on_demand = at(environment(MaxvCpus=12, AllocationStrategy="BEST_FIT"), "s/Train/OnDemand/Resource")
    other = at(environment(MaxvCpus=16), "s/Other/OnDemand")
    found = check(spot, OnDemand=on_demand, Other=other)
    assert len(found) == 1 and "the 2 compute environments of s/Train can run up to 6 GPUs at once (Ce: 3, " \
                               "OnDemand: 3;" in found[0]
    assert check(at(environment(MaxvCpus=4, AllocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED", Type="SPOT"),
                    "s/Train/Spot"), OnDemand=at(environment(MaxvCpus=8), "s/Train/OnDemand"), Other=other) == []
    # without path metadata (a raw template), every compute environment of the template counts
    raw = check(environment(MaxvCpus=8), Second=environment(MaxvCpus=12))
    assert len(raw) == 1 and "the 2 compute environments of this template can run up to 5 GPUs" in raw[0]


def test_ec2_without_launch_template_is_reported() -> None:
    assert check(environment(LaunchTemplate=None)) == [
        "Properties.ComputeResources.LaunchTemplate: no LaunchTemplate; EC2/SPOT compute needs the platform's "
        "launch template (IMDSv2, encrypted volumes, no public IP)"]


def test_external_or_wrong_launch_template_reference_is_reported() -> None:
    external = check(environment(LaunchTemplate={"LaunchTemplateId": "lt-0123"}))
    assert "defined outside this template" in external[0]
    wrong = check(environment(LaunchTemplate={"LaunchTemplateId": {"Ref": "Sg"}}))
    assert "refers to Sg, which is not in this template" in wrong[0]


def test_unmanaged_environment_is_reported() -> None:
    unmanaged = {"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"Type": "UNMANAGED"}}
    assert "outside the platform's" in check(unmanaged)[0]


def test_computed_budget_values_are_unverifiable() -> None:
    found = check(environment(MaxvCpus={"Ref": "MaxCpus"}, InstanceTypes={"Ref": "Types"}))
    assert len(found) == 2 and all("cannot be verified" in f for f in found)
