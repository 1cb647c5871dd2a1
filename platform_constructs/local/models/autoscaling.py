"""Application Auto Scaling targets and policies, created with moto's Application Auto Scaling backend:
``AWS::ApplicationAutoScaling::ScalableTarget`` (with its ``ScheduledActions``) and
``AWS::ApplicationAutoScaling::ScalingPolicy``.

moto's CloudFormation has neither (it creates nothing). Application Auto Scaling's API takes the same
``PascalCase`` shapes as the template (``SuspendedState``, ``ScalableTargetAction``, the policy
configurations), so those pass through unchanged.

Ref of a scalable target is its CloudFormation-generated id, ``ResourceId|ScalableDimension|ServiceNamespace``
(the type's ``primaryIdentifier``; a policy's ``ScalingTargetId`` takes it); Ref of a policy is its ARN.

Registering a SageMaker variant that does not exist fails in AWS (the CloudFormation reference tells you to
add a ``DependsOn`` on the resource for that reason); moto checks this only for ECS services, so the target
model checks the variant in moto's SageMaker backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    FakeApplicationAutoscalingPolicy,
    FakeScalableTarget,
    applicationautoscaling_backends,
)
from moto.core.common_models import CloudFormationModel
from moto.sagemaker.models import sagemaker_backends

from platform_constructs.local.models._base import Model, as_int, properties


def _backend(account_id: str, region_name: str) -> ApplicationAutoscalingBackend:
    return applicationautoscaling_backends[account_id][region_name]


def target_id(resource_id: str, dimension: str, namespace: str) -> str:
    return f"{resource_id}|{dimension}|{namespace}"


def parse_target_id(value: str) -> tuple[str, str, str]:
    """``ResourceId|ScalableDimension|ServiceNamespace`` -> (namespace, resource id, dimension)."""
    parts = value.split("|")
    if len(parts) != 3:
        raise AWSValidationException(f"ScalingTargetId {value!r} is not ResourceId|ScalableDimension|ServiceNamespace")
    resource_id, dimension, namespace = parts
    return namespace, resource_id, dimension


def _require_sagemaker_variant(resource_id: str, account_id: str, region_name: str) -> None:
    """``endpoint/NAME/variant/VARIANT`` must name an existing endpoint and one of its variants."""
    parts = resource_id.split("/")
    endpoints = sagemaker_backends[account_id][region_name].endpoints
    if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant":
        raise AWSValidationException(f"Unsupported SageMaker resource id {resource_id!r} "
                                     "(expected endpoint/<name>/variant/<variant>)")
    endpoint = endpoints.get(parts[1])
    if endpoint is None:
        raise AWSValidationException(f"SageMaker endpoint {parts[1]!r} of {resource_id!r} does not exist")
    variants = [v.get("VariantName") for v in endpoint.production_variants]
    if parts[3] not in variants:
        raise AWSValidationException(f"SageMaker endpoint {parts[1]!r} has no variant {parts[3]!r} "
                                     f"(variants: {variants})")


class ScalableTarget(Model, CloudFormationModel):
    CFN_TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
    ATTRIBUTES = ("Id",)

    def __init__(self, target: FakeScalableTarget, scheduled: list[str]) -> None:
        self.target = target
        self.scheduled = scheduled
        """Names of the scheduled actions this resource put."""

    @property
    def physical_resource_id(self) -> str:
        return target_id(self.target.resource_id, self.target.scalable_dimension, self.target.service_namespace)

    def attributes(self) -> Mapping[str, Any]:
        return {"Id": self.physical_resource_id}

    @classmethod
    def _register(cls, props: Mapping[str, Any], account_id: str, region_name: str,
                  previous: list[str]) -> ScalableTarget:
        backend = _backend(account_id, region_name)
        namespace, resource_id, dimension = props["ServiceNamespace"], props["ResourceId"], props["ScalableDimension"]
        if namespace == "sagemaker":
            _require_sagemaker_variant(resource_id, account_id, region_name)
        target = backend.register_scalable_target(
            namespace, resource_id, dimension, as_int(props.get("MinCapacity")), as_int(props.get("MaxCapacity")),
            props.get("RoleARN", ""), props.get("SuspendedState"),  # type: ignore[arg-type]
        )
        names = []
        for action in props.get("ScheduledActions", []):
            backend.put_scheduled_action(
                service_namespace=namespace, schedule=action["Schedule"], timezone=action.get("Timezone"),
                scheduled_action_name=action["ScheduledActionName"], resource_id=resource_id,
                scalable_dimension=dimension, start_time=action.get("StartTime"), end_time=action.get("EndTime"),
                scalable_target_action=action.get("ScalableTargetAction"),
            )
            names.append(action["ScheduledActionName"])
        for gone in set(previous) - set(names):
            backend.delete_scheduled_action(namespace, gone, resource_id, dimension)
        return cls(target, names)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> ScalableTarget:
        return cls._register(properties(cloudformation_json), account_id, region_name, [])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> ScalableTarget:
        props = properties(cloudformation_json)
        if target_id(props["ResourceId"], props["ScalableDimension"], props["ServiceNamespace"]) != \
                original_resource.physical_resource_id:  # the three are create-only: replacement
            original_resource.delete(account_id, region_name)
            return cls._register(props, account_id, region_name, [])
        return cls._register(props, account_id, region_name, original_resource.scheduled)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        namespace, resource_id, dimension = parse_target_id(resource_name)
        backend = _backend(account_id, region_name)
        for action in backend.describe_scheduled_actions("", namespace, resource_id, dimension):
            backend.delete_scheduled_action(namespace, action.scheduled_action_name, resource_id, dimension)
        backend.deregister_scalable_target(namespace, resource_id, dimension)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.physical_resource_id, {}, account_id, region_name)


class ScalingPolicy(Model, CloudFormationModel):
    CFN_TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"
    ATTRIBUTES = ("Arn",)

    def __init__(self, policy: FakeApplicationAutoscalingPolicy) -> None:
        self.policy = policy

    @property
    def physical_resource_id(self) -> str:
        return str(self.policy.policy_arn)

    def attributes(self) -> Mapping[str, Any]:
        return {"Arn": self.policy.policy_arn}

    @staticmethod
    def _target(props: Mapping[str, Any]) -> tuple[str, str, str]:
        if props.get("ScalingTargetId"):
            return parse_target_id(str(props["ScalingTargetId"]))
        return props["ServiceNamespace"], props["ResourceId"], props["ScalableDimension"]

    @classmethod
    def _put(cls, props: Mapping[str, Any], account_id: str, region_name: str) -> ScalingPolicy:
        namespace, resource_id, dimension = cls._target(props)
        backend = _backend(account_id, region_name)
        if not backend.describe_scalable_targets(namespace, [resource_id], dimension):
            raise AWSValidationException(f"No scalable target registered for {namespace}/{resource_id}/{dimension}")
        body = props.get("TargetTrackingScalingPolicyConfiguration") or props.get("StepScalingPolicyConfiguration")
        policy = backend.put_scaling_policy(props["PolicyName"], namespace, resource_id, dimension,
                                            dict(body or {}), props["PolicyType"])
        return cls(policy)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> ScalingPolicy:
        return cls._put(properties(cloudformation_json), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> ScalingPolicy:
        props = properties(cloudformation_json)
        old = original_resource.policy
        if (props["PolicyName"], *cls._target(props)) != (old.policy_name, old.service_namespace, old.resource_id,
                                                          old.scalable_dimension):
            original_resource.delete(account_id, region_name)
        return cls._put(props, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        for policy in list(backend.policies.values()):
            if policy.policy_arn == resource_name:
                backend.delete_scaling_policy(policy.policy_name, policy.service_namespace, policy.resource_id,
                                              policy.scalable_dimension)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.physical_resource_id, {}, account_id, region_name)
