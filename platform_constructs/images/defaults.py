"""Approved container images: which image a construct uses when the caller names none, and whether a
caller-supplied image comes from an approved registry.

Resolution order for defaults (:func:`default_image`): a ``GoldenImagePipeline`` in the same app
(its approved image for the purpose), else — when the app sets ``-c golden_images=true`` — the approved
image a pipeline deployed in the account published to SSM (``{images.ssm_prefix}/default/{purpose}``,
read by CloudFormation at deploy time, so synth stays offline), else the policy's approved image for
the purpose. Policy images may contain ``{region}`` / ``{account}``, substituted with the stack's
(deploy-time) values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from aws_cdk import CfnDynamicReference, CfnDynamicReferenceService, Stack, Token
from constructs import Construct

from platform_constructs.core import PlatformContext
from platform_constructs.images import uri

Purpose = Literal["inference", "training", "batch"]
PURPOSES: tuple[Purpose, ...] = ("inference", "training", "batch")
GOLDEN_IMAGES_CONTEXT_KEY = "golden_images"
"""CDK context key: ``true`` makes defaults come from the golden images published in the account's SSM."""


def default_image_parameter(scope: Construct, purpose: str) -> str:
    """The SSM parameter where the account's golden-image pipeline publishes its default for ``purpose``."""
    return f"{PlatformContext.of(scope).policy.images.ssm_prefix}/default/{purpose}"


def published_image(parameter_name: str) -> str:
    """A deploy-time reference (``{{resolve:ssm:...}}``) to an image URI published in SSM."""
    return CfnDynamicReference(CfnDynamicReferenceService.SSM, parameter_name).to_string()


def register_pipeline_resolver(scope: Construct, resolver: Callable[[str], str | None]) -> None:
    """Called by a GoldenImagePipeline so other constructs in the app default to its approved images."""
    PlatformContext.of(scope).image_resolver = resolver


def _substitute(template: str, stack: Stack) -> str:
    return template.replace("{region}", stack.region).replace("{account}", stack.account)


def default_image(scope: Construct, purpose: Purpose) -> str:
    """The approved image URI for ``purpose``: the app's golden pipeline's, else the published golden image
    (opt-in, ``-c golden_images=true``), else the policy's."""
    resolver = PlatformContext.of(scope).image_resolver
    if resolver is not None:
        image = resolver(purpose)
        if image is not None:
            return image
    if str(scope.node.try_get_context(GOLDEN_IMAGES_CONTEXT_KEY)).lower() == "true":
        return published_image(default_image_parameter(scope, purpose))
    return policy_image(scope, purpose)


def policy_image(scope: Construct, purpose: str) -> str:
    """The policy's approved image for ``purpose`` with ``{region}``/``{account}`` of ``scope``'s stack."""
    policy = PlatformContext.of(scope).policy
    return _substitute(getattr(policy.images, purpose), Stack.of(scope))


def is_approved_image(scope: Construct, image: str) -> bool:
    """True when ``image`` (a literal URI) lives under one of the policy's approved registry prefixes
    (:func:`platform_constructs.images.uri.is_approved`). A token (a deploy-time value) is never approved:
    defaults produced by this module are trusted by their callers, not re-checked here."""
    if Token.is_unresolved(image):
        return False
    return uri.is_approved(image, PlatformContext.of(scope).policy.approved_registries)


def image_repository_arn(scope: Construct, image: str) -> str | None:
    """The ECR repository ARN of ``image`` in ``scope``'s stack (``None`` when the image is not an ECR image,
    or its repository is a deploy-time value)."""
    stack = Stack.of(scope)
    return uri.repository_arn(image, partition=stack.partition, account=stack.account, region=stack.region)


def approved_repository_arns(scope: Construct) -> list[str]:
    """ECR repository ARNs covering the policy's approved registry prefixes (``.../repository/<path>*``): what a
    role may pull when its image is not known at synth. ``{account}``/``{region}`` become the stack's values."""
    stack = Stack.of(scope)
    return uri.approved_repository_arn_patterns(PlatformContext.of(scope).policy.approved_registries,
                                                partition=stack.partition, account=stack.account,
                                                region=stack.region)
