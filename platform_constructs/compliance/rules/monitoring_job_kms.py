"""PLAT-MON3: a SageMaker monitoring or processing job encrypts its volumes and outputs with a KMS key.

The job's cluster (``...Resources.ClusterConfig.VolumeKmsKeyId``) and its output configuration (``...OutputConfig
.KmsKeyId``) must both name a key: the storage volume holds the captured requests and the baseline while the job
runs, the outputs are statistics, constraints and violation reports about them.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, is_set
from platform_constructs.compliance.rules.monitoring_jobs import JOB_TYPES, job_settings


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    job = job_settings(resource)
    if job is None:
        return
    if not is_set(job.volume_key):
        yield Violation(job.volume_key_path, "no VolumeKmsKeyId; the job's storage volumes must use a KMS key")
    if not is_set(job.output_key):
        yield Violation(job.output_key_path, "no KmsKeyId; the job's outputs must be encrypted with a KMS key")


RULE = Rule(
    id="PLAT-MON3",
    title="SageMaker monitoring and processing jobs encrypt volumes and outputs with KMS",
    fix=("use SecureModelEndpoint(monitoring=...), or set ClusterConfig.VolumeKmsKeyId and the output "
         "configuration's KmsKeyId"),
    resource_types=JOB_TYPES,
    check=check,
)
