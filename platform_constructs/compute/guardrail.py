"""The run-time guardrail: no job on a Batch construct's queues runs longer than ``max_job_hours``, whatever its
job definition says.

The construct's own job definitions carry the limit as their attempt timeout, and the Metaflow configuration sets
it as Metaflow's default run-time limit. But Metaflow registers its own job definitions and takes each job's
timeout from ``@timeout`` (or from nothing: its own default is five days), and anyone allowed to submit can pass a
``timeout`` override. Nothing at submission can refuse that: ``batch:SubmitJob`` and ``batch:RegisterJobDefinition``
have no condition key for the timeout (IAM Service Authorization Reference, AWS Batch), and a queue's
``jobStateTimeLimitActions`` act on ``RUNNABLE`` jobs only (``JobStateTimeLimitAction``: "The state of the job
needed to trigger the action. The only supported value is RUNNABLE").

So the guardrail acts on running jobs: an EventBridge rule matches every "Batch Job State Change" to ``RUNNING`` on
the construct's queues and starts a Step Functions execution that waits ``max_job_hours`` (plus
:data:`GRACE_SECONDS`, so that a job's own timeout acts first), reads the job again and terminates it
(``TerminateJob``) if it is still running the same attempt. A standard workflow can wait up to a year; no code of
ours runs anywhere (Step Functions' AWS SDK integrations for AWS Batch).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Fn, Stack
from aws_cdk import aws_batch as batch
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_resources

GRACE_SECONDS = 300
"""How much longer than the limit the guardrail waits: the job's own timeout (if it has one) terminates it first."""
LOG_DELIVERY_ACTIONS = ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                        "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                        "logs:DescribeResourcePolicies", "logs:DescribeLogGroups")
"""What a state machine's role needs to log to CloudWatch Logs (Step Functions Developer Guide, "IAM policies for
logging to CloudWatch Logs"); none has resource-level permissions."""
TRACING_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                   "xray:GetSamplingTargets")
"""What a state machine's role needs for X-Ray tracing (Step Functions Developer Guide, "AWS X-Ray and Step
Functions"); none has resource-level permissions."""


@dataclass(frozen=True)
class RunTimeGuardrail:
    state_machine: sfn.CfnStateMachine
    rule: events.CfnRule
    role: baseline.PlatformRole
    """The state machine's role."""
    events_role: baseline.PlatformRole
    limit_seconds: int


def definition(*, limit_seconds: int, reason: str, partition: str = "${AWS::Partition}") -> dict[str, object]:
    """The guardrail's state machine (Amazon States Language); its input is the "Batch Job State Change" event.

    ``partition`` defaults to the ``Fn::Sub`` placeholder the template fills in at deploy time.
    """
    sdk = f"arn:{partition}:states:::aws-sdk:batch"
    job = "$.described.Jobs[0]"
    running = {"Variable": f"{job}.Status", "StringEquals": "RUNNING"}
    return {
        "Comment": f"Terminate a job still running {limit_seconds} s after it started (max_job_hours)",
        "StartAt": "WaitForRunTimeLimit",
        "States": {
            "WaitForRunTimeLimit": {"Type": "Wait", "Seconds": limit_seconds + GRACE_SECONDS, "Next": "DescribeJob"},
            "DescribeJob": {"Type": "Task", "Resource": f"{sdk}:describeJobs",
                            "Parameters": {"Jobs.$": "States.Array($.detail.jobId)"},
                            "ResultSelector": {"Jobs.$": "$.Jobs"}, "ResultPath": "$.described",
                            "Next": "StillRunningThisAttempt"},
            "StillRunningThisAttempt": {"Type": "Choice", "Default": "WithinLimit", "Choices": [
                {"Variable": job, "IsPresent": False, "Next": "WithinLimit"},
                {"And": [running, {"Variable": "$.detail.startedAt", "IsPresent": False}], "Next": "TerminateJob"},
                {"And": [running, {"Variable": f"{job}.StartedAt", "NumericEqualsPath": "$.detail.startedAt"}],
                 "Next": "TerminateJob"},
            ]},
            "TerminateJob": {"Type": "Task", "Resource": f"{sdk}:terminateJob",
                             "Parameters": {"JobId.$": "$.detail.jobId", "Reason": reason}, "End": True},
            "WithinLimit": {"Type": "Succeed"},
        },
    }


