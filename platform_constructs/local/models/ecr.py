"""The registry's scanning configuration (``AWS::ECR::RegistryScanningConfiguration``), put with moto's ECR backend
(``put_registry_scanning_configuration``), so ``GetRegistryScanningConfiguration`` returns the scan type and
rules the template declares; and its signing configuration (``AWS::ECR::SigningConfiguration``), which the
emulator cannot create: moto's ECR implements no signing configuration API (``PutSigningConfiguration``), so that
model creates nothing and its rules are checked on the template
(:data:`platform_constructs.local.models.TEMPLATE_ONLY`).

moto's CloudFormation has no model for it. There is one configuration per account and region: Ref returns the
registry id, the account (the type's ``primaryIdentifier`` is the read-only ``RegistryId``). Deleting the
resource puts back ECR's default, basic scanning with no rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ecr.models import ECRBackend, ecr_backends

from platform_constructs.local.models._base import Model, api_shape, properties


def _backend(account_id: str, region_name: str) -> ECRBackend:
    return ecr_backends[account_id][region_name]


class RegistryScanningConfiguration(Model, CloudFormationModel):
    CFN_TYPE = "AWS::ECR::RegistryScanningConfiguration"
    ATTRIBUTES = ("RegistryId",)

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    @property
    def physical_resource_id(self) -> str:
        return self.account_id

    def attributes(self) -> Mapping[str, Any]:
        return {"RegistryId": self.account_id}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str,
                                        **kwargs: Any) -> RegistryScanningConfiguration:
        props = properties(cloudformation_json)
        _backend(account_id, region_name).put_registry_scanning_configuration(
            str(props["ScanType"]), api_shape(props.get("Rules") or []))
        return cls(account_id)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> RegistryScanningConfiguration:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).put_registry_scanning_configuration("BASIC", [])

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.account_id, {}, account_id, region_name)


class SigningConfiguration(Model, CloudFormationModel):
    """ECR managed signing's registry configuration: template-only (see the module doc). Ref returns the registry
    id, the account (the type's ``primaryIdentifier`` is the read-only ``RegistryId``)."""

    CFN_TYPE = "AWS::ECR::SigningConfiguration"
    ATTRIBUTES = ("RegistryId",)

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    @property
    def physical_resource_id(self) -> str:
        return self.account_id

    def attributes(self) -> Mapping[str, Any]:
        return {"RegistryId": self.account_id}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> SigningConfiguration:
        return cls(account_id)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> SigningConfiguration:
        return cls(account_id)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        """Nothing to delete: the emulator has no ECR signing configuration."""
