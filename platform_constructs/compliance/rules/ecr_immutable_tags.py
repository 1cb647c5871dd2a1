"""PLAT-ECR2: an ECR repository's image tags are immutable (a tag always names the image that was scanned)."""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    props,
    unverifiable,
)

WHERE = "Properties.ImageTagMutability"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    mutability = props(resource).get("ImageTagMutability")
    if is_intrinsic(mutability):
        yield unverifiable(WHERE, "ImageTagMutability")
    elif mutability != "IMMUTABLE":
        shown = "not set (default MUTABLE)" if mutability is None else repr(mutability)
        yield Violation(WHERE, f"ImageTagMutability is {shown}; tags must be IMMUTABLE")


RULE = Rule(
    id="PLAT-ECR2",
    title="ECR repositories have immutable image tags",
    fix="set ImageTagMutability: IMMUTABLE",
    resource_types=("AWS::ECR::Repository",),
    check=check,
)
