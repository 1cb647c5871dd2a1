"""Compute environments, job queues and the fair-share scheduling policy of a Batch construct."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Stack
from aws_cdk import aws_batch as batch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from platform_constructs.compute.checks import EnvironmentFacts
from platform_constructs.compute.iam import service_linked_role_arn
from platform_constructs.compute.plan import ComputePlan
from platform_constructs.policy import BatchPolicy

CPU_IMAGE_TYPE = "ECS_AL2023"
"""ECS-optimised Amazon Linux 2023 (AWS Batch's default since January 2026; AL2 AMIs are end of support)."""
GPU_IMAGE_TYPE = "ECS_AL2023_NVIDIA"
"""ECS GPU-optimised Amazon Linux 2023 AMI: NVIDIA driver + container toolkit + ECS agent."""
RUNNABLE_CANCEL_REASONS = (
    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
)
"""Every reason AWS Batch can give for a job stuck in RUNNABLE: each gets a CANCEL time-limit action."""


def ec2_compute_environment(scope: Construct, plan: ComputePlan, *, subnet_ids: list[str],
                            security_group_ids: list[str], template: ec2.CfnLaunchTemplate,
                            instance_profile: iam.CfnInstanceProfile, gpu: bool, tags: Mapping[str, str],
                            placement_group: str | None = None) -> batch.CfnComputeEnvironment:
    """A managed EC2 or SPOT compute environment in ``subnet_ids`` with the secure launch template.

    ``security_group_ids`` are always set: without them Batch puts the instances, and the ``awsvpc`` network
    interfaces of multi-node jobs, in the VPC's default security group ("Compute environment considerations
    for MNP", AWS Batch User Guide), which the platform network closes.
    """
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


def queue_id(base: str, *, fair_share: bool) -> str:
    """The construct id of a job queue: ``JobQueue`` / ``MultiNodeJobQueue`` for fair-share queues (their ids
    before FIFO became the default), ``FifoJobQueue`` / ``MultiNodeFifoJobQueue`` for FIFO queues.

    A queue cannot lose its scheduling policy (``CreateJobQueue``: "After a job queue has a fair-share scheduling
    policy, it can be replaced but can't be removed"), so a FIFO queue is a new resource, never an update.
    """
    return f"{base}JobQueue" if fair_share else f"{base}FifoJobQueue"


def job_queue(scope: Construct, id: str, *, environments: Sequence[batch.CfnComputeEnvironment],
              policy: batch.CfnSchedulingPolicy | None, batch_policy: BatchPolicy) -> batch.CfnJobQueue:
    """A queue over ``environments`` in order (spot first), cancelling jobs stuck in RUNNABLE.

    With ``policy`` it is a fair-share queue: AWS Batch then requires a ``shareIdentifier`` on every submitted
    job, and refuses one on a FIFO queue (``SubmitJob``: "Don't specify this parameter if the job queue doesn't
    have a fair-share scheduling policy. If the job queue has a fair-share scheduling policy, then this parameter
    must be specified.").
    """
    return batch.CfnJobQueue(
        scope, id, priority=1, state="ENABLED",
        compute_environment_order=[batch.CfnJobQueue.ComputeEnvironmentOrderProperty(
            compute_environment=env.ref, order=i + 1) for i, env in enumerate(environments)],
        scheduling_policy_arn=policy.ref if policy is not None else None,
        job_state_time_limit_actions=[batch.CfnJobQueue.JobStateTimeLimitActionProperty(
            action="CANCEL", state="RUNNABLE", reason=reason,
            max_time_seconds=batch_policy.runnable_cancel_minutes * 60) for reason in RUNNABLE_CANCEL_REASONS])


# --- what the L1s say at synth (for compute.checks) --------------------------------------------------------------
def environment_facts(environment: batch.CfnComputeEnvironment) -> EnvironmentFacts:
    """The budget-relevant ``ComputeResources`` of ``environment`` as it stands now."""
    resources = environment.compute_resources
    name = environment.node.id
    if not isinstance(resources, batch.CfnComputeEnvironment.ComputeResourcesProperty):
        return EnvironmentFacts(name=name, type=None, max_vcpus=resources, instance_types=None,
                                allocation_strategy=None)
    return EnvironmentFacts(name=name, type=resources.type, max_vcpus=resources.maxv_cpus,
                            instance_types=resources.instance_types, allocation_strategy=resources.allocation_strategy)


def queue_order(queue: batch.CfnJobQueue) -> object:
    """The compute environments (their ``Ref`` values) ``queue`` sends jobs to, or the unresolvable value."""
    order = queue.compute_environment_order
    if not isinstance(order, list):
        return order
    return [entry.compute_environment if isinstance(entry, batch.CfnJobQueue.ComputeEnvironmentOrderProperty)
            else entry for entry in order]
