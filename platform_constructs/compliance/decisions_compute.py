"""The decisions of the Batch constructs' Metaflow support (Step Functions, the run-time guardrail, the client
grants), merged by :mod:`platform_constructs.compliance.decisions` into ``DECISIONS`` (kept apart so that no module
outgrows one screenful of decisions). Each premise checks on the resource what its reason says
(:mod:`platform_constructs.compliance.premises`).
"""

from __future__ import annotations

from platform_constructs.compliance import policy_premises as pp
from platform_constructs.compliance import premises as p
from platform_constructs.compliance import service_premises as sp
from platform_constructs.compliance.decision_model import Decision, packs

POLICIES = ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")
BATCH = rf"arn:{p.PARTITION}:batch:{p.REGION}:{p.ACCOUNT}"
STATES = rf"arn:{p.PARTITION}:states:{p.REGION}:{p.ACCOUNT}"
EVENTS = rf"arn:{p.PARTITION}:events:{p.REGION}:{p.ACCOUNT}"
PREFIX = r"[A-Za-z0-9_-]+"
"""A construct's state-machine prefix (``compute.workflows.state_machine_prefix``)."""
BATCH_READ = ("batch:DescribeJobQueues", "batch:DescribeComputeEnvironments", "batch:DescribeJobDefinitions",
              "batch:DescribeJobs", "batch:ListJobs")
"""What a submitter reads (compute/grants.py): no resource types in the Service Authorization Reference."""
CLIENT_ON_ANY_RESOURCE = p.only_these_on_any_resource((*BATCH_READ, "states:ListStateMachines"))
"""A client policy's statements on '*' (a deploy grant holds a submitter's reads and the state-machine list)."""
LOG_DELIVERY = ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups")
TRACING = ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets")
MANAGE_MACHINES = ("states:CreateStateMachine", "states:UpdateStateMachine", "states:DescribeStateMachine",
                   "states:DeleteStateMachine", "states:TagResource", "states:StartExecution")
MANAGE_RULES = ("events:PutRule", "events:PutTargets", "events:DescribeRule", "events:DisableRule",
                "events:RemoveTargets", "events:DeleteRule")

