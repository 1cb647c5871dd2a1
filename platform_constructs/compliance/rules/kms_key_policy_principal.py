"""PLAT-KMS1: a KMS key policy does not let every AWS account use the key.

An ``AWS::KMS::Key`` (or ``AWS::KMS::ReplicaKey``) whose ``KeyPolicy`` allows ``Principal: "*"`` (or
``{"AWS": "*"}``) without a condition limiting the caller to named accounts, an organisation or named principals
(``kms:CallerAccount``, ``aws:PrincipalAccount``, ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``,
``aws:PrincipalArn``, ``aws:SourceAccount``, ``aws:SourceOrgID``) lets every principal of this account use the key
without any IAM policy granting it, and every principal of any other account whose own IAM policies allow the
call: the key policy is the key's primary access control (AWS KMS Developer Guide, "Key policies in AWS KMS";
cross-account use: "Allowing users in other accounts to use a KMS key"). ``Deny`` statements are not read.
checkov reports every ``Principal: "*"`` as CKV_AWS_33, conditioned or not; this rule accepts the account-limited
form AWS documents for service integrations (``kms:CallerAccount`` with ``kms:ViaService``). A key policy computed
at deploy time is unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, props, unverifiable
from platform_constructs.compliance.statements import (
    ACCOUNT_LIMITING_KEYS,
    open_to_everyone,
)

WHERE = "Properties.KeyPolicy"
KEY_LIMITING_KEYS = ACCOUNT_LIMITING_KEYS | {"kms:calleraccount"}


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    document = props(resource).get("KeyPolicy")
    if document is None:
        return  # the default key policy: the account's IAM policies decide
    for statement in open_to_everyone(document, WHERE, KEY_LIMITING_KEYS):
        if statement.body is None:
            yield unverifiable(statement.location, "the key policy statement")
        else:
            yield Violation(statement.location, f"allows {statement.actions_text} "
                                                "to every AWS account's principals (Principal '*' "
                                                "without an account, organisation or principal condition)")


RULE = Rule(
    id="PLAT-KMS1",
    title="KMS key policies admit only named accounts, organisations or principals",
    fix=("name the principals that use the key (roles, the account root for IAM delegation, services with "
         "aws:SourceAccount), or keep Principal '*' with a kms:CallerAccount or aws:PrincipalOrgID condition"),
    resource_types=("AWS::KMS::Key", "AWS::KMS::ReplicaKey"),
    check=check,
)
