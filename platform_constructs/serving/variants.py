"""The endpoint's production variants: :class:`ModelVariant` and the checks of each (pure: no ``aws_cdk``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from platform_constructs import catalog
from platform_constructs.errors import Problems
from platform_constructs.images import uri
from platform_constructs.policy import EnvironmentPolicy, Policy
from platform_constructs.s3url import bucket_name_problem, parse_s3_url
from platform_constructs.serving.arguments import check_choice, closest, is_number
from platform_constructs.serving.frameworks import (
    DEFAULT_FRAMEWORK,
    FRAMEWORKS,
    ProcessorKind,
    framework_image,
    in_framework_registry,
    processor_kind,
)
from platform_constructs.serving.registry_settings import ApprovedModelPackage, approved_package_problems
from platform_constructs.values import describe

PRIMARY_VARIANT = "Primary"
"""Name of the variant built from ``model_data_url`` (or ``model_package``) / ``instance_type`` / ``image``."""
DEFAULT_PRIMARY_WEIGHT = 1.0
MAX_NAME_LENGTH = 63
"""SageMaker's limit for endpoint and variant names."""
MAX_VARIANTS = 10
"""SageMaker's limit of production variants per endpoint configuration."""
MAX_URL_LENGTH = 1024
"""SageMaker's limit for a container's ``ModelDataUrl``."""
ARTIFACT_SUFFIX = ".tar.gz"
"""SageMaker hosting expects ``ModelDataUrl`` to name a gzip-compressed tar archive (``model.tar.gz``), which it
extracts into ``/opt/ml/model``; our artifact contract bans bare pickles (``*.pkl``)."""
BURSTABLE_FAMILIES = ("ml.t2.", "ml.t3.")
"""Instance families SageMaker automatic scaling does not support ("burstable instances such as T2", SageMaker
developer guide, auto scaling prerequisites)."""

NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
"""SageMaker endpoint and variant names (matched whole). A CDK token's string form (``${Token[...]}``) never
matches."""
_TOKEN = re.compile(r"[$#]\{Token\[")
"""The string form of a CDK token (a value known only at deploy time)."""


@dataclass(frozen=True)
class ModelVariant:
    """An additional production variant (A/B test, challenger model) beside the primary one.

    :param name: variant name, 1-63 letters, digits and hyphens; unique within the endpoint.
    :param model_data_url: ``s3://bucket/key.tar.gz`` of the variant's model artifact. Exactly one of it and
        ``model_package``.
    :param weight: relative traffic weight. Default: ``1.0`` (the primary's weight is ``primary_weight``).
    :param instance_type: SageMaker instance type. Default: the endpoint's ``instance_type``.
    :param image: inference image from an approved registry. Default: the endpoint's image (see ``framework``).
    :param framework: ``pytorch``, ``tensorflow``, ``sklearn`` or ``xgboost``: the policy's approved image of that
        framework for the variant's CPU/GPU kind. Default: the endpoint's ``framework``. Not with ``image``.
    :param model_package: serve the latest Approved package of a model registry group instead of a
        ``model_data_url`` (:class:`~platform_constructs.serving.registry_settings.ApprovedModelPackage`: resolved
        at deploy time). Default: none.

    In :attr:`EndpointSettings.variants` every field is resolved: the primary variant is the first,
    ``model_data_url`` is ``None`` exactly when ``model_package`` names the variant's model,
    ``instance_type`` is ``None`` only in serverless mode (SageMaker chooses the compute), ``image`` may hold the
    policy's ``{framework_account}`` / ``{region}`` placeholders (the construct fills them in), and ``framework`` is
    the framework whose policy image it is (``None`` for an image of the user's or the app's golden image).
    """

    name: str
    model_data_url: str | None = None
    weight: float = 1.0
    instance_type: str | None = None
    image: str | None = None
    framework: str | None = None
    model_package: ApprovedModelPackage | None = None

    @property
    def autoscaled(self) -> bool:
        """SageMaker can scale this variant's instances (not serverless, not a burstable instance type)."""
        return self.instance_type is not None and not self.instance_type.startswith(BURSTABLE_FAMILIES)


def artifact_object(model_data_url: str) -> str:
    """``bucket/key`` of a validated ``s3://bucket/key`` model artifact URL."""
    parsed = parse_s3_url(model_data_url)
    assert parsed is not None  # validated before any resource is created
    return f"{parsed.bucket}/{parsed.key}"


