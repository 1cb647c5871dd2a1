"""PLAT-ECR5: an ECR repository's policy admits no one outside the organisation's accounts.

A ``RepositoryPolicyText`` statement that allows ``Principal: "*"`` (or ``{"AWS": "*"}``) without a condition
on the caller's account or organisation (``aws:PrincipalAccount``, ``aws:PrincipalOrgID``,
``aws:PrincipalOrgPaths``, ``aws:SourceAccount``, ``aws:SourceOrgID``) lets every AWS account pull (or push)
the images, and with them whatever the images contain. A policy computed at deploy time is unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, props, unverifiable
from platform_constructs.compliance.statements import open_to_everyone


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    document = props(resource).get("RepositoryPolicyText")
    if document is None:
        return
    for statement in open_to_everyone(document, "Properties.RepositoryPolicyText"):
        if statement.body is None:
            yield unverifiable(statement.location, "the repository policy statement")
        else:
            yield Violation(statement.location, f"allows {statement.actions_text} "
                                                "to every AWS account (Principal '*' without an "
                                                "account or organisation condition)")


RULE = Rule(
    id="PLAT-ECR5",
    title="ECR repository policies admit only the organisation's accounts",
    fix=("name the accounts in Principal, or keep Principal '*' with an aws:PrincipalOrgID (or aws:PrincipalAccount) "
         "condition"),
    resource_types=("AWS::ECR::Repository",),
    check=check,
)
