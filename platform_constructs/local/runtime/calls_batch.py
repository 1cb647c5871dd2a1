"""How the runtime tables make the calls of AWS Batch jobs, Step Functions, EventBridge schedules, DynamoDB and
EFS clients (see :mod:`platform_constructs.local.runtime.calls` for ECR, S3, KMS, Logs and SSM).

Targets: ``queue`` (a job queue's ARN or name), ``job_definition`` (a name, default :data:`DEFINITION`:
registered by the admin when missing, as Metaflow registers its own), ``rule`` (an EventBridge rule name; the
admin creates it when a call needs it to exist), ``table`` (a DynamoDB table name; items are keyed by its
partition key), ``state_machine`` (ARN or name; with ``role`` the admin creates a missing one),
``file_system`` (an EFS file system).
"""

from __future__ import annotations

import json
from typing import Any

from platform_constructs.local.iam import RESOURCES
from platform_constructs.local.runtime.operation import Args, Operation, star

# --- AWS Batch -------------------------------------------------------------------------------------------------

RUNTIME_JOB = "runtime-call"
DEFINITION = "metaflow_runtime-calls"
"""The job definition of a job the admin submits for a call that follows or stops one."""


def _definition(a: Args) -> str:
    return a.target.get("job_definition", DEFINITION)


def _queue_arn(a: Args) -> str:
    """The queue: AWS authorises SubmitJob against the queue and the job definition; the emulator checks the
    queue (``local/iam.py``)."""
    return RESOURCES["batch"]["SubmitJob"](a.request({"jobQueue": a.target["queue"]}))


def _ensure_definition(a: Args) -> None:
    name = _definition(a)
    if f"definition:{name}" in a.state:
        return
    batch = a.admin("batch")
    if not batch.describe_job_definitions(jobDefinitionName=name, status="ACTIVE")["jobDefinitions"]:
        batch.register_job_definition(jobDefinitionName=name, type="container", containerProperties={
            "image": "public.ecr.aws/docker/library/busybox:stable", "command": ["true"],
            "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}]})
    a.state[f"definition:{name}"] = True


def _submit_params(a: Args) -> dict[str, Any]:
    """A job on the queue; on a fair-share queue with a share identifier (Batch refuses one without)."""
    params: dict[str, Any] = {"jobName": RUNTIME_JOB, "jobQueue": a.target["queue"],
                              "jobDefinition": _definition(a)}
    queues = a.admin("batch").describe_job_queues(jobQueues=[a.target["queue"]])["jobQueues"]
    if queues and queues[0].get("schedulingPolicyArn"):
        params["shareIdentifier"] = "runtimecalls"
    return params


def _record_job(a: Args, response: Any) -> None:
    a.state["batch-job"] = response["jobId"]


def _ensure_job(a: Args) -> None:
    """A job to follow or stop: the one a call of this run submitted, else one the admin submits."""
    if "batch-job" not in a.state:
        _ensure_definition(a)
        _record_job(a, a.admin("batch").submit_job(**_submit_params(a)))


def _job_arn(a: Args) -> str:
    return RESOURCES["batch"]["TerminateJob"](a.request({"jobId": a.state["batch-job"]}))


BATCH = {
    "batch:SubmitJob": Operation("batch", "submit_job", _submit_params, _queue_arn, prepare=_ensure_definition,
                                 record=_record_job),
    "batch:DescribeJobs": Operation("batch", "describe_jobs", lambda a: {"jobs": [a.state["batch-job"]]}, star,
                                    prepare=_ensure_job),
    "batch:TerminateJob": Operation("batch", "terminate_job", lambda a: {
        "jobId": a.state["batch-job"], "reason": "runtime call"}, _job_arn, prepare=_ensure_job),
}

# --- EventBridge, Step Functions -------------------------------------------------------------------------------


def _rule_arn(a: Args) -> str:
    return RESOURCES["events"]["PutRule"](a.request({"Name": a.target["rule"]}))


def _ensure_rule(a: Args) -> None:
    events = a.admin("events")
    if a.target["rule"] not in {r["Name"] for r in events.list_rules(NamePrefix=a.target["rule"])["Rules"]}:
        events.put_rule(Name=a.target["rule"], EventPattern=json.dumps({"source": ["aws.batch"]}), State="ENABLED")


def _machine_arn(a: Args) -> str:
    machine = a.target["state_machine"]
    return machine if machine.startswith("arn:") else a.request({}).arn("states", f"stateMachine:{machine}")


def _ensure_machine(a: Args) -> None:
    """A state machine to start (one Metaflow would deploy), created by the admin when missing; only for a call
    that names the role it runs with."""
    if "role" not in a.arns:
        return
    sfn = a.admin("stepfunctions")
    arn = _machine_arn(a)
    if arn not in {m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}:
        sfn.create_state_machine(name=arn.rsplit(":", 1)[-1], roleArn=a.arns["role"], definition=json.dumps(
            {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}))


EVENTS_AND_STATES = {
    "events:PutRule": Operation("events", "put_rule", lambda a: {
        "Name": a.target["rule"], "EventPattern": json.dumps({"source": ["aws.batch"]}), "State": "ENABLED"},
        _rule_arn),
    "events:PutTargets": Operation("events", "put_targets", lambda a: {"Rule": a.target["rule"], "Targets": [{
        "Id": RUNTIME_JOB, "Arn": a.request({}).arn("states", f"stateMachine:{RUNTIME_JOB}")}]}, _rule_arn,
        prepare=_ensure_rule),
    "events:DescribeRule": Operation("events", "describe_rule", lambda a: {"Name": a.target["rule"]}, _rule_arn,
                                     prepare=_ensure_rule),
    "states:StartExecution": Operation("stepfunctions", "start_execution", lambda a: {
        "stateMachineArn": _machine_arn(a), "input": "{}"}, _machine_arn, prepare=_ensure_machine),
}

# --- DynamoDB, EFS ---------------------------------------------------------------------------------------------


def _table_arn(a: Args) -> str:
    return RESOURCES["dynamodb"]["GetItem"](a.request({"TableName": a.target["table"]}))


def _item_key(a: Args) -> dict[str, Any]:
    """The item ``runtime-call`` by the table's partition key (``pathspec`` for the foreach table); a table that
    does not exist is asked for by that key."""
    try:
        schema = a.admin("dynamodb").describe_table(TableName=a.target["table"])["Table"]["KeySchema"]
        key = next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")
    except Exception:  # another team's table: the request is refused before it is read
        key = "pathspec"
    return {key: {"S": RUNTIME_JOB}}


DATA = {
    "dynamodb:PutItem": Operation("dynamodb", "put_item", lambda a: {
        "TableName": a.target["table"], "Item": {**_item_key(a), "ttl": {"N": "1767225600"}}}, _table_arn),
    "dynamodb:GetItem": Operation("dynamodb", "get_item", lambda a: {
        "TableName": a.target["table"], "Key": _item_key(a)}, _table_arn),
    "dynamodb:UpdateItem": Operation("dynamodb", "update_item", lambda a: {
        "TableName": a.target["table"], "Key": _item_key(a), "UpdateExpression": "SET attempts = :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}}}, _table_arn),
    # made by the NFS client when it mounts and writes through the access point: no API
    "elasticfilesystem:ClientMount": Operation("efs", None, lambda a: {}, lambda a: a.arns["file_system"]),
    "elasticfilesystem:ClientWrite": Operation("efs", None, lambda a: {}, lambda a: a.arns["file_system"]),
}

OPERATIONS: dict[str, Operation] = {**BATCH, **EVENTS_AND_STATES, **DATA}
