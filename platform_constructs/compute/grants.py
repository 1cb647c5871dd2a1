"""What a Batch construct grants to the people and pipelines that use it.

* :func:`submit_statements` — run jobs on the construct's queues, as ``aws batch submit-job`` or Metaflow's
  ``@batch`` does: submit to the queues (with the team's share identifier on a fair-share queue), register the
  job definitions Metaflow registers itself (``metaflow_*``, never privileged, only with the job role), follow and
  stop the jobs.
* :func:`deploy_statements` — ``python flow.py step-functions create`` (and ``trigger``, ``terminate``,
  ``delete``): state machines and schedules whose names start with the construct's prefix, passing only the
  construct's Step Functions and EventBridge roles. Listing runs (``list-runs``: ``states:ListExecutions``) is not
  granted: the catalogue the gate checks grants with (parliament's) cannot place it on a state machine.

The statements are collected in a customer-managed policy that the construct owns and attaches to the grantee
(:func:`attach_client_policy`): the few wildcards they need are acknowledged on that policy alone, each by its
decision, so nothing the grantee's own policies hold is acknowledged with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Names, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from platform_constructs.acknowledge import acknowledge
from platform_constructs.compute.iam import acknowledge_resources_at_synth
from platform_constructs.errors import Problems

METAFLOW_JOB_DEFINITIONS = "metaflow_*"
"""The names of the job definitions Metaflow registers (``metaflow_<sha224 of the definition>``, Metaflow's
``batch_client.py``)."""
BATCH_READ_ACTIONS = ("batch:DescribeJobQueues", "batch:DescribeComputeEnvironments", "batch:DescribeJobDefinitions",
                      "batch:DescribeJobs", "batch:ListJobs")
"""What a submitter reads; none supports resource-level permissions (IAM Service Authorization Reference, AWS
Batch: no resource types), so their statement names ``*``."""


@dataclass(frozen=True)
class ClientStatements:
    statements: tuple[iam.PolicyStatement, ...]
    acknowledged: tuple[tuple[str, tuple[str, ...]], ...]
    """(decision, resources) pairs applied to the policy that holds the statements."""


def _batch_arn(stack: Stack, resource: str) -> str:
    return f"arn:{stack.partition}:batch:{stack.region}:{stack.account}:{resource}"


def registration_statements(stack: Stack, *, job_role_arn: str) -> ClientStatements:
    """Register Metaflow's job definitions (not privileged, with the construct's job role) and read Batch's state."""
    metaflow = _batch_arn(stack, f"job-definition/{METAFLOW_JOB_DEFINITIONS}")
    jobs = _batch_arn(stack, "job/*")
    return ClientStatements(statements=(
        iam.PolicyStatement(sid="RegisterMetaflowJobDefinitions", actions=["batch:RegisterJobDefinition"],
                            resources=[metaflow], conditions={"BoolIfExists": {"batch:Privileged": "false"}}),
        iam.PolicyStatement(sid="PassJobRole", actions=["iam:PassRole"], resources=[job_role_arn]),
        iam.PolicyStatement(sid="ReadBatchState", actions=list(BATCH_READ_ACTIONS), resources=["*"]),
        iam.PolicyStatement(sid="StopJobs", actions=["batch:TerminateJob", "batch:CancelJob"], resources=[jobs]),
    ), acknowledged=(("batch-client-read-state", ()), ("batch-client-resources", (metaflow, jobs))))


def submit_statements(stack: Stack, *, queues: Sequence[str], job_definitions: Sequence[str], job_role_arn: str,
                      share_identifier: str | None) -> ClientStatements:
    """Submit to ``queues`` with the construct's or Metaflow's job definitions; on a fair-share queue only with
    ``share_identifier`` (``batch:ShareIdentifier``)."""
    metaflow = _batch_arn(stack, f"job-definition/{METAFLOW_JOB_DEFINITIONS}")
    submit = iam.PolicyStatement(
        sid="SubmitToQueues", actions=["batch:SubmitJob"], resources=[*queues, *job_definitions, metaflow],
        conditions={"StringEquals": {"batch:ShareIdentifier": share_identifier}} if share_identifier else None)
    registration = registration_statements(stack, job_role_arn=job_role_arn)
    return ClientStatements(statements=(submit, *registration.statements),
                            acknowledged=(("batch-submit-metaflow-job-definitions", ()), *registration.acknowledged))


