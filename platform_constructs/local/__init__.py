"""Local deploys: the example app (or a data scientist's app) deployed with the real CDK CLI into an embedded
AWS emulator, then verified with boto3.

This package is the only place that knows about the emulator. The constructs never do: the resource types
the emulator's CloudFormation lacks get models backed by its own service backends
(:mod:`platform_constructs.local.models`), and its remaining quirks are handled by the template adapter
(:mod:`platform_constructs.local.adapter`), on copies of the synthesized templates, for the local target only.

Needs the ``local`` extra (``pip install 'platform-constructs[local]'``: boto3 and the emulator).
"""

from platform_constructs.local.adapter import AdaptedAssembly, Change, adapt_assembly, adapt_template
from platform_constructs.local.deploy import DeployResult, LocalDeployError, LocalTarget, deploy_local, summary
from platform_constructs.local.emulator import Emulator
from platform_constructs.local.verify import Check, verify_stack

__all__ = [
    "AdaptedAssembly",
    "Change",
    "Check",
    "DeployResult",
    "Emulator",
    "LocalDeployError",
    "LocalTarget",
    "adapt_assembly",
    "adapt_template",
    "deploy_local",
    "summary",
    "verify_stack",
]
