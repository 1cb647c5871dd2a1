"""What AWS Batch's instances and jobs do with the roles of :class:`~platform_constructs.compute.batch.BatchComputeEnv`
and :class:`~platform_constructs.compute.training.GpuTrainingCluster`.

* The **instance role** is the ECS container agent's on each instance (AWS Batch user guide, "Amazon ECS
  instance role"; ECS developer guide, "Amazon ECS container instance IAM role"): it discovers the poll
  endpoint, registers the instance with the ECS cluster AWS Batch created for the compute environment, polls
  for tasks and reports their state, logs in to ECR and pulls the job's image, and (the ``awslogs`` driver
  on EC2) writes the job's logs to the construct's log group.
* The **job role** is the job's own (the task role, ``METAFLOW_ECS_S3_ACCESS_IAM_ROLE``): it lists, reads and
  writes the team's prefix of the datastore, using the datastore's key through S3 only; a Metaflow step run by
  Step Functions records its foreach in the foreach table (``METAFLOW_SFN_DYNAMO_DB_TABLE``, the key through
  DynamoDB only); with scratch space it mounts and writes the file system through its access point only.
  Another team's prefix or table and direct use of the key are refused. ECS assumes it for a task of this
  account (the trust policy's ``aws:SourceAccount``/``aws:SourceArn``).
* The **Step Functions role** (``METAFLOW_SFN_IAM_ROLE``) runs the state machines ``step-functions create``
  deploys (Step Functions Developer Guide, "IAM policies for AWS Batch" and "for Amazon DynamoDB"): it submits
  each step's job to the construct's queues and follows or stops it, keeps the managed rule
  ``StepFunctionsGetEventsForBatchJobsRule`` through which ``.sync`` learns that a job ended, and reads the
  foreach table. The **schedule role** (``METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE``) lets EventBridge start the
  flows' state machines (named ``<prefix>_<flow>``) on their ``@schedule``.
* The **run-time guardrail's** roles: EventBridge starts the guardrail's state machine for every job that starts
  running; the state machine reads the job and terminates it after ``max_job_hours``.
"""

from __future__ import annotations

from platform_constructs.runtime_calls import (
    ACCESS_LOG_DELIVERY,
    PLAIN_HTTP,
    BatchCluster,
    Call,
    Join,
    Output,
    Prop,
    RoleCalls,
    RuntimeTable,
    ServiceCalls,
    Sibling,
    Value,
    alarm_notifications,
    encrypted_log_group,
)

ENVIRONMENT = Sibling("", "AWS::Batch::ComputeEnvironment")
CLUSTER = BatchCluster(ENVIRONMENT)
IMAGE = Prop(Sibling("JobDefinition", "AWS::Batch::JobDefinition"), "ContainerProperties.Image")
LOGS = Sibling("Logs", "AWS::Logs::LogGroup")
DATASTORE = Sibling("Datastore", "AWS::S3::Bucket")
KEY = Sibling("Key", "AWS::KMS::Key")
TOPIC = Sibling("AlarmTopic", "AWS::SNS::Topic")
TEAM_PREFIX = Output("DatastorePrefix")
OTHER_PREFIX = Join(("another-team-", TEAM_PREFIX))
"""A prefix that is not the team's (whatever the team's is)."""
VIA_S3 = {"kms:ViaService": "s3.{region}.amazonaws.com"}
VIA_DYNAMODB = {"kms:ViaService": "dynamodb.{region}.amazonaws.com"}
QUEUE = Sibling("", "AWS::Batch::JobQueue")
TABLE = Sibling("ForeachTable", "AWS::DynamoDB::Table")
PREFIX = Output("StateMachinePrefix")
FLOW_MACHINE = Join(("arn:aws:states:{region}:{account}:stateMachine:", PREFIX, "_RuntimeCallsFlow"))
"""A state machine ``step-functions create`` deploys (``<prefix>_<flow name>``)."""
METAFLOW_DEFINITION = "metaflow_runtime-calls"
"""A job definition as Metaflow registers its own (``metaflow_<hash>``)."""
GUARDRAIL = Sibling("RunTimeLimit", "AWS::StepFunctions::StateMachine")
SCRATCH = Sibling("Scratch", "AWS::EFS::FileSystem")
ACCESS_POINT = Sibling("ScratchAccessPoint", "AWS::EFS::AccessPoint")
THROUGH_ACCESS_POINT: dict[str, Value] = {"elasticfilesystem:AccessPointArn": Join((
    "arn:aws:elasticfilesystem:{region}:{account}:access-point/", ACCESS_POINT)),
    "elasticfilesystem:AccessedViaMountTarget": "true"}
