"""The real Metaflow client against the stacks deployed in the emulator (the session's deploy), with only what
our outputs say and only what our grants allow.

``tests/local/metaflow_flow.py`` is a small flow: a local ``start`` that fans out, a ``square`` step on AWS Batch
(``@batch``), a join, and a daily ``@schedule``. The client's configuration is the ``MetaflowConfig`` output of
``recs-batch`` saved as ``~/.metaflowconfig/config.json`` plus the emulator's S3 endpoint; its identity is the
``local-test-metaflow-client`` stack's role, which holds only ``grant_submit``, ``grant_deploy_step_functions``
and ``grant_read_write_datastore`` of that Batch construct.

``python flow.py run`` runs ``start`` on this machine with the S3 datastore in our bucket and submits one AWS Batch
job per foreach item to our FIFO queue. Batch containers need Docker, which the emulator lacks, so those jobs end
FAILED and the run fails: what is asserted is what was submitted (queue, Metaflow's job definition with our job
role and image, the run-time limit, no share identifier, the bootstrap's pip installs skipped). Then
``python flow.py step-functions create`` deploys the flow: the state machine, its job definitions and its schedule
must reference our queue, roles and foreach table.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from local_deploy_stacks import METAFLOW_CLIENT_STACK
from local_deployment import Deployment

from platform_constructs.local.models.batch_jobs import NO_DOCKER

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

BATCH_STACK = "recs-batch"
FLOW = Path(__file__).with_name("metaflow_flow.py")
FLOW_NAME = "PlatformFlow"
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Client:
    config: dict[str, str]
    env: dict[str, str]
    run: subprocess.CompletedProcess[str]
    create: subprocess.CompletedProcess[str]
    identity: str

    @property
    def run_id(self) -> str:
        found = re.search(r"Workflow starting \(run-id (\d+)\)", self.run.stdout + self.run.stderr)
        assert found, self.run.stdout + self.run.stderr
        return found.group(1)

    @property
    def bucket(self) -> str:
        return self.config["METAFLOW_DATASTORE_SYSROOT_S3"].split("/")[2]


def _outputs(deployment: Deployment, stack: str) -> dict[str, str]:
    described = deployment.target.emulator.client("cloudformation").describe_stacks(StackName=stack)
    return {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}


@pytest.fixture(scope="module")
def client(local_deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    em = local_deployment.target.emulator
    outputs = _outputs(local_deployment, BATCH_STACK)
    (config_text,) = [v for k, v in outputs.items() if k.startswith("BatchMetaflowConfig")]
    config = json.loads(config_text)
    role = _outputs(local_deployment, METAFLOW_CLIENT_STACK)["FlowRunnerRoleArn"]
    credentials = em.client("sts").assume_role(RoleArn=role, RoleSessionName="metaflow-client")["Credentials"]
    home = tmp_path_factory.mktemp("home")
    (home / ".metaflowconfig").mkdir()
    (home / ".metaflowconfig" / "config.json").write_text(json.dumps(
        {**config, "METAFLOW_S3_ENDPOINT_URL": em.endpoint_url}), encoding="utf-8")  # the emulator's S3: ours
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "METAFLOW_"))}
    env.update({"HOME": str(home), "METAFLOW_HOME": str(home / ".metaflowconfig"), "USER": "tester",
                "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                "AWS_SESSION_TOKEN": credentials["SessionToken"], "AWS_DEFAULT_REGION": em.client_env()["AWS_REGION"],
                "AWS_REGION": em.client_env()["AWS_REGION"], "AWS_ENDPOINT_URL": em.endpoint_url})
    identity = subprocess.run([sys.executable, "-c", "import boto3; print(boto3.client('sts').get_caller_identity()"
                               "['Arn'])"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    work = tmp_path_factory.mktemp("flow")
    shutil.copy(FLOW, work / "flow.py")

    def metaflow(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "flow.py", "--no-pylint", *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)

    yield Client(config=config, env=env, run=metaflow("run"), create=metaflow("step-functions", "create"),
                 identity=identity)


def test_the_client_runs_as_the_granted_role(client: Client) -> None:
    assert ":assumed-role/" in client.identity and "FlowRunner" in client.identity


def test_the_local_step_ran_with_the_datastore_in_our_bucket(client: Client, local_deployment: Deployment) -> None:
    output = client.run.stdout + client.run.stderr
    assert f"[{client.run_id}/start/1" in output and "Foreach yields 3 child steps." in output
    assert "Task finished successfully." in output  # start, on this machine
    s3 = local_deployment.target.emulator.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=client.bucket, Prefix="recs/")["Contents"]]
    run = f"recs/metaflow/{FLOW_NAME}/{client.run_id}/"
    assert any(k.startswith(f"{run}start/1/") for k in keys)  # the start task's artifacts
    assert any(k.startswith(f"recs/metaflow/{FLOW_NAME}/data/") for k in keys)  # the code package
    listed = s3.list_objects_v2(Bucket=client.bucket).get("Contents", [])
    assert all(o["Key"].startswith("recs/") for o in listed)  # the team's prefix only


def _jobs(local_deployment: Deployment, queue: str) -> list[dict[str, Any]]:
    batch = local_deployment.target.emulator.client("batch")
    ids = [j["jobId"] for status in ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
           for j in batch.list_jobs(jobQueue=queue, jobStatus=status)["jobSummaryList"]]
    return batch.describe_jobs(jobs=ids)["jobs"] if ids else []


def test_the_batch_step_was_submitted_with_our_queue_role_image_and_limits(client: Client,
                                                                           local_deployment: Deployment) -> None:
    """No Docker in the emulator: the jobs fail, so the run does; their parameters are what counts."""
    assert client.run.returncode != 0 and "Step square" in client.run.stdout + client.run.stderr
    queue = client.config["METAFLOW_BATCH_JOB_QUEUE"]
    jobs = [j for j in _jobs(local_deployment, queue) if f"-{FLOW_NAME}-{client.run_id}-square-" in j["jobName"]]
    assert len(jobs) == 3 and {(j["status"], j.get("statusReason")) for j in jobs} == {("FAILED", NO_DOCKER)}
    batch = local_deployment.target.emulator.client("batch")
    for job in jobs:
        assert job["jobQueue"] == queue
        assert job["timeout"] == {"attemptDurationSeconds": int(client.config["METAFLOW_DEFAULT_RUNTIME_LIMIT"])}
        assert not job.get("shareIdentifier")  # what a FIFO queue takes, and what Metaflow sends
        env = {e["name"]: e["value"] for e in job["container"]["environment"]}
        assert env["METAFLOW_SKIP_INSTALL_DEPENDENCIES"] == "1"  # the bootstrap skips pip (isolated subnets)
        assert env["METAFLOW_DATASTORE_SYSROOT_S3"] == client.config["METAFLOW_DATASTORE_SYSROOT_S3"]
        (definition,) = batch.describe_job_definitions(jobDefinitions=[job["jobDefinition"]])["jobDefinitions"]
        assert definition["jobDefinitionName"].startswith("metaflow_")
        properties = definition["containerProperties"]
        assert properties["jobRoleArn"] == client.config["METAFLOW_ECS_S3_ACCESS_IAM_ROLE"]
        assert properties["image"] == client.config["METAFLOW_BATCH_CONTAINER_IMAGE"]
        assert "{{resolve:" not in properties["image"] and not properties.get("privileged")


def _states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in definition.get("States", {}).values():
        yield state
        for nested in (state.get("Iterator"), state.get("ItemProcessor")):
            if isinstance(nested, dict):
                yield from _states(nested)


def test_step_functions_create_uses_our_queue_roles_and_foreach_table(client: Client,
                                                                     local_deployment: Deployment) -> None:
    assert client.create.returncode == 0, client.create.stdout + client.create.stderr
    assert "pushed to AWS Step Functions successfully" in client.create.stdout + client.create.stderr
    em = local_deployment.target.emulator
    name = f"{client.config['METAFLOW_SFN_STATE_MACHINE_PREFIX']}_{FLOW_NAME}"
    (machine,) = [m for m in em.client("stepfunctions").list_state_machines()["stateMachines"] if m["name"] == name]
    described = em.client("stepfunctions").describe_state_machine(stateMachineArn=machine["stateMachineArn"])
    assert described["roleArn"] == client.config["METAFLOW_SFN_IAM_ROLE"]
    states = list(_states(json.loads(described["definition"])))
    tasks = [s for s in states if s.get("Resource", "").endswith(":states:::batch:submitJob.sync")]
    assert {t["Parameters"]["JobQueue"] for t in tasks} == {client.config["METAFLOW_BATCH_JOB_QUEUE"]}
    assert len(tasks) == 4  # start, square (in the foreach's map), join, end
    batch = em.client("batch")
    for task in tasks:
        (definition,) = batch.describe_job_definitions(jobDefinitions=[task["Parameters"]["JobDefinition"]])[
            "jobDefinitions"]
        assert definition["jobDefinitionName"].startswith("metaflow_")
        assert definition["containerProperties"]["jobRoleArn"] == client.config["METAFLOW_ECS_S3_ACCESS_IAM_ROLE"]
        overrides = task["Parameters"]["ContainerOverrides"]["Environment"]
        env = {e["Name"]: e.get("Value", e.get("Value.$")) for e in overrides}
        assert env.get("METAFLOW_SKIP_INSTALL_DEPENDENCIES") == "1"
    table = client.config["METAFLOW_SFN_DYNAMO_DB_TABLE"]
    lookups = [s for s in states if s.get("Resource", "").endswith(":states:::dynamodb:getItem")]
    assert lookups and {s["Parameters"]["TableName"] for s in lookups} == {table}
    em.client("dynamodb").describe_table(TableName=table)  # the table it names exists
    (target,) = em.client("events").list_targets_by_rule(Rule=name)["Targets"]
    assert (target["Arn"], target["RoleArn"]) == (machine["stateMachineArn"],
                                                  client.config["METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE"])
