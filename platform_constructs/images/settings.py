"""The golden-image pipeline's settings: every argument of :class:`~platform_constructs.images.GoldenImagePipeline`
and of its ``add_project_image`` validated against the policy, with the defaults applied, as one frozen dataclass —
or one :class:`~platform_constructs.errors.PlatformValidationError` listing every problem.

Pure: no ``aws_cdk`` import, so validation and its property tests run without a Node process. What only the
construct knows (the stack's account, whether a Level 2 ``base`` is one of its runtimes, which project names it has)
is passed in as plain values. Accepted risks come back as :class:`SettingsWarning` values; the construct emits them
as CDK warnings.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from platform_constructs.arguments import describe, expect_bool, expect_str
from platform_constructs.errors import Problems
from platform_constructs.images import dependencies as deps
from platform_constructs.images import uri
from platform_constructs.images.lineages import BY_KEY, LINEAGE_KEYS, Lineage
from platform_constructs.images.settings_checks import (
    check_base_image,
    check_build_image,
    check_flags,
    check_version,
    default_for_purposes,
    lineage_keys,
)
from platform_constructs.policy import SEVERITIES, Policy

Purpose = Literal["inference", "training", "batch"]
PURPOSES: tuple[Purpose, ...] = ("inference", "training", "batch")
"""What a default image is for: endpoints (inference), training jobs (training) and Batch jobs (batch)."""
DEFAULT_NAME = "golden"
"""Default pipeline name: repositories ``platform/golden/...``, parameters ``{images.ssm_prefix}/golden/...``."""
PENDING_VALUE = "pending:no-golden-image-approved-yet"
"""The value CloudFormation gives every build-owned parameter when it creates it: no image, and no white space,
so a consumer deployed before the first approval fails with this value quoted (SageMaker's image pattern is
``[\\S]+``). It is a constant, so no later stack update ever changes the parameter (see :mod:`.parameters`)."""
SCAN_TIMEOUT_SECONDS = 1800
"""How long a build waits for the ECR scan of its pushed image, and for its managed signature, before it fails."""
BUILD_TIMEOUT_MINUTES: Mapping[int, int] = {0: 120, 1: 240, 2: 60}
"""CodeBuild timeout of each level's build: the base, the heavy runtime, a light project image."""
LEVEL_TITLES: Mapping[int, str] = {0: "base", 1: "runtime"}
"""Repository suffix (and construct id, capitalised) of the shared levels; a project's is ``projects/<name>``."""
SLUG = re.compile(r"[a-z][a-z0-9-]{1,30}[a-z0-9]")
"""Pipeline and project names: 3-32 lowercase letters, digits and hyphens (matched on the whole string)."""
SLUG_ALLOWED = "a lowercase slug of 3-32 letters, digits and hyphens"

WARNING_BASE_PINNED_BY_TAG = "platform-constructs:images-base-pinned-by-tag"
"""A Level 0 base is pinned by a tag in the policy, not by digest: its build refuses to run until it is."""
WARNING_REGISTRY_SETTINGS = "platform-constructs:images-registry-settings-account-wide"
"""``registry_settings``: the registry's scanning and signing configurations are one per account and region."""
WARNING_REGISTRY_SCANNING = WARNING_REGISTRY_SETTINGS
WARNING_DEFAULTS_PENDING = "platform-constructs:images-defaults-pending-until-approved"
"""Consumers in the app default to build-owned parameters that hold no image until the first approved build."""


@dataclass(frozen=True)
class SettingsWarning:
    """Something a user should know but may accept: emitted as a CDK warning with this id (acknowledge it with
    ``Annotations.of(pipeline).acknowledge_warning(id)``)."""

    id: str
    message: str


@dataclass(frozen=True)
class LineagePlan:
    """One lineage the pipeline builds and the base its Level 0 pulls."""

    lineage: Lineage
    base_image: str
    """A literal image (``base_image``), or the policy's template (may hold ``{account}``/``{region}``)."""
    base_given: bool
    requirements: deps.Requirements
    """Level 1's lock file: ``runtime_requirements`` (training) or ``inference_requirements`` (inference)."""


