"""Job definitions of a Batch construct: the container, its resources, the timeout and spot-only retries."""

from __future__ import annotations

from aws_cdk import aws_batch as batch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from platform_constructs.compute.checks import JobDefinitionFacts
from platform_constructs.compute.plan import JobSize
from platform_constructs.compute.scratch import Scratch, scratch_volume
from platform_constructs.policy import BatchPolicy

SPOT_RECLAIM_STATUS_REASON = "Host EC2*"
"""Status reason AWS Batch gives a job whose instance was reclaimed or terminated (``Host EC2 (instance
i-...) terminated.``): the only failure the job definitions retry."""


def retry_strategy(batch_policy: BatchPolicy) -> batch.CfnJobDefinition.RetryStrategyProperty:
    """Retry only when the host went away (spot reclamation); exit on every other failure."""
    return batch.CfnJobDefinition.RetryStrategyProperty(
        attempts=batch_policy.spot_retry_attempts,
        evaluate_on_exit=[
            batch.CfnJobDefinition.EvaluateOnExitProperty(action="RETRY", on_status_reason=SPOT_RECLAIM_STATUS_REASON),
            batch.CfnJobDefinition.EvaluateOnExitProperty(action="EXIT", on_reason="*"),
        ])


def resource_requirements(size: JobSize) -> list[batch.CfnJobDefinition.ResourceRequirementProperty]:
    reqs = [batch.CfnJobDefinition.ResourceRequirementProperty(type="VCPU", value=f"{size.vcpus:g}"),
            batch.CfnJobDefinition.ResourceRequirementProperty(type="MEMORY", value=str(size.memory_mib))]
    if size.gpus:
        reqs.append(batch.CfnJobDefinition.ResourceRequirementProperty(type="GPU", value=str(size.gpus)))
    return reqs


def container(*, image: str, role: iam.IRole, group: logs.ILogGroup, size: JobSize,
              execution_role: iam.IRole | None = None, fargate: bool = False,
              scratch: Scratch | None = None) -> batch.CfnJobDefinition.ContainerPropertiesProperty:
    """A job container: the job role, the construct's log group, no privileged mode, no public IP on Fargate.

    No command: the image's own entrypoint runs unless the submitter overrides it (``containerOverrides``).
    """
    volume, mount = scratch_volume(scratch) if scratch is not None else (None, None)
    return batch.CfnJobDefinition.ContainerPropertiesProperty(
        image=image,
        job_role_arn=role.role_arn,
        execution_role_arn=execution_role.role_arn if execution_role is not None else None,
        resource_requirements=resource_requirements(size),
        log_configuration=batch.CfnJobDefinition.LogConfigurationProperty(
            log_driver="awslogs", options={"awslogs-group": group.log_group_name, "awslogs-stream-prefix": "job"}),
        privileged=False,
        volumes=[volume] if volume is not None else None,
        mount_points=[mount] if mount is not None else None,
        network_configuration=batch.CfnJobDefinition.NetworkConfigurationProperty(assign_public_ip="DISABLED")
        if fargate else None,
        fargate_platform_configuration=batch.CfnJobDefinition.FargatePlatformConfigurationProperty(
            platform_version="LATEST") if fargate else None,
    )


def job_definition(scope: Construct, id: str, *, batch_policy: BatchPolicy, timeout_seconds: int, fair_share: bool,
                   fargate: bool = False,
                   container_properties: batch.CfnJobDefinition.ContainerPropertiesProperty | None = None,
                   node_properties: batch.CfnJobDefinition.NodePropertiesProperty | None = None,
                   ) -> batch.CfnJobDefinition:
    """A container (``container_properties``) or multi-node (``node_properties``) job definition with the
    construct's timeout, spot-only retries, tag propagation and, on a fair-share queue, a scheduling priority."""
    return batch.CfnJobDefinition(
        scope, id, type="container" if node_properties is None else "multinode",
        platform_capabilities=["FARGATE" if fargate else "EC2"],
        container_properties=container_properties,
        node_properties=node_properties,
        timeout=batch.CfnJobDefinition.TimeoutProperty(attempt_duration_seconds=timeout_seconds),
        retry_strategy=retry_strategy(batch_policy),
        scheduling_priority=1 if fair_share else None,
        propagate_tags=True,
    )


def multi_node_properties(*, nodes: int, node: batch.CfnJobDefinition.ContainerPropertiesProperty,
                          ) -> batch.CfnJobDefinition.NodePropertiesProperty:
    """``nodes`` identical nodes, node 0 the main node."""
    return batch.CfnJobDefinition.NodePropertiesProperty(
        num_nodes=nodes, main_node=0,
        node_range_properties=[batch.CfnJobDefinition.NodeRangePropertyProperty(target_nodes="0:", container=node)])


def job_definition_facts(job: batch.CfnJobDefinition) -> JobDefinitionFacts:
    """The timeout ``job`` has now (for compute.checks)."""
    timeout = job.timeout
    seconds = timeout.attempt_duration_seconds if isinstance(timeout, batch.CfnJobDefinition.TimeoutProperty) \
        else timeout
    return JobDefinitionFacts(name=job.node.path, timeout_seconds=seconds)
