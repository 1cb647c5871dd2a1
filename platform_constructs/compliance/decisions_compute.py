"""The decisions of the Batch constructs' Metaflow support (Step Functions, the run-time guardrail, the client
grants): ``key -> (finding ids, reason)``, pure data that :mod:`platform_constructs.compliance.decisions` turns into
its ``Decision`` entries (kept apart so that neither module outgrows one screenful of decisions)."""

from __future__ import annotations

COMPUTE_DECISIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "batch-default-job-log-streams": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "The ECS agent writes the output of jobs whose job definition has no log configuration (Metaflow "
            "registers its own job definitions without one) to AWS Batch's default log group /aws/batch/job; the "
            "agent names a new log stream per job attempt, so the streams can only be named with a wildcard "
            "inside that one group, and only CreateLogStream/PutLogEvents are granted."
        ),
    ),
    "batch-client-read-state": (
        ("AwsSolutions-IAM5[Resource::*]",),
        (
            "A submitter (aws batch submit-job, Metaflow's @batch) reads job queues, compute environments, job "
            "definitions and jobs: batch:Describe* and batch:ListJobs support no resource-level permissions (IAM "
            "Service Authorization Reference, AWS Batch), so their statement, which holds only those read actions, "
            "names '*'. The statement is in a managed policy the Batch construct owns and attaches to the grantee."
        ),
    ),
    "batch-client-resources": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "Metaflow registers its job definitions itself under generated names (metaflow_<hash of the "
            "definition>) and follows and stops jobs by generated job ids, so a submitter's registration is limited "
            "to job definitions named metaflow_* (never privileged, passing only the construct's job role) and "
            "stopping to this account's and region's jobs."
        ),
    ),
    "step-functions-client-list": (
        ("AwsSolutions-IAM5[Resource::*]",),
        (
            "Metaflow's step-functions create finds an existing state machine with states:ListStateMachines, which "
            "supports no resource-level permissions (IAM Service Authorization Reference, AWS Step Functions); the "
            "statement holds only that action."
        ),
    ),
    "step-functions-client-prefix": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "Metaflow names a deployed flow's state machine and schedule rule <prefix>_<flow name>; the deploy "
            "grant is limited to state machines, their executions and rules named with the construct's prefix."
        ),
    ),
    "step-functions-follow-jobs": (
        ("AwsSolutions-IAM5[Resource::*]",),
        (
            "A state machine's batch:submitJob.sync task follows its job with batch:DescribeJobs, which supports no "
            "resource-level permissions (Step Functions Developer Guide, 'IAM policies for AWS Batch'; IAM Service "
            "Authorization Reference); the statement holds only that action."
        ),
    ),
    "step-functions-batch-resources": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "Metaflow's state machines submit jobs with the job definitions Metaflow registered (metaflow_<hash>) to "
            "the construct's own queues, and stop those jobs by their generated ids when an execution is stopped; "
            "object names are generated, so only these patterns can name them."
        ),
    ),
    "step-functions-prefix": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "The schedule role starts only state machines named with the construct's prefix (Metaflow names them "
            "<prefix>_<flow name> when they are deployed, after this stack)."
        ),
    ),
    "run-time-guardrail-unscoped-actions": (
        ("AwsSolutions-IAM5[Resource::*]",),
        (
            "The run-time guardrail's state machine reads jobs (batch:DescribeJobs), delivers its execution logs "
            "to the construct's log group (the logs:*LogDelivery actions, PutResourcePolicy, DescribeResourcePolicies, "
            "DescribeLogGroups) and sends X-Ray traces; none of these supports resource-level permissions (Step "
            "Functions Developer Guide, 'IAM policies for logging to CloudWatch Logs', 'X-Ray and Step Functions')."
        ),
    ),
    "run-time-guardrail-jobs": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "The run-time guardrail terminates jobs of the construct's queues that run longer than max_job_hours; "
            "jobs are known only by their generated ids, and the rule that starts the guardrail matches only the "
            "construct's queues."
        ),
    ),
    "foreach-table-not-in-backup-plan": (
        ("HIPAA.Security-DynamoDBInBackupPlan", "NIST.800.53.R5-DynamoDBInBackupPlan"),
        (
            "The foreach table holds only Metaflow's bookkeeping of running Step Functions executions (a foreach's "
            "cardinality and its join's inputs, keyed by task), which expires by TTL and is worthless once the "
            "execution ends; the flows' data is in the versioned datastore bucket. Point-in-time recovery is on and "
            "the table is encrypted with the construct's key."
        ),
    ),
    "batch-submit-metaflow-job-definitions": (
        ("PLAT-IAM2[Action::batch:SubmitJob::job]",),
        (
            "AWS Batch authorises SubmitJob on the job queue and the job definition revision a request names (AWS "
            "Batch User Guide, IAM policy examples: 'you must provide both job queue and job definition resource "
            "types'); the statement names the construct's queues and Metaflow's job definitions (metaflow_*, whose "
            "wildcard covers each revision). parliament 1.6.4's catalogue lists only the job being created (job)."
        ),
    ),
}
