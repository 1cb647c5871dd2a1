"""The package index of the builds: a CodeArtifact domain (encrypted with the pipeline's key) and one repository
whose only upstream is PyPI. Levels 1 and 2 install from it through its VPC endpoints; Level 0 installs nothing."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_codeartifact as codeartifact
from aws_cdk import aws_kms as kms
from constructs import Construct

PYPI_CONNECTION = "public:pypi"
"""CodeArtifact's external connection to PyPI."""


@dataclass(frozen=True)
class PackageIndex:
    domain: codeartifact.CfnDomain
    repository: codeartifact.CfnRepository

    @property
    def build_environment(self) -> dict[str, str]:
        """What ``build.sh`` needs to ask CodeArtifact for a token and the repository's endpoint."""
        return {"CODEARTIFACT_DOMAIN": self.domain.attr_name, "CODEARTIFACT_OWNER": self.domain.attr_owner,
                "CODEARTIFACT_REPOSITORY": self.repository.attr_name}


def package_index(scope: Construct, *, name: str, key: kms.IKey) -> PackageIndex:
    """The domain ``<name>-images`` and its repository ``pypi``."""
    domain = codeartifact.CfnDomain(scope, "PackageDomain", domain_name=f"{name}-images", encryption_key=key.key_arn)
    repository = codeartifact.CfnRepository(
        scope, "PackageRepository", domain_name=domain.attr_name, repository_name="pypi",
        description="PyPI through the platform: the only package index golden image builds use",
        external_connections=[PYPI_CONNECTION])
    return PackageIndex(domain=domain, repository=repository)
