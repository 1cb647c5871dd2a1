"""Running parliament over one prepared policy document, and sorting what it finds into the IAM rules.

parliament (duo-labs, PyPI ``parliament``) lints a policy against the IAM action, resource-type and
condition-key catalogue it ships (generated from AWS's Service Authorization Reference). It is imported
on first use (its catalogue takes about 0.2 s to load, once per process) and each distinct document is
analysed once (results are cached by the document's JSON).

Two of its findings are read per action *as written*, because parliament reports them per expanded
action: ``s3:List*`` on a bucket expands to ``s3:ListAllMyBuckets`` too, which needs ``"*"``, but the
wildcard still grants ``s3:ListBucket`` there. So an action written in a statement is reported when
*none* of its expansions is granted on the statement's resources (``RESOURCE_MISMATCH``), or when a
condition key applies to *none* of them (``UNKNOWN_CONDITION_FOR_ACTION``); a named action is its own
single expansion, so every mismatch of a named action is reported.
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
import re
import sys
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

from platform_constructs.compliance.iam.documents import PreparedDocument

ACTIONS, RESOURCES, CONDITIONS, GRAMMAR, BREADTH = "PLAT-IAM1", "PLAT-IAM2", "PLAT-IAM3", "PLAT-IAM4", "PLAT-IAM5"
RULE_IDS = (ACTIONS, RESOURCES, CONDITIONS, GRAMMAR, BREADTH)
FINDING_ID = re.compile(r"^PLAT-IAM[1-5]\[(Action|Resource|Condition|Unverifiable|[A-Z_]+)(::.+)?\]$")
"""The form of an IAM finding's id: ``<rule>[<what>::<which>]``, e.g. ``PLAT-IAM2[Action::s3:GetObject::object]``."""

ISSUE_RULES: dict[str, str] = {
    "UNKNOWN_ACTION": ACTIONS, "UNKNOWN_PREFIX": ACTIONS,
    "RESOURCE_MISMATCH": RESOURCES, "INVALID_ARN": RESOURCES,
    "UNKNOWN_CONDITION_FOR_ACTION": CONDITIONS, "UNKNOWN_OPERATOR": CONDITIONS, "MISMATCHED_TYPE": CONDITIONS,
    "MISMATCHED_TYPE_BUT_USABLE": CONDITIONS, "MISMATCHED_TYPE_OPERATION_TO_NULL": CONDITIONS,
    "BAD_PATTERN_FOR_MFA": CONDITIONS,
    "MALFORMED": GRAMMAR, "MALFORMED_JSON": GRAMMAR, "INVALID_SID": GRAMMAR, "DUPLICATE_SID": GRAMMAR,
    "NO_VERSION": GRAMMAR, "INVALID_VERSION": GRAMMAR, "OLD_VERSION": GRAMMAR, "UNKNOWN_PRINCIPAL": GRAMMAR,
    "UNKNOWN_FEDERATION_SOURCE": GRAMMAR, "EXCEPTION": GRAMMAR,
    "RESOURCE_STAR": BREADTH, "RESOURCE_EFFECTIVELY_STAR": BREADTH, "RESOURCE_POLICY_PRIVILEGE_ESCALATION": BREADTH,
}
"""Every issue parliament's core reports, and the rule that reports it."""

GAP_RULES = {"Action": ACTIONS, "NotAction": ACTIONS, "Resource": RESOURCES, "NotResource": RESOURCES,
             "Condition": CONDITIONS}
"""An unverifiable value is reported by the rule that needed it; the others (Principal, ...) by PLAT-IAM4."""

_UNKNOWN_CONDITION = re.compile(r"Unknown condition (\S+) for action (\S+)")
_TYPE_MISMATCH = re.compile(r"Type mismatch: (\S+) requires a value of type (\w+) but given (.*)$")


@dataclass(frozen=True)
class IamFinding:
    """One problem in one policy document, attributed to one IAM rule."""

    rule: str
    key: str
    """What exactly is wrong, for acknowledgment ids: e.g. an action and the resource types the statement lacks
    for it, ``Action::ecs:UpdateContainerInstancesState::container-instance``."""
    location: str
    message: str


@dataclass(frozen=True)
class _Raw:
    statement: int | None
    issue: str
    detail: Any
    location: Any


def _resource_filename(package: str, name: str) -> str:
    return str(importlib.resources.files(package).joinpath(name))


_LOADING = threading.Lock()


@lru_cache(maxsize=1)
def load_parliament() -> ModuleType:
    """parliament, imported once (by one thread at a time: see :func:`prefetch`).

    parliament 1.6.4 imports ``pkg_resources`` only to call ``resource_filename`` for its two data files, and
    setuptools 82 removed ``pkg_resources`` (duo-labs/parliament#247; the last setuptools that has it, 81.x, is
    affected by GHSA-h35f-9h28-mq5c). So for that import only, ``sys.modules["pkg_resources"]`` is a stand-in with
    that one function (from :mod:`importlib.resources`); whatever was there before is put back afterwards.
    """
    with _LOADING:
        if "parliament" in sys.modules:
            return sys.modules["parliament"]
        stand_in = ModuleType("pkg_resources")
        stand_in.__dict__["resource_filename"] = _resource_filename
        had, before = "pkg_resources" in sys.modules, sys.modules.get("pkg_resources")
        sys.modules["pkg_resources"] = stand_in
        try:
            with warnings.catch_warnings():  # it opens its catalogue files without closing them (ResourceWarning)
                warnings.simplefilter("ignore", ResourceWarning)
                return importlib.import_module("parliament")
        finally:
            if had:
                sys.modules["pkg_resources"] = before  # type: ignore[assignment]
            else:
                del sys.modules["pkg_resources"]


