"""SageMaker model package groups (``AWS::SageMaker::ModelPackageGroup``), created with moto's SageMaker backend
(``create_model_package_group``), so ``DescribeModelPackageGroup`` and ``CreateModelPackage`` find them.

moto's CloudFormation has no model for the type. Its backend keeps no group policy (it implements neither
``PutModelPackageGroupPolicy`` nor ``GetModelPackageGroupPolicy``), so ``ModelPackageGroupPolicy`` is checked on the
template (and linted by parliament at synth); and it has no ``DeleteModelPackageGroup``, so a deleted group leaves
its table. Ref and ``ModelPackageGroupArn``: the group's ARN (the type's primary identifier); ``ModelPackageGroupName``
is create-only, so a new name is a replacement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends

from platform_constructs.local.models._base import Model, arn_name, properties, tag_list


def _backend(account_id: str, region_name: str) -> SageMakerModelBackend:
    return sagemaker_backends[account_id][region_name]


class ModelPackageGroup(Model, CloudFormationModel):
    CFN_TYPE = "AWS::SageMaker::ModelPackageGroup"
    NAME_PROPERTY = "ModelPackageGroupName"
    ATTRIBUTES = ("ModelPackageGroupArn", "ModelPackageGroupStatus", "CreationTime")

    def __init__(self, name: str, arn: str) -> None:
        self.name, self.arn = name, arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attributes(self) -> Mapping[str, Any]:
        return {"ModelPackageGroupArn": self.arn, "ModelPackageGroupStatus": "Completed", "CreationTime": ""}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> ModelPackageGroup:
        props = properties(cloudformation_json)
        name = str(props["ModelPackageGroupName"])
        arn = _backend(account_id, region_name).create_model_package_group(
            model_package_group_name=name,
            model_package_group_description=str(props.get("ModelPackageGroupDescription", "")),
            tags=tag_list(props.get("Tags")))
        return cls(name, arn)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> ModelPackageGroup:
        props = properties(cloudformation_json)
        if props.get("ModelPackageGroupName") == original_resource.name:
            group = _backend(account_id, region_name).model_package_groups[original_resource.name]
            group.tags = tag_list(props.get("Tags"))  # tags update in place; the policy is not kept (see above)
            return cls(original_resource.name, original_resource.arn)
        replacement = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                          region_name)
        cls.delete_from_cloudformation_json(original_resource.arn, {}, account_id, region_name)
        return replacement

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).model_package_groups.pop(arn_name(resource_name), None)