COMPUTE_DECISIONS: dict[str, Decision] = {
    "batch-default-job-log-streams": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "The ECS agent writes the output of jobs whose job definition has no log configuration (Metaflow "
            "registers its own job definitions without one) to AWS Batch's default log group /aws/batch/job; the "
            "agent names a new log stream per job attempt, so the streams can only be named with a wildcard "
            "inside that one group, and only CreateLogStream/PutLogEvents are granted."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(rf"arn:{p.PARTITION}:logs:{p.REGION}:{p.ACCOUNT}:log-group:/aws/batch/job:\*",
                                    ("logs:CreateLogStream", "logs:PutLogEvents")),),
    ),
    "batch-client-read-state": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "A submitter (aws batch submit-job, Metaflow's @batch) reads job queues, compute environments, job "
            "definitions and jobs: batch:Describe* and batch:ListJobs support no resource-level permissions (IAM "
            "Service Authorization Reference, AWS Batch), so their statement, which holds only those read actions, "
            "names '*'. The statement is in a managed policy the Batch construct owns and attaches to the grantee."
        ),
        resource_types=("AWS::IAM::ManagedPolicy",), premises=(CLIENT_ON_ANY_RESOURCE,),
    ),
    "batch-client-resources": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "Metaflow registers its job definitions itself under generated names (metaflow_<hash of the "
            "definition>) and follows and stops jobs by generated job ids, so a submitter's registration is limited "
            "to job definitions named metaflow_* (never privileged, passing only the construct's job role) and "
            "stopping to this account's and region's jobs."
        ),
        resource_types=("AWS::IAM::ManagedPolicy",),
        premises=(p.scoped_resource(rf"{BATCH}:(job-definition/metaflow_|job/)\*",
                                    ("batch:RegisterJobDefinition", "batch:TerminateJob", "batch:CancelJob",
                                     "batch:SubmitJob")),),
    ),
    "step-functions-client-list": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "Metaflow's step-functions create finds an existing state machine with states:ListStateMachines, which "
            "supports no resource-level permissions (IAM Service Authorization Reference, AWS Step Functions); the "
            "statement holds only that action."
        ),
        resource_types=("AWS::IAM::ManagedPolicy",), premises=(CLIENT_ON_ANY_RESOURCE,),
    ),
    "step-functions-client-prefix": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "Metaflow names a deployed flow's state machine and schedule rule <prefix>_<flow name>; the deploy "
            "grant is limited to state machines, their executions and rules named with the construct's prefix."
        ),
        resource_types=("AWS::IAM::ManagedPolicy",),
        premises=(p.scoped_resource(rf"({STATES}:(stateMachine:{PREFIX}_\*|execution:{PREFIX}_\*:\*)|"
                                    rf"{EVENTS}:rule/{PREFIX}_\*)",
                                    (*MANAGE_MACHINES, "states:StopExecution", *MANAGE_RULES)),),
    ),
    "step-functions-follow-jobs": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "A state machine's batch:submitJob.sync task follows its job with batch:DescribeJobs, which supports no "
            "resource-level permissions (Step Functions Developer Guide, 'IAM policies for AWS Batch'; IAM Service "
            "Authorization Reference); the statement holds only that action."
        ),
        resource_types=POLICIES, premises=(p.only_these_on_any_resource(("batch:DescribeJobs",)),),
    ),
    "step-functions-batch-resources": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "Metaflow's state machines submit jobs with the job definitions Metaflow registered (metaflow_<hash>) to "
            "the construct's own queues, and stop those jobs by their generated ids when an execution is stopped; "
            "object names are generated, so only these patterns can name them."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(rf"{BATCH}:(job-definition/metaflow_|job/)\*",
                                    ("batch:SubmitJob", "batch:TerminateJob")),),
    ),
    "step-functions-prefix": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "The schedule role starts only state machines named with the construct's prefix (Metaflow names them "
            "<prefix>_<flow name> when they are deployed, after this stack)."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(rf"{STATES}:stateMachine:{PREFIX}_\*", ("states:StartExecution",)),),
    ),
    "run-time-guardrail-unscoped-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "The run-time guardrail's state machine reads jobs (batch:DescribeJobs), delivers its execution logs "
            "to the construct's log group (the logs:*LogDelivery actions, PutResourcePolicy, DescribeResourcePolicies, "
            "DescribeLogGroups) and sends X-Ray traces; none of these supports resource-level permissions (Step "
            "Functions Developer Guide, 'IAM policies for logging to CloudWatch Logs', 'X-Ray and Step Functions')."
        ),
        resource_types=POLICIES,
        premises=(p.only_these_on_any_resource(("batch:DescribeJobs", *LOG_DELIVERY, *TRACING)),),
    ),
    "run-time-guardrail-jobs": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "The run-time guardrail terminates jobs of the construct's queues that run longer than max_job_hours; "
            "jobs are known only by their generated ids, and the rule that starts the guardrail matches only the "
            "construct's queues."
        ),
        resource_types=POLICIES, premises=(p.scoped_resource(rf"{BATCH}:job/\*", ("batch:TerminateJob",)),),
    ),
    "foreach-table-not-in-backup-plan": Decision(
        rule_ids=packs("DynamoDBInBackupPlan", ("HIPAA.Security", "NIST.800.53.R5")),
        reason=(
            "The foreach table holds only Metaflow's bookkeeping of running Step Functions executions (a foreach's "
            "cardinality and its join's inputs, keyed by task), which expires by TTL and is worthless once the "
            "execution ends; the flows' data is in the versioned datastore bucket. Point-in-time recovery is on and "
            "the table is encrypted with the construct's key."
        ),
        resource_types=("AWS::DynamoDB::Table",), premises=(sp.RECOVERABLE_EXPIRING_TABLE,),
    ),
    "batch-submit-metaflow-job-definitions": Decision(
        rule_ids=("PLAT-IAM2[Action::batch:SubmitJob::job]",),
        reason=(
            "AWS Batch authorises SubmitJob on the job queue and the job definition revision a request names (AWS "
            "Batch User Guide, IAM policy examples: 'you must provide both job queue and job definition resource "
            "types'); the statement names the construct's queues and Metaflow's job definitions (metaflow_*, whose "
            "wildcard covers each revision). parliament 1.6.4's catalogue lists only the job being created (job)."
        ),
        resource_types=POLICIES, premises=(pp.SUBMIT_TO_QUEUES_ONLY,),
    ),
}
"""The compute domain's decisions on Metaflow support, by key."""
