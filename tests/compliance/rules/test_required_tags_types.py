"""PLAT-TAG1 applies exactly to the types CloudFormation can tag; the generated list stays in sync
(tag semantics are tested in test_required_tags.py beside this file)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from platform_constructs.compliance.engine import check_template
from platform_constructs.compliance.rules.required_tags import RULE, taggable_types
from platform_constructs.policy import load_policy

ROOT = Path(__file__).resolve().parents[3]  # tests/compliance/rules/ -> the repository
POLICY = load_policy()


def _findings(resource: dict) -> list[str]:  # type: ignore[type-arg]
    template = {"Resources": {"R": resource}}
    return [f.message for f in check_template(template, POLICY, POLICY.environment("dev"), rules=[RULE])]


def test_untaggable_types_are_not_applicable() -> None:
    assert _findings({"Type": "AWS::IAM::ManagedPolicy", "Properties": {}}) == []
    assert _findings({"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {}}) == []


def test_taggable_types_match_installed_cfn_lint() -> None:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "gen_taggable_types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert json.loads(module.render()) == taggable_types()
    assert {"AWS::S3::Bucket", "AWS::SageMaker::Endpoint", "AWS::Batch::ComputeEnvironment"} <= set(taggable_types())
    assert taggable_types()["AWS::EFS::FileSystem"] == "FileSystemTags"
