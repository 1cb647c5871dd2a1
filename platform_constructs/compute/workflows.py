"""What ``python flow.py step-functions create`` needs from a Batch construct (Metaflow's
``plugins/aws/step_functions``), all private and least privilege:

* the **Step Functions role** (``METAFLOW_SFN_IAM_ROLE``) the state machines run as: submit jobs to the
  construct's queues with Metaflow's job definitions and follow them (``batch:submitJob.sync``: Step Functions
  Developer Guide, "IAM policies for AWS Batch"), read the foreach table;
* the **EventBridge role** (``METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE``) that starts them on their ``@schedule``;
* the **foreach table** (``METAFLOW_SFN_DYNAMO_DB_TABLE``, partition key ``pathspec``): the jobs record a
  foreach's cardinality and join inputs there (``dynamo_db_client.py``) and the state machine reads them. It is
  encrypted with the construct's key, has point-in-time recovery and expires items by their ``ttl``. The jobs
  reach DynamoDB through the platform network's gateway endpoint for DynamoDB.

Metaflow names state machines ``<METAFLOW_SFN_STATE_MACHINE_PREFIX>_<flow>`` and their schedule rules the same
(``step_functions_cli.py``, ``event_bridge_client.py``): both roles, and the deploy grant, are limited to the
construct's prefix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Stack, Token
from aws_cdk import aws_batch as batch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_resources
from platform_constructs.compute.grants import METAFLOW_JOB_DEFINITIONS
from platform_constructs.core import PlatformContext

BATCH_SYNC_RULE = "StepFunctionsGetEventsForBatchJobsRule"
"""The managed rule through which Step Functions follows the jobs of ``batch:submitJob.sync`` tasks."""
PREFIX_LENGTH = 40
"""Metaflow truncates schedule rule names longer than 64 characters to their first 47 plus a hash: a prefix of at
most 40 characters (and ``_``) survives, so the prefix-scoped permissions hold."""


@dataclass(frozen=True)
class StepFunctionsSupport:
    prefix: str
    """``METAFLOW_SFN_STATE_MACHINE_PREFIX``: the state machines are named ``<prefix>_<flow>``."""
    table: dynamodb.Table
    state_machine_role: baseline.PlatformRole
    events_role: baseline.PlatformRole


def state_machine_prefix(scope: Construct) -> str:
    """``<stack>-<construct id>`` (letters, digits, ``-``), at most :data:`PREFIX_LENGTH` characters."""
    stack = Stack.of(scope)
    name = stack.stack_name if not Token.is_unresolved(stack.stack_name) else stack.node.id
    return re.sub(r"[^A-Za-z0-9-]", "-", f"{name}-{scope.node.id}")[:PREFIX_LENGTH].strip("-")


def _states_arn(stack: Stack, resource: str) -> str:
    return f"arn:{stack.partition}:states:{stack.region}:{stack.account}:{resource}"


def step_functions_support(scope: Construct, *, key: kms.IKey, queues: Sequence[batch.CfnJobQueue],
                           job_role: baseline.PlatformRole) -> StepFunctionsSupport:
    """The foreach table, the Step Functions role and the EventBridge role; the job role may use the table."""
    stack, ctx = Stack.of(scope), PlatformContext.of(scope)
    prefix = state_machine_prefix(scope)
    machines = _states_arn(stack, f"stateMachine:{prefix}_*")
    table = dynamodb.Table(
        scope, "ForeachTable", partition_key=dynamodb.Attribute(name="pathspec", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST, encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key, time_to_live_attribute="ttl", removal_policy=ctx.removal_policy,
        deletion_protection=ctx.env.retain_stateful_resources,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True))
    acknowledge(table, "foreach-table-not-in-backup-plan")
    via_dynamodb = {"StringEquals": {"kms:ViaService": f"dynamodb.{stack.region}.amazonaws.com"}}

    role = baseline.platform_role(
        scope, "StepFunctionsRole", description="Metaflow state machines: this construct's queues and foreach table",
        assumed_by=iam.ServicePrincipal("states.amazonaws.com").with_conditions({
            "StringEquals": {"aws:SourceAccount": stack.account}, "ArnLike": {"aws:SourceArn": machines}}))
    batch_arn = f"arn:{stack.partition}:batch:{stack.region}:{stack.account}"
    metaflow_definitions, jobs = f"{batch_arn}:job-definition/{METAFLOW_JOB_DEFINITIONS}", f"{batch_arn}:job/*"
    rule = f"arn:{stack.partition}:events:{stack.region}:{stack.account}:rule/{BATCH_SYNC_RULE}"
    for statement in (
        iam.PolicyStatement(sid="SubmitToQueues", actions=["batch:SubmitJob"],
                            resources=[*(q.ref for q in queues), metaflow_definitions]),
        iam.PolicyStatement(sid="FollowJobs", actions=["batch:DescribeJobs"], resources=["*"]),
        iam.PolicyStatement(sid="StopJobs", actions=["batch:TerminateJob"], resources=[jobs]),
        iam.PolicyStatement(sid="BatchSyncRule", actions=["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                            resources=[rule]),
        iam.PolicyStatement(sid="ReadForeachTable", actions=["dynamodb:GetItem"], resources=[table.table_arn]),
        iam.PolicyStatement(sid="ForeachTableKey", actions=["kms:Decrypt"], resources=[key.key_arn],
                            conditions=via_dynamodb),
    ):
        role.add_to_policy(statement)
    acknowledge(role.policy, "step-functions-follow-jobs")
    acknowledge(role.policy, "batch-submit-metaflow-job-definitions")
    acknowledge_resources(role.policy, "step-functions-batch-resources", [metaflow_definitions, jobs])

    events_role = baseline.platform_role(
        scope, "ScheduleRole", description="EventBridge: start this construct's Metaflow state machines on schedule",
        assumed_by=iam.ServicePrincipal("events.amazonaws.com").with_conditions({
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {"aws:SourceArn": f"arn:{stack.partition}:events:{stack.region}:{stack.account}:rule/"
                                         f"{prefix}_*"}}))
    events_role.add_to_policy(iam.PolicyStatement(sid="StartStateMachines", actions=["states:StartExecution"],
                                                  resources=[machines]))
    acknowledge_resources(events_role.policy, "step-functions-prefix", [machines])

    job_role.add_to_policy(iam.PolicyStatement(
        sid="ForeachTableItems", actions=["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"],
        resources=[table.table_arn]))
    job_role.add_to_policy(iam.PolicyStatement(
        sid="ForeachTableItemsKey", actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn],
        conditions=via_dynamodb))
    return StepFunctionsSupport(prefix=prefix, table=table, state_machine_role=role, events_role=events_role)