def _artifact_fix(url: object, argument: str) -> tuple[str, str]:
    """(allowed, fix) for a model artifact URL, fitted to what was given."""
    allowed = ("a literal s3://bucket/key URL of the model.tar.gz artifact (no wildcards, not a prefix ending in "
               "'/', no deploy-time value)")
    example = "s3://my-bucket/models/model.tar.gz"
    if not isinstance(url, str):
        inner = url[0] if isinstance(url, (list, tuple)) and len(url) == 1 and isinstance(url[0], str) else ""
        good = parse_s3_url(inner) is not None and inner.endswith(ARTIFACT_SUFFIX)
        return allowed + f", got {describe(url)}", (f"pass {argument}='{inner}' (one string, not a list)" if good
                                                     else f"pass {argument}='{example}'")
    if _TOKEN.search(url):
        return allowed, f"pass {argument} as a literal string ('{example}'), not a value known only at deploy time"
    meant = _s3_form(url)
    if meant is not None:
        return allowed, f"pass {argument}='{meant}' (the s3:// form of the artifact's URL)"
    bucket = url.removeprefix("s3://").split("/", 1)[0] if url.startswith("s3://") else None
    problem = bucket_name_problem(bucket) if bucket else None
    if problem is not None:
        return (allowed + f"; the bucket {bucket!r} is no S3 bucket name ({problem}: S3's bucket naming rules)",
                f"pass {argument}='s3://<the bucket that holds the artifact>/<key>.tar.gz'")
    if parse_s3_url(url) is not None and not url.endswith(ARTIFACT_SUFFIX):
        folder = url.rsplit("/", 1)[0]
        return (f"the s3:// URL of a gzipped tar archive ending in {ARTIFACT_SUFFIX} (SageMaker extracts it into "
                "/opt/ml/model; a bare .pkl/.joblib/.pt file is not an artifact)",
                f"package the model: tar -czf model.tar.gz <model files> model_metadata.json, upload it, and pass "
                f"{argument}='{folder}/model.tar.gz' (check it with: platform-check artifact model.tar.gz)")
    if url.startswith(("https://", "http://")) and ".s3" in url:
        fix = f"pass {argument}='s3://<bucket>/<key>' (the s3:// form, not the HTTPS URL)"
    else:
        fix = f"pass {argument}='{example}'"
    return allowed, fix


_HTTPS_VIRTUAL_HOSTED = re.compile(r"https?://(?P<bucket>[^/]+)\.s3(?:[.-](?P<region>[a-z0-9-]+))?\.amazonaws\.com"
                                   r"(?:\.cn)?/(?P<key>.+)")
_HTTPS_PATH_STYLE = re.compile(r"https?://s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?/(?P<bucket>[^/]+)/(?P<key>.+)")


def _s3_form(url: str) -> str | None:
    """The ``s3://bucket/key.tar.gz`` URL a malformed one most likely means — without the scheme
    (``bucket/model.tar.gz``), with an uppercase or doubled scheme, white space around it, or an S3 HTTPS URL
    (virtual-hosted or path style, S3 User Guide, "Methods for accessing a bucket") — when that URL is valid."""
    text = url.strip()
    https = _HTTPS_VIRTUAL_HOSTED.fullmatch(text) or _HTTPS_PATH_STYLE.fullmatch(text)
    if https is not None:
        text = f"s3://{https['bucket']}/{https['key']}"
    elif text.lower().startswith("s3:/"):
        text = "s3://" + text[4:].lstrip("/")
    elif "://" not in text and not text.startswith("/"):
        text = f"s3://{text}"
    candidate = parse_s3_url(text)
    return text if candidate is not None and text != url and text.endswith(ARTIFACT_SUFFIX) else None


