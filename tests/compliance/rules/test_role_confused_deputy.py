"""PLAT-ROLE3 over bare AWS::IAM::Role resources trusted by services."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.role_confused_deputy import RULE, SERVICES
from platform_constructs.roles import CONFUSED_DEPUTY_SOURCES


def role(service: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
                 **({"Condition": condition} if condition else {})}
    return {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}}


def test_the_services_are_the_ones_the_library_conditions() -> None:
    assert set(SERVICES) == set(CONFUSED_DEPUTY_SOURCES)


def test_conditioned_trusts_and_other_services_pass() -> None:
    own = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert evaluate(RULE, role("sagemaker.amazonaws.com", own)) == []
    assert evaluate(RULE, role(["codebuild.amazonaws.com"], {
        "ArnLike": {"AWS:SourceArn": "arn:aws:codebuild:us-east-1:123456789012:project/*"}})) == []
    assert evaluate(RULE, role("events.amazonaws.com", {"StringEquals": {"aws:SourceOrgID": "o-abcdef1234"}})) == []
    assert evaluate(RULE, role("ec2.amazonaws.com")) == []  # EC2 sends no source keys on role assumption


def test_each_unconditioned_service_trust_is_reported() -> None:
    for service in ("sagemaker.amazonaws.com", "codebuild.amazonaws.com", "events.amazonaws.com",
                    "vpc-flow-logs.amazonaws.com"):
        found = evaluate(RULE, role([service, "ec2.amazonaws.com"]))
        assert [v.location for v in found] == ["Properties.AssumeRolePolicyDocument.Statement[0]"]
        assert f"trusts {service} without" in found[0].message
    joined = {"Fn::Join": ["", ["sagemaker.", {"Ref": "AWS::URLSuffix"}]]}
    assert len(evaluate(RULE, role(joined))) == 1


def test_a_condition_on_another_key_is_no_limit() -> None:
    found = evaluate(RULE, role("sagemaker.amazonaws.com", {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}))
    assert len(found) == 1


def test_a_computed_trust_statement_is_unverifiable() -> None:
    found = evaluate(RULE, {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
        "Statement": [{"Fn::If": ["C", {}, {}]}]}}})
    assert len(found) == 1 and "cannot be verified" in found[0].message
