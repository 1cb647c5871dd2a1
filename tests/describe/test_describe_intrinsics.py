"""Template values as text for people."""

from __future__ import annotations

from platform_constructs.describe.intrinsics import number, ref, show


def test_show_renders_template_values_for_people() -> None:
    assert show("x") == "x"
    assert show({"Ref": "Bucket"}) == "<Bucket>"
    assert show({"Ref": "AWS::Region"}) == "{region}"
    assert show({"Fn::GetAtt": ["Role", "Arn"]}) == "<Role.Arn>"
    assert show({"Fn::Join": ["", ["s3://", {"Ref": "Bucket"}, "/out"]]}) == "s3://<Bucket>/out"
    assert show({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"}) == "arn:aws:s3:::<Bucket>"
    assert show("{{resolve:ssm:/platform/images/default/inference}}") == "<SSM /platform/images/default/inference>"
    assert show(2000000) == "2000000" and show(0.5) == "0.5"
    assert show({"Fn::If": ["C", 1, 2]}) == "<a value known at deploy time>"


def test_ref_and_number() -> None:
    assert ref({"Ref": "Bucket"}) == "Bucket" and ref({"Fn::GetAtt": ["Role", "Arn"]}) == "Role"
    assert ref("literal") is None
    assert number("3") == 3 and number("x", 7) == 7 and number(True, 1) == 1 and number(2.5) == 2.5
