"""Instance facts in catalog.py, checked against EC2's own description of each type (pure: no CDK).

The reference is moto's ``ec2/resources/instance_types.json.gz``, which moto generates from the EC2
``DescribeInstanceTypes`` API (vCPUs, memory, GPUs, EFA support per type). The P3 family is missing there (moto
no longer lists it); its facts are checked against the EC2 accelerated-computing instance table instead. The GPU
budget functions in catalog.py are tested in tests/compute/test_catalog.py.
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
from typing import Any

import pytest

from platform_constructs import catalog
from platform_constructs.catalog import EC2_INSTANCES, SAGEMAKER_INSTANCES, InstanceSpec
from platform_constructs.policy import load_policy


def _described() -> dict[str, Any]:
    data = (importlib.resources.files("moto.ec2") / "resources" / "instance_types.json.gz").read_bytes()
    types: dict[str, Any] = json.loads(gzip.decompress(data))
    return types


DESCRIBED = _described()
P3 = {"p3.2xlarge": (8, 61, 1, False), "p3.8xlarge": (32, 244, 4, False), "p3.16xlarge": (64, 488, 8, False)}
"""(vCPUs, GiB, V100 GPUs, EFA) from the EC2 user guide's accelerated-computing table (P3 has no EFA; P3dn does)."""


def facts(name: str) -> tuple[int, float, int, bool]:
    """(vCPUs, memory GiB, GPUs, EFA) of an EC2 instance type as EC2 describes it."""
    if name in P3:
        return P3[name]
    described = DESCRIBED[name]
    gpus = sum(gpu["Count"] for gpu in described.get("GpuInfo", {}).get("Gpus", []))
    return (described["VCpuInfo"]["DefaultVCpus"], described["MemoryInfo"]["SizeInMiB"] / 1024, gpus,
            bool(described.get("NetworkInfo", {}).get("EfaSupported", False)))


def catalogued(spec: InstanceSpec) -> tuple[int, float, int, bool]:
    return spec.vcpus, spec.memory_gib, spec.gpus, spec.efa


def test_the_reference_describes_the_types() -> None:
    assert facts("g4dn.12xlarge") == (48, 192.0, 4, True)
    assert facts("m5.large") == (2, 8.0, 0, False)
    assert len(DESCRIBED) > 500


@pytest.mark.parametrize("name", sorted(EC2_INSTANCES))
def test_ec2_facts_match_ec2s_description(name: str) -> None:
    spec = EC2_INSTANCES[name]
    assert spec.name == name
    assert catalogued(spec) == facts(name)


@pytest.mark.parametrize("name", sorted(SAGEMAKER_INSTANCES))
def test_sagemaker_facts_match_the_ec2_type_they_run_on(name: str) -> None:
    """An ``ml.X`` instance is the EC2 type X (same vCPUs, memory and accelerators)."""
    spec = SAGEMAKER_INSTANCES[name]
    ec2_name = name.removeprefix("ml.")
    assert spec.name == name and name.startswith("ml.")
    assert catalogued(spec) == facts(ec2_name)


def test_every_instance_type_the_policy_allows_is_catalogued() -> None:
    """Budget guards and validation look types up here: the shipped policy must name only known types."""
    policy = load_policy()
    for env in policy.environments.values():
        assert [t for t in env.ec2_instance_types if catalog.ec2(t) is None] == [], env.name
        assert [t for t in env.sagemaker_instance_types if catalog.sagemaker(t) is None] == [], env.name


def test_lookups_and_gpu_flag() -> None:
    assert catalog.ec2("g5.xlarge") == EC2_INSTANCES["g5.xlarge"]
    assert catalog.ec2("ml.g5.xlarge") is None and catalog.sagemaker("g5.xlarge") is None
    assert catalog.ec2("x9z.huge") is None
    assert EC2_INSTANCES["g5.xlarge"].gpu and not EC2_INSTANCES["m5.large"].gpu


@pytest.mark.parametrize(("name", "has_store"), [
    ("ml.g4dn.xlarge", True), ("ml.g5.2xlarge", True), ("ml.g6.12xlarge", True), ("ml.p4d.24xlarge", True),
    ("ml.p5.48xlarge", True), ("ml.m5.xlarge", False), ("ml.c5.large", False), ("ml.p3.2xlarge", False),
    ("ml.inf2.xlarge", False),
])
def test_instance_store_families(name: str, has_store: bool) -> None:
    """The hosting families with local NVMe storage (SageMaker rejects a KmsKeyId for them)."""
    assert catalog.sagemaker_has_instance_store(name) is has_store


def test_instance_store_families_are_those_ec2_describes_with_instance_storage() -> None:
    for name in SAGEMAKER_INSTANCES:
        ec2_name = name.removeprefix("ml.")
        if ec2_name in DESCRIBED:
            assert catalog.sagemaker_has_instance_store(name) is DESCRIBED[ec2_name]["InstanceStorageSupported"], name
