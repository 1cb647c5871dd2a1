"""The registry-wide settings a platform owns once per account and region: enhanced scanning and managed signing of
the platform's repositories (``registry_settings=True`` on exactly one pipeline).

* **Scanning.** ``AWS::ECR::RegistryScanningConfiguration`` is "the scanning configuration for a private registry"
  (AWS CloudFormation Template Reference): one per account and region. The platform's configuration scans only the
  ``platform/`` repositories, continuously, with Amazon Inspector (enhanced scanning), so it bills Inspector for
  no other team's repository; with enhanced scanning, repositories no rule matches are not scanned by the registry.
* **Signing.** Amazon ECR managed signing "automatically signs your container images ... using AWS Signer when
  images are pushed", per the registry's signing configuration (Amazon ECR User Guide, "Managed signing"). The
  platform's rule signs every image pushed to ``platform/`` with its Notation signing profile
  (``Notation-OCI-SHA384-ECDSA``), using the pushing identity, so each build role is granted ``signer:SignPayload``
  on the profile. ECR calls Signer itself: the builds need no route to AWS Signer, which the isolated network does
  not provide, and no signing tool in the build image.

The signing profile has a fixed name (the policy's ``images.signing_profile``), so every pipeline's roles can name
its ARN whichever pipeline owns the registry settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_signer as signer
from constructs import Construct

from platform_constructs.policy import SIGNED_REPOSITORY_PREFIX

PLATFORM_REPOSITORIES = f"{SIGNED_REPOSITORY_PREFIX}*"
NOTATION_PLATFORM = "Notation-OCI-SHA384-ECDSA"
"""AWS Signer's signing platform for container images (AWS Signer Developer Guide, "Signing container images")."""


def signing_profile_arn(stack: Stack, profile_name: str) -> str:
    """The ARN of the platform's signing profile (``arn:...:signer:<region>:<account>:/signing-profiles/<name>``)."""
    return f"arn:{stack.partition}:signer:{stack.region}:{stack.account}:/signing-profiles/{profile_name}"


@dataclass(frozen=True)
class RegistrySettings:
    scanning: ecr.CfnRegistryScanningConfiguration
    profile: signer.CfnSigningProfile
    signing: ecr.CfnSigningConfiguration


def registry_settings(scope: Construct, *, profile_name: str) -> RegistrySettings:
    """The registry's scanning and signing configurations and the signing profile they sign with."""
    rule = ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty
    repositories = ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty
    scanning = ecr.CfnRegistryScanningConfiguration(scope, "RegistryScanning", scan_type="ENHANCED", rules=[
        rule(scan_frequency="CONTINUOUS_SCAN",
             repository_filters=[repositories(filter=PLATFORM_REPOSITORIES, filter_type="WILDCARD")]),
    ])
    profile = signer.CfnSigningProfile(scope, "SigningProfile", profile_name=profile_name,
                                       platform_id=NOTATION_PLATFORM)
    signing = ecr.CfnSigningConfiguration(scope, "RegistrySigning", rules=[
        ecr.CfnSigningConfiguration.RuleProperty(
            signing_profile_arn=profile.attr_arn,
            repository_filters=[ecr.CfnSigningConfiguration.RepositoryFilterProperty(
                filter=PLATFORM_REPOSITORIES, filter_type="WILDCARD_MATCH")]),
    ])
    return RegistrySettings(scanning=scanning, profile=profile, signing=signing)
