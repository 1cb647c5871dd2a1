"""Approved container images, the CDK side: which image a construct uses when the caller names none, whether a
caller-supplied image is approved, and the repository ARNs a role may pull.

Which image (:func:`default_image`): the consumer's purpose (``inference``, ``training``, ``batch``) and the CPU/GPU
kind of its instance type choose a lineage (:func:`~platform_constructs.images.lineages.lineage_for`: an endpoint
on ``ml.m5.xlarge`` gets the CPU inference image, a training job on ``g5.xlarge`` the GPU training image). Then, in
order: a ``GoldenImagePipeline`` in the same app that builds that lineage (its approved image; the most recently
created pipeline serving the purpose wins), else — when the app sets ``-c golden_images=true`` or the policy sets
``images.require_signed_images`` — the approved image a pipeline deployed in the account published to SSM
(``{images.ssm_prefix}/default/<lineage>``, read by CloudFormation at deploy time, so synth stays offline), else
the policy's image for the lineage, its ``{region}`` / ``{account}`` placeholders replaced by the stack's region and
account (:func:`platform_constructs.images.uri.fill_placeholders`).

Every default is a deploy-time value (a CDK token: the stack's region, or an SSM dynamic reference) chosen by the
platform, so its callers use it as it is. A golden image is published by digest (``repository@sha256:...``), so a
consumer stack resolves one digest when it deploys and keeps it until it is deployed again. A caller's own image is
checked with :func:`is_approved_image` / :func:`image_problem`, which accept only literal references pinned by
digest, in the deploying account or an account the policy allows (:func:`platform_constructs.images.uri.image_problem`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aws_cdk import CfnDynamicReference, CfnDynamicReferenceService, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs import catalog
from platform_constructs.core import PlatformContext
from platform_constructs.images import uri
from platform_constructs.images.lineages import LINEAGES, Accelerator, Lineage, lineage_for
from platform_constructs.images.parameters import build_owned_parameter
from platform_constructs.images.settings import PURPOSES, Purpose

__all__ = [
    "GOLDEN_IMAGES_CONTEXT_KEY",
    "PURPOSES",
    "Purpose",
    "accelerator_of",
    "approved_repository_arns",
    "default_image",
    "default_image_parameter",
    "default_parameter_name",
    "image_accounts",
    "image_problem",
    "image_repository_arn",
    "is_approved_image",
    "policy_image",
    "publish_default_parameters",
    "published_image",
    "register_pipeline_resolver",
]

GOLDEN_IMAGES_CONTEXT_KEY = "golden_images"
"""CDK context key: ``true`` makes defaults come from the golden images published in the account's SSM."""


def default_image_parameter(scope: Construct, purpose: str, *, accelerator: Accelerator | None = None) -> str:
    """The SSM parameter where the account's golden-image pipeline publishes its default for ``purpose`` on
    ``accelerator`` hardware: ``{images.ssm_prefix}/default/{inference,inference-cpu,training,batch}``."""
    return default_parameter_name(scope, lineage_for(purpose, accelerator))


def default_parameter_name(scope: Construct, lineage: Lineage) -> str:
    """``{images.ssm_prefix}/default/<lineage's default>``: the account default-image parameter of ``lineage``."""
    return f"{PlatformContext.of(scope).policy.images.ssm_prefix}/default/{lineage.default_parameter}"


def published_image(parameter_name: str) -> str:
    """A deploy-time reference (``{{resolve:ssm:...}}``) to an image URI published in SSM."""
    return CfnDynamicReference(CfnDynamicReferenceService.SSM, parameter_name).to_string()


def register_pipeline_resolver(scope: Construct, resolver: Callable[[str], str | None]) -> tuple[str, ...]:
    """Called by a GoldenImagePipeline so constructs created after it in the app default to its approved images.

    ``resolver`` maps a lineage key (``training-gpu``, ``inference-cpu``, ...) to the pipeline's approved image of
    that lineage, or ``None``. An earlier pipeline's resolver stays behind it for the lineages this one does not
    serve. Returns the lineages both serve, which from now on default to this pipeline's images (the caller warns).
    """
    context = PlatformContext.of(scope)
    previous = context.image_resolver
    if previous is None:
        context.image_resolver = resolver
        return ()

    def chained(key: str) -> str | None:
        mine = resolver(key)
        return mine if mine is not None else previous(key)

    context.image_resolver = chained
    return tuple(lineage.key for lineage in LINEAGES
                 if resolver(lineage.key) is not None and previous(lineage.key) is not None)


def accelerator_of(instance_type: object) -> Accelerator | None:
    """``gpu`` or ``cpu`` for an instance type the catalog knows (SageMaker ``ml.*`` or EC2), else ``None``."""
    if not isinstance(instance_type, str):
        return None
    spec = catalog.sagemaker(instance_type) if instance_type.startswith("ml.") else catalog.ec2(instance_type)
    if spec is None:
        return None
    return "gpu" if spec.gpus > 0 else "cpu"


