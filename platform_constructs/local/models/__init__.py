"""CloudFormation models the emulator lacks, one module per AWS service family, backed by moto's own service
backends so that boto3 reads back what a deploy created.

moto's CloudFormation builds its type map at run time from the direct subclasses of ``CloudFormationModel``
(``moto/cloudformation/parsing.py``: ``get_model_list()``/``get_model_map()``, both ``lru_cache``d). The
emulator runs in this process, so :func:`register` imports the modules below (defining the subclasses) and
clears those caches; every deploy after it creates these types for real. A model whose type moto already
knows (SageMaker endpoints, Batch job queues, security groups) replaces moto's: the map keeps the last class
defined for a type, and :func:`register` checks that it is ours.

Where the emulator has no backend for a service at all, the type is in :data:`TEMPLATE_ONLY` with the reason:
its model creates nothing and only answers Ref/``Fn::GetAtt`` (so the resources that name it deploy), and the
deploy verification asserts its properties on the template.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

MODULES = ("autoscaling", "batch", "cdk", "cloudwatch", "codeartifact", "codebuild", "ec2", "ecr", "efs",
           "iam_policies", "logs", "s3", "sagemaker", "sagemaker_monitoring", "sagemaker_registry", "signer", "sns")
"""The family modules (``platform_constructs.local.models.<name>``)."""

TEMPLATE_ONLY: MappingProxyType[str, str] = MappingProxyType({
    "AWS::CodeArtifact::Domain": "the emulator has no CodeArtifact service (moto has no codeartifact backend)",
    "AWS::CodeArtifact::Repository": "the emulator has no CodeArtifact service (moto has no codeartifact backend)",
    "AWS::CodeArtifact::PackageGroup": "the emulator has no CodeArtifact service (moto has no codeartifact backend)",
    "AWS::ECR::SigningConfiguration": "the emulator's ECR has no managed signing (moto implements no "
                                      "PutSigningConfiguration)",
    "AWS::EC2::PlacementGroup": "the emulator's EC2 has no placement groups (moto implements neither "
                                "CreatePlacementGroup nor DescribePlacementGroups)",
    "AWS::CDK::Metadata": "not a service resource: CloudFormation only records the CDK's version metadata",
    "AWS::SageMaker::MonitoringSchedule": "the emulator's SageMaker has no monitoring schedules (moto implements "
                                          "neither CreateMonitoringSchedule nor DescribeMonitoringSchedule)",
})
"""Resource type -> why the emulator cannot create it; these are checked on the template only."""

_registered: list[type[Any]] = []


def model_classes() -> list[type[Any]]:
    """Every model class defined in :data:`MODULES` (imports them)."""
    from moto.core.common_models import CloudFormationModel

    classes: list[type[Any]] = []
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        classes += [value for value in vars(module).values()
                    if isinstance(value, type) and CloudFormationModel in value.__bases__
                    and value.__module__ == module.__name__]
    return classes


def register() -> list[type[Any]]:
    """Make the emulator's CloudFormation use these models (idempotent); returns them."""
    if _registered:
        return list(_registered)
    from moto.cloudformation import parsing

    from platform_constructs.local.models import batch_jobs

    batch_jobs.install()  # the API rules moto's Batch does not apply (SubmitJob's shareIdentifier)

    classes = model_classes()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    model_map = parsing.get_model_map()
    shadowed = [c.CFN_TYPE for c in classes if model_map.get(c.CFN_TYPE) is not c]
    if shadowed:
        raise RuntimeError(f"emulator models not in moto's CloudFormation type map: {shadowed}")
    from platform_constructs.local.models.updates import install

    install()  # an update reaches what depends on a replaced resource
    _registered.extend(classes)
    return list(_registered)


def modelled_types() -> frozenset[str]:
    """Every resource type the emulator's CloudFormation has a model for (after :func:`register`)."""
    from moto.cloudformation import parsing

    register()
    return frozenset(parsing.get_model_map())


def unmodelled(resource_types: Iterable[str]) -> list[str]:
    """The types among ``resource_types`` the emulator has no model for (custom resources excepted: the
    template adapter removes them)."""
    known = modelled_types()
    return sorted({t for t in resource_types if t not in known and not t.startswith("Custom::")
                   and t != "AWS::CloudFormation::CustomResource"})