HAS_SCRATCH = Prop(ACCESS_POINT, "FileSystemId")

OTHER_CLUSTER = "another-team-cluster"
OTHER_REPOSITORY = "scratch/unapproved-image"
OTHER_LOG_GROUP = "/platform/runtime-calls/another-log-group"
OTHER_QUEUE = "another-team-queue"
OTHER_TABLE = "another-team-foreach"

INSTANCE_ROLE = RoleCalls(role="InstanceRole", service="ec2.amazonaws.com", optional=True, calls=(
    Call("ecs:DiscoverPollEndpoint", {"cluster": CLUSTER}, "finds the endpoint to poll for tasks"),
    Call("ecs:RegisterContainerInstance", {"cluster": CLUSTER}, "registers the instance with Batch's ECS cluster"),
    Call("ecs:Poll", {"cluster": CLUSTER}, "polls for the tasks AWS Batch places on the instance"),
    Call("ecs:StartTelemetrySession", {"cluster": CLUSTER}, "reports the instance's metrics"),
    Call("ecs:SubmitTaskStateChange", {"cluster": CLUSTER}, "reports the job's task starting and stopping"),
    Call("ecs:SubmitContainerStateChange", {"cluster": CLUSTER}, "reports the job's container state"),
    Call("ecr:GetAuthorizationToken", {}, "logs in to ECR before pulling the job's image"),
    Call("ecr:BatchCheckLayerAvailability", {"image": IMAGE}, "checks the job image's layers"),
    Call("ecr:BatchGetImage", {"image": IMAGE}, "pulls the job's image manifest"),
    Call("ecr:GetDownloadUrlForLayer", {"image": IMAGE}, "downloads the job image's layers"),
    Call("logs:CreateLogStream", {"log_group": LOGS, "stream": "job/default/runtime-calls"},
         "creates the job's log stream (awslogs driver)"),
    Call("logs:PutLogEvents", {"log_group": LOGS, "stream": "job/default/runtime-calls"},
         "writes the job's output (awslogs driver)"),
    # refused
    Call("ecs:RegisterContainerInstance", {"cluster": OTHER_CLUSTER},
         "registers with an ECS cluster that is not AWS Batch's", expect="deny"),
    Call("ecr:BatchGetImage", {"repository": OTHER_REPOSITORY},
         "pulls from a repository outside the approved registries", expect="deny"),
    Call("logs:PutLogEvents", {"log_group": OTHER_LOG_GROUP, "stream": "runtime-calls"},
         "writes to another log group", expect="deny"),
    Call("kms:CreateGrant", {"key": KEY}, "lets EC2 use the volumes' key: only Auto Scaling's role may (issue 17: "
         "the key policy used to let any principal of the account use it through EC2)", expect="deny",
         context={"kms:GrantIsForAWSResource": "true", "kms:CallerAccount": "{account}",
                  "kms:ViaService": "ec2.{region}.amazonaws.com"}),
))

