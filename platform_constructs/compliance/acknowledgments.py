"""Which acknowledgments in a template count: only the library's decisions, as the library made them (pure).

The library writes two metadata entries on every resource it acknowledges a finding on
(:func:`platform_constructs.acknowledge.acknowledge`):

* ``platform:acknowledgments``: ``[{"id": finding id, "reason": text, "decision": key}, ...]``;
* ``platform:construct``: ``{"type": class name, "path": construct path}`` of the platform construct that
  made the resource.

A finding is acknowledged only by an entry that names exactly its id and a decision of
:mod:`~platform_constructs.compliance.decisions` that covers that id, with the decision's reason word for word,
on a resource of one of the decision's types that shows which platform construct made it, and only while the
decision's premises hold on that resource. Anything else (a forged reason, an entry copied onto a raw
resource, a copied acknowledgment of one sub-check for another, a policy widened after it was acknowledged)
acknowledges nothing; PLAT-ACK1 reports such entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.premises import Subject
from platform_constructs.compliance.rules.base import METADATA_KEY, RuleContext

ORIGIN_KEY = "platform:construct"
"""Template metadata key naming the platform construct that made a resource: ``{"type": ..., "path": ...}``."""


@dataclass(frozen=True)
class Entry:
    """One acknowledgment as written in a resource's metadata."""

    id: str
    reason: str
    decision: str | None


@dataclass(frozen=True)
class Problem:
    """Why an acknowledgment entry does not count: the kind (``decision``, ``reason``, ``origin``, ``type``,
    ``premise``) and what is wrong."""

    kind: str
    text: str


def entries(resource: Mapping[str, Any]) -> list[Entry]:
    """The acknowledgment entries of a resource (malformed ones keep what can be read, to be reported)."""
    metadata = resource.get("Metadata", {})
    raw = metadata.get(METADATA_KEY, []) if isinstance(metadata, Mapping) else []
    found: list[Entry] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            reason, decision = item.get("reason"), item.get("decision")
            found.append(Entry(item["id"], reason if isinstance(reason, str) else "",
                               decision if isinstance(decision, str) else None))
    return found


def origin(resource: Mapping[str, Any]) -> tuple[str, str] | None:
    """(construct type, construct path) of the platform construct that made the resource, if the metadata says."""
    metadata = resource.get("Metadata", {})
    value = metadata.get(ORIGIN_KEY) if isinstance(metadata, Mapping) else None
    kind, path = (value.get("type"), value.get("path")) if isinstance(value, Mapping) else (None, None)
    if isinstance(kind, str) and isinstance(path, str) and kind.strip() and path.strip():
        return kind, path
    return None


def problems(entry: Entry, logical_id: str, resource: Mapping[str, Any], ctx: RuleContext) -> list[Problem]:
    """Everything that keeps ``entry`` on ``resource`` from counting (empty: it is the library's own)."""
    decision = DECISIONS.get(entry.decision or "")
    if decision is None:
        named = f"decision {entry.decision!r}" if entry.decision else "no decision"
        return [Problem("decision", f"{entry.id}: names {named} of the library's decision table")]
    values = decision.match(entry.id)
    if values is None:
        return [Problem("decision", f"{entry.id}: decision {entry.decision!r} does not cover this finding id")]
    found: list[Problem] = []
    if entry.reason != decision.reason:
        found.append(Problem("reason", f"{entry.id}: the reason is not decision {entry.decision!r}'s"))
    if origin(resource) is None:
        found.append(Problem("origin", f"{entry.id}: the resource does not show which platform construct made it "
                                       f"(no {ORIGIN_KEY} metadata)"))
    resource_type = str(resource.get("Type", ""))
    if resource_type not in decision.resource_types:
        found.append(Problem("type", f"{entry.id}: decision {entry.decision!r} applies to "
                                     f"{', '.join(decision.resource_types)}, not {resource_type}"))
        return found
    subject = Subject(logical_id, resource, ctx, values)
    for premise in decision.premises:
        for text in premise.check(subject):
            found.append(Problem("premise", f"{entry.id}: decision {entry.decision!r} holds only if "
                                            f"{premise.text}; {text}"))
    return found


@dataclass(frozen=True)
class Verdict:
    """Whether a finding on a resource is acknowledged, and if an entry for it was refused, why."""

    reason: str | None
    refused: tuple[str, ...] = ()

    @property
    def acknowledged(self) -> bool:
        return self.reason is not None


def verdict(finding_id: str, logical_id: str, resource: Mapping[str, Any], ctx: RuleContext) -> Verdict:
    """The library's acknowledgment of ``finding_id`` on ``resource`` (its reason), if there is one that counts."""
    refused: list[str] = []
    for entry in entries(resource):
        if entry.id != finding_id:
            continue
        found = problems(entry, logical_id, resource, ctx)
        if not found:
            return Verdict(entry.reason)
        refused.extend(problem.text for problem in found)
    return Verdict(None, tuple(refused))
