"""PLAT-IAM4: policy documents follow the IAM policy grammar.

parliament's ``MALFORMED`` (unknown or missing elements, both ``Action`` and ``NotAction``, ...),
``MALFORMED_JSON``, ``INVALID_SID``, ``DUPLICATE_SID``, ``NO_VERSION``, ``INVALID_VERSION``,
``OLD_VERSION`` (``2008-10-17`` has no policy variables), ``UNKNOWN_PRINCIPAL`` and
``UNKNOWN_FEDERATION_SOURCE``; and a document or principal computed at deploy time, reported as
unverifiable. (``EXCEPTION``: parliament could not analyse the document; it counts as a finding.)
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.iam import POLICY_TYPES, iam_findings
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation

ID = "PLAT-IAM4"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for finding in iam_findings(ID, logical_id, resource, ctx.template, ctx.exports, memo=ctx.memo):
        yield Violation(finding.location, finding.message, finding=finding.key)


RULE = Rule(
    id=ID,
    title="IAM policy documents follow the policy grammar",
    fix=('write {"Version": "2012-10-17", "Statement": [...]} with Effect, Action/NotAction, Resource (identity '
         "policies), alphanumeric unique Sids and principals that are account ids, IAM ARNs or service names"),
    resource_types=POLICY_TYPES,
    check=check,
)
