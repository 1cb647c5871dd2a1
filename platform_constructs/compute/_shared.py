"""Private building blocks shared by :mod:`~platform_constructs.compute.batch` and
:mod:`~platform_constructs.compute.training`.

Three kinds of helpers live here, kept apart:

* pure validation and budget arithmetic (no CDK objects): instance-type checks against the catalog and the
  environment's policy, and the GPU budget that bounds a compute environment's ``maxvCpus``;
* resource factories (secure launch template, ECS instance role, job role, compute environment, job queue,
  job definitions, alarms and dashboard) that every Batch construct builds the same way;
* the Metaflow configuration the constructs publish.

Nothing here is public API: the two constructs are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aws_cdk import CfnOutput, CfnTag, Duration, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_batch as batch
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from platform_constructs import baseline, catalog
from platform_constructs.acknowledge import acknowledge, acknowledge_resources
from platform_constructs.catalog import (
    STRICT_ALLOCATION_STRATEGY,
    InstanceSpec,
)
from platform_constructs.core import PlatformConstruct
from platform_constructs.errors import Problems
from platform_constructs.images.defaults import Purpose, approved_repository_arns, default_image, is_approved_image
from platform_constructs.policy import BatchPolicy, EnvironmentPolicy, Policy

# --- constants (each documented once) --------------------------------------------------------------------
SPOT_ALLOCATION_STRATEGY = "SPOT_PRICE_CAPACITY_OPTIMIZED"
"""Spot: pools with the lowest interruption likelihood first, then price (AWS's recommended strategy)."""
ON_DEMAND_ALLOCATION_STRATEGY = "BEST_FIT_PROGRESSIVE"
"""On-demand fallback for CPU jobs: best fit, then the next-best types when the best one has no capacity."""
CPU_IMAGE_TYPE = "ECS_AL2023"
"""ECS-optimised Amazon Linux 2023 (AWS Batch's default since January 2026; AL2 AMIs are end of support)."""
GPU_IMAGE_TYPE = "ECS_AL2023_NVIDIA"
"""ECS GPU-optimised Amazon Linux 2023 AMI: NVIDIA driver + container toolkit + ECS agent."""
SPOT_RECLAIM_STATUS_REASON = "Host EC2*"
"""Status reason AWS Batch gives a job whose instance was reclaimed or terminated (``Host EC2 (instance
i-...) terminated.``): the only failure the job definitions retry."""
RUNNABLE_CANCEL_REASONS = (
    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
)
"""Every reason AWS Batch can give for a job stuck in RUNNABLE: each gets a CANCEL time-limit action."""
ROOT_DEVICE_NAME = "/dev/xvda"
"""Root device of the ECS-optimised Amazon Linux AMIs (CPU and NVIDIA)."""
MIN_JOB_SECONDS = 60
"""AWS Batch's smallest attempt timeout."""
MEMORY_HEADROOM = 0.85
"""Share of an instance's memory a default job definition requests (the rest: OS, ECS agent, Docker)."""

Provisioning = Literal["SPOT", "EC2", "FARGATE_SPOT", "FARGATE"]


def kinds(*, spot: bool, fargate: bool = False) -> list[tuple[str, Provisioning]]:
    """The compute environments behind one queue, in order: spot first (if ``spot``), then on-demand."""
    result: list[tuple[str, Provisioning]] = []
    if spot:
        result.append(("Spot", "FARGATE_SPOT" if fargate else "SPOT"))
    result.append(("OnDemand", "FARGATE" if fargate else "EC2"))
    return result


# --- validation -------------------------------------------------------------------------------------------
def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def env_instance_types(env: EnvironmentPolicy, *, gpu: bool) -> list[str]:
    """The environment's allowed EC2 instance types that are (``gpu``) or are not GPU types, policy order."""
    return [name for name in env.ec2_instance_types
            if (spec := catalog.ec2(name)) is not None and spec.gpu == gpu]


def check_instance_types(problems: Problems, env: EnvironmentPolicy, value: object, *, gpu: bool,
                         argument: str = "instance_types") -> list[InstanceSpec]:
    """Validate instance type names; return the specs of the valid ones (problems recorded for the rest)."""
    allowed_here = env_instance_types(env, gpu=gpu)
    kind = "GPU" if gpu else "non-GPU"
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        problems.add(argument, value, f"a non-empty list of {kind} instance types from the {env.name} policy: "
                     f"{', '.join(allowed_here) or 'none'}",
                     f"pass {argument}=[{allowed_here[0]!r}]" if allowed_here else "ask the platform team")
        return []
    specs: list[InstanceSpec] = []
    for name in value:
        spec = catalog.ec2(name) if isinstance(name, str) else None
        if spec is None:
            problems.add(argument, name, f"an instance type in the platform catalog; {kind} types allowed in "
                         f"{env.name}: {', '.join(allowed_here) or 'none'}",
                         "check the spelling (e.g. 'g5.xlarge') or ask the platform team to add it to catalog.py")
        elif name not in env.ec2_instance_types:
            problems.add(argument, name, f"an instance type of the {env.name} environment's ec2_instance_types: "
                         f"{', '.join(env.ec2_instance_types)}",
                         f"choose one of {', '.join(allowed_here) or 'those'}, or ask the platform team to "
                         f"allow it in policies/platform.yaml (environments.{env.name}.ec2_instance_types)")
        elif gpu and not spec.gpu:
            problems.add(argument, name, f"GPU-bearing instance types only ({', '.join(allowed_here) or 'none'} "
                         f"in {env.name})", "remove the CPU type; CPU jobs belong in a BatchComputeEnv")
        elif not gpu and spec.gpu:
            problems.add(argument, name, f"non-GPU instance types ({', '.join(allowed_here) or 'none'} in "
                         f"{env.name})", "pass gpu=True to run GPU jobs, or remove the GPU type")
        elif spec in specs:
            problems.add(argument, name, "each instance type once", f"remove the duplicate {name!r}")
        else:
            specs.append(spec)
    return specs


def check_job_hours(problems: Problems, env: EnvironmentPolicy, value: object) -> bool:
    return problems.check(
        is_number(value) and MIN_JOB_SECONDS <= float(value) * 3600 <= env.max_job_hours * 3600,  # type: ignore[arg-type]
        "max_job_hours", value,
        f"a number of hours from {MIN_JOB_SECONDS / 3600:.4g} (AWS Batch's 60 s minimum) to the {env.name} cap "
        f"{env.max_job_hours:g}",
        f"pass max_job_hours<={env.max_job_hours:g}, or ask the platform team to raise "
        f"environments.{env.name}.max_job_hours in policies/platform.yaml")


def check_data_prefix(problems: Problems, value: object) -> bool:
    return problems.check(
        isinstance(value, str) and re.fullmatch(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*/", value) is not None
        and len(value) <= 200,
        "data_prefix", value, "an S3 key prefix of lowercase path segments ending in '/', e.g. 'recs/'",
        "pass data_prefix='<team>/' (the default is the cost centre followed by '/')")


def check_team_shares(problems: Problems, value: object) -> dict[str, float]:
    ok = isinstance(value, Mapping) and 0 < len(value) <= 500 and all(
        isinstance(k, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,255}", k) and is_number(v) and 0.0001 <= v <= 999.9999
        for k, v in value.items())
    problems.check(ok, "team_shares", value,
                   "a mapping of 1-500 share identifiers (letters, digits, '-', '_') to weight factors "
                   "0.0001..999.9999 (lower weight = larger share)",
                   "pass team_shares={'recs': 1.0, 'search': 2.0}")
    if not ok or not isinstance(value, Mapping):
        return {}
    return {str(k): float(v) for k, v in value.items()}


def allocation_strategy(provisioning: Provisioning, *, gpu: bool) -> str | None:
    """Spot: price-capacity-optimised; on-demand: best fit (strict for GPUs, progressive for CPUs)."""
    if provisioning.startswith("FARGATE"):
        return None
    if provisioning == "SPOT":
        return SPOT_ALLOCATION_STRATEGY
    return STRICT_ALLOCATION_STRATEGY if gpu else ON_DEMAND_ALLOCATION_STRATEGY


def split(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` shares, the first ones larger by at most one (spot first)."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


@dataclass(frozen=True)
class ComputePlan:
    """One compute environment as validated: what it may run and the budget it was given."""

    name: str
    provisioning: Provisioning
    max_vcpus: int
    instance_types: tuple[str, ...]
    allocation_strategy: str | None
    gpu_budget: int
    """GPUs this environment was allotted (0 for CPU environments)."""
    worst_case_gpus: int
    """The most GPUs it can run at once (see :func:`worst_case_gpus`); never above ``gpu_budget``."""


# --- resources ----------------------------------------------------------------------------------------------
def compute_key(scope: Construct, description: str) -> kms.Key:
    """The construct's key: datastore, logs, alarm topic and the instances' EBS volumes.

    EC2 encrypts the volumes on behalf of the instance launcher (Batch's EC2 fleet / Auto Scaling service-linked
    roles), so the key allows its use *through EC2 in this account only* (``kms:ViaService`` +
    ``kms:CallerAccount``), the same statement AWS's own ``aws/ebs`` key carries.
    """
    key = baseline.platform_key(scope, "Key", description=description,
                                service_principals=("logs", "cloudwatch", "events"))
    stack = Stack.of(scope)
    via_ec2 = {"StringEquals": {"kms:ViaService": f"ec2.{stack.region}.amazonaws.com",
                                "kms:CallerAccount": stack.account}}
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowEbsThroughEc2InThisAccount", principals=[iam.AnyPrincipal()],
        actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                 "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
        resources=["*"], conditions=via_ec2))
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowEbsGrantsThroughEc2InThisAccount", principals=[iam.AnyPrincipal()], actions=["kms:CreateGrant"],
        resources=["*"], conditions={**via_ec2, "Bool": {"kms:GrantIsForAWSResource": "true"}}))
    return key


def security_group(scope: Construct, vpc: ec2.IVpc, *, cluster_traffic: bool) -> ec2.SecurityGroup:
    """No ingress; HTTPS out (the isolated subnets reach AWS only through VPC endpoints).

    ``cluster_traffic`` also opens all traffic between members of the group (multi-node jobs: NCCL/EFA).
    """
    group = ec2.SecurityGroup(scope, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
                              description="Batch instances: HTTPS to VPC endpoints only")
    group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs through VPC endpoints")
    if cluster_traffic:
        group.add_ingress_rule(group, ec2.Port.all_traffic(), "Multi-node job traffic within the group")
        group.add_egress_rule(group, ec2.Port.all_traffic(), "Multi-node job traffic within the group")
        acknowledge(group, "multi-node-cluster-traffic")
    return group


def launch_template(scope: Construct, id: str, *, key: kms.IKey, volume_gib: int, tags: Mapping[str, str],
                    efa_security_group: ec2.ISecurityGroup | None = None) -> ec2.CfnLaunchTemplate:
    """The secure launch template of every Batch instance.

    IMDSv2 only with a hop limit of 1 (containers cannot reach the instance's credentials), a KMS-encrypted gp3
    root volume, no public IP, detailed monitoring, and the required tags on the instance, its volumes and
    network interfaces. With ``efa_security_group`` the primary interface is an EFA interface in that group.
    """
    tag_list = [CfnTag(key=k, value=v) for k, v in sorted(tags.items())]
    resource_types = ["instance", "volume"] + (["network-interface"] if efa_security_group is not None else [])
    data = ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
        metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1,
            instance_metadata_tags="disabled"),
        block_device_mappings=[ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
            device_name=ROOT_DEVICE_NAME,
            ebs=ec2.CfnLaunchTemplate.EbsProperty(encrypted=True, kms_key_id=key.key_arn, volume_type="gp3",
                                                  volume_size=volume_gib, delete_on_termination=True))],
        monitoring=ec2.CfnLaunchTemplate.MonitoringProperty(enabled=True),
        network_interfaces=[ec2.CfnLaunchTemplate.NetworkInterfaceProperty(
            device_index=0, interface_type="efa", associate_public_ip_address=False, delete_on_termination=True,
            groups=[efa_security_group.security_group_id])] if efa_security_group is not None else None,
        tag_specifications=[ec2.CfnLaunchTemplate.TagSpecificationProperty(resource_type=t, tags=tag_list)
                            for t in resource_types],
    )
    return ec2.CfnLaunchTemplate(
        scope, id, launch_template_data=data,
        tag_specifications=[ec2.CfnLaunchTemplate.LaunchTemplateTagSpecificationProperty(
            resource_type="launch-template", tags=tag_list)])


def image_pulls(role: baseline.PlatformRole, *, log_group: logs.ILogGroup) -> None:
    """Pull from the approved registries and write to ``log_group`` (ECS agent or Fargate execution role)."""
    repositories = approved_repository_arns(role)
    role.add_to_policy(iam.PolicyStatement(
        sid="PullApprovedImages",
        actions=["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        resources=repositories))
    role.add_to_policy(iam.PolicyStatement(
        sid="WriteJobLogs", actions=["logs:CreateLogStream", "logs:PutLogEvents"],
        resources=[log_group.log_group_arn]))
    acknowledge_resources(role.policy, "approved-registry-pulls", repositories)


def execution_role(scope: Construct, *, log_group: logs.ILogGroup, policy: Policy) -> baseline.PlatformRole:
    """Fargate's task execution role: pull approved images, write this construct's logs."""
    role = baseline.platform_role(scope, "ExecutionRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
                                  description="Fargate: pull approved images and write this construct's logs")
    role.add_to_policy(iam.PolicyStatement(
        sid="ActionsWithoutResourceLevelPermissions", actions=["ecr:GetAuthorizationToken"], resources=["*"]))
    acknowledge(role.policy, "ecs-agent-unscoped-actions")
    image_pulls(role, log_group=log_group)
    return role


def instance_role(scope: Construct, *, log_group: logs.ILogGroup, policy: Policy) -> iam.CfnInstanceProfile:
    """The ECS container-instance role, written by us instead of ``AmazonEC2ContainerServiceforEC2Role``.

    The ECS agent may register with and report to AWS Batch's ECS clusters of this account and region only,
    pull from the approved registries only, and write to this construct's log group only.
    """
    stack = Stack.of(scope)
    role = baseline.platform_role(scope, "InstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                                  description="ECS agent on this construct's AWS Batch instances")
    ecs_arn = f"arn:{stack.partition}:ecs:{stack.region}:{stack.account}"
    clusters = [f"{ecs_arn}:cluster/AWSBatch-*", f"{ecs_arn}:container-instance/AWSBatch-*"]
    role.add_to_policy(iam.PolicyStatement(
        sid="EcsAgentClusters",
        actions=["ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance",
                 "ecs:SubmitContainerStateChange", "ecs:SubmitTaskStateChange", "ecs:SubmitAttachmentStateChanges",
                 "ecs:UpdateContainerInstancesState"],
        resources=clusters[:1]))
    role.add_to_policy(iam.PolicyStatement(
        sid="EcsAgentInstances", actions=["ecs:Poll", "ecs:StartTelemetrySession"], resources=clusters[1:]))
    role.add_to_policy(iam.PolicyStatement(
        sid="ActionsWithoutResourceLevelPermissions",
        actions=["ecs:DiscoverPollEndpoint", "ecr:GetAuthorizationToken"], resources=["*"]))
    acknowledge(role.policy, "ecs-agent-unscoped-actions")
    acknowledge_resources(role.policy, "batch-managed-ecs-clusters", clusters)
    image_pulls(role, log_group=log_group)
    return iam.CfnInstanceProfile(scope, "InstanceProfile", roles=[role.role_name])


def job_role(scope: Construct, *, bucket: s3.IBucket, prefix: str, key: kms.IKey | None) -> baseline.PlatformRole:
    """The role every job assumes: read/write objects under the team's ``prefix`` of the datastore, its key."""
    role = baseline.platform_role(scope, "JobRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
                                  description="AWS Batch jobs: the team's datastore prefix only")
    role.add_to_policy(iam.PolicyStatement(
        sid="ListTeamPrefix", actions=["s3:ListBucket"], resources=[bucket.bucket_arn],
        conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}}))
    objects = bucket.arn_for_objects(f"{prefix}*")
    role.add_to_policy(iam.PolicyStatement(
        sid="ReadWriteTeamPrefix",
        actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources=[objects]))
    if key is not None:
        role.add_to_policy(iam.PolicyStatement(
            sid="DatastoreKeyThroughS3", actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{Stack.of(scope).region}.amazonaws.com"}}))
    acknowledge_resources(role.policy, "batch-job-role-team-prefix", [objects])
    return role


def service_linked_role_arn(stack: Stack) -> str:
    """AWS Batch's service-linked role: Batch's own permissions, no AWS-managed policy attached by us."""
    return (f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/batch.amazonaws.com/"
            "AWSServiceRoleForBatch")


def ec2_compute_environment(scope: Construct, plan: ComputePlan, *, subnet_ids: list[str],
                            security_group_ids: list[str] | None, template: ec2.CfnLaunchTemplate,
                            instance_profile: iam.CfnInstanceProfile, gpu: bool, tags: Mapping[str, str],
                            placement_group: str | None = None) -> batch.CfnComputeEnvironment:
    """A managed EC2 or SPOT compute environment in the isolated subnets with the secure launch template."""
    return batch.CfnComputeEnvironment(
        scope, plan.name,
        type="MANAGED", state="ENABLED", service_role=service_linked_role_arn(Stack.of(scope)),
        compute_resources=batch.CfnComputeEnvironment.ComputeResourcesProperty(
            type=plan.provisioning,
            allocation_strategy=plan.allocation_strategy,
            minv_cpus=0, maxv_cpus=plan.max_vcpus,
            instance_types=list(plan.instance_types),
            subnets=subnet_ids, security_group_ids=security_group_ids,
            instance_role=instance_profile.attr_arn,
            launch_template=batch.CfnComputeEnvironment.LaunchTemplateSpecificationProperty(
                launch_template_id=template.ref, version=template.attr_latest_version_number),
            ec2_configuration=[batch.CfnComputeEnvironment.Ec2ConfigurationObjectProperty(
                image_type=GPU_IMAGE_TYPE if gpu else CPU_IMAGE_TYPE)],
            placement_group=placement_group,
            tags=dict(tags),
        ),
    )


def fargate_compute_environment(scope: Construct, plan: ComputePlan, *, subnet_ids: list[str],
                                security_group_ids: list[str]) -> batch.CfnComputeEnvironment:
    """A managed Fargate (or Fargate Spot) compute environment in the isolated subnets."""
    return batch.CfnComputeEnvironment(
        scope, plan.name,
        type="MANAGED", state="ENABLED", service_role=service_linked_role_arn(Stack.of(scope)),
        compute_resources=batch.CfnComputeEnvironment.ComputeResourcesProperty(
            type=plan.provisioning, maxv_cpus=plan.max_vcpus, subnets=subnet_ids,
            security_group_ids=security_group_ids),
    )


def scheduling_policy(scope: Construct, batch_policy: BatchPolicy,
                      shares: Mapping[str, float]) -> batch.CfnSchedulingPolicy:
    """Fair-share scheduling: one share per team, usage decayed over the policy's window."""
    return batch.CfnSchedulingPolicy(
        scope, "FairShare",
        fairshare_policy=batch.CfnSchedulingPolicy.FairsharePolicyProperty(
            share_decay_seconds=batch_policy.share_decay_seconds,
            compute_reservation=batch_policy.compute_reservation_percent,
            share_distribution=[batch.CfnSchedulingPolicy.ShareAttributesProperty(
                share_identifier=team, weight_factor=weight) for team, weight in sorted(shares.items())]))


def job_queue(scope: Construct, id: str, *, environments: Sequence[batch.CfnComputeEnvironment],
              policy: batch.CfnSchedulingPolicy | None, batch_policy: BatchPolicy) -> batch.CfnJobQueue:
    """A queue over ``environments`` in order (spot first), cancelling jobs stuck in RUNNABLE."""
    return batch.CfnJobQueue(
        scope, id, priority=1, state="ENABLED",
        compute_environment_order=[batch.CfnJobQueue.ComputeEnvironmentOrderProperty(
            compute_environment=env.ref, order=i + 1) for i, env in enumerate(environments)],
        scheduling_policy_arn=policy.ref if policy is not None else None,
        job_state_time_limit_actions=[batch.CfnJobQueue.JobStateTimeLimitActionProperty(
            action="CANCEL", state="RUNNABLE", reason=reason,
            max_time_seconds=batch_policy.runnable_cancel_minutes * 60) for reason in RUNNABLE_CANCEL_REASONS])


def retry_strategy(batch_policy: BatchPolicy) -> batch.CfnJobDefinition.RetryStrategyProperty:
    """Retry only when the host went away (spot reclamation); exit on every other failure."""
    return batch.CfnJobDefinition.RetryStrategyProperty(
        attempts=batch_policy.spot_retry_attempts,
        evaluate_on_exit=[
            batch.CfnJobDefinition.EvaluateOnExitProperty(action="RETRY", on_status_reason=SPOT_RECLAIM_STATUS_REASON),
            batch.CfnJobDefinition.EvaluateOnExitProperty(action="EXIT", on_reason="*"),
        ])


def resource_requirements(*, vcpus: float, memory_mib: int, gpus: int = 0,
                          ) -> list[batch.CfnJobDefinition.ResourceRequirementProperty]:
    reqs = [batch.CfnJobDefinition.ResourceRequirementProperty(type="VCPU", value=f"{vcpus:g}"),
            batch.CfnJobDefinition.ResourceRequirementProperty(type="MEMORY", value=str(memory_mib))]
    if gpus:
        reqs.append(batch.CfnJobDefinition.ResourceRequirementProperty(type="GPU", value=str(gpus)))
    return reqs


def log_configuration(group: logs.ILogGroup, stream_prefix: str) -> batch.CfnJobDefinition.LogConfigurationProperty:
    return batch.CfnJobDefinition.LogConfigurationProperty(
        log_driver="awslogs",
        options={"awslogs-group": group.log_group_name, "awslogs-stream-prefix": stream_prefix})


def job_memory_mib(specs: Iterable[InstanceSpec]) -> int:
    """Memory a default job requests: the headroom share of the smallest chosen instance's memory."""
    return int(min(spec.memory_gib for spec in specs) * 1024 * MEMORY_HEADROOM)


def timeout_seconds(hours: float) -> int:
    """A job attempt's timeout; never above ``hours`` (rounded down to whole seconds)."""
    return max(MIN_JOB_SECONDS, math.floor(hours * 3600))


# --- monitoring ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Monitoring:
    topic: sns.Topic
    alarms: dict[str, cw.Alarm]
    dashboard: cw.Dashboard


def monitoring(scope: Construct, *, key: kms.IKey, queues: Sequence[batch.CfnJobQueue], policy: Policy,
               title: str) -> Monitoring:
    """Alarms (backlog, failed jobs, jobs cancelled after being stuck in RUNNABLE) and a dashboard.

    AWS Batch publishes no CloudWatch metrics of its own, so the counts come from EventBridge rules over the
    queues' "Batch Job State Change" events (``AWS/Events`` ``MatchedEvents`` per rule). Failed jobs are also
    sent to the KMS-encrypted alarm topic as they happen.
    """
    alarm_policy = policy.alarms
    period = Duration.minutes(alarm_policy.period_minutes)
    topic = baseline.alarm_topic(scope, "AlarmTopic", key=key)
    queue_arns = [q.ref for q in queues]

    def rule(id: str, description: str, detail: dict[str, Any]) -> events.Rule:
        return events.Rule(scope, id, description=description, event_pattern=events.EventPattern(
            source=["aws.batch"], detail_type=["Batch Job State Change"],
            detail={"jobQueue": queue_arns, **detail}))

    def matched(r: events.Rule, label: str) -> cw.Metric:
        return cw.Metric(namespace="AWS/Events", metric_name="MatchedEvents",
                         dimensions_map={"RuleName": r.rule_name}, statistic="Sum", period=period, label=label)

    failed_rule = rule("FailedJobsRule", "Jobs of this construct's queues that failed",
                       {"status": ["FAILED"]})
    failed_rule.add_target(targets.SnsTopic(topic))
    stuck_rule = rule("StuckRunnableRule", "Jobs cancelled by the queue after being stuck in RUNNABLE",
                      {"status": ["FAILED"],
                       "statusReason": [{"prefix": p} for p in ("CAPACITY:", "MISCONFIGURATION:")]})
    stuck_rule.add_target(targets.SnsTopic(topic))
    runnable_rule = rule("RunnableJobsRule", "Jobs entering RUNNABLE (waiting for capacity)", {"status": ["RUNNABLE"]})
    started_rule = rule("StartingJobsRule", "Jobs leaving the queue for an instance", {"status": ["STARTING"]})

    failed = matched(failed_rule, "failed jobs")
    stuck = matched(stuck_rule, "cancelled after stuck in RUNNABLE")
    entered = matched(runnable_rule, "entered RUNNABLE")
    started = matched(started_rule, "started")
    backlog = cw.MathExpression(expression="RUNNING_SUM(FILL(entered, 0) - FILL(started, 0))",
                                using_metrics={"entered": entered, "started": started},
                                period=period, label="queue backlog growth")
    action = cw_actions.SnsAction(topic)
    alarms = {
        "queue_depth": backlog.create_alarm(
            scope, "QueueDepthAlarm", threshold=alarm_policy.batch_queue_depth,
            evaluation_periods=alarm_policy.evaluation_periods,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{title}: the queue backlog grew by {alarm_policy.batch_queue_depth}+ jobs"),
        "failed_jobs": failed.create_alarm(
            scope, "FailedJobsAlarm", threshold=alarm_policy.batch_failed_jobs, evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{title}: {alarm_policy.batch_failed_jobs}+ jobs failed in "
                              f"{alarm_policy.period_minutes} minutes"),
        "stuck_runnable": stuck.create_alarm(
            scope, "StuckRunnableAlarm", threshold=1, evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{title}: a job was cancelled after being stuck in RUNNABLE (no capacity or a "
                              "job bigger than the compute environment)"),
    }
    for alarm in alarms.values():
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
    dashboard = cw.Dashboard(scope, "Dashboard", widgets=[[
        cw.GraphWidget(title="Queue: entered RUNNABLE vs started", left=[entered, started, backlog], width=12),
        cw.GraphWidget(title="Failed / stuck-RUNNABLE jobs", left=[failed, stuck], width=12),
    ], [cw.AlarmStatusWidget(title="Alarms", alarms=list(alarms.values()), width=24)]])
    return Monitoring(topic=topic, alarms=alarms, dashboard=dashboard)


# --- Metaflow -----------------------------------------------------------------------------------------------
def metaflow_config(*, queue: batch.CfnJobQueue, role: iam.IRole, bucket: s3.IBucket, prefix: str,
                    image: str, execution_role: iam.IRole | None = None) -> dict[str, str]:
    """The Metaflow settings (``~/.metaflowconfig/config.json`` keys) for ``@batch`` against this queue."""
    config = {
        "METAFLOW_DEFAULT_DATASTORE": "s3",
        "METAFLOW_DATASTORE_SYSROOT_S3": f"s3://{bucket.bucket_name}/{prefix}metaflow",
        "METAFLOW_DATATOOLS_S3ROOT": f"s3://{bucket.bucket_name}/{prefix}data",
        "METAFLOW_BATCH_JOB_QUEUE": queue.ref,
        "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": role.role_arn,
        "METAFLOW_BATCH_CONTAINER_IMAGE": image,
    }
    if execution_role is not None:
        config["METAFLOW_ECS_FARGATE_EXECUTION_ROLE"] = execution_role.role_arn
    return config


# --- what both constructs share ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CommonArguments:
    """The validated arguments both Batch constructs take, defaults applied."""

    max_job_hours: float
    data_prefix: str
    shares: dict[str, float]
    image: str


def check_common(construct: PlatformConstruct, *, max_job_hours: float | None,
                 data_prefix: str | None, team_shares: Mapping[str, float] | None, fair_share: object,
                 image: str | None, purpose: Purpose) -> CommonArguments:
    """Apply the defaults of the shared arguments and validate them into ``construct.problems``."""
    env, problems = construct.env, construct.problems
    team = construct.tags.get("CostCenter", "team")  # an invalid cost_center is reported once, by the base class
    hours = env.max_job_hours if max_job_hours is None else max_job_hours
    prefix = f"{team}/" if data_prefix is None else data_prefix
    shares = {**construct.policy.batch.team_shares, team: 1.0} if team_shares is None else team_shares
    approved_default = default_image(construct, purpose)
    chosen_image = approved_default if image is None else image
    check_job_hours(problems, env, hours)
    check_data_prefix(problems, prefix)
    checked_shares = check_team_shares(problems, shares)
    problems.check(isinstance(fair_share, bool), "fair_share", fair_share, "True or False",
                   "pass fair_share=True (default) or False")
    if chosen_image != approved_default:
        problems.check(isinstance(chosen_image, str) and is_approved_image(construct, chosen_image), "image",
                       chosen_image, "an image from " + ", ".join(construct.policy.approved_registries),
                       "push the image to an approved registry, or omit image for the approved default")
    return CommonArguments(max_job_hours=float(hours) if is_number(hours) else 0.0, data_prefix=str(prefix),
                           shares=checked_shares, image=str(chosen_image))


@dataclass(frozen=True)
class Foundation:
    """The stateful building blocks of a Batch construct."""

    key: kms.Key
    log_group: logs.LogGroup
    bucket: s3.IBucket
    job_role: baseline.PlatformRole


def foundation(scope: Construct, *, datastore_bucket: s3.IBucket | None, prefix: str) -> Foundation:
    """Key, encrypted log group, datastore bucket (the baseline's unless one is given) and the job role."""
    key = compute_key(scope, f"{scope.node.path} Batch datastore, logs, volumes and alarms")
    group = baseline.log_group(scope, "Logs", key=key)
    if datastore_bucket is None:
        bucket: s3.IBucket = baseline.secure_bucket(scope, "Datastore", key=key, purpose="datastore")
        bucket_key: kms.IKey | None = key
    else:
        bucket, bucket_key = datastore_bucket, datastore_bucket.encryption_key
    return Foundation(key=key, log_group=group, bucket=bucket,
                      job_role=job_role(scope, bucket=bucket, prefix=prefix, key=bucket_key))


def outputs(scope: Construct, values: Mapping[str, tuple[str, str]]) -> None:
    """Stack outputs: name -> (value, description)."""
    for name, (value, description) in values.items():
        CfnOutput(scope, name, value=value, description=description)


def container(*, image: str, role: iam.IRole, group: logs.ILogGroup,
              requirements: list[batch.CfnJobDefinition.ResourceRequirementProperty],
              execution_role: iam.IRole | None = None, fargate: bool = False,
              scratch: efs.CfnFileSystem | None = None) -> batch.CfnJobDefinition.ContainerPropertiesProperty:
    """A job container: the job role, the construct's log group, no privileged mode, no public IP on Fargate.

    No command: the image's own entrypoint runs unless the submitter overrides it (``containerOverrides``).
    """
    return batch.CfnJobDefinition.ContainerPropertiesProperty(
        image=image,
        job_role_arn=role.role_arn,
        execution_role_arn=execution_role.role_arn if execution_role is not None else None,
        resource_requirements=requirements,
        log_configuration=log_configuration(group, "job"),
        privileged=False,
        volumes=[scratch_volume(scratch)[0]] if scratch is not None else None,
        mount_points=[scratch_volume(scratch)[1]] if scratch is not None else None,
        network_configuration=batch.CfnJobDefinition.NetworkConfigurationProperty(assign_public_ip="DISABLED")
        if fargate else None,
        fargate_platform_configuration=batch.CfnJobDefinition.FargatePlatformConfigurationProperty(
            platform_version="LATEST") if fargate else None,
    )


# --- shared scratch storage ----------------------------------------------------------------------------------
SCRATCH_MOUNT_PATH = "/scratch"
"""Where jobs see the shared scratch file system."""
SCRATCH_VOLUME = "scratch"


@dataclass(frozen=True)
class Scratch:
    file_system: efs.CfnFileSystem
    security_group: ec2.SecurityGroup


def scratch_file_system(scope: Construct, *, vpc: ec2.IVpc, subnet_ids: list[str], key: kms.IKey,
                        clients: ec2.SecurityGroup, zones: int, role: iam.IRole) -> Scratch:
    """Encrypted EFS scratch space shared by a job's nodes: KMS at rest, TLS + IAM enforced, NFS only from the
    Batch instances' security group, one mount target per isolated subnet, deleted with the stack."""
    group = ec2.SecurityGroup(scope, "ScratchSecurityGroup", vpc=vpc, allow_all_outbound=False,
                              description="NFS from the Batch instances of this construct only")
    group.add_ingress_rule(clients, ec2.Port.tcp(2049), "NFS from the Batch instances")
    clients.add_egress_rule(group, ec2.Port.tcp(2049), "NFS to the shared scratch file system")
    file_system = efs.CfnFileSystem(
        scope, "Scratch", encrypted=True, kms_key_id=key.key_arn, performance_mode="generalPurpose",
        throughput_mode="elastic",
        lifecycle_policies=[efs.CfnFileSystem.LifecyclePolicyProperty(transition_to_ia="AFTER_7_DAYS")],
        backup_policy=efs.CfnFileSystem.BackupPolicyProperty(status="DISABLED"),
        file_system_policy={"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyWithoutTls", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "JobRoleOnly", "Effect": "Allow", "Principal": {"AWS": role.role_arn},
             "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], "Resource": "*",
             "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}},
        ]})
    file_system.apply_removal_policy(RemovalPolicy.DESTROY)  # scratch: nothing here outlives a job
    acknowledge(file_system, "scratch-not-backed-up")
    count = zones if Token.is_unresolved(subnet_ids) or (len(subnet_ids) == 1 and Token.is_unresolved(
        subnet_ids[0])) else len(subnet_ids)
    for i in range(count):
        efs.CfnMountTarget(scope, f"ScratchMountTarget{i}", file_system_id=file_system.ref,
                           subnet_id=Fn.select(i, subnet_ids), security_groups=[group.security_group_id])
    return Scratch(file_system=file_system, security_group=group)


def scratch_volume(file_system: efs.CfnFileSystem) -> tuple[batch.CfnJobDefinition.VolumesProperty,
                                                             batch.CfnJobDefinition.MountPointsProperty]:
    """The job-definition volume and mount point of the scratch file system (TLS and IAM on)."""
    return (batch.CfnJobDefinition.VolumesProperty(
        name=SCRATCH_VOLUME, efs_volume_configuration=batch.CfnJobDefinition.EfsVolumeConfigurationProperty(
            file_system_id=file_system.ref, transit_encryption="ENABLED",
            authorization_config=batch.CfnJobDefinition.AuthorizationConfigProperty(iam="ENABLED"))),
        batch.CfnJobDefinition.MountPointsProperty(source_volume=SCRATCH_VOLUME, container_path=SCRATCH_MOUNT_PATH,
                                                   read_only=False))
