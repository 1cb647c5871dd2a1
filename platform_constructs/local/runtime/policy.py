"""IAM policy evaluation for the statements the emulator cannot evaluate (pure: documents in, decision out).

Used where moto's authorisation is not faithful (:mod:`platform_constructs.local.runtime.limits`): statements
with conditions, resource-based policies (KMS key policies, S3 bucket policies), trust policies, and actions the
emulator has no API for. It follows AWS's documented evaluation logic (IAM User Guide, "Policy evaluation logic"
and "IAM JSON policy elements: Condition operators"):

* an explicit ``Deny`` in any applicable policy wins; otherwise an ``Allow`` is needed;
* ``Action``/``NotAction`` match case-insensitively with ``*`` and ``?`` wildcards; ``Resource``/``NotResource``
  match case-sensitively with the same wildcards (which also span ``:`` and ``/``);
* a condition block is the AND of its operators, each the AND of its keys, each the OR of its values; a key
  missing from the request context makes the condition false, except for negated operators (``StringNotEquals``,
  ``StringNotLike``, ``ArnNotLike``, ``ArnNotEquals``), which are then true, ``...IfExists`` operators, which are
  then true, and ``Null``;
* an operator this module does not know is an error (:class:`UnsupportedPolicyError`), never a silent match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Effect(Enum):
    ALLOW = "allow"
    DENY = "deny"
    NONE = "none"
    """No statement applies (an implicit deny)."""


class UnsupportedPolicyError(ValueError):
    """A policy uses an element or operator this evaluator does not implement."""


@dataclass(frozen=True)
class Principal:
    """Who makes the request: an assumed role (``arn``, ``account``) or an AWS service (``service``)."""

    arn: str = ""
    account: str = ""
    service: str = ""


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _wildcard(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """IAM's wildcards: ``*`` any characters (``:`` and ``/`` included), ``?`` one character; nothing else."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE) is not None


def action_matches(patterns: Any, action: str) -> bool:
    return any(_wildcard(str(p), action, case_sensitive=False) for p in _as_list(patterns))


def resource_matches(patterns: Any, resource: str) -> bool:
    return any(_wildcard(str(p), resource, case_sensitive=True) for p in _as_list(patterns))


def principal_matches(element: Any, principal: Principal) -> bool:
    """Does a resource or trust policy's ``Principal`` element name ``principal``?"""
    if element == "*":
        return True
    if not isinstance(element, Mapping):
        raise UnsupportedPolicyError(f"Principal element {element!r}")
    names = {"*", principal.arn, principal.account, f"arn:aws:iam::{principal.account}:root"}
    for kind, values in element.items():
        for value in map(str, _as_list(values)):
            if kind == "Service" and principal.service and value == principal.service:
                return True
            if kind == "AWS" and not principal.service and value in names:
                return True
    return False


def delegates_to_iam(element: Any, account: str) -> bool:
    """A key-policy principal that is the account itself: IAM policies then govern the key's use."""
    if not isinstance(element, Mapping):
        return False
    return any(str(v) in (account, f"arn:aws:iam::{account}:root") or
               re.fullmatch(rf"arn:aws[\w-]*:iam::{account}:root", str(v)) is not None
               for v in _as_list(element.get("AWS", [])))


# --- conditions --------------------------------------------------------------------------------------------

_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _compare(base: str, expected: str, actual: str) -> bool:
    if base in ("StringEquals", "StringNotEquals"):
        return actual == expected
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return actual.lower() == expected.lower()
    if base in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike"):
        return _wildcard(expected, actual, case_sensitive=True)
    if base in ("ArnEquals", "ArnNotEquals"):
        return actual == expected
    if base == "Bool":
        return actual.lower() == expected.lower()
    raise UnsupportedPolicyError(f"condition operator {base!r}")


def condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    if operator.startswith(("ForAnyValue:", "ForAllValues:")):
        raise UnsupportedPolicyError(f"condition set operator {operator!r}")
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(expected)]
    if base == "Null":
        present = key in context
        return all((v.lower() == "true") != present for v in values)
    if key not in context:
        return if_exists or base in _NEGATED
    actual = context[key]
    if base in _NEGATED:
        return not any(_compare(base, v, actual) for v in values)
    return any(_compare(base, v, actual) for v in values)


def conditions_hold(block: Any, context: Mapping[str, str]) -> bool:
    if not block:
        return True
    if not isinstance(block, Mapping):
        raise UnsupportedPolicyError(f"Condition element {block!r}")
    return all(condition_holds(operator, key, expected, context)
               for operator, keys in block.items() for key, expected in keys.items())


# --- statements and documents ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request as a policy sees it."""

    action: str
    resource: str
    principal: Principal
    context: Mapping[str, str]


def _covers_action(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not action_matches(statement["NotAction"], action)
    return action_matches(statement.get("Action", []), action)


def _covers_resource(statement: Mapping[str, Any], resource: str, *, resource_policy: bool) -> bool:
    if "NotResource" in statement:
        return not resource_matches(statement["NotResource"], resource)
    if "Resource" in statement:
        return resource_matches(statement["Resource"], resource)
    return resource_policy  # a trust policy has no Resource; an identity statement without one is invalid


def statement_applies(statement: Mapping[str, Any], request: Request, *, resource_policy: bool) -> bool:
    if "NotPrincipal" in statement:
        raise UnsupportedPolicyError("NotPrincipal")
    return ((not resource_policy or principal_matches(statement.get("Principal"), request.principal))
            and _covers_action(statement, request.action)
            and _covers_resource(statement, request.resource, resource_policy=resource_policy)
            and conditions_hold(statement.get("Condition"), request.context))


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in _as_list(document.get("Statement", [])) if isinstance(s, Mapping)]


def evaluate(documents: Iterable[Mapping[str, Any]], request: Request, *, resource_policy: bool = False) -> Effect:
    """The combined effect of ``documents`` (identity policies, or one resource/trust policy) on ``request``."""
    allowed = False
    for document in documents:
        for statement in statements(document):
            if statement_applies(statement, request, resource_policy=resource_policy):
                if statement.get("Effect") == "Deny":
                    return Effect.DENY
                allowed = allowed or statement.get("Effect") == "Allow"
    return Effect.ALLOW if allowed else Effect.NONE


def matching_statements(documents: Sequence[Mapping[str, Any]], action: str) -> list[Mapping[str, Any]]:
    """Statements whose ``Action`` (or ``NotAction``) covers ``action``, whatever their resource."""
    return [s for document in documents for s in statements(document) if _covers_action(s, action)]


def key_policy_decision(key_policy: Mapping[str, Any], identity: Effect, request: Request) -> Effect:
    """A KMS request: the key policy must allow the principal, directly or through a statement for the account
    itself, which hands the decision to the account's IAM policies (AWS KMS developer guide, "Key policies in
    AWS KMS": without such a statement IAM policies have no effect on the key)."""
    direct = delegated = False
    for statement in statements(key_policy):
        if not statement_applies(statement, request, resource_policy=True):
            continue
        if statement.get("Effect") == "Deny":
            return Effect.DENY
        if statement.get("Effect") == "Allow":
            if delegates_to_iam(statement.get("Principal"), request.principal.account):
                delegated = True
            else:
                direct = True
    if identity is Effect.DENY:
        return Effect.DENY
    return Effect.ALLOW if direct or (delegated and identity is Effect.ALLOW) else Effect.NONE


def same_account_decision(resource_policy: Mapping[str, Any] | None, identity: Effect, request: Request) -> Effect:
    """Same-account access: an explicit deny anywhere wins; an allow in either the identity or the resource
    policy suffices (IAM User Guide, "Policy evaluation logic", same-account requests)."""
    resource = evaluate([resource_policy], request, resource_policy=True) if resource_policy else Effect.NONE
    if Effect.DENY in (resource, identity):
        return Effect.DENY
    return Effect.ALLOW if Effect.ALLOW in (resource, identity) else Effect.NONE
