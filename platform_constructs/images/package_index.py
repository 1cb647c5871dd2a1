"""The package index of the builds: a CodeArtifact domain (encrypted with the pipeline's key) and one repository
whose only upstream is PyPI, restricted to the packages the policy allows.

The restriction is CodeArtifact's package origin controls (CodeArtifact User Guide, "Package group origin
controls" and "Package group definition syntax and matching behavior"): a package group for every PyPI package
(``/pypi/*``) blocks ingestion from the external upstream, and one package group per allowed package
(``/pypi//<name>$``, an exact name; a more specific group takes precedence) allows it. So the repository serves
nothing from PyPI but ``images.allowed_packages``, whatever a build asks for; the lock files are checked against
the same list at synth (:mod:`.dependencies`), and pip installs them with ``--require-hashes``. Levels 1 and 2
install from it through its VPC endpoints; Level 0 installs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_codeartifact as codeartifact
from aws_cdk import aws_kms as kms
from constructs import Construct

from platform_constructs.images.dependencies import normalize

PYPI_CONNECTION = "public:pypi"
"""CodeArtifact's external connection to PyPI."""
ALL_PYPI = "/pypi/*"


@dataclass(frozen=True)
class PackageIndex:
    domain: codeartifact.CfnDomain
    repository: codeartifact.CfnRepository
    groups: tuple[codeartifact.CfnPackageGroup, ...]
    """The ``/pypi/*`` group that blocks PyPI, then one group per allowed package."""

    @property
    def build_environment(self) -> dict[str, str]:
        """What ``build.sh`` needs to ask CodeArtifact for a token and the repository's endpoint."""
        return {"CODEARTIFACT_DOMAIN": self.domain.attr_name, "CODEARTIFACT_OWNER": self.domain.attr_owner,
                "CODEARTIFACT_REPOSITORY": self.repository.attr_name}


def package_pattern(name: str) -> str:
    """The package group pattern of exactly one PyPI package (PyPI has no namespace: an empty component)."""
    return f"/pypi//{normalize(name)}$"


def package_index(scope: Construct, *, name: str, key: kms.IKey, allowed_packages: Sequence[str]) -> PackageIndex:
    """The domain ``<name>-images``, its repository ``pypi`` and the origin controls of ``allowed_packages``."""
    domain = codeartifact.CfnDomain(scope, "PackageDomain", domain_name=f"{name}-images", encryption_key=key.key_arn)
    repository = codeartifact.CfnRepository(
        scope, "PackageRepository", domain_name=domain.attr_name, repository_name="pypi",
        description="PyPI through the platform: the only package index golden image builds use",
        external_connections=[PYPI_CONNECTION])
    restriction = codeartifact.CfnPackageGroup.RestrictionTypeProperty
    blocked = codeartifact.CfnPackageGroup(
        scope, "PackageGroupPypi", domain_name=domain.attr_name, pattern=ALL_PYPI,
        description="PyPI packages the policy does not allow: never ingested from the external connection",
        origin_configuration=codeartifact.CfnPackageGroup.OriginConfigurationProperty(
            restrictions=codeartifact.CfnPackageGroup.RestrictionsProperty(
                external_upstream=restriction(restriction_mode="BLOCK"),
                publish=restriction(restriction_mode="BLOCK"))))
    groups = [blocked]
    for package in sorted({normalize(p) for p in allowed_packages}):
        group = codeartifact.CfnPackageGroup(
            scope, f"AllowedPackage-{re.sub(r'[^A-Za-z0-9-]', '-', package)}", domain_name=domain.attr_name,
            pattern=package_pattern(package), description=f"{package}: allowed by images.allowed_packages",
            origin_configuration=codeartifact.CfnPackageGroup.OriginConfigurationProperty(
                restrictions=codeartifact.CfnPackageGroup.RestrictionsProperty(
                    external_upstream=restriction(restriction_mode="ALLOW_SPECIFIC_REPOSITORIES",
                                                  repositories=[repository.attr_name]),
                    publish=restriction(restriction_mode="BLOCK"))))
        groups.append(group)
    return PackageIndex(domain=domain, repository=repository, groups=tuple(groups))
