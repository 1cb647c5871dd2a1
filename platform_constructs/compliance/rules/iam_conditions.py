"""PLAT-IAM3: conditions use known operators and keys that apply to the statement's actions, with values of
the key's type.

parliament's ``UNKNOWN_CONDITION_FOR_ACTION``, ``UNKNOWN_OPERATOR``, ``MISMATCHED_TYPE*`` and
``BAD_PATTERN_FOR_MFA``. A condition key that applies to none of an action's expansions can never match
a request for it, so that action is never granted (or, in a ``Deny``, never denied). A condition value
computed at deploy time is reported as unverifiable when its key's type is checked (ARN, date, number,
boolean, IP); a string key's value is not checked by anything.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.iam import POLICY_TYPES, iam_findings
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation

ID = "PLAT-IAM3"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for finding in iam_findings(ID, logical_id, resource, ctx.template, ctx.exports, memo=ctx.memo):
        yield Violation(finding.location, finding.message, finding=finding.key)


RULE = Rule(
    id=ID,
    title="IAM conditions use known operators and condition keys that apply to their actions",
    fix=("use a condition key the Service Authorization Reference lists for each action (or a global aws: key), "
         "an operator of the key's type (String*, Arn*, Numeric*, Date*, Bool, IpAddress) and values of that type"),
    resource_types=POLICY_TYPES,
    check=check,
)
