"""Which approved inference image serves a variant: the framework's image for its instance type's processor kind.

Pure (no ``aws_cdk``). ``SecureModelEndpoint(framework="sklearn")`` picks the policy's ``images.frameworks.sklearn``
image for CPU or GPU from the variant's instance type (serverless endpoints run on CPU). The images are URI
templates: ``{framework_account}`` is the account that hosts the framework's registry family in the stack's region
(``registries.framework_accounts``), ``{region}`` the stack's region; the construct fills them in. An image given
as ``image=`` is approved when it lives under ``registries.approved`` or in one of those framework registries.
"""

from __future__ import annotations

from typing import Literal

from platform_constructs import catalog
from platform_constructs.images import uri
from platform_constructs.policy import Policy
from platform_constructs.policy_serving import FRAMEWORK_ACCOUNT

Framework = Literal["pytorch", "tensorflow", "sklearn", "xgboost"]
FRAMEWORKS: tuple[str, ...] = ("pytorch", "tensorflow", "sklearn", "xgboost")
DEFAULT_FRAMEWORK: Framework = "pytorch"
"""What an endpoint given neither ``framework`` nor ``image`` serves (unless the app has golden images)."""
ProcessorKind = Literal["cpu", "gpu"]


def processor_kind(instance_type: str | None) -> ProcessorKind:
    """``gpu`` for instance types with GPUs (platform catalog), else ``cpu`` (serverless: ``None``, CPU only)."""
    spec = catalog.sagemaker(instance_type) if instance_type is not None else None
    return "gpu" if spec is not None and spec.gpu else "cpu"


def framework_image(policy: Policy, framework: str, kind: ProcessorKind) -> str | None:
    """The policy's image template of ``framework`` for ``kind``; ``None`` when the policy has none."""
    images = policy.images.frameworks.get(framework)
    if images is None:
        return None
    return images.cpu if kind == "cpu" else images.gpu


def registry_family(policy: Policy, framework: str) -> str | None:
    images = policy.images.frameworks.get(framework)
    return images.registry if images is not None else None


def needs_framework_account(image: str) -> bool:
    return FRAMEWORK_ACCOUNT in image


def render(template: str, *, framework_account: str) -> str:
    """``template`` with its ``{framework_account}`` filled in (``{region}`` stays for the caller)."""
    return template.replace(FRAMEWORK_ACCOUNT, framework_account)


def in_framework_registry(image: str, policy: Policy) -> bool:
    """``image`` is an ECR image of an account that hosts framework images in the image's own region."""
    parsed = uri.parse_image_uri(image)
    if parsed is None or parsed.account is None or parsed.region is None:
        return False
    return any(accounts.get(parsed.region) == parsed.account for accounts in policy.framework_accounts.values())
