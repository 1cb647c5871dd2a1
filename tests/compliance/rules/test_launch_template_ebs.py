"""PLAT-LT2 over bare AWS::EC2::LaunchTemplate resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.launch_template_ebs import RULE

KEY = {"Fn::GetAtt": ["Key", "Arn"]}


def template(*mappings: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"BlockDeviceMappings": list(mappings)}}}


def test_encrypted_volumes_with_a_key_pass() -> None:
    root = {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "KmsKeyId": KEY, "VolumeSize": 100}}
    assert evaluate(RULE, template(root, {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"})) == []


def test_unencrypted_volume_is_reported_with_its_device() -> None:
    found = evaluate(RULE, template({"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 100}}))
    assert [v.location for v in found] == ["Properties.LaunchTemplateData.BlockDeviceMappings[0].Ebs.Encrypted",
                                           "Properties.LaunchTemplateData.BlockDeviceMappings[0].Ebs.KmsKeyId"]
    assert "/dev/xvda is not encrypted" in found[0].message


def test_encrypted_with_the_default_key_is_reported() -> None:
    found = evaluate(RULE, template({"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": "true"}}))
    assert [v.location.rsplit(".", 1)[1] for v in found] == ["KmsKeyId"]


def test_computed_encryption_flag_is_unverifiable() -> None:
    found = evaluate(RULE, template({"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": {"Ref": "Enc"}, "KmsKeyId": KEY}}))
    assert len(found) == 1 and "cannot be verified" in found[0].message


def test_a_template_that_maps_no_ebs_volume_leaves_the_root_volume_unencrypted() -> None:
    for data in ({}, {"BlockDeviceMappings": [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}]}):
        found = evaluate(RULE, {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": data}})
        assert [(v.finding, v.location) for v in found] == [
            ("mappings", "Properties.LaunchTemplateData.BlockDeviceMappings")], data
        assert "root volume" in found[0].message


def test_booleans_are_read_as_cloudformation_reads_them() -> None:
    for spelling in (True, "true", "True", "TRUE"):
        assert evaluate(RULE, template({"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": spelling,
                                                                           "KmsKeyId": KEY}})) == [], spelling
    for wrong in (False, "False", "FALSE", "tRuE", "yes", 1):
        found = evaluate(RULE, template({"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": wrong, "KmsKeyId": KEY}}))
        assert [v.finding for v in found] == ["encrypted"], wrong
