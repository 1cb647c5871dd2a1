"""The endpoint's production variants: :class:`ModelVariant` and the checks of each (pure: no ``aws_cdk``)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from platform_constructs import catalog
from platform_constructs.errors import Problems
from platform_constructs.images import uri
from platform_constructs.policy import EnvironmentPolicy, Policy

PRIMARY_VARIANT = "Primary"
"""Name of the variant built from ``model_data_url`` / ``instance_type`` / ``image``."""
DEFAULT_PRIMARY_WEIGHT = 1.0
MAX_NAME_LENGTH = 63
"""SageMaker's limit for endpoint and variant names."""
MAX_VARIANTS = 10
"""SageMaker's limit of production variants per endpoint configuration."""
MAX_URL_LENGTH = 1024
"""SageMaker's limit for a container's ``ModelDataUrl``."""

NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
"""SageMaker endpoint and variant names. A CDK token's string form (``${Token[...]}``) never matches."""
_S3_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>[^*?]*[^/*?])$")
_TOKEN = re.compile(r"[$#]\{Token\[")
"""The string form of a CDK token (a value known only at deploy time)."""


@dataclass(frozen=True)
class ModelVariant:
    """An additional production variant (A/B test, challenger model) beside the primary one.

    :param name: variant name, 1-63 letters, digits and hyphens; unique within the endpoint.
    :param model_data_url: ``s3://bucket/key`` of the variant's model artifact.
    :param weight: relative traffic weight. Default: ``1.0`` (the primary's weight is ``primary_weight``).
    :param instance_type: SageMaker instance type. Default: the endpoint's ``instance_type``.
    :param image: inference image from an approved registry. Default: the endpoint's ``image``.

    In :attr:`EndpointSettings.variants` every field is resolved: the primary variant is the first, and
    ``instance_type`` is ``None`` only in serverless mode (SageMaker chooses the compute).
    """

    name: str
    model_data_url: str
    weight: float = 1.0
    instance_type: str | None = None
    image: str | None = None


def artifact_object(model_data_url: str) -> str:
    """``bucket/key`` of a validated ``s3://bucket/key`` model artifact URL."""
    match = _S3_URL.match(model_data_url)
    assert match is not None  # validated before any resource is created
    return f"{match['bucket']}/{match['key']}"


def resolve_variants(policy: Policy, env: EnvironmentPolicy, problems: Problems, *, serverless: bool,
                     model_data_url: str, instance_type: str | None, image: str | None,
                     variants: Sequence[ModelVariant], primary_weight: float,
                     default_image: str) -> tuple[ModelVariant, ...]:
    """The primary variant and the additional ones, each checked and with the endpoint's defaults applied."""
    check = problems.check
    if not isinstance(variants, (list, tuple)):
        problems.add("variants", variants, "a list of ModelVariant",
                     "pass variants=[ModelVariant(name=..., model_data_url=..., weight=...)], or leave it unset")
        variants = ()
    if serverless:
        check(instance_type is None, "instance_type", instance_type,
              "no instance type in serverless mode (SageMaker chooses the compute)",
              "remove instance_type, or pass mode='realtime'")
        check(not variants, "variants", [getattr(v, "name", v) for v in variants],
              "no additional variants in serverless mode (SageMaker supports one serverless variant)",
              "remove variants, or pass mode='realtime'")
        variants = ()
    default_type = instance_type if instance_type is not None else env.default_sagemaker_instance_type
    base_image = image if image is not None else default_image
    specs = [ModelVariant(PRIMARY_VARIANT, model_data_url, primary_weight, default_type, image), *variants]
    check(len(specs) <= MAX_VARIANTS, "variants", len(variants), f"at most {MAX_VARIANTS - 1} additional variants",
          "split the variants across endpoints")
    allowed_types = ", ".join(env.sagemaker_instance_types)
    seen: set[str] = set()
    result: list[ModelVariant] = []
    for index, spec in enumerate(specs):
        prefix = "" if index == 0 else f"variants[{index - 1}]."
        if not isinstance(spec, ModelVariant):
            problems.add(f"variants[{index - 1}]", spec, "a ModelVariant",
                         "pass variants=[ModelVariant(name=..., model_data_url=..., weight=...)]")
            continue
        if index > 0:
            check(isinstance(spec.name, str) and NAME.match(spec.name) is not None and spec.name not in seen,
                  f"{prefix}name", spec.name, f"a unique name of 1-{MAX_NAME_LENGTH} letters, digits and hyphens "
                  f"(not {PRIMARY_VARIANT!r} or another variant's)", "pass name='Challenger'")
        if isinstance(spec.name, str):
            seen.add(spec.name)
        url_arg = f"{prefix}model_data_url"
        check(isinstance(spec.model_data_url, str) and not _TOKEN.search(spec.model_data_url)
              and len(spec.model_data_url) <= MAX_URL_LENGTH and _S3_URL.match(spec.model_data_url) is not None,
              url_arg, spec.model_data_url,
              "a literal s3://bucket/key URL of the model artifact object (no wildcards, not a prefix ending in '/')",
              f"pass {url_arg}='s3://my-bucket/models/model.tar.gz'")
        weight_arg = "primary_weight" if index == 0 else f"{prefix}weight"
        check(isinstance(spec.weight, (int, float)) and not isinstance(spec.weight, bool) and spec.weight > 0
              and math.isfinite(spec.weight), weight_arg, spec.weight, "a positive number (relative traffic weight)",
              f"pass {weight_arg}=1.0")
        itype = spec.instance_type if spec.instance_type is not None else default_type
        if not serverless:
            type_arg = f"{prefix}instance_type"
            if check(isinstance(itype, str) and catalog.sagemaker(itype) is not None, type_arg, itype,
                     f"a SageMaker instance type (ml.*) known to the platform catalog; in {env.name}: "
                     f"{allowed_types}", f"pass {type_arg}='{env.default_sagemaker_instance_type}'"):
                check(itype in env.sagemaker_instance_types, type_arg, itype,
                      f"an instance type the policy allows in {env.name}: {allowed_types}",
                      f"pass {type_arg}='{env.default_sagemaker_instance_type}' or choose another environment")
        if spec.image is not None:
            image_arg = f"{prefix}image"
            check(isinstance(spec.image, str) and not _TOKEN.search(spec.image)
                  and uri.is_approved(spec.image, policy.approved_registries), image_arg, spec.image,
                  "a literal image URI under an approved registry: " + ", ".join(policy.approved_registries),
                  f"push the image to an approved registry, or leave {image_arg} unset for the platform default")
        weight = float(spec.weight) if isinstance(spec.weight, (int, float)) else 0.0
        result.append(ModelVariant(name=str(spec.name), model_data_url=str(spec.model_data_url), weight=weight,
                                   instance_type=None if serverless else str(itype),
                                   image=str(spec.image if spec.image is not None else base_image)))
    return tuple(result)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