def deploy_statements(stack: Stack, *, prefix: str, state_machine_role_arn: str, events_role_arn: str,
                      job_role_arn: str) -> ClientStatements:
    """Create, update, run and delete the state machines and schedules named ``<prefix>_*``."""
    states = f"arn:{stack.partition}:states:{stack.region}:{stack.account}"
    machines, executions = f"{states}:stateMachine:{prefix}_*", f"{states}:execution:{prefix}_*:*"
    rules = f"arn:{stack.partition}:events:{stack.region}:{stack.account}:rule/{prefix}_*"
    registration = registration_statements(stack, job_role_arn=job_role_arn)
    return ClientStatements(statements=(
        iam.PolicyStatement(sid="ListStateMachines", actions=["states:ListStateMachines"], resources=["*"]),
        iam.PolicyStatement(sid="ManageStateMachines", resources=[machines], actions=[
            "states:CreateStateMachine", "states:UpdateStateMachine", "states:DescribeStateMachine",
            "states:DeleteStateMachine", "states:TagResource", "states:StartExecution"]),
        iam.PolicyStatement(sid="StopExecutions", resources=[executions], actions=["states:StopExecution"]),
        iam.PolicyStatement(sid="PassStateMachineRole", actions=["iam:PassRole"], resources=[state_machine_role_arn],
                            conditions={"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}}),
        iam.PolicyStatement(sid="PassScheduleRole", actions=["iam:PassRole"], resources=[events_role_arn],
                            conditions={"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}}),
        iam.PolicyStatement(sid="ManageSchedules", resources=[rules], actions=[
            "events:PutRule", "events:PutTargets", "events:DescribeRule", "events:DisableRule",
            "events:RemoveTargets", "events:DeleteRule"]),
        *registration.statements,
    ), acknowledged=(*registration.acknowledged, ("step-functions-client-list", ()),
                     ("step-functions-client-prefix", (machines, executions, rules))))


def check_grantee(problems: Problems, grantee: object, method: str) -> bool:
    """Whether ``grantee`` is an IAM role, user or group, to which a managed policy can be attached."""
    return problems.check(
        hasattr(grantee, "node") and any(hasattr(grantee, name) for name in ("role_name", "user_name", "group_name")),
        "grantee", grantee, "an IAM role, user or group of this app (iam.Role, iam.User, iam.Group, or one imported "
        "with from_role_arn / from_user_name / from_group_name)",
        f"pass the role that submits, e.g. {method}(iam.Role(self, 'Submitter', assumed_by=...))")


def attach_client_policy(owner: Construct, grantee: IConstruct, name: str, client: ClientStatements,
                         ) -> iam.ManagedPolicy:
    """A customer-managed policy holding ``client``'s statements, in the grantee's stack, attached to it."""
    policy = iam.ManagedPolicy(grantee, f"{Names.unique_id(owner)}{name}",  # type: ignore[arg-type]
                               statements=list(client.statements),
                               description=f"{name} for {owner.node.path} (platform-constructs)")
    if hasattr(grantee, "role_name"):
        policy.attach_to_role(grantee)  # type: ignore[arg-type]
    elif hasattr(grantee, "user_name"):
        policy.attach_to_user(grantee)  # type: ignore[arg-type]
    else:
        policy.attach_to_group(grantee)  # type: ignore[arg-type]
    for decision, resources in client.acknowledged:
        if resources:
            acknowledge_resources_at_synth(policy, decision, resources)
        else:
            acknowledge(policy, decision)
    return policy
