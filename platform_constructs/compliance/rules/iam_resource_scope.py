"""PLAT-IAM5: actions that support resource-level permissions are not granted on every resource.

parliament's ``RESOURCE_STAR`` (an action written in an ``Allow`` statement whose resources are ``"*"``
although the action can be limited to named resources), ``RESOURCE_EFFECTIVELY_STAR`` (wildcard ARNs that
together cover every resource the actions touch) and ``RESOURCE_POLICY_PRIVILEGE_ESCALATION`` (e.g.
``s3:PutBucketPolicy`` where the objects' own actions are not allowed: the policy can grant them).
Actions that support no resource-level permission need ``"*"`` and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.iam import POLICY_TYPES, iam_findings
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation

ID = "PLAT-IAM5"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for finding in iam_findings(ID, logical_id, resource, ctx.template, ctx.exports, memo=ctx.memo):
        yield Violation(finding.location, finding.message, finding=finding.key)


RULE = Rule(
    id=ID,
    title="IAM actions that support resource-level permissions are scoped to resources",
    fix=("name the resources the action needs (ARNs of the types the Service Authorization Reference lists); keep "
         "'*' only for actions without resource-level permissions"),
    resource_types=POLICY_TYPES,
    check=check,
)
