"""catalog: instance facts (memory per vCPU by family) and the GPU budget arithmetic shared by the constructs
and rule PLAT-BATCH2 (AWS Batch's documented bound: maxvCpus worth of instances plus one instance), checked
against brute force and for the properties the budget relies on."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_constructs import catalog
from platform_constructs.catalog import InstanceSpec, max_vcpus_for_gpus, worst_case_gpus

GPU_SPECS = [s for s in catalog.EC2_INSTANCES.values() if s.gpu]

# GiB of memory per vCPU of each family ("Specifications for Amazon EC2 general purpose / compute optimized /
# memory optimized instances", Amazon EC2 Instance Types guide).
MEMORY_PER_VCPU = {"m5": 4, "m6i": 4, "c5": 2, "c6i": 2, "r5": 8}


@pytest.mark.parametrize(("family", "ratio"), MEMORY_PER_VCPU.items())
def test_memory_per_vcpu_of_each_family(family: str, ratio: int) -> None:
    specs = [s for name, s in catalog.EC2_INSTANCES.items() if name.split(".")[0] == family]
    assert specs
    assert all(s.memory_gib == s.vcpus * ratio for s in specs), [(s.name, s.vcpus, s.memory_gib) for s in specs]


def test_c6i_is_compute_optimised() -> None:
    assert catalog.ec2("c6i.large") == InstanceSpec("c6i.large", 2, 4)
    assert catalog.sagemaker("ml.c6i.large") == InstanceSpec("ml.c6i.large", 2, 4)
    assert catalog.ec2("c6i.9xlarge") is None  # a C5 size that C6i does not have


def test_sagemaker_catalog_and_instance_store() -> None:
    assert catalog.sagemaker("ml.g5.xlarge") == InstanceSpec("ml.g5.xlarge", 4, 16, 1, False)
    assert catalog.sagemaker("ml.t3.medium") is None and catalog.sagemaker("ml.g4dn.metal") is None
    assert catalog.sagemaker_has_instance_store("ml.g5.2xlarge")
    assert not catalog.sagemaker_has_instance_store("ml.m5.xlarge")


def test_only_best_fit_on_demand_never_overshoots() -> None:
    """ComputeResource.maxvCpus: every strategy may exceed maxvCpus by one instance, "and the BEST_FIT strategy
    using Spot Instances" too; only BEST_FIT (Batch's default, also when none is given) on EC2 never does."""
    assert not catalog.overshoots("BEST_FIT", "EC2") and not catalog.overshoots(None, "EC2")
    assert catalog.overshoots("BEST_FIT", "SPOT") and catalog.overshoots(None, "SPOT")
    assert catalog.overshoots("BEST_FIT_PROGRESSIVE", "EC2")
    assert catalog.overshoots("SPOT_PRICE_CAPACITY_OPTIMIZED", "SPOT")


def test_worst_case_is_max_vcpus_worth_plus_one_largest_instance() -> None:
    """The issue's example: a spot environment with maxvCpus 16 over 4-vCPU, 1-GPU types may run 20 vCPUs,
    i.e. 5 GPUs."""
    small, big = catalog.ec2("g4dn.xlarge"), catalog.ec2("g4dn.12xlarge")
    assert small is not None and big is not None
    assert worst_case_gpus([small], 16, overshoot=True) == 5
    assert worst_case_gpus([small], 16, overshoot=False) == 4


def test_worst_case_covers_mixed_types_and_overshoot() -> None:
    small, big = catalog.ec2("g4dn.xlarge"), catalog.ec2("g4dn.12xlarge")
    assert small is not None and big is not None
    # 48 vCPUs of 4-vCPU single-GPU instances (12 GPUs) plus one overshooting 4-GPU instance
    assert worst_case_gpus([small, big], 48, overshoot=True) == 12 + 4
    # without overshoot the densest mix in 48 vCPUs: 12 x g4dn.xlarge
    assert worst_case_gpus([small, big], 48, overshoot=False) == 12
    assert worst_case_gpus([big], 48, overshoot=False) == 4
    assert worst_case_gpus([], 48, overshoot=True) == 0 and worst_case_gpus([big], 0, overshoot=True) == 0


def _brute_force(specs: list[InstanceSpec], vcpus: int) -> int:
    """The most GPUs on any multiset of ``specs`` with at most ``vcpus`` vCPUs, by enumeration."""
    ranges = [range(vcpus // s.vcpus + 1) for s in specs]
    return max(sum(n * s.gpus for n, s in zip(counts, specs, strict=True))
               for counts in itertools.product(*ranges)
               if sum(n * s.vcpus for n, s in zip(counts, specs, strict=True)) <= vcpus)


specs_strategy = st.lists(st.sampled_from(GPU_SPECS), min_size=1, max_size=3, unique=True)


@settings(max_examples=150, deadline=None)
@given(specs_strategy, st.integers(1, 120))
def test_worst_case_is_the_brute_force_maximum(specs: list[InstanceSpec], vcpus: int) -> None:
    assert worst_case_gpus(specs, vcpus, overshoot=False) == _brute_force(specs, vcpus)
    assert worst_case_gpus(specs, vcpus, overshoot=True) == _brute_force(specs, vcpus) + max(
        s.gpus for s in specs)


@settings(max_examples=200, deadline=None)
@given(specs_strategy, st.integers(0, 40), st.integers(0, 300), st.booleans())
def test_max_vcpus_for_gpus_is_the_largest_safe_value(specs: list[InstanceSpec], gpus: int, cap: int,
                                                       overshoot: bool) -> None:
    chosen = max_vcpus_for_gpus(specs, gpus, cap, overshoot=overshoot)
    assert 0 <= chosen <= cap
    if chosen:
        assert worst_case_gpus(specs, chosen, overshoot=overshoot) <= gpus
    if chosen < cap:  # one more vCPU would break the budget
        assert worst_case_gpus(specs, chosen + 1, overshoot=overshoot) > gpus


@settings(max_examples=100, deadline=None)
@given(specs_strategy, st.integers(1, 200))
def test_worst_case_grows_with_max_vcpus_and_overshoot(specs: list[InstanceSpec], vcpus: int) -> None:
    for overshoot in (False, True):
        assert worst_case_gpus(specs, vcpus, overshoot=overshoot) <= worst_case_gpus(specs, vcpus + 1,
                                                                                      overshoot=overshoot)
    assert worst_case_gpus(specs, vcpus, overshoot=False) <= worst_case_gpus(specs, vcpus, overshoot=True)
