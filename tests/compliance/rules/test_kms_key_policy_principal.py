"""PLAT-KMS1 over bare AWS::KMS::Key resources and their key policies."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.kms_key_policy_principal import RULE

ROOT = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}


def key(*statements: dict[str, Any], resource_type: str = "AWS::KMS::Key") -> dict[str, Any]:
    return {"Type": resource_type, "Properties": {"EnableKeyRotation": True,
                                                  "KeyPolicy": {"Version": "2012-10-17",
                                                                "Statement": [ROOT, *statements]}}}


def use(principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*", **extra}


def test_named_principals_the_default_policy_and_account_limited_wildcards_pass() -> None:
    assert evaluate(RULE, key()) == []
    assert evaluate(RULE, {"Type": "AWS::KMS::Key", "Properties": {}}) == []
    assert evaluate(RULE, key(use({"AWS": "*"}, Condition={"StringEquals": {
        "kms:CallerAccount": "123456789012", "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}))) == []
    named = {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/x"}}
    assert evaluate(RULE, key(use("*", Condition=named))) == []
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:CreateGrant", "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}
    assert evaluate(RULE, key(deny)) == []


def test_every_account_is_reported_on_keys_and_replica_keys() -> None:
    for resource_type in ("AWS::KMS::Key", "AWS::KMS::ReplicaKey"):
        for principal in ("*", {"AWS": "*"}, {"AWS": ["*"]}):
            found = evaluate(RULE, key(use(principal), resource_type=resource_type))
            assert [v.location for v in found] == ["Properties.KeyPolicy.Statement[1]"]
            assert "kms:Decrypt, kms:GenerateDataKey to every AWS account" in found[0].message


def test_a_condition_on_something_else_is_no_limit() -> None:
    found = evaluate(RULE, key(use("*", Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})))
    assert len(found) == 1


def test_a_computed_statement_is_unverifiable() -> None:
    found = evaluate(RULE, key({"Fn::If": ["Shared", use("*"), {"Ref": "AWS::NoValue"}]}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
