"""platform-constructs: secure-by-default AWS CDK constructs for ML infrastructure.

Data scientists instantiate the L3 constructs in a plain ``App``/``Stack``; the organisation's policy
(``policies/platform.yaml``) and the compliance gate (cdk-nag packs + the platform rule pack) apply
automatically.
"""

from platform_constructs.batch import BatchComputeEnv
from platform_constructs.endpoint import ModelVariant, SecureModelEndpoint
from platform_constructs.errors import PlatformValidationError, PolicyError
from platform_constructs.golden_image import GoldenImagePipeline
from platform_constructs.gpu_training import GpuTrainingCluster
from platform_constructs.network import NetworkRef, PlatformNetwork
from platform_constructs.policy import Policy, load_policy

__version__ = "0.1.0"

__all__ = [
    "BatchComputeEnv",
    "GoldenImagePipeline",
    "GpuTrainingCluster",
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
