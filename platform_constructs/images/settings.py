"""The golden-image pipeline's settings: every argument of :class:`~platform_constructs.images.GoldenImagePipeline`
and of its ``add_project_image`` validated against the policy, with the defaults applied, as one frozen dataclass —
or one :class:`~platform_constructs.errors.PlatformValidationError` listing every problem.

Pure: no ``aws_cdk`` import, so validation and its property tests run without a Node process. What only the
construct knows (whether a Level 2 ``base`` is its runtime, which project names it has) is passed in as plain values.
Accepted risks come back as :class:`SettingsWarning` values; the construct emits them as CDK warnings.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from platform_constructs.errors import Problems
from platform_constructs.images import dependencies as deps
from platform_constructs.images import uri
from platform_constructs.policy import SEVERITIES, Policy

Purpose = Literal["inference", "training", "batch"]
PURPOSES: tuple[Purpose, ...] = ("inference", "training", "batch")
"""What a default image is for: endpoints (inference), training jobs (training) and Batch jobs (batch)."""
DEFAULT_NAME = "golden"
"""Default pipeline name: repositories ``platform/golden/...``, parameters ``{images.ssm_prefix}/golden/...``."""
PENDING_VALUE = "pending: no image approved yet"
"""Initial value of a level's approved-image parameter, before its first approved build."""
SCAN_TIMEOUT_SECONDS = 1800
"""How long a build waits for the ECR scan of its pushed image before it fails."""
BUILD_TIMEOUT_MINUTES: Mapping[int, int] = {0: 120, 1: 240, 2: 60}
"""CodeBuild timeout of each level's build: the base, the heavy runtime, a light project image."""
LEVEL_TITLES: Mapping[int, str] = {0: "base", 1: "runtime"}
"""Repository suffix (and construct id, capitalised) of the shared levels; a project's is ``projects/<name>``."""
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")
"""Pipeline and project names: 3-32 lowercase letters, digits and hyphens."""
_CUDA = re.compile(r"\d+\.\d+(\.\d+)?")
_PYTHON = re.compile(r"3\.\d+")

WARNING_BASE_PINNED_BY_TAG = "platform-constructs:images-base-pinned-by-tag"
"""The Level 0 base is pinned by a tag, which can be moved to another image, not by digest."""
WARNING_REGISTRY_SCANNING = "platform-constructs:images-registry-scanning-account-wide"
"""``enhanced_scanning``: the registry scanning configuration is one per account and region."""
WARNING_DEFAULTS_PENDING = "platform-constructs:images-defaults-pending-until-approved"
"""``publish_defaults=False``: consumers in the app default to a parameter that holds no image yet."""


@dataclass(frozen=True)
class SettingsWarning:
    """Something a user should know but may accept: emitted as a CDK warning with this id (acknowledge it with
    ``Annotations.of(pipeline).acknowledge_warning(id)``)."""

    id: str
    message: str


