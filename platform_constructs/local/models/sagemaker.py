"""SageMaker endpoints (``AWS::SageMaker::Endpoint``) under the name the template gives them, updated as SageMaker
updates them.

moto's own model ignores ``EndpointName`` (its ``cloudformation_name_type()`` is empty, so every endpoint gets
a generated ``stack-LogicalId-SUFFIX`` name). The endpoint's alarms (``EndpointName`` dimension) and its
Application Auto Scaling target (``endpoint/NAME/variant/...``) name it by the template's name, so in the
emulator they pointed at an endpoint that did not exist. This model lets moto's ``FakeEndpoint`` create,
update and delete the endpoint, passing the template's ``EndpointName`` when there is one (the returned
resource is moto's endpoint: Ref is its ARN, ``Fn::GetAtt EndpointName`` its name).

An update is what CloudFormation makes of it:

* the same ``EndpointName``: SageMaker's ``UpdateEndpoint``, which fails, as SageMaker's does, when it would change
  the instance type of a variant registered as an Application Auto Scaling target, or remove such a variant
  ("If the update would change the instance type for any model that is a target for auto scaling, the update
  fails"; deregistering is required for "changing the instance type" and "removing a production variant that has
  auto scaling configured": SageMaker developer guide, "Update endpoints that use auto scaling");
* another ``EndpointName`` (``EndpointName`` is create-only): a replacement, the new endpoint created before the old
  one is deleted.

moto keeps no instance type on an endpoint (and drops the old configuration when its own replaces it), so this
model records each endpoint's variant instance types when it creates the endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.core.common_models import CloudFormationModel
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, sagemaker_backends

from platform_constructs.local.models._base import Model, name_for, properties

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
_deployed: dict[str, dict[str, str | None]] = {}
"""Endpoint ARN -> variant name -> the instance type it runs (``None``: serverless)."""


class SageMakerEndpoint(Model, CloudFormationModel):
    CFN_TYPE = "AWS::SageMaker::Endpoint"
    NAME_PROPERTY = "EndpointName"
    ATTRIBUTES = ("EndpointName",)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> FakeEndpoint:
        name = name_for(properties(cloudformation_json), cls.NAME_PROPERTY, resource_name)
        endpoint = FakeEndpoint.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name,
                                                                **kwargs)
        _deployed[endpoint.arn] = config_instance_types(account_id, region_name, endpoint.endpoint_config_name)
        return endpoint

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> FakeEndpoint:
        props = properties(cloudformation_json)
        name = name_for(props, cls.NAME_PROPERTY, original_resource.endpoint_name)
        if name != original_resource.endpoint_name:  # a replacement: the new endpoint first, then the old goes
            endpoint = cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
            cls.delete_from_cloudformation_json(original_resource.arn, cloudformation_json, account_id, region_name)
            return endpoint
        check_update(account_id, region_name, name, before=_deployed.get(original_resource.arn, {}),
                     after=config_instance_types(account_id, region_name, str(props["EndpointConfigName"])))
        FakeEndpoint.delete_from_cloudformation_json(original_resource.arn, cloudformation_json, account_id,
                                                     region_name)
        return cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        FakeEndpoint.delete_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name)
        _deployed.pop(resource_name, None)


def config_instance_types(account_id: str, region_name: str, config_name: str) -> dict[str, str | None]:
    """Variant name -> instance type of an endpoint configuration."""
    config = sagemaker_backends[account_id][region_name].describe_endpoint_config(config_name)
    return {v["VariantName"]: v.get("InstanceType") for v in config["ProductionVariants"]}


def check_update(account_id: str, region_name: str, endpoint_name: str, *, before: Mapping[str, str | None],
                 after: Mapping[str, str | None]) -> None:
    """Refuse an update of ``endpoint_name`` from variants ``before`` to ``after`` (name -> instance type) that
    changes the instance type of, or removes, a variant registered with Application Auto Scaling."""
    backend = applicationautoscaling_backends[account_id][region_name]
    registered = {target.resource_id.rsplit("/", 1)[-1] for target in backend.describe_scalable_targets(
        "sagemaker", [f"endpoint/{endpoint_name}/variant/{v}" for v in before], SCALABLE_DIMENSION)}
    refused = {v: (before[v], after.get(v)) for v in sorted(registered) if v not in after or after[v] != before[v]}
    if refused:
        changes = ", ".join(f"{v}: {old} -> {new or 'removed'}" for v, (old, new) in refused.items())
        raise ValidationError(
            f"Endpoint {endpoint_name}: the update would change the instance type of (or remove) variants that are "
            f"targets for auto scaling ({changes}). Deregister them with DeregisterScalableTarget before updating "
            "the endpoint, and register them again after it.")