@dataclass(frozen=True)
class PipelineSettings:
    """The validated arguments of one pipeline, every default applied (what the construct builds)."""

    name: str
    cuda_version: str
    python_version: str
    lineages: tuple[LineagePlan, ...]
    default_for: tuple[Purpose, ...]
    publish_defaults: bool
    registry_settings: bool
    create_endpoints: bool | None
    """``None``: create the build endpoints the network does not already provide (see :mod:`.build_network`)."""
    gpu_build_image: str | None
    runtime_requirements: deps.Requirements
    inference_requirements: deps.Requirements
    parameter_prefix: str
    """``{images.ssm_prefix}/{name}``: where each level's approved image is published."""
    block_severities: tuple[str, ...]
    """Scan finding severities that refuse an image: the policy's ``images.scan_block_severity`` and above."""
    keep_images: int
    base_pins: Mapping[str, str]
    allowed_packages: tuple[str, ...]
    warnings: tuple[SettingsWarning, ...] = ()

    @property
    def primary(self) -> LineagePlan:
        """The first lineage built: its levels are ``pipeline.base`` and ``pipeline.runtime``."""
        return self.lineages[0]

    def repository_name(self, suffix: str) -> str:
        """``platform/<name>/<suffix>``: the ECR repository of a level (``base``, ``runtime``, ``projects/x``)."""
        return f"platform/{self.name}/{suffix}"

    def parameter_name(self, suffix: str) -> str:
        """The SSM parameter holding a level's approved image."""
        return f"{self.parameter_prefix}/{suffix}"

    def project_name(self, suffix: str) -> str:
        """The CodeBuild project of a level: ``<name>-<suffix with '/' as '-'>`` (named, so that its role's trust
        policy can name it in ``aws:SourceArn``)."""
        return f"{self.name}-{suffix.replace('/', '-')}"


@dataclass(frozen=True)
class ProjectSettings:
    """The validated arguments of one Level 2 project image."""

    name: str
    requirements: deps.Requirements

    @property
    def suffix(self) -> str:
        """Repository / parameter suffix: ``projects/<name>``."""
        return f"projects/{self.name}"


