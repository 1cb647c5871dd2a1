"""The Metaflow configuration a Batch construct publishes (``~/.metaflowconfig/config.json`` keys).

Metaflow reads these keys from its config file or the environment (Metaflow's ``metaflow_config.py``):
``@batch`` steps go to ``METAFLOW_BATCH_JOB_QUEUE`` with ``METAFLOW_ECS_S3_ACCESS_IAM_ROLE`` as the job role,
artifacts to ``METAFLOW_DATASTORE_SYSROOT_S3``.
"""

from __future__ import annotations

from aws_cdk import aws_batch as batch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3


def metaflow_config(*, queue: batch.CfnJobQueue, role: iam.IRole, bucket: s3.IBucket, prefix: str,
                    image: str, execution_role: iam.IRole | None = None) -> dict[str, str]:
    """The Metaflow settings for ``@batch`` against ``queue`` (values resolve at deploy time)."""
    config = {
        "METAFLOW_DEFAULT_DATASTORE": "s3",
        "METAFLOW_DATASTORE_SYSROOT_S3": f"s3://{bucket.bucket_name}/{prefix}metaflow",
        "METAFLOW_DATATOOLS_S3ROOT": f"s3://{bucket.bucket_name}/{prefix}data",
        "METAFLOW_BATCH_JOB_QUEUE": queue.ref,
        "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": role.role_arn,
        "METAFLOW_BATCH_CONTAINER_IMAGE": image,
    }
    if execution_role is not None:
        config["METAFLOW_ECS_FARGATE_EXECUTION_ROLE"] = execution_role.role_arn
    return config
