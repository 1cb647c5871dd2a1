"""The IAM evaluator the runtime tables use for what the emulator cannot evaluate (pure: documents in, decision out).

Each rule of AWS's evaluation logic it implements has an allowing and a refusing case.
"""

from __future__ import annotations

from typing import Any

import pytest

from platform_constructs.local.runtime.policy import (
    Effect,
    Principal,
    Request,
    UnsupportedPolicyError,
    condition_holds,
    evaluate,
    key_policy_decision,
    matching_statements,
    same_account_decision,
)

ACCOUNT = "123456789012"
ROLE = Principal(arn=f"arn:aws:iam::{ACCOUNT}:role/job", account=ACCOUNT)
BUCKET = "arn:aws:s3:::datastore"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def request(action: str, resource: str, principal: Principal = ROLE, /, **context: str) -> Request:
    return Request(action, resource, principal, context)


def test_an_allow_covering_action_and_resource_allows_and_nothing_else_does() -> None:
    policy = doc(allow("s3:GetObject", f"{BUCKET}/recs/*"))
    assert evaluate([policy], request("s3:GetObject", f"{BUCKET}/recs/a/b.bin")) is Effect.ALLOW
    assert evaluate([policy], request("s3:GetObject", f"{BUCKET}/search/b.bin")) is Effect.NONE
    assert evaluate([policy], request("s3:PutObject", f"{BUCKET}/recs/b.bin")) is Effect.NONE


def test_actions_match_case_insensitively_with_wildcards_resources_case_sensitively() -> None:
    policy = doc(allow("ECR:Batch*", "arn:aws:ecr:us-east-1:1:repository/platform/?ase"))
    assert evaluate([policy], request("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:1:repository/platform/base")) \
        is Effect.ALLOW
    assert evaluate([policy], request("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:1:repository/platform/BASE")) \
        is Effect.NONE


def test_a_log_group_arn_attribute_covers_its_streams() -> None:
    group = "arn:aws:logs:us-east-1:1:log-group:/aws/sagemaker/Endpoints/x"
    policy = doc(allow("logs:PutLogEvents", f"{group}:*"))
    assert evaluate([policy], request("logs:PutLogEvents", f"{group}:log-stream:Primary/i-1")) is Effect.ALLOW
    assert evaluate([policy], request("logs:PutLogEvents", f"{group}-other:log-stream:a")) is Effect.NONE


def test_an_explicit_deny_wins_over_any_allow() -> None:
    policies = [doc(allow("s3:*", "*")), doc({"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"})]
    assert evaluate(policies, request("s3:PutObject", f"{BUCKET}/x")) is Effect.DENY
    assert evaluate(policies, request("s3:GetObject", f"{BUCKET}/x")) is Effect.ALLOW


def test_not_action_and_not_resource() -> None:
    policy = doc({"Effect": "Allow", "NotAction": "iam:*", "NotResource": f"{BUCKET}/secret/*"})
    assert evaluate([policy], request("s3:GetObject", f"{BUCKET}/public/x")) is Effect.ALLOW
    assert evaluate([policy], request("s3:GetObject", f"{BUCKET}/secret/x")) is Effect.NONE
    assert evaluate([policy], request("iam:PassRole", "*")) is Effect.NONE


def test_string_like_condition_on_the_listing_prefix() -> None:
    policy = doc(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["recs/*"]}}))
    assert evaluate([policy], request("s3:ListBucket", BUCKET, **{"s3:prefix": "recs/metaflow/"})) is Effect.ALLOW
    assert evaluate([policy], request("s3:ListBucket", BUCKET, **{"s3:prefix": "search/"})) is Effect.NONE
    assert evaluate([policy], request("s3:ListBucket", BUCKET)) is Effect.NONE  # no prefix: the key is missing


def test_a_missing_key_fails_a_condition_except_negated_if_exists_and_null() -> None:
    assert not condition_holds("StringEquals", "kms:ViaService", "s3.us-east-1.amazonaws.com", {})
    assert condition_holds("StringNotEquals", "kms:ViaService", "s3.us-east-1.amazonaws.com", {})
    assert condition_holds("StringEqualsIfExists", "kms:ViaService", "s3.us-east-1.amazonaws.com", {})
    assert condition_holds("Null", "kms:ViaService", "true", {})
    assert not condition_holds("Null", "kms:ViaService", "true", {"kms:ViaService": "s3.us-east-1.amazonaws.com"})


