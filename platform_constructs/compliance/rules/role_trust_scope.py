"""PLAT-ROLE2: a role's trust policy does not admit every AWS account.

An ``AWS::IAM::Role`` whose ``AssumeRolePolicyDocument`` allows ``Principal: "*"`` (or ``{"AWS": "*"}``) without a
condition limiting the caller to named accounts, an organisation or named principals (``aws:PrincipalAccount``,
``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``, ``aws:PrincipalArn``, ``aws:SourceAccount``,
``aws:SourceOrgID``) can be assumed by any principal of any AWS account, with every permission the role has. An
``sts:ExternalId`` condition is no limit: whoever learns the id can assume the role from any account. (checkov
reports the same as CKV_AWS_60; no cdk-nag pack or Control Tower rule does.) A trust policy computed at deploy time
is unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, props, unverifiable
from platform_constructs.compliance.statements import open_to_everyone

WHERE = "Properties.AssumeRolePolicyDocument"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    document = props(resource).get("AssumeRolePolicyDocument")
    if document is None:
        return  # cfn-lint reports the missing required property
    for statement in open_to_everyone(document, WHERE):
        if statement.body is None:
            yield unverifiable(statement.location, "the trust policy statement")
        else:
            yield Violation(statement.location, f"allows {statement.actions_text} "
                                                "to every AWS account's principals (Principal '*' "
                                                "without an account, organisation or principal condition)")


RULE = Rule(
    id="PLAT-ROLE2",
    title="Role trust policies admit only named accounts, organisations or principals",
    fix=("name the trusted accounts or roles in Principal (e.g. {AWS: arn:aws:iam::<account>:root}), or keep "
         "Principal '*' with an aws:PrincipalOrgID or aws:PrincipalAccount condition"),
    resource_types=("AWS::IAM::Role",),
    check=check,
)
