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


def check(resource: dict[str, Any], env: str = "dev") -> list[str]:
    template = {"Resources": {"Ce": resource, "LaunchTemplate": LAUNCH_TEMPLATE}}
    return [f"{v.location}: {v.message}" for v in evaluate(RULE, resource, env=env, template=template,
                                                            logical_id="Ce")]


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
        "Properties.ComputeResources.MaxvCpus: MaxvCpus 128 exceeds 64, the max_vcpus of dev",
        "Properties.ComputeResources.InstanceTypes: GPU budget: at MaxvCpus 128 (BEST_FIT) on g4dn.xlarge up to "
        "32 GPUs could run; dev allows 4 (lower MaxvCpus)",
    ]
    # mixing CPU and GPU types: the worst case is the GPU-densest mix
    assert len(check(environment(MaxvCpus=32, InstanceTypes=["m5.xlarge", "g4dn.xlarge"]))) == 1


def test_gpu_budget_counts_whole_instances_and_the_spot_overshoot() -> None:
    # BEST_FIT never exceeds MaxvCpus: 7 vCPUs hold one g4dn.xlarge (4 vCPUs), so 1 GPU
    assert check(environment(MaxvCpus=7, AllocationStrategy="BEST_FIT")) == []
    # other strategies may overshoot by one instance: 16 vCPUs -> 3 instances below + 1 over = 4 GPUs (dev allows 4)
    assert check(environment(MaxvCpus=16, AllocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED")) == []
    over = check(environment(MaxvCpus=17, AllocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED"))
    assert over == ["Properties.ComputeResources.InstanceTypes: GPU budget: at MaxvCpus 17 "
                    "(SPOT_PRICE_CAPACITY_OPTIMIZED) on g4dn.xlarge up to 5 GPUs could run; dev allows 4 "
                    "(lower MaxvCpus)"]


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
