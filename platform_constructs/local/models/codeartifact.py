"""CodeArtifact domains and repositories: the emulator has no CodeArtifact service (moto has no ``codeartifact``
backend), so these models create nothing. They answer Ref and ``Fn::GetAtt`` as CloudFormation does, so
that build projects and policies that name the domain or repository resolve; the types are in
:data:`platform_constructs.local.models.TEMPLATE_ONLY` and their properties are asserted on the template.

* ``AWS::CodeArtifact::Domain``: Ref and ``Arn`` ``arn:aws:codeartifact:REGION:ACCOUNT:domain/NAME``; ``Name``,
  ``Owner`` (the account), ``EncryptionKey`` (the template's key).
* ``AWS::CodeArtifact::Repository``: Ref and ``Arn`` ``arn:aws:codeartifact:REGION:ACCOUNT:repository/DOMAIN/NAME``;
  ``Name``, ``DomainName``, ``DomainOwner``.
* ``AWS::CodeArtifact::PackageGroup``: Ref and ``Arn``
  ``arn:aws:codeartifact:REGION:ACCOUNT:package-group/DOMAIN/ENCODED-PATTERN`` (the pattern URL-encoded).

(Read-only properties from the types' registry schemas; ARN formats from the CodeArtifact resource types in
the Service Authorization Reference.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

from platform_constructs.local.models._base import Model, properties


class CodeArtifactDomain(Model, CloudFormationModel):
    CFN_TYPE = "AWS::CodeArtifact::Domain"
    ATTRIBUTES = ("Arn", "Name", "Owner", "EncryptionKey")

    def __init__(self, name: str, encryption_key: str, account_id: str, region_name: str) -> None:
        self.name = name
        self.encryption_key = encryption_key
        self.owner = account_id
        self.arn = f"arn:{get_partition(region_name)}:codeartifact:{region_name}:{account_id}:domain/{name}"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attributes(self) -> Mapping[str, Any]:
        return {"Arn": self.arn, "Name": self.name, "Owner": self.owner, "EncryptionKey": self.encryption_key}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> CodeArtifactDomain:
        props = properties(cloudformation_json)
        return cls(str(props["DomainName"]), str(props.get("EncryptionKey", "")), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> CodeArtifactDomain:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        """Nothing to delete: the emulator has no CodeArtifact."""


class CodeArtifactRepository(Model, CloudFormationModel):
    CFN_TYPE = "AWS::CodeArtifact::Repository"
    ATTRIBUTES = ("Arn", "Name", "DomainName", "DomainOwner")

    def __init__(self, name: str, domain: str, account_id: str, region_name: str) -> None:
        self.name = name
        self.domain = domain
        self.owner = account_id
        self.arn = (f"arn:{get_partition(region_name)}:codeartifact:{region_name}:{account_id}:"
                    f"repository/{domain}/{name}")

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attributes(self) -> Mapping[str, Any]:
        return {"Arn": self.arn, "Name": self.name, "DomainName": self.domain, "DomainOwner": self.owner}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str,
                                        **kwargs: Any) -> CodeArtifactRepository:
        props = properties(cloudformation_json)
        return cls(str(props["RepositoryName"]), str(props["DomainName"]), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> CodeArtifactRepository:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        """Nothing to delete: the emulator has no CodeArtifact."""


class CodeArtifactPackageGroup(Model, CloudFormationModel):
    CFN_TYPE = "AWS::CodeArtifact::PackageGroup"
    ATTRIBUTES = ("Arn",)

    def __init__(self, domain: str, pattern: str, account_id: str, region_name: str) -> None:
        from urllib.parse import quote

        self.arn = (f"arn:{get_partition(region_name)}:codeartifact:{region_name}:{account_id}:"
                    f"package-group/{domain}{quote(pattern, safe='')}")

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attributes(self) -> Mapping[str, Any]:
        return {"Arn": self.arn}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str,
                                        **kwargs: Any) -> CodeArtifactPackageGroup:
        props = properties(cloudformation_json)
        return cls(str(props["DomainName"]), str(props["Pattern"]), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> CodeArtifactPackageGroup:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        """Nothing to delete: the emulator has no CodeArtifact."""