JOB_ROLE = RoleCalls(role="JobRole", service="ecs-tasks.amazonaws.com", context={
    "aws:SourceAccount": "{account}",
    "aws:SourceArn": "arn:aws:ecs:{region}:{account}:task/runtime-calls/0123456789abcdef0123456789abcdef"}, calls=(
    Call("s3:ListBucket", {"bucket": DATASTORE, "prefix": TEAM_PREFIX}, "lists the team's prefix",
         context={"s3:prefix": TEAM_PREFIX}),
    Call("s3:PutObject", {"bucket": DATASTORE, "key": Join((TEAM_PREFIX, "metaflow/runtime-calls/data.bin"))},
         "writes a step's artifact under the team's prefix"),
    Call("s3:GetObject", {"bucket": DATASTORE, "key": Join((TEAM_PREFIX, "metaflow/runtime-calls/data.bin"))},
         "reads a step's artifact under the team's prefix"),
    Call("s3:DeleteObject", {"bucket": DATASTORE, "key": Join((TEAM_PREFIX, "metaflow/runtime-calls/old.bin"))},
         "deletes an artifact under the team's prefix"),
    Call("kms:GenerateDataKey", {"key": KEY}, "encrypts the object it writes (S3 calls KMS for it)", context=VIA_S3),
    Call("kms:Decrypt", {"key": KEY}, "decrypts the object it reads (S3 calls KMS for it)", context=VIA_S3),
    # refused
    Call("s3:GetObject", {"bucket": DATASTORE, "key": Join((OTHER_PREFIX, "data.bin"))},
         "reads another team's prefix", expect="deny"),
    Call("s3:PutObject", {"bucket": DATASTORE, "key": Join((OTHER_PREFIX, "data.bin"))},
         "writes another team's prefix", expect="deny"),
    Call("s3:ListBucket", {"bucket": DATASTORE, "prefix": OTHER_PREFIX}, "lists another team's prefix",
         expect="deny", context={"s3:prefix": OTHER_PREFIX}),
    Call("kms:Decrypt", {"key": KEY}, "uses the datastore key directly, not through S3", expect="deny"),
    Call("s3:GetObject", {"bucket": DATASTORE, "key": Join((TEAM_PREFIX, "metaflow/runtime-calls/data.bin"))},
         "reads its prefix without TLS", expect="deny", context=PLAIN_HTTP),
    # a step run by Step Functions: the foreach table
    Call("dynamodb:PutItem", {"table": TABLE}, "records a foreach's cardinality (a step run by Step Functions)"),
    Call("dynamodb:UpdateItem", {"table": TABLE}, "records a foreach child's result for the join"),
    Call("dynamodb:GetItem", {"table": TABLE}, "reads the foreach's record"),
    Call("kms:GenerateDataKey", {"key": KEY}, "encrypts the item it writes (DynamoDB calls KMS for it)",
         context=VIA_DYNAMODB),
    Call("dynamodb:GetItem", {"table": OTHER_TABLE}, "reads another team's foreach table", expect="deny"),
    # scratch space, through its access point (the NFS client's permissions: no API to call)
    Call("elasticfilesystem:ClientMount", {"file_system": SCRATCH}, "mounts scratch through its access point",
         context=THROUGH_ACCESS_POINT, when=HAS_SCRATCH),
    Call("elasticfilesystem:ClientWrite", {"file_system": SCRATCH}, "writes scratch through its access point",
         context=THROUGH_ACCESS_POINT, when=HAS_SCRATCH),
    Call("elasticfilesystem:ClientMount", {"file_system": SCRATCH}, "mounts scratch without its access point",
         expect="deny", context={"elasticfilesystem:AccessedViaMountTarget": "true"}, when=HAS_SCRATCH),
))

STEP_FUNCTIONS_ROLE = RoleCalls(role="StepFunctionsRole", service="states.amazonaws.com", context={
    "aws:SourceAccount": "{account}", "aws:SourceArn": FLOW_MACHINE}, calls=(
    Call("batch:SubmitJob", {"queue": QUEUE, "job_definition": METAFLOW_DEFINITION},
         "submits a step's job to the construct's queue (batch:submitJob.sync)"),
    Call("batch:DescribeJobs", {"queue": QUEUE}, "follows the step's job"),
    Call("batch:TerminateJob", {"queue": QUEUE}, "stops the step's job when the execution is stopped"),
    Call("events:PutRule", {"rule": "StepFunctionsGetEventsForBatchJobsRule"},
         "keeps the managed rule through which .sync learns that a job ended"),
    Call("events:PutTargets", {"rule": "StepFunctionsGetEventsForBatchJobsRule"}, "targets the managed rule"),
    Call("events:DescribeRule", {"rule": "StepFunctionsGetEventsForBatchJobsRule"}, "reads the managed rule"),
    Call("dynamodb:GetItem", {"table": TABLE}, "reads a foreach's cardinality before the map"),
    Call("kms:Decrypt", {"key": KEY}, "decrypts the item it reads (DynamoDB calls KMS for it)",
         context=VIA_DYNAMODB),
    # refused
    Call("batch:SubmitJob", {"queue": OTHER_QUEUE, "job_definition": METAFLOW_DEFINITION},
         "submits to another team's queue", expect="deny"),
    Call("dynamodb:PutItem", {"table": TABLE}, "writes the foreach table (only the steps' jobs do)",
         expect="deny"),
    Call("events:PutRule", {"rule": "another-team-rule"}, "creates any other rule", expect="deny"),
    Call("kms:Decrypt", {"key": KEY}, "uses the key directly, not through DynamoDB", expect="deny"),
))

