"""PLAT-TAG1 over bare resources: list and map tag forms, missing and malformed tags."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.required_tags import RULE

TAGS = {"CostCenter": "churn-models", "Environment": "dev", "DataClassification": "internal",
        "ManagedBy": "platform-constructs", "Project": "ml-platform", "Owner": "ml@example.com"}


def bucket(tags: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}}


def test_fully_tagged_resources_pass_in_list_and_map_form() -> None:
    assert evaluate(RULE, bucket(TAGS)) == []
    assert evaluate(RULE, {"Type": "AWS::Batch::JobQueue", "Properties": {"Tags": TAGS}}) == []


def test_untagged_bucket_names_every_missing_tag_in_one_finding() -> None:
    found = evaluate(RULE, {"Type": "AWS::S3::Bucket", "Properties": {}})
    assert len(found) == 1
    assert found[0].message.startswith(f"missing required tag(s) {', '.join(TAGS)} (see tags.required in ")


def test_missing_and_malformed_tags_are_reported_separately() -> None:
    partial = {k: v for k, v in TAGS.items() if k != "Owner"}
    found = evaluate(RULE, bucket({**partial, "CostCenter": "Bad Center"}))
    assert [v.message.split(" (")[0].split(";")[0] for v in found] == [
        "missing required tag(s) Owner", "tag CostCenter='Bad Center' is malformed"]


def test_malformed_tag_is_reported() -> None:
    found = evaluate(RULE, bucket({**TAGS, "Environment": "production"}))
    assert [v.message.split(";")[0] for v in found] == ["tag Environment='production' is malformed"]


def test_computed_tags_are_unverifiable() -> None:
    found = evaluate(RULE, {"Type": "AWS::S3::Bucket", "Properties": {"Tags": {"Ref": "Tags"}}})
    assert len(found) == 1 and "cannot be verified" in found[0].message
