"""PLAT-LT1 over bare AWS::EC2::LaunchTemplate resources (cdk-nag cannot see Batch launch templates)."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate, finding_id
from platform_constructs.compliance.rules.launch_template_imdsv2 import RULE


def template(data: Any) -> dict[str, Any]:
    return {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": data}}


def test_imdsv2_with_hop_limit_one_passes() -> None:
    assert evaluate(RULE, template({"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}})) == []


def test_raw_launch_template_without_metadata_options_is_reported_for_both_settings() -> None:
    found = evaluate(RULE, template({"ImageId": "ami-123"}))
    assert [v.location for v in found] == ["Properties.LaunchTemplateData.MetadataOptions"] * 2
    assert [finding_id(RULE.id, v) for v in found] == ["PLAT-LT1[http-tokens]", "PLAT-LT1[hop-limit]"]
    assert "IMDSv1" in found[0].message


def test_optional_tokens_and_hop_limit_two_are_both_reported_each_with_its_own_id() -> None:
    found = evaluate(RULE, template({"MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2}}))
    assert [v.location.rsplit(".", 1)[1] for v in found] == ["HttpTokens", "HttpPutResponseHopLimit"]
    assert [v.finding for v in found] == ["http-tokens", "hop-limit"]


def test_computed_metadata_options_are_unverifiable() -> None:
    found = evaluate(RULE, template({"MetadataOptions": {"HttpTokens": {"Ref": "Tokens"},
                                                         "HttpPutResponseHopLimit": "1"}}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