SCHEDULE_ROLE = RoleCalls(role="ScheduleRole", service="events.amazonaws.com", context={
    "aws:SourceAccount": "{account}",
    "aws:SourceArn": Join(("arn:aws:events:{region}:{account}:rule/", PREFIX, "_RuntimeCallsFlow"))}, calls=(
    Call("states:StartExecution", {"state_machine": FLOW_MACHINE, "role": Sibling("StepFunctionsRole",
                                                                                    "AWS::IAM::Role")},
         "starts a flow's state machine on its @schedule"),
    Call("states:StartExecution", {"state_machine": "another-team_RuntimeCallsFlow"},
         "starts another team's state machine", expect="deny"),
))

GUARDRAIL_ROLE = RoleCalls(role="RunTimeLimitRole", service="states.amazonaws.com", context={
    "aws:SourceAccount": "{account}", "aws:SourceArn": GUARDRAIL}, calls=(
    Call("batch:DescribeJobs", {"queue": QUEUE}, "reads the job that started running"),
    Call("batch:TerminateJob", {"queue": QUEUE}, "terminates the job still running after max_job_hours"),
    Call("batch:SubmitJob", {"queue": QUEUE, "job_definition": METAFLOW_DEFINITION}, "submits a job",
         expect="deny"),
))

GUARDRAIL_EVENTS_ROLE = RoleCalls(role="RunTimeLimitEventsRole", service="events.amazonaws.com", context={
    "aws:SourceAccount": "{account}",
    "aws:SourceArn": Join(("arn:aws:events:{region}:{account}:rule/",
                           Prop(Sibling("RunTimeLimitRule", "AWS::Events::Rule"), "Name")))}, calls=(
    Call("states:StartExecution", {"state_machine": GUARDRAIL}, "starts the guardrail for a job that started"),
    Call("states:StartExecution", {"state_machine": FLOW_MACHINE}, "starts a flow's state machine",
         expect="deny"),
))

AUTOSCALING_ROLE = ("arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/"
                    "AWSServiceRoleForAutoScaling")
AS_AUTOSCALING = {"aws:PrincipalArn": AUTOSCALING_ROLE, "kms:CallerAccount": "{account}"}
EBS_VOLUMES = ServiceCalls(
    "autoscaling.amazonaws.com", principal=AUTOSCALING_ROLE, calls=(
        Call("kms:GenerateDataKeyWithoutPlaintext", {"key": KEY}, "creates the instance's encrypted root volume",
             context=AS_AUTOSCALING),
        Call("kms:CreateGrant", {"key": KEY}, "lets EC2 use the key for the attached volume",
             context={**AS_AUTOSCALING, "kms:GrantIsForAWSResource": "true"}),
        Call("kms:CreateGrant", {"key": KEY}, "grants the key's use to a principal that is no AWS resource",
             expect="deny", context=AS_AUTOSCALING),
    ))
"""The instances' launcher, EC2 Auto Scaling's service-linked role, encrypts their EBS volumes with the
construct's key (EC2 Auto Scaling user guide, "Required AWS KMS key policy for use with encrypted volumes"); the
key policy names that role (``aws:PrincipalArn``) and nothing else."""

BATCH_CALLS = RuntimeTable(
    construct="BatchComputeEnv / GpuTrainingCluster",
    anchor=Sibling("JobRole", "AWS::IAM::Role"),
    roles=(JOB_ROLE, INSTANCE_ROLE, STEP_FUNCTIONS_ROLE, SCHEDULE_ROLE, GUARDRAIL_ROLE, GUARDRAIL_EVENTS_ROLE),
    services=(encrypted_log_group(KEY, LOGS), alarm_notifications(TOPIC, KEY),
              alarm_notifications(TOPIC, KEY, service="events.amazonaws.com", sender="failed-job"),
              EBS_VOLUMES, ACCESS_LOG_DELIVERY),
)
"""The runtime calls of every Batch construct (they share their roles' factories in ``compute/iam.py``)."""

TABLES = (BATCH_CALLS,)
