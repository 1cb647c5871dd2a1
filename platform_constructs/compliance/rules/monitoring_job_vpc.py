"""PLAT-MON2: a SageMaker monitoring or processing job runs in the platform VPC.

The job's ``NetworkConfig.VpcConfig`` must name ``Subnets`` and ``SecurityGroupIds`` (SageMaker then moves the job's
inputs and outputs through the VPC's endpoints). The ids are usually intrinsics (``Ref``, SSM parameters): set is
enough.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    is_set,
    unverifiable,
)
from platform_constructs.compliance.rules.monitoring_jobs import JOB_TYPES, job_settings


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    job = job_settings(resource)
    if job is None:
        return
    where = f"{job.network_path}.VpcConfig"
    network = job.network
    vpc = network.get("VpcConfig") if isinstance(network, Mapping) else None
    if is_intrinsic(network) or is_intrinsic(vpc):
        yield unverifiable(where, "VpcConfig")
    elif not isinstance(vpc, Mapping):
        yield Violation(where, "no VpcConfig; the job must run in the platform VPC's subnets")
    else:
        for key in ("Subnets", "SecurityGroupIds"):
            if not is_set(vpc.get(key)):
                yield Violation(f"{where}.{key}", f"VpcConfig has no {key}")


RULE = Rule(
    id="PLAT-MON2",
    title="SageMaker monitoring and processing jobs run in the platform VPC",
    fix="use SecureModelEndpoint(monitoring=...), or set NetworkConfig.VpcConfig (Subnets, SecurityGroupIds)",
    resource_types=JOB_TYPES,
    check=check,
)