def run_time_guardrail(scope: Construct, *, queues: Sequence[batch.CfnJobQueue], limit_seconds: int, prefix: str,
                       log_group: logs.ILogGroup, max_job_hours: float) -> RunTimeGuardrail:
    """The rule, the state machine and their two roles (see the module docstring)."""
    stack = Stack.of(scope)
    name = f"{prefix}-run-time-limit"
    machine_arn = f"arn:{stack.partition}:states:{stack.region}:{stack.account}:stateMachine:{name}"
    rule_arn = f"arn:{stack.partition}:events:{stack.region}:{stack.account}:rule/{name}"
    role = baseline.platform_role(
        scope, "RunTimeLimitRole", description="Run-time guardrail: terminate jobs over max_job_hours",
        assumed_by=iam.ServicePrincipal("states.amazonaws.com").with_conditions({
            "StringEquals": {"aws:SourceAccount": stack.account}, "ArnLike": {"aws:SourceArn": machine_arn}}))
    jobs = f"arn:{stack.partition}:batch:{stack.region}:{stack.account}:job/*"
    for statement in (
        iam.PolicyStatement(sid="ReadJobs", actions=["batch:DescribeJobs"], resources=["*"]),
        iam.PolicyStatement(sid="TerminateJobs", actions=["batch:TerminateJob"], resources=[jobs]),
        iam.PolicyStatement(sid="DeliverLogs", actions=list(LOG_DELIVERY_ACTIONS), resources=["*"]),
        iam.PolicyStatement(sid="Tracing", actions=list(TRACING_ACTIONS), resources=["*"]),
    ):
        role.add_to_policy(statement)
    acknowledge(role.policy, "run-time-guardrail-unscoped-actions")
    acknowledge_resources(role.policy, "run-time-guardrail-jobs", [jobs])
    machine = sfn.CfnStateMachine(
        scope, "RunTimeLimit", state_machine_name=name, state_machine_type="STANDARD", role_arn=role.role_arn,
        definition_string=Fn.sub(json.dumps(definition(
            limit_seconds=limit_seconds,
            reason=f"platform-constructs: still running after max_job_hours={max_job_hours:g}"), sort_keys=True)),
        logging_configuration=sfn.CfnStateMachine.LoggingConfigurationProperty(
            level="ALL", include_execution_data=True, destinations=[sfn.CfnStateMachine.LogDestinationProperty(
                cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                    log_group_arn=log_group.log_group_arn))]),
        tracing_configuration=sfn.CfnStateMachine.TracingConfigurationProperty(enabled=True))
    machine.node.add_dependency(role.policy)  # its permissions are in place before it runs
    events_role = baseline.platform_role(
        scope, "RunTimeLimitEventsRole", description="Run-time guardrail: start it for every job that starts running",
        assumed_by=iam.ServicePrincipal("events.amazonaws.com").with_conditions({
            "StringEquals": {"aws:SourceAccount": stack.account}, "ArnLike": {"aws:SourceArn": rule_arn}}))
    events_role.add_to_policy(iam.PolicyStatement(sid="StartGuardrail", actions=["states:StartExecution"],
                                                  resources=[machine.ref]))  # Ref: the ARN
    rule = events.CfnRule(
        scope, "RunTimeLimitRule", name=name, state="ENABLED",
        description="Every job of this construct's queues that starts running: the run-time guardrail",
        event_pattern={"source": ["aws.batch"], "detail-type": ["Batch Job State Change"],
                       "detail": {"status": ["RUNNING"], "jobQueue": [q.ref for q in queues]}},
        targets=[events.CfnRule.TargetProperty(id="RunTimeLimit", arn=machine.ref,
                                               role_arn=events_role.role_arn)])
    return RunTimeGuardrail(state_machine=machine, rule=rule, role=role, events_role=events_role,
                            limit_seconds=limit_seconds)
