"""PLAT-ECR5 over bare AWS::ECR::Repository resources with repository policies."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.ecr_public_policy import RULE


def repository(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryPolicyText": {
        "Version": "2012-10-17", "Statement": list(statements)}}}


PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def test_named_accounts_and_organisation_conditions_pass() -> None:
    assert evaluate(RULE, repository({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                      "Action": PULL})) == []
    assert evaluate(RULE, repository({"Effect": "Allow", "Principal": "*", "Action": PULL,
                                      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}})) == []
    assert evaluate(RULE, repository({"Effect": "Deny", "Principal": "*", "Action": "ecr:*"})) == []
    assert evaluate(RULE, {"Type": "AWS::ECR::Repository", "Properties": {}}) == []


def test_everyone_is_reported() -> None:
    for principal in ("*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}):
        found = evaluate(RULE, repository({"Effect": "Allow", "Principal": principal, "Action": PULL}))
        assert [v.location for v in found] == ["Properties.RepositoryPolicyText.Statement[0]"], principal
        assert "every AWS account" in found[0].message


def test_a_condition_that_limits_nothing_does_not_count() -> None:
    statement = {"Effect": "Allow", "Principal": "*", "Action": PULL,
                 "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    assert len(evaluate(RULE, repository(statement))) == 1
