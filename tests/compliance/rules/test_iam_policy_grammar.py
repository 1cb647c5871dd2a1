"""PLAT-IAM4 over bare policy resources: the policy grammar, trust policies included."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.iam_policy_grammar import RULE

ASSUME: dict[str, Any] = {
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}
TRUST: dict[str, Any] = {"Version": "2012-10-17", "Statement": [ASSUME]}


def role(trust: Any) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}}


def test_a_well_formed_trust_policy_passes() -> None:
    assert evaluate(RULE, role(TRUST)) == []


def test_missing_version_bad_sid_and_unknown_principal_are_reported() -> None:
    statement = {**ASSUME, "Sid": "assume-role", "Principal": {"AWS": "not-an-account"}}
    found = evaluate(RULE, role({"Statement": [statement]}))
    assert {(v.finding or "").split("::")[0] for v in found} == {"NO_VERSION", "INVALID_SID", "UNKNOWN_PRINCIPAL"}
    (principal,) = evaluate(RULE, role({**TRUST, "Statement": [{**ASSUME, "Principal": {"AWS": "x"}}]}))
    assert principal.finding == "UNKNOWN_PRINCIPAL::x"


def test_a_document_or_principal_computed_at_deploy_time_is_unverifiable() -> None:
    template: dict[str, Any] = {"Parameters": {"Trusted": {"Type": "String"}}}
    computed = role({"Fn::If": ["IsProd", TRUST, TRUST]})
    (found,) = evaluate(RULE, computed, template={**template, "Resources": {"Resource": computed}})
    assert found.finding is not None and found.finding.startswith("Unverifiable::Document::")
    assert "Fn::If" in found.message
    principal = role({**TRUST, "Statement": [{**ASSUME, "Principal": {"AWS": {"Ref": "Trusted"}}}]})
    (found,) = evaluate(RULE, principal, template={**template, "Resources": {"Resource": principal}})
    assert found.finding == 'Unverifiable::Principal::{"Ref":"Trusted"}'