@dataclass(frozen=True)
class PipelineSettings:
    """The validated arguments of one pipeline, every default applied (what the construct builds)."""

    name: str
    cuda_version: str
    python_version: str
    base_image: str
    """The Level 0 base as given, or the policy's ``images.training`` (which may hold ``{account}``/``{region}``)."""
    gpu: bool
    default_for: tuple[Purpose, ...]
    publish_defaults: bool
    enhanced_scanning: bool
    create_endpoints: bool
    runtime_requirements: deps.Requirements
    parameter_prefix: str
    """``{images.ssm_prefix}/{name}``: where each level's approved image is published."""
    block_severities: tuple[str, ...]
    """Scan finding severities that refuse an image: the policy's ``images.scan_block_severity`` and above."""
    keep_images: int
    warnings: tuple[SettingsWarning, ...] = ()

    def repository_name(self, suffix: str) -> str:
        """``platform/<name>/<suffix>``: the ECR repository of a level (``base``, ``runtime``, ``projects/x``)."""
        return f"platform/{self.name}/{suffix}"

    def parameter_name(self, suffix: str) -> str:
        """The SSM parameter holding a level's approved image."""
        return f"{self.parameter_prefix}/{suffix}"


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
    runtime_requirements: Sequence[str] | str,
    path: str = "GoldenImagePipeline",
    problems: Problems | None = None,
    cuda_version: str | None = None,
    python_version: str | None = None,
    name: str = DEFAULT_NAME,
    base_image: str | None = None,
    gpu: bool = True,
    default_for: Sequence[str] = PURPOSES,
    publish_defaults: bool = True,
    enhanced_scanning: bool = True,
    create_endpoints: bool = True,
) -> PipelineSettings:
    """Validate the arguments of :class:`~platform_constructs.images.GoldenImagePipeline` against ``policy``.

    The arguments and their defaults are the construct's (documented there). ``problems`` collects the problems of
    the construct's other arguments (its tags), reported first; by default there are none and messages name
    ``path``. Raises one :class:`~platform_constructs.errors.PlatformValidationError` with every problem found.
    """
    problems = problems if problems is not None else Problems(path)
    check = problems.check
    images = policy.images
    cuda = cuda_version if cuda_version is not None else images.cuda_version
    python = python_version if python_version is not None else images.python_version
    check(isinstance(name, str) and SLUG.match(name) is not None, "name", name,
          "a lowercase slug of 3-32 letters, digits and hyphens", f"pass name='{DEFAULT_NAME}'")
    check(isinstance(cuda, str) and _CUDA.fullmatch(cuda) is not None, "cuda_version", cuda,
          "a CUDA version such as 12.1.1", f"pass cuda_version='{images.cuda_version}' (the policy's)")
    check(isinstance(python, str) and _PYTHON.fullmatch(python) is not None, "python_version", python,
          "a Python major.minor version such as 3.11", f"pass python_version='{images.python_version}' (the policy's)")
    base = base_image if base_image is not None else images.training
    _check_base_image(problems, policy, base, given=base_image is not None)
    purposes = _default_for(problems, default_for)
    for argument, value in (("gpu", gpu), ("publish_defaults", publish_defaults),
                            ("enhanced_scanning", enhanced_scanning), ("create_endpoints", create_endpoints)):
        check(isinstance(value, bool), argument, value, "True or False", f"pass {argument}=True (the default) or False")
    lines, source, problem = deps.read_requirements(runtime_requirements, argument="runtime_requirements")
    if problem is not None:
        problems.add(problem.argument, problem.value, problem.allowed, problem.fix)
    runtime = deps.check_runtime(lines, source=source)
    for found in runtime.problems:
        problems.add(found.argument, found.value, found.allowed, found.fix)
    if problem is None and not lines:
        problems.add("runtime_requirements", runtime_requirements, deps.RUNTIME_ALLOWED,
                     "list the runtime's pinned packages, e.g. ['torch==2.1.0', 'pandas==2.0.3']")
    problems.raise_if_any()

    prefix = f"{images.ssm_prefix}/{name}"
    settings = PipelineSettings(
        name=name, cuda_version=str(cuda), python_version=str(python), base_image=base, gpu=gpu,
        default_for=purposes, publish_defaults=publish_defaults, enhanced_scanning=enhanced_scanning,
        create_endpoints=create_endpoints, runtime_requirements=runtime, parameter_prefix=prefix,
        block_severities=SEVERITIES[SEVERITIES.index(images.scan_block_severity):], keep_images=images.keep_images)
    return replace(settings, warnings=_warnings(settings))


def project_settings(
    *,
    name: str,
    requirements: Sequence[str] | str,
    runtime_pins: Mapping[str, str],
    existing: Collection[str] = (),
    base: object = None,
    base_is_runtime: bool = True,
    runtime_repository: str = "",
    runtime_parameter: str = "",
    path: str = "add_project_image",
) -> ProjectSettings:
    """Validate the arguments of ``GoldenImagePipeline.add_project_image``.

    ``runtime_pins`` are Level 1's pins (a project may not redefine them at another version), ``existing`` the
    project names already added, ``base_is_runtime`` whether the construct found ``base`` to be its Level 1
    runtime (``None``, ``pipeline.runtime`` or a copy of its ``image_uri``), and ``runtime_repository`` /
    ``runtime_parameter`` name that runtime in the messages. Raises one ``PlatformValidationError``.
    """
    problems = Problems(path)
    if not (isinstance(name, str) and SLUG.match(name)):
        problems.add("name", name, "a lowercase slug of 3-32 letters, digits and hyphens",
                     "pass a project slug such as 'recs'")
    elif name in existing:
        problems.add("name", name, "a project name not yet added to this pipeline",
                     "choose another name or add the project once")
    if not base_is_runtime:
        parsed = uri.parse_image_uri(base)
        pinned_runtime = parsed is not None and bool(runtime_repository) and parsed.repository == runtime_repository
        problems.add(
            "base", base, f"this pipeline's approved Level 1 runtime ({runtime_parameter})",
            "pass base=pipeline.runtime or omit it: a Level 2 build reads the runtime approved in "
            f"{runtime_parameter} when it runs, so a fixed reference to {runtime_repository} would be ignored"
            if pinned_runtime else
            "omit base (Level 2 images always build FROM the approved Level 1 runtime) or pass "
            "base=pipeline.runtime; request a Level 1 update for what the other base provides")
    lines, source, problem = deps.read_requirements(requirements, argument="requirements")
    if problem is not None:
        problems.add(problem.argument, problem.value, problem.allowed, problem.fix)
    checked = deps.check_project(lines, source=source, runtime_pins=dict(runtime_pins))
    for found in checked.problems:
        problems.add(found.argument, found.value, found.allowed, found.fix)
    problems.raise_if_any()
    return ProjectSettings(name=name, requirements=checked)


