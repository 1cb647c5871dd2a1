"""The Metaflow configuration a Batch construct publishes (``~/.metaflowconfig/config.json`` keys).

Metaflow reads each key from the environment or its config file (``from_conf`` in Metaflow's
``metaflow_config.py``; the file's keys are the environment variables' names):

* ``@batch`` steps go to ``METAFLOW_BATCH_JOB_QUEUE`` (a FIFO queue unless the construct was built with
  ``fair_share=True``: Metaflow sends no share identifier) with ``METAFLOW_ECS_S3_ACCESS_IAM_ROLE`` as the job
  role and ``METAFLOW_BATCH_CONTAINER_IMAGE``; artifacts go to ``METAFLOW_DATASTORE_SYSROOT_S3``;
* ``METAFLOW_DEFAULT_RUNTIME_LIMIT`` (seconds) bounds every job by ``max_job_hours`` (Metaflow's own default is
  five days; ``@timeout`` overrides it per step, and the run-time guardrail bounds those jobs too);
* ``METAFLOW_DEFAULT_DECOSPECS`` adds ``@environment`` with ``METAFLOW_SKIP_INSTALL_DEPENDENCIES`` to every step:
  Metaflow's task bootstrap otherwise pip-installs boto3 and requests (``metaflow_environment.py``), which cannot
  work in the isolated subnets (the approved images already have them). Metaflow attaches a default decorator
  only to steps that do not have one of the same name, so a step with its own ``@environment`` must add
  ``METAFLOW_SKIP_INSTALL_DEPENDENCIES="1"`` to its ``vars``;
* ``METAFLOW_SFN_IAM_ROLE``, ``METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE``, ``METAFLOW_SFN_DYNAMO_DB_TABLE`` and
  ``METAFLOW_SFN_STATE_MACHINE_PREFIX`` are what ``step-functions create`` needs (see
  :mod:`~platform_constructs.compute.workflows`).
"""

from __future__ import annotations

import json
import re

from aws_cdk import Stack
from aws_cdk import aws_batch as batch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs.compute.workflows import StepFunctionsSupport

SKIP_INSTALL_DECOSPEC = "environment:vars=" + json.dumps({"METAFLOW_SKIP_INSTALL_DEPENDENCIES": "1"},
                                                         separators=(",", ":"))
"""One decorator spec (Metaflow splits ``METAFLOW_DEFAULT_DECOSPECS`` on whitespace, so it has none)."""


def output_image(scope: Construct, image: str) -> str:
    """``image`` as a value that resolves in a stack output too.

    A golden-pipeline default is an SSM dynamic reference (``{{resolve:ssm:...}}``), whose resolution CloudFormation
    documents for resource properties; in an output it may reach Metaflow verbatim (the emulator leaves it so).
    Such an image is read through an SSM-typed template parameter instead (``AWS::SSM::Parameter::Value<String>``:
    the parameter's value is the SSM value, resolved at deploy time, wherever it is used).
    """
    resolved = Stack.of(scope).resolve(image)
    found = re.fullmatch(r"\{\{resolve:ssm:([^:}]+)\}\}", resolved) if isinstance(resolved, str) else None
    return ssm.StringParameter.value_for_string_parameter(scope, found.group(1)) if found else image


def metaflow_config(*, queue: batch.CfnJobQueue, role: iam.IRole, bucket: s3.IBucket, prefix: str, image: str,
                    timeout_seconds: int, workflows: StepFunctionsSupport,
                    execution_role: iam.IRole | None = None) -> dict[str, str]:
    """The Metaflow settings for ``@batch`` and ``step-functions create`` (values resolve at deploy time)."""
    config = {
        "METAFLOW_DEFAULT_DATASTORE": "s3",
        "METAFLOW_DATASTORE_SYSROOT_S3": f"s3://{bucket.bucket_name}/{prefix}metaflow",
        "METAFLOW_DATATOOLS_S3ROOT": f"s3://{bucket.bucket_name}/{prefix}data",
        "METAFLOW_BATCH_JOB_QUEUE": queue.ref,
        "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": role.role_arn,
        "METAFLOW_BATCH_CONTAINER_IMAGE": image,
        "METAFLOW_DEFAULT_RUNTIME_LIMIT": str(timeout_seconds),
        "METAFLOW_DEFAULT_DECOSPECS": SKIP_INSTALL_DECOSPEC,
        "METAFLOW_SFN_IAM_ROLE": workflows.state_machine_role.role_arn,
        "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE": workflows.events_role.role_arn,
        "METAFLOW_SFN_DYNAMO_DB_TABLE": workflows.table.table_name,
        "METAFLOW_SFN_STATE_MACHINE_PREFIX": workflows.prefix,
    }
    if execution_role is not None:
        config["METAFLOW_ECS_FARGATE_EXECUTION_ROLE"] = execution_role.role_arn
    return config
