"""platform-constructs: secure-by-default AWS CDK constructs for ML infrastructure.

Data scientists instantiate the L3 constructs in a plain ``App``/``Stack``; the organisation's policy
(``policies/platform.yaml``) and the compliance gate (cdk-nag packs + the platform rule pack) apply
automatically.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from platform_constructs.errors import PlatformValidationError, PolicyError
from platform_constructs.policy import Policy, load_policy

if TYPE_CHECKING:
    from platform_constructs.compute.batch import BatchComputeEnv
    from platform_constructs.compute.training import GpuTrainingCluster
    from platform_constructs.images.pipeline import GoldenImagePipeline
    from platform_constructs.network import NetworkRef, PlatformNetwork
    from platform_constructs.serving.endpoint import ModelVariant, SecureModelEndpoint
    from platform_constructs.serving.monitoring_settings import DataQualityMonitoring, ModelQualityMonitoring
    from platform_constructs.serving.registry import ModelRegistry
    from platform_constructs.serving.registry_settings import ApprovedModelPackage

__version__ = "0.1.0"

# The constructs import aws_cdk, which starts a Node process: they load on first use, so tools that need
# only the policy or the rule pack (platform-check, platform new) start in a fraction of a second.
_LAZY = {
    "ApprovedModelPackage": "platform_constructs.serving.registry_settings",
    "BatchComputeEnv": "platform_constructs.compute.batch",
    "DataQualityMonitoring": "platform_constructs.serving.monitoring_settings",
    "GoldenImagePipeline": "platform_constructs.images.pipeline",
    "GpuTrainingCluster": "platform_constructs.compute.training",
    "ModelQualityMonitoring": "platform_constructs.serving.monitoring_settings",
    "ModelRegistry": "platform_constructs.serving.registry",
    "ModelVariant": "platform_constructs.serving.endpoint",
    "NetworkRef": "platform_constructs.network",
    "PlatformNetwork": "platform_constructs.network",
    "SecureModelEndpoint": "platform_constructs.serving.endpoint",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'platform_constructs' has no attribute {name!r}")


__all__ = [
    "ApprovedModelPackage",
    "BatchComputeEnv",
    "DataQualityMonitoring",
    "GoldenImagePipeline",
    "GpuTrainingCluster",
    "ModelQualityMonitoring",
    "ModelRegistry",
    "ModelVariant",
    "NetworkRef",
    "PlatformNetwork",
    "PlatformValidationError",
    "Policy",
    "PolicyError",
    "SecureModelEndpoint",
    "__version__",
    "load_policy",
]
