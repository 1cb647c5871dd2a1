"""Approved container images, the CDK side: which image a construct uses when the caller names none, whether a
caller-supplied image is approved, and the repository ARNs a role may pull.

Resolution order for defaults (:func:`default_image`): a ``GoldenImagePipeline`` in the same app (its approved
image for the purpose; the most recently created pipeline serving the purpose wins), else — when the app sets
``-c golden_images=true`` — the approved image a pipeline deployed in the account published to SSM
(``{images.ssm_prefix}/default/{purpose}``, read by CloudFormation at deploy time, so synth stays offline), else
the policy's approved image for the purpose, its ``{region}`` / ``{account}`` placeholders replaced by the stack's
region and account (:func:`platform_constructs.images.uri.fill_placeholders`).

Every default is a deploy-time value (a CDK token: the stack's region, or an SSM dynamic reference) chosen by the
platform, so its callers use it as it is. A caller's own image is checked with :func:`is_approved_image`, which
accepts only literal references (:func:`platform_constructs.images.uri.is_approved`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aws_cdk import CfnDynamicReference, CfnDynamicReferenceService, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs.core import PlatformContext
from platform_constructs.images import uri
from platform_constructs.images.settings import PURPOSES, Purpose

__all__ = [
    "GOLDEN_IMAGES_CONTEXT_KEY",
    "PURPOSES",
    "Purpose",
    "approved_repository_arns",
    "default_image",
    "default_image_parameter",
    "image_repository_arn",
    "is_approved_image",
    "policy_image",
    "publish_default_parameters",
    "published_image",
    "register_pipeline_resolver",
]

GOLDEN_IMAGES_CONTEXT_KEY = "golden_images"
"""CDK context key: ``true`` makes defaults come from the golden images published in the account's SSM."""


def default_image_parameter(scope: Construct, purpose: str) -> str:
    """The SSM parameter where the account's golden-image pipeline publishes its default for ``purpose``."""
    return f"{PlatformContext.of(scope).policy.images.ssm_prefix}/default/{purpose}"


def published_image(parameter_name: str) -> str:
    """A deploy-time reference (``{{resolve:ssm:...}}``) to an image URI published in SSM."""
    return CfnDynamicReference(CfnDynamicReferenceService.SSM, parameter_name).to_string()


def register_pipeline_resolver(scope: Construct, resolver: Callable[[str], str | None]) -> tuple[str, ...]:
    """Called by a GoldenImagePipeline so constructs created after it in the app default to its approved images.

    An earlier pipeline's resolver stays behind it for the purposes this one does not serve. Returns the purposes
    both serve, which from now on default to this pipeline's images (the caller warns about them).
    """
    context = PlatformContext.of(scope)
    previous = context.image_resolver
    if previous is None:
        context.image_resolver = resolver
        return ()

    def chained(purpose: str) -> str | None:
        mine = resolver(purpose)
        return mine if mine is not None else previous(purpose)

    context.image_resolver = chained
    return tuple(p for p in PURPOSES if resolver(p) is not None and previous(p) is not None)


def default_image(scope: Construct, purpose: Purpose) -> str:
    """The approved image URI for ``purpose``: the app's golden pipeline's, else the published golden image
    (opt-in, ``-c golden_images=true``), else the policy's. Always a deploy-time value (see the module doc)."""
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
    stack = Stack.of(scope)
    return uri.fill_placeholders(getattr(policy.images, purpose), account=stack.account, region=stack.region)


def publish_default_parameters(scope: Construct, *, served: Sequence[str]) -> dict[str, ssm.StringParameter]:
    """The account's default-image parameters (``Default<Purpose>Image`` in ``scope``), each initially the policy's
    image. Returns those of the ``served`` purposes, whose value the pipeline's Level 1 build replaces on approval."""
    parameters: dict[str, ssm.StringParameter] = {}
    for purpose in PURPOSES:
        parameter = ssm.StringParameter(
            scope, f"Default{purpose.capitalize()}Image", parameter_name=default_image_parameter(scope, purpose),
            string_value=policy_image(scope, purpose),
            description=f"Platform default {purpose} image (the policy's until a golden runtime is approved)")
        if purpose in served:
            parameters[purpose] = parameter
    return parameters


def is_approved_image(scope: Construct, image: object) -> bool:
    """True when ``image`` is a literal image URI under one of the policy's approved registry prefixes
    (:func:`platform_constructs.images.uri.is_approved`, the rule every construct shares). A CDK token anywhere in
    it (a value known only at deploy time) or a ``{account}``/``{region}`` placeholder makes it not literal: it is
    refused, since synth cannot tell which image would be pulled."""
    return uri.is_approved(image, PlatformContext.of(scope).policy.approved_registries)


def image_repository_arn(scope: Construct, image: str) -> str | None:
    """The ECR repository ARN of ``image`` in ``scope``'s stack: ``None`` when the image is not an ECR image or its
    registry or repository is not readable at synth (a whole deploy-time value such as an SSM reference); a
    deploy-time account or region (the stack's, in a default image) stays in the ARN as a token."""
    stack = Stack.of(scope)
    return uri.repository_arn(image, partition=stack.partition, account=stack.account, region=stack.region)


def approved_repository_arns(scope: Construct) -> list[str]:
    """ECR repository ARNs covering the policy's approved registry prefixes (``.../repository/<path>*``): what a
    role may pull when its image is not known at synth. ``{account}``/``{region}`` become the stack's values."""
    stack = Stack.of(scope)
    return uri.approved_repository_arn_patterns(PlatformContext.of(scope).policy.approved_registries,
                                                partition=stack.partition, account=stack.account,
                                                region=stack.region)
