"""AWS Signer signing profiles (``AWS::Signer::SigningProfile``), created with moto's Signer backend
(``put_signing_profile``), so ``GetSigningProfile`` returns the platform and the validity period the template
declares.

moto's CloudFormation has no model for it. Ref returns the profile's ARN; ``Fn::GetAtt`` ``Arn``, ``ProfileName``,
``ProfileVersion`` and ``ProfileVersionArn`` (the type's read-only properties, AWS CloudFormation Template
Reference). Without a ``ProfileName`` CloudFormation generates one of letters and digits (names are
``[a-zA-Z0-9_]{2,64}``); the model does the same from the generated resource name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.signer.models import SignerBackend, signer_backends

from platform_constructs.local.models._base import Model, lower_first, properties, tag_map


def _backend(account_id: str, region_name: str) -> SignerBackend:
    return signer_backends[account_id][region_name]


class SigningProfile(Model, CloudFormationModel):
    CFN_TYPE = "AWS::Signer::SigningProfile"
    NAME_PROPERTY = "ProfileName"
    ATTRIBUTES = ("Arn", "ProfileName", "ProfileVersion", "ProfileVersionArn")

    def __init__(self, name: str, arn: str, version: str, version_arn: str) -> None:
        self.name = name
        self.arn = arn
        self.version = version
        self.version_arn = version_arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attributes(self) -> Mapping[str, Any]:
        return {"Arn": self.arn, "ProfileName": self.name, "ProfileVersion": self.version,
                "ProfileVersionArn": self.version_arn}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> SigningProfile:
        props = properties(cloudformation_json)
        name = str(props.get("ProfileName") or re.sub(r"[^A-Za-z0-9_]", "", resource_name)[-64:])
        validity = props.get("SignatureValidityPeriod")
        profile = _backend(account_id, region_name).put_signing_profile(
            profile_name=name, platform_id=str(props["PlatformId"]),
            signature_validity_period={lower_first(k): v for k, v in validity.items()} if validity else None,
            signing_material={}, tags=tag_map(props.get("Tags")))
        return cls(profile.name, profile.arn, profile.profile_version, profile.profile_version_arn)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> SigningProfile:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        name = resource_name.rsplit("/", 1)[-1]
        if name in backend.signing_profiles:
            backend.cancel_signing_profile(name)  # Signer cancels a profile; it is never deleted
