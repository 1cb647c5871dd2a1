"""PLAT-IAM1: every action a policy names exists in AWS's IAM catalogue.

parliament's ``UNKNOWN_ACTION`` / ``UNKNOWN_PREFIX`` over every policy document of the resource (identity,
trust and resource policies: see :mod:`platform_constructs.compliance.iam.documents`): a misspelt or
invented action (``s3:GetObjects``, ``sagemaker:InvokeEndpoints``) grants nothing and hides the permission
that was meant. An action computed at deploy time (an intrinsic function) is reported as unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.iam import POLICY_TYPES, iam_findings
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation

ID = "PLAT-IAM1"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for finding in iam_findings(ID, logical_id, resource, ctx.template, ctx.exports, memo=ctx.memo):
        yield Violation(finding.location, finding.message, finding=finding.key)


RULE = Rule(
    id=ID,
    title="IAM policies name only actions that exist",
    fix="spell the action as the IAM Service Authorization Reference lists it (service prefix:ActionName)",
    resource_types=POLICY_TYPES,
    check=check,
)
