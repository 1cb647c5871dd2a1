"""The argument checks of :mod:`.settings` that are not about requirements (pure): versions, flags, lineages, the
purposes served, and the images a pipeline pulls (its bases and its optional GPU build image)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TypeVar

from platform_constructs.errors import Problems
from platform_constructs.images import uri
from platform_constructs.images.lineages import LINEAGE_KEYS
from platform_constructs.policy import Policy

PurposeT = TypeVar("PurposeT", bound=str)


def check_version(problems: Problems, argument: str, value: object, *, policy_value: str, pattern: str,
                  allowed: str) -> None:
    """A version is a string matching ``pattern`` (``None``: the policy's). A number is refused: ``3.10`` is the
    float ``3.1``."""
    if value is None:
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        problems.add(argument, value, f"{allowed}, as a string (a number loses digits: 3.10 is 3.1)",
                     f"pass {argument} as a string, e.g. {argument}='{policy_value}' (the policy's)")
        return
    problems.check(isinstance(value, str) and re.fullmatch(pattern, value) is not None, argument, value, allowed,
                   f"pass {argument}='{policy_value}' (the policy's)")


def check_flags(problems: Problems, **flags: object) -> None:
    """Each flag is a ``bool`` (the string ``'false'`` is not False)."""
    for argument, value in flags.items():
        problems.check(isinstance(value, bool), argument, value, "True or False",
                       f"pass {argument}=True or {argument}=False (a bool, not {type(value).__name__})")


def lineage_keys(problems: Problems, lineages: object) -> tuple[str, ...]:
    """The lineages to build: a non-empty list of distinct keys of :data:`~.lineages.LINEAGE_KEYS`."""
    allowed = ", ".join(LINEAGE_KEYS)
    if isinstance(lineages, str) or not isinstance(lineages, Sequence) or not lineages:
        problems.add("lineages", lineages, f"a non-empty list of lineages from {allowed}",
                     f"pass lineages=[{lineages!r}]" if lineages in LINEAGE_KEYS else
                     f"pass lineages={list(LINEAGE_KEYS)!r} (the default) or a subset")
        return ()
    unknown = [k for k in lineages if k not in LINEAGE_KEYS]
    repeated = sorted({k for k in lineages if isinstance(k, str) and list(lineages).count(k) > 1})
    problems.check(not unknown and not repeated, "lineages", list(lineages),
                   f"distinct lineages from {allowed}",
                   "remove " + ", ".join(map(repr, unknown + repeated)))
    return tuple(k for k in dict.fromkeys(lineages) if k in LINEAGE_KEYS)


def default_for_purposes(problems: Problems, default_for: object,
                         purposes: Sequence[PurposeT]) -> tuple[PurposeT, ...]:
    """The purposes whose platform default the pipeline takes over (a list, not a string)."""
    allowed = ", ".join(purposes)
    if isinstance(default_for, str) or not isinstance(default_for, Sequence):
        problems.add("default_for", default_for, f"a sequence of purposes from {allowed}",
                     f"pass default_for=({default_for!r},)" if default_for in purposes else
                     "pass default_for=('inference', 'training', 'batch') (the default) or a subset")
        return ()
    unknown = [p for p in default_for if p not in purposes]
    problems.check(not unknown, "default_for", list(default_for), f"a subset of {allowed}",
                   "remove " + ", ".join(map(repr, unknown)))
    return tuple(p for p in purposes if p in default_for)


def check_base_image(problems: Problems, policy: Policy, image: object, *, given: bool, field: str,
                     accounts: Collection[str]) -> None:
    """A given base is a literal, digest-pinned image of an approved registry in an allowed account; the policy's
    own (``images.<field>``) may hold its placeholders and a tag (its Level 0 build then refuses to build until
    the policy pins it, see the pipeline's warning)."""
    found = uri.image_problem(image, policy.base_registries or policy.approved_registries, accounts=accounts,
                             template=not given)
    if found is None:
        return
    if given:
        problems.add("base_image", image, found.allowed, found.fix)
    else:
        problems.add("base_image", image, f"{found.allowed} (the policy's images.{field}, as base_image was not "
                     "given)", f"set the policy's images.{field} to an image of an approved registry, or pass "
                     "base_image=...")


def check_build_image(problems: Problems, policy: Policy, image: object, *, accounts: Collection[str]) -> str | None:
    """``gpu_build_image``: ``None``, or a CodeBuild image of ours in ECR (approved, pinned by digest)."""
    if image is None:
        return None
    found = uri.image_problem(image, policy.base_registries or policy.approved_registries, accounts=accounts)
    if found is None and uri.ecr_registry(image) is None:
        problems.add("gpu_build_image", image, "an Amazon ECR image (CodeBuild pulls a custom build image from ECR "
                     "with the build role)", "push the build image to the platform's ECR registry")
        return None
    if found is not None:
        problems.add("gpu_build_image", image, found.allowed, found.fix)
        return None
    return str(image)
