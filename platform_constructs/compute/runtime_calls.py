"""What AWS Batch's instances and jobs do with the roles of :class:`~platform_constructs.compute.batch.BatchComputeEnv`
and :class:`~platform_constructs.compute.training.GpuTrainingCluster`.

* The **instance role** is the ECS container agent's on each instance (AWS Batch user guide, "Amazon ECS
  instance role"; ECS developer guide, "Amazon ECS container instance IAM role"): it discovers the poll
  endpoint, registers the instance with the ECS cluster AWS Batch created for the compute environment, polls
  for tasks and reports their state, logs in to ECR and pulls the job's image, and (the ``awslogs`` driver
  on EC2) writes the job's logs to the construct's log group.
* The **job role** is the job's own (the task role, ``METAFLOW_ECS_S3_ACCESS_IAM_ROLE``): it lists, reads and
  writes the team's prefix of the datastore, using the datastore's key through S3 only. Another team's prefix
  and direct use of the key are refused.
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

OTHER_CLUSTER = "another-team-cluster"
OTHER_REPOSITORY = "scratch/unapproved-image"
OTHER_LOG_GROUP = "/platform/runtime-calls/another-log-group"

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
))

JOB_ROLE = RoleCalls(role="JobRole", service="ecs-tasks.amazonaws.com", calls=(
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
))

VIA_EC2 = {"kms:ViaService": "ec2.{region}.amazonaws.com", "kms:CallerAccount": "{account}"}
EBS_VOLUMES = ServiceCalls(
    "autoscaling.amazonaws.com",
    principal="arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    calls=(
        Call("kms:GenerateDataKeyWithoutPlaintext", {"key": KEY}, "creates the instance's encrypted root volume",
             context=VIA_EC2),
        Call("kms:CreateGrant", {"key": KEY}, "lets EC2 use the key for the attached volume",
             context={**VIA_EC2, "kms:GrantIsForAWSResource": "true"}),
        Call("kms:Decrypt", {"key": KEY}, "uses the key outside EC2", expect="deny"),
    ))
"""The instances' launcher (EC2 Auto Scaling's service-linked role; Spot Fleet's is allowed the same way: the
key policy's statement names any principal, through EC2 in this account) encrypts their EBS volumes with the
construct's key (EC2 Auto Scaling user guide, "Required AWS KMS key policy for use with encrypted volumes")."""

BATCH_CALLS = RuntimeTable(
    construct="BatchComputeEnv / GpuTrainingCluster",
    anchor=Sibling("JobRole", "AWS::IAM::Role"),
    roles=(JOB_ROLE, INSTANCE_ROLE),
    services=(encrypted_log_group(KEY, LOGS), alarm_notifications(TOPIC, KEY),
              alarm_notifications(TOPIC, KEY, service="events.amazonaws.com", sender="failed-job"),
              EBS_VOLUMES, ACCESS_LOG_DELIVERY),
)
"""The runtime calls of every Batch construct (they share their roles' factories in ``compute/iam.py``)."""

TABLES = (BATCH_CALLS,)