def default_image(scope: Construct, purpose: Purpose, *, instance_type: str | None = None,
                  accelerator: Accelerator | None = None) -> str:
    """The approved image URI for ``purpose`` on ``instance_type`` (its CPU/GPU kind; or ``accelerator``): the
    app's golden pipeline's, else the published golden image (``-c golden_images=true``, or the policy's
    ``images.require_signed_images``), else the policy's. Without either, the purpose's own kind (GPU for
    inference and training, CPU for batch). Always a deploy-time value (see the module doc)."""
    kind = accelerator or accelerator_of(instance_type)
    lineage = lineage_for(purpose, kind)
    resolver = PlatformContext.of(scope).image_resolver
    if resolver is not None:
        image = resolver(lineage.key)
        if image is not None:
            return image
    policy = PlatformContext.of(scope).policy
    if policy.images.require_signed_images or \
            str(scope.node.try_get_context(GOLDEN_IMAGES_CONTEXT_KEY)).lower() == "true":
        return published_image(default_parameter_name(scope, lineage))
    return policy_image(scope, purpose, accelerator=kind)


def policy_image(scope: Construct, purpose: str, *, accelerator: Accelerator | None = None) -> str:
    """The policy's image for ``purpose`` on ``accelerator`` hardware, with ``{region}``/``{account}`` of ``scope``'s
    stack (by digest only when the policy pins one). ``images.inference_cpu`` falls back to ``images.inference``."""
    policy = PlatformContext.of(scope).policy
    lineage = lineage_for(purpose, accelerator)
    template = getattr(policy.images, lineage.policy_field) or policy.images.inference
    return fill_stack(scope, template)


def fill_stack(scope: Construct, template: str) -> str:
    """One of the policy's image templates in ``scope``'s stack: placeholders filled, and ``repo@digest`` (the
    tag dropped) when it is pinned by digest."""
    stack = Stack.of(scope)
    parsed = uri.parse_image_uri(template)
    reference = parsed.by_digest if parsed is not None else template
    return uri.fill_placeholders(reference, account=stack.account, region=stack.region)


def publish_default_parameters(scope: Construct, *, lineages: Sequence[Lineage],
                               served: Sequence[str]) -> dict[str, ssm.StringParameter]:
    """The account's default-image parameters of the ``lineages`` serving one of the ``served`` purposes, keyed by
    lineage: build-owned (:func:`~platform_constructs.images.parameters.build_owned_parameter`), written by the
    lineage's Level 1 build on approval. Construct ids ``Default<Inference|InferenceCpu|Training|Batch>Image``."""
    parameters: dict[str, ssm.StringParameter] = {}
    for lineage in lineages:
        if not any(p in served for p in (("inference",) if lineage.inference else ("training", "batch"))):
            continue
        title = "".join(part.capitalize() for part in lineage.default_parameter.split("-"))
        parameters[lineage.key] = build_owned_parameter(
            scope, f"Default{title}Image", name=default_parameter_name(scope, lineage),
            description=f"Platform default {lineage.key} image, written by its golden-image runtime build")
    return parameters


def image_accounts(scope: Construct) -> tuple[str, ...]:
    """The accounts ``{account}`` in the approved registries stands for in ``scope``'s stack: the stack's account
    when it is known at synth, and the policy's ``registries.accounts``."""
    account = uri.literal_account(Stack.of(scope).account)
    return (*PlatformContext.of(scope).policy.image_accounts, *([account] if account else []))


def image_problem(scope: Construct, image: object) -> uri.ImageProblem | None:
    """Why ``image`` is not approved in ``scope``'s stack (what is allowed, and the fix), or ``None``."""
    return uri.image_problem(image, PlatformContext.of(scope).policy.approved_registries,
                             accounts=image_accounts(scope))


def is_approved_image(scope: Construct, image: object) -> bool:
    """True when ``image`` is a literal image URI pinned by digest under one of the policy's approved registry
    prefixes, ``{account}`` being the stack's account or one the policy allows (:func:`image_problem`, the rule
    every construct shares). A CDK token anywhere in it or a ``{account}``/``{region}`` placeholder makes it not
    literal: it is refused, since synth cannot tell which image would be pulled."""
    return image_problem(scope, image) is None


def image_repository_arn(scope: Construct, image: str) -> str | None:
    """The ECR repository ARN of ``image`` in ``scope``'s stack: ``None`` when the image is not an ECR image or its
    registry or repository is not readable at synth (a whole deploy-time value such as an SSM reference); a
    deploy-time account or region (the stack's, in a default image) stays in the ARN as a token."""
    stack = Stack.of(scope)
    return uri.repository_arn(image, partition=stack.partition, account=stack.account, region=stack.region)


def approved_repository_arns(scope: Construct) -> list[str]:
    """ECR repository ARNs covering the policy's approved registry prefixes (``.../repository/<path>*``): what a
    role may pull when its image is not known at synth. ``{account}`` becomes the stack's account and each of the
    policy's ``registries.accounts`` (never any other account); ``{region}`` the stack's region."""
    stack = Stack.of(scope)
    policy = PlatformContext.of(scope).policy
    return uri.approved_repository_arn_patterns(policy.approved_registries, partition=stack.partition,
                                                account=stack.account, region=stack.region,
                                                accounts=policy.image_accounts)
