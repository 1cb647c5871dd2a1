"""PLAT-TAG1 over bare JSON resources, and the generated taggable-types list stays in sync."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from platform_constructs.compliance.engine import check_template
from platform_constructs.compliance.rules.required_tags import RULE, taggable_types
from platform_constructs.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICY = load_policy()
GOOD_TAGS = [
    {"Key": "CostCenter", "Value": "recs"}, {"Key": "Environment", "Value": "dev"},
    {"Key": "DataClassification", "Value": "internal"}, {"Key": "ManagedBy", "Value": "platform-constructs"},
    {"Key": "Project", "Value": "churn"}, {"Key": "Owner", "Value": "ds@example.com"},
]


def _findings(resource: dict) -> list[str]:  # type: ignore[type-arg]
    template = {"Resources": {"R": resource}}
    return [f.message for f in check_template(template, POLICY, POLICY.environment("dev"), rules=[RULE])]


def test_compliant_list_and_map_tags() -> None:
    assert _findings({"Type": "AWS::S3::Bucket", "Properties": {"Tags": GOOD_TAGS}}) == []
    as_map = {t["Key"]: t["Value"] for t in GOOD_TAGS}
    assert _findings({"Type": "AWS::Batch::JobQueue", "Properties": {"Tags": as_map}}) == []


def test_untagged_and_malformed_tags_are_reported() -> None:
    messages = _findings({"Type": "AWS::S3::Bucket", "Properties": {}})
    assert len(messages) == len(POLICY.tags)
    bad = [*GOOD_TAGS[:-1], {"Key": "Owner", "Value": "not-an-email"}]
    assert _findings({"Type": "AWS::KMS::Key", "Properties": {"Tags": bad}}) == [
        f"tag Owner='not-an-email' is malformed; expected {POLICY.tag_rule('Owner').expectation()}"]


def test_untaggable_types_are_not_applicable() -> None:
    assert _findings({"Type": "AWS::IAM::ManagedPolicy", "Properties": {}}) == []
    assert _findings({"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {}}) == []


def test_intrinsic_tag_list_is_unverifiable_not_passed() -> None:
    assert _findings({"Type": "AWS::S3::Bucket", "Properties": {"Tags": {"Ref": "TagsParam"}}}) == [
        "tags are computed at deploy time and cannot be verified"]


def test_taggable_types_match_installed_cfn_lint() -> None:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "gen_taggable_types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert json.loads(module.render()) == sorted(taggable_types())
    assert {"AWS::S3::Bucket", "AWS::SageMaker::Endpoint", "AWS::Batch::ComputeEnvironment"} <= taggable_types()
