"""PLAT-ECR2 over bare AWS::ECR::Repository resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.ecr_immutable_tags import RULE


def repository(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::ECR::Repository", "Properties": properties}


def test_immutable_tags_pass() -> None:
    assert evaluate(RULE, repository(ImageTagMutability="IMMUTABLE")) == []


def test_default_and_mutable_tags_are_reported() -> None:
    assert "default MUTABLE" in evaluate(RULE, repository())[0].message
    assert "'MUTABLE'" in evaluate(RULE, repository(ImageTagMutability="MUTABLE"))[0].message


def test_computed_mutability_is_unverifiable() -> None:
    found = evaluate(RULE, repository(ImageTagMutability={"Ref": "Mutability"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