def prefetch() -> None:
    """Start loading parliament (about 0.1 s of Python: its catalogue) in a thread of its own, so that it is loaded
    when the first IAM check needs it.

    The gate calls this when it is installed, as construction begins: from then on the Python side of a synth mostly
    waits for Node (each jsii call is a round trip over a pipe, which releases the GIL), and the thread loads
    parliament in those waits instead of at synth, where the rule pack would wait for it (issue 19's profile).
    Loading is serialised (:data:`_LOADING`), so a check that comes first simply loads it itself. Not a daemon:
    an app that never synthesizes still lets it finish before the interpreter exits."""
    if "parliament" not in sys.modules:
        threading.Thread(target=load_parliament, name="platform-parliament-prefetch").start()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@lru_cache(maxsize=4096)
def _analyse(text: str) -> tuple[_Raw, ...]:
    policy = load_parliament().analyze_policy_string(text, ignore_private_auditors=True)
    found = [_Raw(None, f.issue, _jsonable(f.detail), _jsonable(f.location)) for f in policy._findings]
    for index, statement in enumerate(policy.statements):
        found.extend(_Raw(index, f.issue, _jsonable(f.detail), _jsonable(f.location)) for f in statement.findings)
    return tuple(found)


@lru_cache(maxsize=1024)
def expansions(action: str) -> frozenset[str]:
    """``service:Action`` names the action (possibly a wildcard) stands for in the catalogue (empty: unknown)."""
    found = load_parliament().expand_action(action, raise_exceptions=False)
    return frozenset(f"{a['service']}:{a['action']}" for a in found)


@lru_cache(maxsize=1024)
def condition_key_type(key: str) -> str | None:
    """The documented type of a condition key (``String``, ``Arn``, ``Bool``, ...), ``None`` when unknown."""
    parliament = load_parliament()
    statement = importlib.import_module("parliament.statement")  # loaded with parliament
    found = statement.get_global_key_type(key)
    if found is None:
        prefix = key.split(":", 1)[0].lower()
        for service in parliament.iam_definition:
            if service["prefix"] == prefix:
                found = next((c["type"] for c in service["conditions"]
                              if statement.is_condition_key_match(c["condition"], key)), found)
    if found is None:
        return None
    try:
        return str(statement.translate_documentation_types(found))
    except Exception:  # a type name parliament does not know: treat it as not checkable
        return None


def _statement(document: Mapping[str, Any], index: int) -> Mapping[str, Any]:
    statements = document.get("Statement", [])
    statement = statements[index] if isinstance(statements, list) and index < len(statements) else {}
    return statement if isinstance(statement, Mapping) else {}


def _where(prepared: PreparedDocument, index: int | None) -> str:
    return prepared.location if index is None else f"{prepared.location}.Statement[{index}]"


def _mismatches(prepared: PreparedDocument, raw: _Raw) -> list[IamFinding]:
    assert prepared.document is not None and raw.statement is not None
    statement = _statement(prepared.document, raw.statement)
    if "NotAction" in statement:  # parliament would check the excluded actions: not meaningful
        return []
    missing: dict[str, list[str]] = {}
    for entry in raw.detail if isinstance(raw.detail, list) else []:
        missing.setdefault(str(entry.get("action")), []).append(str(entry.get("required_format")))
    resources = statement.get("Resource", [])
    found = []
    for literal in prepared.literal_actions[raw.statement]:
        names = expansions(literal)
        if literal in ("*", "*:*") or not names or not names <= set(missing):
            continue
        formats = sorted({f for name in names for f in missing[name]})
        types = "+".join(sorted({resource_type(literal.split(":", 1)[0], f) for f in formats}))
        found.append(IamFinding(RESOURCES, f"Action::{literal}::{types}", _where(prepared, raw.statement),
                                f"{literal} is granted on {json.dumps(resources)}, but it needs resources of type "
                                f"{types.replace('+', ', ')} ({', '.join(formats)}): the statement grants it nothing"))
    return found


@lru_cache(maxsize=1024)
def resource_type(prefix: str, arn_format: str) -> str:
    """The catalogue's name of the resource type of ``arn_format`` (as parliament writes it, ``${...}`` -> ``*``)
    in service ``prefix``; ``*`` for actions without resource types."""
    if arn_format == "*":
        return "*"
    for service in load_parliament().iam_definition:
        if service["prefix"] == prefix.lower():
            for resource in service["resources"]:
                if re.sub(r"\$\{.*?\}", "*", resource["arn"]) == arn_format:
                    return str(resource["resource"])
    return arn_format