def test_via_service_condition_allows_only_through_the_named_service() -> None:
    policy = doc(allow("kms:Decrypt", "arn:aws:kms:us-east-1:1:key/k",
                       Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}))
    key = "arn:aws:kms:us-east-1:1:key/k"
    assert evaluate([policy], request("kms:Decrypt", key, **{"kms:ViaService": "s3.us-east-1.amazonaws.com"})) \
        is Effect.ALLOW
    assert evaluate([policy], request("kms:Decrypt", key)) is Effect.NONE


def test_bool_condition_of_a_tls_only_bucket_policy() -> None:
    tls_only = doc({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    over_tls = request("s3:GetObject", f"{BUCKET}/x", **{"aws:SecureTransport": "true"})
    plain = request("s3:GetObject", f"{BUCKET}/x", **{"aws:SecureTransport": "false"})
    assert evaluate([tls_only], over_tls, resource_policy=True) is Effect.NONE
    assert evaluate([tls_only], plain, resource_policy=True) is Effect.DENY


def test_an_unknown_operator_is_an_error_never_a_silent_match() -> None:
    policy = doc(allow("s3:GetObject", "*", Condition={"DateGreaterThan": {"aws:CurrentTime": "2026-01-01"}}))
    with pytest.raises(UnsupportedPolicyError, match="DateGreaterThan"):
        evaluate([policy], request("s3:GetObject", f"{BUCKET}/x", **{"aws:CurrentTime": "2026-12-01"}))
    with pytest.raises(UnsupportedPolicyError, match="ForAnyValue"):
        condition_holds("ForAnyValue:StringLike", "aws:TagKeys", "a*", {"aws:TagKeys": "ab"})


def test_trust_policy_names_the_service_that_assumes_the_role() -> None:
    trust = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "sagemaker.amazonaws.com"}})
    role = "arn:aws:iam::1:role/x"
    assert evaluate([trust], request("sts:AssumeRole", role, Principal(service="sagemaker.amazonaws.com")),
                    resource_policy=True) is Effect.ALLOW
    assert evaluate([trust], request("sts:AssumeRole", role, Principal(service="ec2.amazonaws.com")),
                    resource_policy=True) is Effect.NONE
    assert evaluate([trust], request("sts:AssumeRole", role), resource_policy=True) is Effect.NONE


KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
ROOT_STATEMENT = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
                  "Resource": "*"}


def test_a_key_policy_for_the_account_hands_the_decision_to_iam() -> None:
    key_policy = doc(ROOT_STATEMENT)
    assert key_policy_decision(key_policy, Effect.ALLOW, request("kms:Decrypt", KEY)) is Effect.ALLOW
    assert key_policy_decision(key_policy, Effect.NONE, request("kms:Decrypt", KEY)) is Effect.NONE


def test_a_key_policy_without_the_account_ignores_iam() -> None:
    service_only = doc({"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                        "Action": "kms:*", "Resource": "*"})
    assert key_policy_decision(service_only, Effect.ALLOW, request("kms:Decrypt", KEY)) is Effect.NONE
    naming_the_role = doc({"Effect": "Allow", "Principal": {"AWS": ROLE.arn}, "Action": "kms:Decrypt",
                           "Resource": "*"})
    assert key_policy_decision(naming_the_role, Effect.NONE, request("kms:Decrypt", KEY)) is Effect.ALLOW


def test_a_deny_in_the_key_policy_wins() -> None:
    key_policy = doc(ROOT_STATEMENT, {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"})
    assert key_policy_decision(key_policy, Effect.ALLOW, request("kms:Decrypt", KEY)) is Effect.DENY


def test_same_account_access_needs_one_allow_and_no_deny() -> None:
    bucket_policy = doc({"Effect": "Allow", "Principal": {"AWS": ROLE.arn}, "Action": "s3:GetObject",
                         "Resource": f"{BUCKET}/*"})
    get = request("s3:GetObject", f"{BUCKET}/x")
    assert same_account_decision(bucket_policy, Effect.NONE, get) is Effect.ALLOW
    assert same_account_decision(None, Effect.ALLOW, get) is Effect.ALLOW
    assert same_account_decision(None, Effect.NONE, get) is Effect.NONE
    assert same_account_decision(bucket_policy, Effect.DENY, get) is Effect.DENY


def test_matching_statements_finds_conditioned_statements_whatever_their_resource() -> None:
    documents = [doc(allow("kms:Decrypt", "arn:aws:kms:*:*:key/a", Sid="Via", Condition={"Bool": {"x": "true"}}),
                     allow("kms:Encrypt", "*", Sid="Other"))]
    assert [s["Sid"] for s in matching_statements(documents, "kms:Decrypt")] == ["Via"]
