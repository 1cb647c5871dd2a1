"""AWS Batch scheduling policies and job queues, with moto's Batch backend.

* ``AWS::Batch::SchedulingPolicy``: moto's CloudFormation has no model; this one calls
  ``create_scheduling_policy`` (the fair-share policy in the API's ``camelCase`` shape). Ref returns its ARN,
  as does ``Fn::GetAtt Arn`` (the type's ``primaryIdentifier`` is the read-only ``Arn``).
* ``AWS::Batch::JobQueue`` replaces moto's own model, which drops ``SchedulingPolicyArn`` and ``Tags``
  (``moto/batch/models.py``: ``JobQueue.create_from_cloudformation_json`` passes ``schedule_policy=None``) and
  cannot update a queue (no ``update_from_cloudformation_json``). This one passes both to ``create_job_queue``,
  updates in place with ``update_job_queue``, and refuses a scheduling policy that does not exist, as
  ``CreateJobQueue`` does. The resource it returns is moto's own queue object (Ref: the queue ARN).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.batch.exceptions import ClientException
from moto.batch.models import BatchBackend, JobQueue, SchedulingPolicy, batch_backends
from moto.core.common_models import CloudFormationModel

from platform_constructs.local.models._base import Model, api_shape, name_for, properties, tag_map


def _backend(account_id: str, region_name: str) -> BatchBackend:
    return batch_backends[account_id][region_name]


class BatchSchedulingPolicy(Model, CloudFormationModel):
    CFN_TYPE = "AWS::Batch::SchedulingPolicy"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Arn",)

    def __init__(self, policy: SchedulingPolicy) -> None:
        self.policy = policy

    @property
    def physical_resource_id(self) -> str:
        return str(self.policy.arn)

    def attributes(self) -> Mapping[str, Any]:
        return {"Arn": self.policy.arn}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> BatchSchedulingPolicy:
        props = properties(cloudformation_json)
        policy = _backend(account_id, region_name).create_scheduling_policy(
            name_for(props, cls.NAME_PROPERTY, resource_name), api_shape(props.get("FairsharePolicy") or {}),
            tag_map(props.get("Tags")))
        return cls(policy)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> BatchSchedulingPolicy:
        props = properties(cloudformation_json)
        if name_for(props, cls.NAME_PROPERTY, original_resource.policy.name) != original_resource.policy.name:
            original_resource.delete(account_id, region_name)  # Name is create-only: replacement
            return cls.create_from_cloudformation_json(props["Name"], cloudformation_json, account_id, region_name)
        fairshare = api_shape(props.get("FairsharePolicy") or {})
        _backend(account_id, region_name).update_scheduling_policy(original_resource.physical_resource_id, {
            "computeReservation": fairshare.get("computeReservation") or 0,
            "shareDecaySeconds": fairshare.get("shareDecaySeconds") or 0,
            "shareDistribution": fairshare.get("shareDistribution") or []})
        return cls(original_resource.policy)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_scheduling_policy(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.physical_resource_id, {}, account_id, region_name)


def _require_scheduling_policy(arn: str | None, backend: BatchBackend) -> None:
    if arn and not backend.describe_scheduling_policies([arn]):
        raise ClientException(f"Scheduling policy {arn} does not exist")


class BatchJobQueue(Model, CloudFormationModel):
    CFN_TYPE = "AWS::Batch::JobQueue"
    NAME_PROPERTY = "JobQueueName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> JobQueue:
        props = properties(cloudformation_json)
        backend = _backend(account_id, region_name)
        _require_scheduling_policy(props.get("SchedulingPolicyArn"), backend)
        return backend.create_job_queue(
            queue_name=name_for(props, cls.NAME_PROPERTY, resource_name), priority=props["Priority"],
            schedule_policy=props.get("SchedulingPolicyArn"), state=props.get("State", "ENABLED"),
            compute_env_order=api_shape(props["ComputeEnvironmentOrder"]), tags=tag_map(props.get("Tags")))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> JobQueue:
        props = properties(cloudformation_json)
        backend = _backend(account_id, region_name)
        name = name_for(props, cls.NAME_PROPERTY, original_resource.name)
        if name != original_resource.name:  # JobQueueName is create-only: replacement
            backend.delete_job_queue(original_resource.arn)
            return cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
        _require_scheduling_policy(props.get("SchedulingPolicyArn"), backend)
        backend.update_job_queue(queue_name=original_resource.arn, priority=props["Priority"],
                                 state=props.get("State", "ENABLED"),
                                 compute_env_order=api_shape(props["ComputeEnvironmentOrder"]),
                                 schedule_policy=props.get("SchedulingPolicyArn"))
        queue = backend.get_job_queue(original_resource.arn)
        if queue is None:
            raise ClientException(f"Job queue {original_resource.arn} disappeared during its update")
        return queue

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_job_queue(resource_name)