def _unknown_conditions(prepared: PreparedDocument, raws: list[_Raw]) -> list[IamFinding]:
    by_statement: dict[int, dict[str, set[str]]] = {}
    for raw in raws:
        match = _UNKNOWN_CONDITION.search(str(raw.detail))
        if match and raw.statement is not None:
            by_statement.setdefault(raw.statement, {}).setdefault(match[1], set()).add(match[2])
    found = []
    for index, keys in sorted(by_statement.items()):
        for key, actions in sorted(keys.items()):
            for literal in prepared.literal_actions[index]:
                names = expansions(literal)
                if names and names <= actions:
                    found.append(IamFinding(CONDITIONS, f"Condition::{key}::{literal}", _where(prepared, index),
                                            f"condition key {key} does not apply to {literal} (AWS's catalogue "
                                            "lists no such key for it): the condition can never match it"))
    return found


def _resource_star(prepared: PreparedDocument, raw: _Raw) -> list[IamFinding]:
    assert raw.statement is not None
    starred = {str(a) for a in raw.detail} if isinstance(raw.detail, list) else set()
    found = []
    for literal in prepared.literal_actions[raw.statement]:
        names = expansions(literal)
        if names & starred:
            found.append(IamFinding(BREADTH, f"Action::{literal}", _where(prepared, raw.statement),
                                    f"{literal} is granted on Resource '*' but supports resource-level "
                                    f"permissions ({', '.join(sorted(names & starred))}): name its resources"))
    return found


def _typed_conditions(prepared: PreparedDocument, raw: _Raw) -> list[IamFinding]:
    """``MISMATCHED_TYPE*``: which operator and key of the statement parliament means, from its detail."""
    match = _TYPE_MISMATCH.match(str(raw.detail))
    statement = _statement(prepared.document or {}, raw.statement) if raw.statement is not None else {}
    condition = statement.get("Condition", {})
    pairs = [(str(op), str(key)) for op, keys in condition.items() if isinstance(keys, Mapping) for key in keys] \
        if isinstance(condition, Mapping) else []
    if match is None:
        return [_generic(prepared, raw)]
    subject, _wanted, given = match.groups()
    meant = [(op, key) for op, key in pairs if key == subject] or [
        (op, key) for op, key in pairs if op == subject and condition_key_type(key) == given]
    title = load_parliament().config.get(raw.issue, {}).get("title", raw.issue)
    return [IamFinding(CONDITIONS, f"Condition::{op}::{key}", _where(prepared, raw.statement),
                       f"{title}: {op} on {key}: {raw.detail}") for op, key in meant] or [_generic(prepared, raw)]


def _generic(prepared: PreparedDocument, raw: _Raw) -> IamFinding:
    rule = ISSUE_RULES.get(raw.issue, GRAMMAR)
    where = raw.location.get("string") if isinstance(raw.location, Mapping) else None
    subject = str(where) if isinstance(where, str) else str(raw.detail) if raw.detail else ""
    if raw.issue in ("UNKNOWN_ACTION", "UNKNOWN_PREFIX"):
        key = f"Action::{subject}"
    elif raw.issue == "INVALID_ARN":
        key = f"Resource::{subject}"
    elif rule == CONDITIONS:
        key = f"Condition::{raw.issue}::{subject}"
    else:
        key = f"{raw.issue}::{subject}" if subject else raw.issue
    title = load_parliament().config.get(raw.issue, {}).get("title", raw.issue)
    detail = f": {raw.detail}" if raw.detail else ""
    shown = f" ({subject})" if subject and subject not in str(raw.detail) else ""
    return IamFinding(rule, key, _where(prepared, raw.statement), f"{title}{shown}{detail}")


def analyse(prepared: PreparedDocument) -> list[IamFinding]:
    """Everything parliament finds in one prepared document, plus its unverifiable values, per IAM rule."""
    found = [IamFinding(GAP_RULES.get(gap.element, GRAMMAR),
                        f"Unverifiable::{gap.element}::{gap.value}", _where(prepared, gap.statement),
                        f"{gap.element} {gap.value} cannot be verified: {gap.reason}")
             for gap in prepared.gaps]
    if prepared.document is None:
        return found
    raws = list(_analyse(json.dumps(prepared.document, sort_keys=True)))
    found += _unknown_conditions(prepared, [r for r in raws if r.issue == "UNKNOWN_CONDITION_FOR_ACTION"])
    for raw in raws:
        unverified = raw.statement in prepared.unverified_resources
        if raw.issue == "UNKNOWN_CONDITION_FOR_ACTION":
            continue
        if raw.issue == "RESOURCE_MISMATCH":
            found += [] if unverified else _mismatches(prepared, raw)
        elif raw.issue == "RESOURCE_STAR":
            found += [] if unverified else _resource_star(prepared, raw)
        elif raw.issue == "RESOURCE_EFFECTIVELY_STAR" and unverified:
            continue
        elif raw.issue.startswith("MISMATCHED_TYPE"):
            found += _typed_conditions(prepared, raw)
        else:
            found.append(_generic(prepared, raw))
    return found
