"""PLAT-ECR4 over bare AWS::ECR::Repository resources."""

from __future__ import annotations

import json

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.ecr_lifecycle import RULE

EXPIRE_UNTAGGED = json.dumps({"rules": [{"rulePriority": 1, "selection": {
    "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
    "action": {"type": "expire"}}]})


def test_lifecycle_policy_passes() -> None:
    repository = {"Type": "AWS::ECR::Repository",
                  "Properties": {"LifecyclePolicy": {"LifecyclePolicyText": EXPIRE_UNTAGGED}}}
    assert evaluate(RULE, repository) == []


def test_missing_or_empty_lifecycle_policy_is_reported() -> None:
    assert len(evaluate(RULE, {"Type": "AWS::ECR::Repository", "Properties": {}})) == 1
    empty = {"Type": "AWS::ECR::Repository", "Properties": {"LifecyclePolicy": {"LifecyclePolicyText": ""}}}
    assert "no lifecycle policy" in evaluate(RULE, empty)[0].message
