"""Runs the platform rule pack over CloudFormation templates (plain JSON).

Used by the synth-time validation plugin and by ``platform-check`` alike. Acknowledgments are read
from each resource's template metadata (``platform:acknowledgments``, written by the library) and are
honoured only when they carry a non-empty reason. A finding with its own id (``RULE[finding]``, see
:class:`~platform_constructs.compliance.rules.base.Violation`) is covered only by an acknowledgment of that id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from platform_constructs.compliance.exports import Exports, exported_values
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.compliance.rules.base import METADATA_KEY, Rule, RuleContext
from platform_constructs.policy import EnvironmentPolicy, Policy


@dataclass(frozen=True)
class Finding:
    rule_id: str
    title: str
    logical_id: str
    resource_type: str
    location: str
    message: str
    fix: str
    construct_path: str | None = None
    acknowledged_reason: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_reason is not None


def acknowledgments(resource: Mapping[str, Any]) -> dict[str, str]:
    """Rule id -> reason for the acknowledgments on a resource that carry a reason."""
    metadata = resource.get("Metadata", {})
    entries = metadata.get(METADATA_KEY, []) if isinstance(metadata, Mapping) else []
    result: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, Mapping):
            reason = entry.get("reason")
            if isinstance(entry.get("id"), str) and isinstance(reason, str) and reason.strip():
                result[entry["id"]] = reason
    return result


def check_template(template: Mapping[str, Any], policy: Policy, env: EnvironmentPolicy,
                   rules: Sequence[Rule] = ALL_RULES, *, exports: Exports | None = None) -> list[Finding]:
    """All findings (acknowledged ones flagged) of ``rules`` over one template; ``exports``: what the templates
    checked with it export (:func:`exported_values`), so that its ``Fn::ImportValue`` can be read."""
    ctx = RuleContext(policy=policy, env=env, template=template, exports=exports or {})
    resources = template.get("Resources", {})
    findings: list[Finding] = []
    for logical_id, resource in resources.items() if isinstance(resources, Mapping) else ():
        if not isinstance(resource, Mapping):
            continue
        resource_type = str(resource.get("Type", ""))
        applicable = [rule for rule in rules if rule.applies_to(resource_type)]
        if not applicable:
            continue
        acks = acknowledgments(resource)
        metadata = resource.get("Metadata", {})
        path = metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
        for rule in applicable:
            for violation in rule.check(logical_id, resource, ctx):
                rule_id = rule.id if violation.finding is None else f"{rule.id}[{violation.finding}]"
                findings.append(Finding(
                    rule_id=rule_id, title=rule.title, logical_id=logical_id, resource_type=resource_type,
                    location=violation.location, message=violation.message, fix=rule.fix,
                    construct_path=path if isinstance(path, str) else None,
                    acknowledged_reason=acks.get(rule_id),
                ))
    return findings


__all__ = ["Finding", "acknowledgments", "check_template", "exported_values", "unacknowledged"]


def unacknowledged(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if not f.acknowledged]
