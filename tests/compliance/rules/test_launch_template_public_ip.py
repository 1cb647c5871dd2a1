"""PLAT-LT3 over bare AWS::EC2::LaunchTemplate resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.launch_template_public_ip import RULE


def template(*interfaces: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"NetworkInterfaces": list(interfaces)}}}


def test_private_interfaces_pass() -> None:
    assert evaluate(RULE, template({"DeviceIndex": 0}, {"DeviceIndex": 1, "AssociatePublicIpAddress": False})) == []
    assert evaluate(RULE, {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {}}}) == []


def test_public_ip_is_reported() -> None:
    found = evaluate(RULE, template({"DeviceIndex": 0}, {"DeviceIndex": 1, "AssociatePublicIpAddress": True}))
    assert [v.location for v in found] == [
        "Properties.LaunchTemplateData.NetworkInterfaces[1].AssociatePublicIpAddress"]


def test_computed_public_ip_is_unverifiable() -> None:
    found = evaluate(RULE, template({"DeviceIndex": 0, "AssociatePublicIpAddress": {"Ref": "Public"}}))
    assert len(found) == 1 and "cannot be verified" in found[0].message


def test_every_spelling_cloudformation_could_read_as_true_is_reported() -> None:
    for spelling in ("true", "TRUE", "True", "tRuE"):  # the last is no cfn-lint boolean: fail closed
        assert len(evaluate(RULE, template({"DeviceIndex": 0, "AssociatePublicIpAddress": spelling}))) == 1, spelling
    assert evaluate(RULE, template({"DeviceIndex": 0, "AssociatePublicIpAddress": "FALSE"})) == []
