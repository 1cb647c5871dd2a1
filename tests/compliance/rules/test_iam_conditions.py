"""PLAT-IAM3 over bare policy resources: condition keys, operators and value types."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.iam_conditions import RULE

BUCKET, OBJECTS = "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/team/*"


def managed_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}}


def test_keys_that_apply_to_their_actions_pass() -> None:
    policy = managed_policy(
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET,
         "Condition": {"StringLike": {"s3:prefix": ["team/*"]}}},
        {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}})
    assert evaluate(RULE, policy) == []


def test_a_key_that_applies_to_an_action_of_the_statement_not_at_all_is_reported() -> None:
    policy = managed_policy({"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
                             "Resource": [BUCKET, OBJECTS], "Condition": {"StringLike": {"s3:prefix": ["team/*"]}}})
    (found,) = evaluate(RULE, policy)
    assert found.finding == "Condition::s3:prefix::s3:GetObject"
    assert "can never match" in found.message


def test_an_operator_of_the_wrong_type_and_an_unknown_operator_are_reported() -> None:
    policy = managed_policy(
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"NumericEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS,
         "Condition": {"StringEqualz": {"aws:SourceVpce": "vpce-1"}}})
    findings = sorted(v.finding or "" for v in evaluate(RULE, policy))
    assert "Condition::NumericEquals::kms:ViaService" in findings
    assert "Condition::UNKNOWN_OPERATOR::StringEqualz" in findings


def test_a_computed_value_is_unverifiable_only_where_its_type_is_checked() -> None:
    params = {"Parameters": {"Source": {"Type": "String"}}}
    arn_key = managed_policy({"Effect": "Allow", "Action": "sns:Publish", "Resource": "*",
                              "Condition": {"ArnLike": {"aws:SourceArn": {"Ref": "Source"}}}})
    (found,) = evaluate(RULE, arn_key, template={"Resources": {"Resource": arn_key}, **params})
    assert found.finding is not None and found.finding.startswith("Unverifiable::Condition::")
    string_key = managed_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS,
                                 "Condition": {"StringEquals": {"aws:SourceVpce": {"Ref": "Source"}}}})
    assert evaluate(RULE, string_key, template={"Resources": {"Resource": string_key}, **params}) == []
