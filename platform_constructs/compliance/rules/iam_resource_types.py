"""PLAT-IAM2: every action is granted on resources of the type it acts on, named by well-formed ARNs.

parliament's ``RESOURCE_MISMATCH`` and ``INVALID_ARN``, with references resolved to example ARNs of the
referenced resource's type (:mod:`platform_constructs.compliance.iam.resolve`). An action written in an
``Allow`` statement is reported when the statement's resources give it nothing to act on — e.g.
``ecs:UpdateContainerInstancesState`` on a cluster ARN (it acts on container instances), or an action
that supports only ``"*"`` on a named ARN; a wildcard (``s3:List*``) is reported only when none of its
expansions matches. A resource the resolver cannot turn into an ARN of a known type (a parameter, an
import, an unknown attribute) is reported as unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.iam import POLICY_TYPES, iam_findings
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation

ID = "PLAT-IAM2"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for finding in iam_findings(ID, logical_id, resource, ctx.template, ctx.exports, memo=ctx.memo):
        yield Violation(finding.location, finding.message, finding=finding.key)


RULE = Rule(
    id=ID,
    title="IAM actions are granted on resources of their own resource type",
    fix=("grant the action on the resource type the Service Authorization Reference lists for it (or on '*' "
         "when it supports no resource-level permissions); write resources as ARNs"),
    resource_types=POLICY_TYPES,
    check=check,
)