def _check_base_image(problems: Problems, policy: Policy, image: str, *, given: bool) -> None:
    """The base must come from an approved registry, pinned; the policy's default may hold its placeholders."""
    origin = "" if given else " (the policy's images.training, as base_image was not given)"
    problems.check(uri.is_approved(image, policy.approved_registries, template=not given), "base_image", image,
                   "a literal image URI (no CDK token, no {account}/{region} placeholder) from an approved "
                   "registry" + origin + ": " + ", ".join(policy.approved_registries),
                   "mirror the base into an approved registry and pass its URI, account and region written out"
                   if given else "set the policy's images.training to an image of an approved registry, or pass "
                   "base_image=...")
    parsed = uri.parse_image_uri(image)
    problems.check(parsed is not None and parsed.pinned, "base_image", image,
                   "pinned by digest (@sha256:...) or an explicit version tag (not 'latest')" + origin,
                   "pass the base with its digest, e.g. <repository>@sha256:<64 hex digits>" if given else
                   "pin the policy's images.training by digest (<repository>@sha256:...), or pass base_image=...")


def _default_for(problems: Problems, default_for: object) -> tuple[Purpose, ...]:
    if isinstance(default_for, str) or not isinstance(default_for, Sequence):
        problems.add("default_for", default_for, f"a sequence of purposes from {', '.join(PURPOSES)}",
                     f"pass default_for=({default_for!r},)" if default_for in PURPOSES else
                     "pass default_for=('inference', 'training', 'batch') (the default) or a subset")
        return ()
    unknown = [p for p in default_for if p not in PURPOSES]
    problems.check(not unknown, "default_for", list(default_for), f"a subset of {', '.join(PURPOSES)}",
                   "remove " + ", ".join(map(repr, unknown)))
    return tuple(p for p in PURPOSES if p in default_for)


def _warnings(settings: PipelineSettings) -> tuple[SettingsWarning, ...]:
    warnings: list[SettingsWarning] = []
    parsed = uri.parse_image_uri(settings.base_image)
    if parsed is not None and not parsed.pinned_by_digest:
        warnings.append(SettingsWarning(WARNING_BASE_PINNED_BY_TAG, (
            f"base_image {settings.base_image!r} is pinned by the tag {parsed.tag!r}, not by digest: each Level 0 "
            "build resolves the tag to the image it names at that moment, so a tag moved to another image changes "
            "the base of the next scheduled build. Pin the base by digest (<repository>@sha256:<digest>) to "
            "rebuild from the same image.")))
    if settings.enhanced_scanning:
        warnings.append(SettingsWarning(WARNING_REGISTRY_SCANNING, (
            "enhanced_scanning=True deploys the registry scanning configuration, of which there is one per account "
            "and region: it replaces the account's configuration (continuous enhanced scanning of platform/*, scan "
            "on push for every other repository), and deleting this stack reverts the registry to basic scanning. "
            "Enable it on exactly one pipeline per account and region (enhanced_scanning=False on the others).")))
    if not settings.publish_defaults and settings.default_for:
        warnings.append(SettingsWarning(WARNING_DEFAULTS_PENDING, (
            f"publish_defaults=False: constructs in this app that take the default image for "
            f"{', '.join(settings.default_for)} reference {settings.parameter_name(LEVEL_TITLES[1])}, which holds "
            f"{PENDING_VALUE!r} until the first Level 1 build is approved; deploy them after that build, or pass "
            "default_for=() to leave their defaults alone.")))
    return tuple(warnings)
