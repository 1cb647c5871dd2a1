"""The argument checks of :mod:`.settings` that are not about requirements (pure): versions, flags, lineages, the
purposes served, and the images a pipeline pulls (its bases and its optional GPU build image)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TypeVar

from platform_constructs.arguments import expect_bool, expect_str, expect_str_list
from platform_constructs.errors import Problems
from platform_constructs.images import uri
from platform_constructs.images.lineages import LINEAGE_KEYS
from platform_constructs.policy import Policy

PurposeT = TypeVar("PurposeT", bound=str)


def check_version(problems: Problems, argument: str, value: object, *, policy_value: str, pattern: str,
                  allowed: str) -> None:
    """A version is a string matching ``pattern`` (``None``: the policy's). A number is refused: ``3.10`` is the
    float ``3.1``, so the fix offers the policy's version rather than the number's digits."""
    if value is None:
        return
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    expect_str(problems, argument, value, pattern=pattern,
               allowed=f"{allowed}, as a string (a number loses digits: 3.10 is 3.1)" if number else allowed,
               fix=f"pass {argument}='{policy_value}' (the policy's)", example=policy_value)


def check_flags(problems: Problems, **flags: object) -> None:
    """Each flag is a ``bool`` (the string ``'false'`` is not False)."""
    for argument, value in flags.items():
        expect_bool(problems, argument, value)


def lineage_keys(problems: Problems, lineages: object) -> tuple[str, ...]:
    """The lineages to build: a non-empty list (or tuple) of distinct keys of :data:`~.lineages.LINEAGE_KEYS`."""
    if not expect_str_list(problems, "lineages", lineages, choices=LINEAGE_KEYS,
                           allowed=f"a non-empty list of distinct lineages from {', '.join(LINEAGE_KEYS)}",
                           fix=f"pass lineages={list(LINEAGE_KEYS)!r} (the default) or a subset"):
        return _known(lineages, LINEAGE_KEYS)  # the other arguments are still checked against the known ones
    assert isinstance(lineages, (list, tuple))
    return tuple(lineages)


def default_for_purposes(problems: Problems, default_for: object,
                         purposes: Sequence[PurposeT]) -> tuple[PurposeT, ...]:
    """The purposes whose platform default the pipeline takes over: a list or tuple (possibly empty, never a
    string) of ``purposes``, in ``purposes`` order."""
    if not expect_str_list(problems, "default_for", default_for, choices=purposes, min_items=0, unique=False,
                           allowed=f"a list or tuple of purposes from {', '.join(purposes)} (empty: none)",
                           fix=f"pass default_for={tuple(purposes)!r} (the default), a subset, or ()"):
        return _known(default_for, purposes)
    assert isinstance(default_for, (list, tuple))
    return tuple(p for p in purposes if p in default_for)


def _known(value: object, choices: Sequence[PurposeT]) -> tuple[PurposeT, ...]:
    """The choices a refused list or tuple names, each once in the order given (nothing for any other value)."""
    found: list[PurposeT] = []
    for item in value if isinstance(value, (list, tuple)) else ():
        known = next((choice for choice in choices if isinstance(item, str) and item == choice), None)
        if known is not None and known not in found:
            found.append(known)
    return tuple(found)


def _expect_image_string(problems: Problems, argument: str, image: object) -> bool:
    """An image reference is a string (``registry/repository@sha256:...``): anything else is named as what it is."""
    return expect_str(problems, argument, image, allowed=f"an image reference {uri.DIGEST_EXAMPLE} (a string)",
                      fix=f"pass the full reference as a string, e.g. {argument}='{uri.DIGEST_EXAMPLE}'")


def check_base_image(problems: Problems, policy: Policy, image: object, *, given: bool, field: str,
                     accounts: Collection[str]) -> None:
    """A given base is a literal, digest-pinned image of an approved registry in an allowed account; the policy's
    own (``images.<field>``) may hold its placeholders and a tag (its Level 0 build then refuses to build until
    the policy pins it, see the pipeline's warning)."""
    if given and not _expect_image_string(problems, "base_image", image):
        return
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
    if image is None or not _expect_image_string(problems, "gpu_build_image", image):
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
