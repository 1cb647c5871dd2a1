"""PLAT-ROLE1 over bare IAM policies, roles, users and groups."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate, finding_id
from platform_constructs.compliance.rules.role_delegation_scope import RULE

ROLE = "arn:aws:iam::123456789012:role/platform/sagemaker-exec"


def policy(*statements: dict[str, Any], resource_type: str = "AWS::IAM::ManagedPolicy") -> dict[str, Any]:
    return {"Type": resource_type, "Properties": {"PolicyDocument": {"Version": "2012-10-17",
                                                                     "Statement": list(statements)}}}


def ids(found: list[Any]) -> list[str]:
    return [finding_id(RULE.id, v) for v in found]


def test_passing_and_assuming_named_roles_pass() -> None:
    assert evaluate(RULE, policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": ROLE,
                                  "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}},
                                 {"Effect": "Allow", "Action": "sts:AssumeRole",
                                  "Resource": "arn:aws:iam::123456789012:role/platform/*"})) == []
    assert evaluate(RULE, policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})) == []


def test_any_role_is_reported_per_action() -> None:
    found = evaluate(RULE, policy({"Effect": "Allow", "Action": ["iam:PassRole", "sts:AssumeRole"], "Resource": "*"}))
    assert ids(found) == ["PLAT-ROLE1[Action::iam:PassRole]", "PLAT-ROLE1[Action::sts:AssumeRole]"]
    for resource in ("arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/*",
                     {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"},
                                        ":role/*"]]}):
        found = evaluate(RULE, policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource}))
        assert ids(found) == ["PLAT-ROLE1[Action::iam:PassRole]"], resource


def test_wildcards_and_not_elements_that_include_the_actions_are_reported() -> None:
    for statement in ({"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                      {"Effect": "Allow", "Action": "*", "Resource": "*"},
                      {"Effect": "Allow", "Action": "IAM:pass*", "Resource": "*"},
                      {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
                      {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": ROLE}):
        assert "PLAT-ROLE1[Action::iam:PassRole]" in ids(evaluate(RULE, policy(statement))), statement
    assert evaluate(RULE, policy({"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"})) == []
    assert evaluate(RULE, policy({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"})) == []


def test_inline_policies_of_roles_users_and_groups_are_read() -> None:
    inline = [{"PolicyName": "p", "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}]
    for resource_type in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
        found = evaluate(RULE, {"Type": resource_type, "Properties": {"Policies": inline}})
        assert [v.location for v in found] == ["Properties.Policies[0].PolicyDocument.Statement[0]"], resource_type


def test_computed_statements_are_unverifiable() -> None:
    found = evaluate(RULE, policy({"Fn::If": ["Admin", {"Effect": "Allow", "Action": "*", "Resource": "*"},
                                              {"Ref": "AWS::NoValue"}]}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
