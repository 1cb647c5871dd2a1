"""The registry's scanning configuration (``enhanced_scanning``): continuous enhanced (Amazon Inspector) scanning
of the platform's repositories, scan on push for every other repository of the registry.

``AWS::ECR::RegistryScanningConfiguration`` is "the scanning configuration for a private registry" (AWS
CloudFormation Template Reference): one per account and region, so the pipeline warns about it
(:data:`~platform_constructs.images.settings.WARNING_REGISTRY_SCANNING`).
"""

from __future__ import annotations

from aws_cdk import aws_ecr as ecr
from constructs import Construct

PLATFORM_REPOSITORIES = "platform/*"


def registry_scanning(scope: Construct) -> ecr.CfnRegistryScanningConfiguration:
    rule = ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty
    repositories = ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty
    return ecr.CfnRegistryScanningConfiguration(scope, "RegistryScanning", scan_type="ENHANCED", rules=[
        rule(scan_frequency="CONTINUOUS_SCAN",
             repository_filters=[repositories(filter=PLATFORM_REPOSITORIES, filter_type="WILDCARD")]),
        rule(scan_frequency="SCAN_ON_PUSH", repository_filters=[repositories(filter="*", filter_type="WILDCARD")]),
    ])
