"""PLAT-ROLE1: ``iam:PassRole`` and ``sts:AssumeRole`` name the roles they may pass or assume.

An identity policy (``AWS::IAM::Policy``/``ManagedPolicy``, the inline ``Policies`` of a role, user or group)
that allows passing or assuming any role lets its holder hand a service, or become, every role of the account
(or of any account): privilege escalation in one statement. Reported, per action, for every ``Allow``
statement whose actions include ``iam:PassRole`` or ``sts:AssumeRole`` (directly, through a wildcard such as
``iam:*`` or ``*``, or through ``NotAction``) and whose resources do not name roles: ``"*"``, ``NotResource``,
an ARN with a wildcard account or a bare ``role/*``. A statement computed at deploy time is unverifiable.

Findings: ``PLAT-ROLE1[Action::iam:PassRole]`` and ``PLAT-ROLE1[Action::sts:AssumeRole]``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, unverifiable
from platform_constructs.compliance.statements import IDENTITY_POLICIES, Statement, identity_statements, nag_resource

DELEGATING = ("iam:PassRole", "sts:AssumeRole")
_PART = r"(?:<[^>]*>|[^:<]*)"  # one ARN field, literal or a flattened reference such as <AWS::AccountId>
_ANY_ROLE = re.compile(rf"arn:{_PART}:iam::{_PART}:role/\*|\*")
"""A resource that names no role: ``*``, or any role (``role/*``) of one account or of every account."""


def _grants(statement: Statement, action: str) -> bool:
    if statement.body is not None and "NotAction" in statement.body:
        return not any(fnmatch.fnmatchcase(action.lower(), str(a).lower()) for a in statement.values("NotAction"))
    return any(fnmatch.fnmatchcase(action.lower(), str(a).lower()) for a in statement.values("Action"))


def _unscoped(statement: Statement) -> list[str]:
    if statement.body is not None and "NotResource" in statement.body:
        return ["NotResource"]
    return [flat for flat in (nag_resource(r) for r in statement.values("Resource")) if _ANY_ROLE.fullmatch(flat)]


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for statement in identity_statements(resource):
        if statement.body is None:
            yield unverifiable(statement.location, "a policy statement")
            continue
        if not statement.allows:
            continue
        wide = _unscoped(statement)
        if not wide:
            continue
        for action in DELEGATING:
            if _grants(statement, action):
                what = "passed to a service" if action == "iam:PassRole" else "assumed"
                yield Violation(statement.location, f"allows {action} on {', '.join(wide)}: any role can be {what}",
                                f"Action::{action}")


RULE = Rule(
    id="PLAT-ROLE1",
    title="iam:PassRole and sts:AssumeRole are limited to named roles",
    fix=("name the roles (their ARNs, or a path prefix such as arn:aws:iam::<account>:role/service/*) in Resource; "
         "for iam:PassRole also add an iam:PassedToService condition"),
    resource_types=tuple(IDENTITY_POLICIES),
    check=check,
)
