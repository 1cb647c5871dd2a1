"""PLAT-ROLE2 over bare AWS::IAM::Role resources and their trust policies."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.role_trust_scope import RULE


def role(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}}


def trust(principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}


def test_named_principals_services_and_limited_wildcards_pass() -> None:
    assert evaluate(RULE, role(trust({"AWS": "arn:aws:iam::123456789012:root"}))) == []
    assert evaluate(RULE, role(trust({"Service": "sagemaker.amazonaws.com"}, Condition={
        "StringEquals": {"aws:SourceAccount": "123456789012"}}))) == []
    assert evaluate(RULE, role(trust({"AWS": "*"}, Condition={
        "StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}))) == []
    assert evaluate(RULE, role(trust("*", Condition={"StringEquals": {"AWS:PrincipalAccount": "123456789012"}}))) == []
    assert evaluate(RULE, role({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"})) == []


def test_every_account_is_reported_in_each_spelling() -> None:
    for principal in ("*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::123456789012:root", "*"]}):
        found = evaluate(RULE, role(trust({"Service": "ec2.amazonaws.com"}), trust(principal)))
        assert [v.location for v in found] == ["Properties.AssumeRolePolicyDocument.Statement[1]"]
        assert "every AWS account" in found[0].message and "sts:AssumeRole" in found[0].message


def test_an_external_id_is_no_limit() -> None:
    found = evaluate(RULE, role(trust({"AWS": "*"}, Condition={"StringEquals": {"sts:ExternalId": "partner-42"}})))
    assert len(found) == 1


def test_a_trust_policy_as_a_json_string_is_read() -> None:
    document = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, ' \
               '"Action": "sts:AssumeRole"}]}'
    found = evaluate(RULE, {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": document}})
    assert len(found) == 1


def test_a_computed_trust_policy_is_unverifiable() -> None:
    found = evaluate(RULE, {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Fn::If": ["Shared", {"Statement": []}, {"Statement": []}]}}})
    assert len(found) == 1 and "cannot be verified" in found[0].message
