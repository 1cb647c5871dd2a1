"""PLAT-MON1: a SageMaker monitoring or processing job runs network-isolated, inter-container traffic encrypted.

Job definitions of Model Monitor (data quality, model quality, bias, explainability), monitoring schedules with an
inline job definition and processing jobs (baselining) must set ``NetworkConfig.EnableNetworkIsolation: true`` (the
container has no network: SageMaker itself moves the inputs and outputs) and
``NetworkConfig.EnableInterContainerTrafficEncryption: true`` (traffic between a job's instances is encrypted). Both
must be literals.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    is_true,
    unverifiable,
)
from platform_constructs.compliance.rules.monitoring_jobs import JOB_TYPES, job_settings

SETTINGS = {"EnableNetworkIsolation": "the job's containers must have no network access",
            "EnableInterContainerTrafficEncryption": "traffic between the job's instances must be encrypted"}


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    job = job_settings(resource)
    if job is None:
        return
    if is_intrinsic(job.network):
        yield unverifiable(job.network_path, "NetworkConfig")
        return
    network = job.network if isinstance(job.network, Mapping) else {}
    for key, why in SETTINGS.items():
        value, where = network.get(key), f"{job.network_path}.{key}"
        if is_intrinsic(value):
            yield unverifiable(where, key)
        elif not is_true(value):
            yield Violation(where, f"{key} is {value!r}; {why} (true)")


RULE = Rule(
    id="PLAT-MON1",
    title="SageMaker monitoring and processing jobs are network-isolated with encrypted inter-container traffic",
    fix=("use SecureModelEndpoint(monitoring=...), or set NetworkConfig: {EnableNetworkIsolation: true, "
         "EnableInterContainerTrafficEncryption: true}"),
    resource_types=JOB_TYPES,
    check=check,
)
