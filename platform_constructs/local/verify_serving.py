"""Serving resources read back with boto3: SageMaker models, endpoint configs and endpoints, and the endpoint's
Application Auto Scaling target (registered under the endpoint's resource id), scheduled actions and policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from platform_constructs.local.emulator import Emulator
from platform_constructs.local.verify_base import Check, Checker, Deployed, check, expect, number
from platform_constructs.local.verify_resolve import unresolved_in


def _sagemaker_name(physical_id: str) -> str:
    return physical_id.rsplit("/", maxsplit=1)[-1]


def check_sagemaker_model(em: Emulator, res: Deployed) -> list[Check]:
    model = em.client("sagemaker").describe_model(ModelName=_sagemaker_name(res.physical_id))
    checks = [check(res, "exists", True, model["ModelArn"])]
    if "EnableNetworkIsolation" in res.properties:
        # The emulator always stores EnableNetworkIsolation=False, whatever it is given: the template's value
        # (a literal, so what SageMaker gets) is reported instead; whether it must be on is PLAT-SM1's concern.
        isolation = res.properties["EnableNetworkIsolation"]
        checks.append(check(res, "network isolation", isinstance(isolation, bool),
                            f"EnableNetworkIsolation={isolation}",
                            "template (the emulator does not store this property)"))
    if "VpcConfig" in res.properties:
        vpc = model.get("VpcConfig", {})
        ok = bool(vpc.get("Subnets")) and bool(vpc.get("SecurityGroupIds"))
        checks.append(check(res, "VPC config", ok, f"subnets={vpc.get('Subnets')} sgs={vpc.get('SecurityGroupIds')}"))
    return checks


def check_sagemaker_endpoint_config(em: Emulator, res: Deployed) -> list[Check]:
    config = em.client("sagemaker").describe_endpoint_config(EndpointConfigName=_sagemaker_name(res.physical_id))
    checks = [check(res, "exists", True, config["EndpointConfigArn"])]
    if "KmsKeyId" in res.properties:
        checks.append(check(res, "KMS key", bool(config.get("KmsKeyId")), f"KmsKeyId={config.get('KmsKeyId')}"))
    capture = res.properties.get("DataCaptureConfig")
    if isinstance(capture, Mapping) and capture.get("EnableCapture") is True:
        got = config.get("DataCaptureConfig", {})
        checks.append(check(res, "data capture", got.get("EnableCapture") is True,
                            f"EnableCapture={got.get('EnableCapture')} to {got.get('DestinationS3Uri')}"))
    return checks


def check_sagemaker_endpoint(em: Emulator, res: Deployed) -> list[Check]:
    endpoint = em.client("sagemaker").describe_endpoint(EndpointName=_sagemaker_name(res.physical_id))
    return [check(res, "InService", endpoint["EndpointStatus"] == "InService",
                  f"EndpointStatus={endpoint['EndpointStatus']}")]


def _sagemaker_variant(em: Emulator, resource_id: str) -> tuple[bool, str]:
    """Whether ``endpoint/NAME/variant/VARIANT`` names an endpoint in the emulator that has that variant."""
    parts = resource_id.split("/")
    if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant":
        return False, f"{resource_id!r} is not endpoint/<name>/variant/<variant>"
    sagemaker = em.client("sagemaker")
    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=parts[1])
    except sagemaker.exceptions.ClientError:
        return False, f"no endpoint named {parts[1]!r}"
    variants = [v["VariantName"] for v in endpoint.get("ProductionVariants", [])]
    return parts[3] in variants, f"endpoint {parts[1]} has variants {variants}"


def check_scalable_target(em: Emulator, res: Deployed) -> list[Check]:
    namespace, resource_id, dimension = (res.value(k) for k in ("ServiceNamespace", "ResourceId", "ScalableDimension"))
    missing = unresolved_in([namespace, resource_id, dimension])
    if missing is not None:
        return [check(res, "registered", False, f"template value not resolvable with boto3: {missing}")]
    aas = em.client("application-autoscaling")
    targets = aas.describe_scalable_targets(ServiceNamespace=namespace, ResourceIds=[resource_id],
                                            ScalableDimension=dimension)["ScalableTargets"]
    if len(targets) != 1:
        return [check(res, "registered", False, f"{len(targets)} targets for {namespace} {resource_id} {dimension}")]
    target = targets[0]
    checks = [check(res, "registered", True, f"{namespace} {resource_id} {dimension}"),
              expect(res, "capacity", (target["MinCapacity"], target["MaxCapacity"]),
                     (number(res.value("MinCapacity")), number(res.value("MaxCapacity"))), label="min, max")]
    if namespace == "sagemaker":
        found, detail = _sagemaker_variant(em, resource_id)
        checks.append(check(res, "under the endpoint's resource id", found, detail))
    want_actions = res.value("ScheduledActions", default=[])
    got_actions = aas.describe_scheduled_actions(ServiceNamespace=namespace, ResourceId=resource_id,
                                                 ScalableDimension=dimension)["ScheduledActions"]
    if want_actions or got_actions:
        checks.append(expect(res, "scheduled actions", _actions(got_actions), _actions(want_actions),
                             label="name, schedule, min, max"))
    return checks


def _actions(actions: Any) -> Any:
    if unresolved_in(actions) is not None:
        return actions
    return sorted((a.get("ScheduledActionName"), a.get("Schedule"),
                   number((a.get("ScalableTargetAction") or {}).get("MinCapacity")),
                   number((a.get("ScalableTargetAction") or {}).get("MaxCapacity"))) for a in actions)


def _policy_target(res: Deployed) -> tuple[Any, Any, Any]:
    """(namespace, resource id, dimension) from ``ScalingTargetId`` (``ResourceId|ScalableDimension|ServiceNamespace``,
    the target's Ref) or from the three properties."""
    target = res.value("ScalingTargetId")
    if target is None:
        return res.value("ServiceNamespace"), res.value("ResourceId"), res.value("ScalableDimension")
    if isinstance(target, str) and target.count("|") == 2:
        resource_id, dimension, namespace = target.split("|")
        return namespace, resource_id, dimension
    return target, target, target  # unresolved (reported by the caller) or not a target id


def check_scaling_policy(em: Emulator, res: Deployed) -> list[Check]:
    namespace, resource_id, dimension = _policy_target(res)
    missing = unresolved_in([namespace, resource_id, dimension, res.value("PolicyName")])
    if missing is not None:
        return [check(res, "attached", False, f"template value not resolvable with boto3: {missing}")]
    policies = em.client("application-autoscaling").describe_scaling_policies(
        ServiceNamespace=namespace, ResourceId=resource_id, ScalableDimension=dimension)["ScalingPolicies"]
    policy = next((p for p in policies if p["PolicyName"] == res.value("PolicyName")), None)
    if policy is None:
        return [check(res, "attached", False, f"no policy {res.value('PolicyName')!r} on {resource_id}")]
    checks = [check(res, "attached", True, f"{policy['PolicyName']} on {resource_id}"),
              expect(res, "type", policy["PolicyType"], res.value("PolicyType"))]
    for key in ("TargetTrackingScalingPolicyConfiguration", "StepScalingPolicyConfiguration"):
        if key in res.properties:
            checks.append(expect(res, "configuration", _numbers(policy.get(key)), _numbers(res.value(key)),
                                 label=key))
    return checks


def _numbers(value: Any) -> Any:
    """Numbers as floats throughout (templates say 1000, the API 1000.0)."""
    if isinstance(value, Mapping):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return float(value)


CHECKS: dict[str, Checker] = {
    "AWS::SageMaker::Model": check_sagemaker_model,
    "AWS::SageMaker::EndpointConfig": check_sagemaker_endpoint_config,
    "AWS::SageMaker::Endpoint": check_sagemaker_endpoint,
    "AWS::ApplicationAutoScaling::ScalableTarget": check_scalable_target,
    "AWS::ApplicationAutoScaling::ScalingPolicy": check_scaling_policy,
}