def resolve_variants(policy: Policy, env: EnvironmentPolicy, problems: Problems, *, serverless: bool,
                     model_data_url: object, instance_type: object, image: object, framework: object,
                     variants: object, primary_weight: object, golden_image: str | None,
                     image_accounts: tuple[str, ...] = (), model_package: object = None) -> tuple[ModelVariant, ...]:
    """The primary variant and the additional ones, each checked and with the endpoint's defaults applied.
    ``image_accounts``: the accounts ``{account}`` of an approved registry may be (the stack's, when known at synth,
    and the policy's ``registries.accounts``)."""
    check = problems.check
    if not isinstance(variants, (list, tuple)):
        problems.add("variants", variants, f"a list of ModelVariant, got {describe(variants)}",
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
    if framework is not None:
        check_choice(problems, "framework", framework, FRAMEWORKS, default=DEFAULT_FRAMEWORK)
        check(image is None, "image", image, "either image or framework, not both (framework chooses the image)",
              "remove image to serve the framework's approved image, or remove framework to serve your own")
    default_type = instance_type if instance_type is not None else env.default_sagemaker_instance_type
    primary = ModelVariant(PRIMARY_VARIANT, model_data_url, primary_weight, default_type,  # type: ignore[arg-type]
                           image, None, model_package)  # type: ignore[arg-type]
    specs = [primary, *variants]
    check(len(specs) <= MAX_VARIANTS, "variants", len(variants), f"at most {MAX_VARIANTS - 1} additional variants",
          "split the variants across endpoints")
    seen: set[str] = set()
    result: list[ModelVariant] = []
    for index, spec in enumerate(specs):
        prefix = "" if index == 0 else f"variants[{index - 1}]."
        if not isinstance(spec, ModelVariant):
            problems.add(f"variants[{index - 1}]", spec, f"a ModelVariant, got {describe(spec)}",
                         "pass variants=[ModelVariant(name=..., model_data_url=..., weight=...)]")
            continue
        if index > 0:
            check(isinstance(spec.name, str) and NAME.fullmatch(spec.name) is not None and spec.name not in seen,
                  f"{prefix}name", spec.name, f"a unique name of 1-{MAX_NAME_LENGTH} letters, digits and hyphens "
                  f"(not {PRIMARY_VARIANT!r} or another variant's)" + (
                      "" if isinstance(spec.name, str) else f", got {describe(spec.name)}"), "pass name='Challenger'")
        if isinstance(spec.name, str):
            seen.add(spec.name)
        package = _model_source(problems, prefix, spec)
        weight_arg = "primary_weight" if index == 0 else f"{prefix}weight"
        check(is_number(spec.weight) and spec.weight > 0, weight_arg, spec.weight,
              "a positive finite number (relative traffic weight)" + (
                  "" if is_number(spec.weight) else f", got {describe(spec.weight)}"), f"pass {weight_arg}=1.0")
        itype = spec.instance_type if spec.instance_type is not None else default_type
        if not serverless:
            _check_instance_type(problems, env, f"{prefix}instance_type", itype)
        kind = processor_kind(itype if isinstance(itype, str) and not serverless else None)
        chosen, served = _image(policy, problems, prefix, spec, kind, endpoint_image=image,
                                endpoint_framework=framework, golden_image=golden_image, accounts=image_accounts)
        weight = float(spec.weight) if is_number(spec.weight) else 0.0
        result.append(ModelVariant(name=str(spec.name), model_data_url=None if package else str(spec.model_data_url),
                                   weight=weight, instance_type=None if serverless else str(itype), image=chosen,
                                   framework=served, model_package=package))
    return tuple(result)


def _model_source(problems: Problems, prefix: str, spec: ModelVariant) -> ApprovedModelPackage | None:
    """Check where the variant's model comes from: a literal ``model_data_url`` or a ``model_package``, exactly one.
    Returns the package when the model comes from one (``None`` otherwise, or when its problems are recorded)."""
    url_arg, package_arg = f"{prefix}model_data_url", f"{prefix}model_package"
    url, package = spec.model_data_url, spec.model_package
    if url is None and package is None:
        problems.add(url_arg, url, "exactly one of model_data_url (the s3://bucket/key.tar.gz of the model artifact) "
                     "and model_package (an ApprovedModelPackage of the platform's model registry), got neither",
                     f"pass {url_arg}='s3://my-bucket/models/model.tar.gz', or "
                     f"{package_arg}=ApprovedModelPackage(group='churn') to serve the group's latest Approved package")
        return None
    if package is not None:
        problems.check(url is None, package_arg, package, "model_data_url or model_package, not both (the package "
                       "names its own model.tar.gz, published when it was approved)",
                       f"remove {url_arg} to serve the group's latest Approved package, or remove {package_arg} to "
                       "serve the artifact at model_data_url")
        return approved_package_problems(problems, package_arg, package)
    if not (isinstance(url, str) and not _TOKEN.search(url) and len(url) <= MAX_URL_LENGTH
            and parse_s3_url(url) is not None and url.endswith(ARTIFACT_SUFFIX)):
        problems.add(url_arg, url, *_artifact_fix(url, url_arg))
    return None


def _check_instance_type(problems: Problems, env: EnvironmentPolicy, argument: str, itype: object) -> None:
    allowed_types = ", ".join(env.sagemaker_instance_types)
    suggestion = closest(f"ml.{itype}" if isinstance(itype, str) and not itype.startswith("ml.") else itype,
                         env.sagemaker_instance_types, env.default_sagemaker_instance_type)
    sagemaker_name = f"ml.{itype.strip()}" if isinstance(itype, str) and not itype.startswith("ml.") else None
    if sagemaker_name is not None and (spec := catalog.sagemaker(sagemaker_name)) is not None:
        # an EC2 name: SageMaker's is the same with 'ml.' in front; offer it, or an allowed type of the same kind
        same_kind = [t for t in env.sagemaker_instance_types
                     if (other := catalog.sagemaker(t)) is not None and (other.gpus > 0) == (spec.gpus > 0)]
        meant = sagemaker_name if sagemaker_name in env.sagemaker_instance_types else (same_kind or [suggestion])[0]
        problems.add(argument, itype, f"a SageMaker instance type (ml.*) known to the platform catalog; in "
                     f"{env.name}: {allowed_types}",
                     f"pass {argument}='{meant}' (SageMaker's name for the EC2 type {itype!r})"
                     if meant == sagemaker_name else
                     f"pass {argument}='{meant}' ({itype!r} is an EC2 name; SageMaker's is {sagemaker_name!r}, "
                     f"which {env.name} does not allow)")
    elif not (isinstance(itype, str) and catalog.sagemaker(itype) is not None):
        problems.add(argument, itype, f"a SageMaker instance type (ml.*) known to the platform catalog; in "
                     f"{env.name}: {allowed_types}" + ("" if isinstance(itype, str) else f", got {describe(itype)}"),
                     f"pass {argument}='{suggestion}'")
    elif itype not in env.sagemaker_instance_types:
        problems.add(argument, itype, f"an instance type the policy allows in {env.name}: {allowed_types}",
                     f"pass {argument}='{env.default_sagemaker_instance_type}' or choose another environment")


def _image(policy: Policy, problems: Problems, prefix: str, spec: ModelVariant, kind: ProcessorKind, *,
           endpoint_image: object, endpoint_framework: object, golden_image: str | None,
           accounts: tuple[str, ...]) -> tuple[str, str | None]:
    """The variant's image and the framework it serves (``None``: not a framework image of the policy).

    Its own image or its framework's; else the endpoint's or the endpoint's framework's; else the app's golden
    image; else the default framework's — a framework's image always for the variant's CPU/GPU kind."""
    image_arg, framework_arg = f"{prefix}image", f"{prefix}framework"
    own, framework = endpoint_image, endpoint_framework
    if prefix and spec.image is not None:
        own, framework = spec.image, None
        problems.check(spec.framework is None, image_arg, spec.image, "either image or framework, not both",
                       f"remove {image_arg} to serve the framework's image, or {framework_arg} to serve your own")
    elif prefix and spec.framework is not None:
        own, framework = None, spec.framework
        check_choice(problems, framework_arg, framework, FRAMEWORKS, default=DEFAULT_FRAMEWORK)
    if own is not None and prefix and spec.image is None:
        return str(own), None  # the endpoint's image, checked (and reported) once, as 'image'
    if own is not None:
        found = _own_image_problem(own, policy, accounts)
        if found is not None:
            problems.add(image_arg, own, found.allowed + ("" if isinstance(own, str) else f", got {describe(own)}"),
                         found.fix + "; or pass framework='pytorch' (or 'tensorflow', 'sklearn', 'xgboost') to serve "
                         "the platform's image (SageMaker's framework images are approved too, by digest)")
        return str(own), None
    if framework is None and golden_image is not None:
        return golden_image, None
    name = framework if isinstance(framework, str) and framework in FRAMEWORKS else \
        DEFAULT_FRAMEWORK
    template = framework_image(policy, name, kind)
    if template is not None:
        return template, name
    if framework is None and not policy.images.frameworks:
        return policy.images.inference, None  # a policy without images.frameworks: its approved inference image
    problems.add(framework_arg if prefix and spec.framework is not None else "framework", framework,
                 f"a framework whose policy image fits a {kind.upper()} instance type (images.frameworks.{name} has "
                 f"no {kind} image)", "choose a CPU instance type such as 'ml.m5.xlarge'" if kind == "gpu" else
                 "choose a GPU instance type, or another framework")
    return "", None


def _own_image_problem(image: object, policy: Policy, accounts: tuple[str, ...]) -> uri.ImageProblem | None:
    """What is wrong with an image a caller names (``None``: nothing). The rule of every construct
    (:func:`platform_constructs.images.uri.image_problem`: a literal reference pinned by digest, under an approved
    registry, ``{account}`` the deploying account or one the policy allows); the accounts hosting SageMaker's
    framework images (``registries.framework_accounts``) are approved registries too, by digest as well: a tag can
    be moved to another image after synth."""
    if isinstance(image, str) and not _TOKEN.search(image) and in_framework_registry(image, policy):
        parsed = uri.parse_image_uri(image)
        if parsed is not None and parsed.pinned_by_digest:
            return None
        return uri.image_problem(image, [f"{parsed.registry}/" if parsed else ""], accounts=accounts)
    return uri.image_problem(image, policy.approved_registries, accounts=accounts)