def pipeline_settings(
    policy: Policy,
    *,
    runtime_requirements: object,
    path: str = "GoldenImagePipeline",
    problems: Problems | None = None,
    account: str | None = None,
    cuda_version: object = None,
    python_version: object = None,
    name: object = DEFAULT_NAME,
    base_image: object = None,
    lineages: object = LINEAGE_KEYS,
    inference_requirements: object = (),
    default_for: object = PURPOSES,
    publish_defaults: object = True,
    registry_settings: object = False,
    create_endpoints: object = None,
    gpu_build_image: object = None,
) -> PipelineSettings:
    """Validate the arguments of :class:`~platform_constructs.images.GoldenImagePipeline` against ``policy``.

    The arguments and their defaults are the construct's (documented there). ``account`` is the stack's account
    when it is known at synth (``{account}`` in the approved registries is that account or one of the policy's
    ``registries.accounts``). ``problems`` collects the problems of the construct's other arguments (its tags),
    reported first; by default there are none and messages name ``path``. Raises one
    :class:`~platform_constructs.errors.PlatformValidationError` with every problem found.
    """
    problems = problems if problems is not None else Problems(path)
    images = policy.images
    accounts = (*policy.image_accounts, *([account] if account else []))
    check_version(problems, "cuda_version", cuda_version, policy_value=images.cuda_version,
                  pattern=r"[0-9]+\.[0-9]+(\.[0-9]+)?", allowed="a CUDA version such as 12.1.1")
    check_version(problems, "python_version", python_version, policy_value=images.python_version,
                  pattern=r"3\.[0-9]+", allowed="a Python major.minor version such as 3.11")
    cuda = cuda_version if isinstance(cuda_version, str) else images.cuda_version
    python = python_version if isinstance(python_version, str) else images.python_version
    expect_str(problems, "name", name, pattern=SLUG, allowed=SLUG_ALLOWED, fix=f"pass name='{DEFAULT_NAME}'",
               example=DEFAULT_NAME)
    keys = lineage_keys(problems, lineages)
    purposes = default_for_purposes(problems, default_for, PURPOSES)
    check_flags(problems, publish_defaults=publish_defaults, registry_settings=registry_settings)
    if create_endpoints is not None:
        expect_bool(problems, "create_endpoints", create_endpoints,
                    allowed="None (the endpoints the network lacks), True or False",
                    fix="omit create_endpoints, or pass create_endpoints=False when another pipeline in the VPC "
                        "created them")
    build_image = check_build_image(problems, policy, gpu_build_image, accounts=accounts)

    runtime = _lock(problems, runtime_requirements, "runtime_requirements", policy)
    inference = _lock(problems, inference_requirements, "inference_requirements", policy)
    unread = any(p.argument == "runtime_requirements" for p in problems.problems)  # already reported
    if any(not BY_KEY[k].inference for k in keys) and not runtime.requirements and not runtime.problems and not unread:
        problems.add("runtime_requirements", runtime_requirements, deps.LOCK_ALLOWED,
                     "list the training runtime's pinned packages with their hashes, e.g. "
                     "['einops==0.8.0 --hash=sha256:...']")
    plans = []
    for index, key in enumerate(keys):
        lineage = BY_KEY[key]
        given = index == 0 and base_image is not None
        base = base_image if given else getattr(images, lineage.policy_field)
        if not given and base is None:
            problems.add("lineages", list(keys), f"lineages whose base the policy names (images."
                         f"{lineage.policy_field} is not set)",
                         f"set images.{lineage.policy_field} in the policy, or leave {key!r} out of lineages")
            continue
        check_base_image(problems, policy, base, given=given, field=lineage.policy_field, accounts=accounts)
        plans.append(LineagePlan(lineage=lineage, base_image=str(base), base_given=given,
                                 requirements=inference if lineage.inference else runtime))
    problems.raise_if_any()

    settings = PipelineSettings(
        name=str(name), cuda_version=str(cuda), python_version=str(python), lineages=tuple(plans),
        default_for=purposes, publish_defaults=bool(publish_defaults), registry_settings=bool(registry_settings),
        create_endpoints=create_endpoints if isinstance(create_endpoints, bool) else None,
        gpu_build_image=build_image, runtime_requirements=runtime, inference_requirements=inference,
        parameter_prefix=f"{images.ssm_prefix}/{name}",
        block_severities=SEVERITIES[SEVERITIES.index(images.scan_block_severity):], keep_images=images.keep_images,
        base_pins=images.base_pins, allowed_packages=images.allowed_packages)
    return replace(settings, warnings=_warnings(settings))


def _lock(problems: Problems, value: object, argument: str, policy: Policy) -> deps.Requirements:
    lines, source, problem = deps.read_requirements(value, argument=argument)
    if problem is not None:
        problems.add(problem.argument, problem.value, problem.allowed, problem.fix, reason=problem.reason)
    checked = deps.check_runtime(lines, source=source, base_pins=policy.images.base_pins,
                                 allowed_packages=policy.images.allowed_packages)
    for found in checked.problems:
        problems.add(found.argument, found.value, found.allowed, found.fix)
    return checked


