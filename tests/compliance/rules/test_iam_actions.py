"""PLAT-IAM1 over bare policy resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.iam_actions import RULE


def managed_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}}


def test_catalogued_actions_and_wildcards_pass() -> None:
    policy = managed_policy({"Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"],
                             "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]})
    assert evaluate(RULE, policy) == []


def test_a_misspelt_action_and_an_unknown_service_are_reported_each() -> None:
    found = evaluate(RULE, managed_policy(
        {"Effect": "Allow", "Action": ["s3:GetObjects"], "Resource": "arn:aws:s3:::bucket/*"},
        {"Effect": "Allow", "Action": "sagemkr:InvokeEndpoint", "Resource": "*"}))
    assert [(v.finding, v.location) for v in found] == [
        ("Action::s3:GetObjects", "Properties.PolicyDocument.Statement[0]"),
        ("Action::sagemkr:InvokeEndpoint", "Properties.PolicyDocument.Statement[1]")]
    assert "Unknown action" in found[0].message


def test_an_action_computed_at_deploy_time_is_unverifiable() -> None:
    policy = managed_policy({"Effect": "Allow", "Action": {"Ref": "ActionParam"}, "Resource": "*"})
    found = evaluate(RULE, policy, template={"Resources": {"Resource": policy},
                                             "Parameters": {"ActionParam": {"Type": "String"}}})
    assert len(found) == 1 and "cannot be verified" in found[0].message and "parameter ActionParam" in found[0].message
