"""``AWS::CDK::Metadata``: the resource the CDK adds to every stack to report the library version and the
construct modules used (its ``Analytics`` property). It is not a service resource: in AWS, CloudFormation
records it and nothing else happens. The model records its generated id (Ref), so the emulator lists it
as a stack resource instead of warning that it has no model; the type is in
:data:`platform_constructs.local.models.TEMPLATE_ONLY`.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from platform_constructs.local.models._base import Model


class CdkMetadata(Model, CloudFormationModel):
    CFN_TYPE = "AWS::CDK::Metadata"

    def __init__(self, metadata_id: str) -> None:
        self.metadata_id = metadata_id

    @property
    def physical_resource_id(self) -> str:
        return self.metadata_id

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> CdkMetadata:
        return cls(resource_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> CdkMetadata:
        return cls(original_resource.metadata_id)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        """Nothing to delete: the metadata lives only in the stack."""