def project_settings(
    *,
    name: object,
    requirements: object,
    runtime_pins: Mapping[str, str],
    policy: Policy | None = None,
    existing: Collection[str] = (),
    base: object = None,
    base_is_runtime: bool = True,
    runtime_repository: str = "",
    runtime_parameter: str = "",
    path: str = "add_project_image",
) -> ProjectSettings:
    """Validate the arguments of ``GoldenImagePipeline.add_project_image``.

    ``runtime_pins`` are the pins of the Level 1 runtime it builds on (a project may not redefine them at another
    version), ``policy`` gives the base's pins and the allowed packages, ``existing`` the project names already
    added, ``base_is_runtime`` whether the construct found ``base`` to be one of its Level 1 runtimes, and
    ``runtime_repository`` / ``runtime_parameter`` name that runtime in the messages. Raises one
    ``PlatformValidationError``.
    """
    problems = Problems(path)
    if expect_str(problems, "name", name, pattern=SLUG, allowed=SLUG_ALLOWED,
                  fix="pass a project slug such as 'recs'") and name in existing:
        problems.add("name", name, "a project name not yet added to this pipeline",
                     "choose another name or add the project once")
    if not base_is_runtime:
        parsed = uri.parse_image_uri(base)
        pinned_runtime = parsed is not None and bool(runtime_repository) and parsed.repository == runtime_repository
        problems.add(
            "base", base, f"one of this pipeline's approved Level 1 runtimes ({runtime_parameter})",
            "pass base=pipeline.runtime or omit it: a Level 2 build reads the runtime approved in "
            f"{runtime_parameter} when it runs, so a fixed reference to {runtime_repository} would be ignored"
            if pinned_runtime else
            "omit base (Level 2 images build FROM the approved Level 1 runtime) or pass base=pipeline.runtime "
            "(or another lineage's runtime); request a Level 1 update for what the other base provides",
            reason=f"base must be one of this pipeline's Level 1 runtimes (an ImageLevel, or its image_uri), got "
                   f"{describe(base)}")
    lines, source, problem = deps.read_requirements(requirements, argument="requirements")
    if problem is not None:
        problems.add(problem.argument, problem.value, problem.allowed, problem.fix, reason=problem.reason)
    checked = deps.check_project(
        lines, source=source, runtime_pins=dict(runtime_pins),
        base_pins=policy.images.base_pins if policy is not None else None,
        allowed_packages=policy.images.allowed_packages if policy is not None else None)
    for found in checked.problems:
        problems.add(found.argument, found.value, found.allowed, found.fix)
    problems.raise_if_any()
    return ProjectSettings(name=str(name), requirements=checked)


def _warnings(settings: PipelineSettings) -> tuple[SettingsWarning, ...]:
    warnings: list[SettingsWarning] = []
    for plan in settings.lineages:
        parsed = uri.parse_image_uri(plan.base_image)
        if parsed is not None and not parsed.pinned_by_digest:
            warnings.append(SettingsWarning(WARNING_BASE_PINNED_BY_TAG, (
                f"the {plan.lineage.key} base {plan.base_image!r} (the policy's images.{plan.lineage.policy_field}) "
                f"is pinned by the tag {parsed.tag!r}, not by digest: its Level 0 build refuses to build from a tag "
                "and prints the digest the tag names now. Review that image and pin it in the policy as "
                "<repository>:<tag>@sha256:<digest>; until then no image of this lineage is approved.")))
    if settings.registry_settings:
        warnings.append(SettingsWarning(WARNING_REGISTRY_SETTINGS, (
            "registry_settings=True deploys the registry's scanning configuration (enhanced, continuous scanning "
            "of platform/* only) and its signing configuration (managed signing of platform/*), of which there is "
            "one each per account and region: they replace the account's, repositories outside platform/ are no "
            "longer scanned by the registry, and deleting this stack removes both. Enable it on exactly one "
            "pipeline per account and region.")))
    if settings.default_for:
        warnings.append(SettingsWarning(WARNING_DEFAULTS_PENDING, (
            f"constructs in this app that take the default image for {', '.join(settings.default_for)} reference "
            f"this pipeline's approved-image parameters, which hold {PENDING_VALUE!r} until the first approved "
            "build of each lineage: deploy them after those builds, or pass default_for=() to leave their "
            "defaults alone.")))
    return tuple(warnings)
