"""Runs the platform rule pack over CloudFormation templates (plain JSON).

Used by the synth-time validation plugin and by ``platform-check`` alike. A finding with its own id
(``RULE[finding]``, see :class:`~platform_constructs.compliance.rules.base.Violation`: a sub-check, or one exact
finding of a rule over policy statements) is acknowledged only by the library's own acknowledgment of exactly
that id on that resource (:mod:`~platform_constructs.compliance.acknowledgments`: the decision, its reason, the
construct that made the resource and the decision's premises).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from platform_constructs.compliance.acknowledgments import verdict
from platform_constructs.compliance.exports import Exports, exported_values
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.compliance.rules.base import Rule, RuleContext, finding_id
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
    refused: tuple[str, ...] = ()
    """Why acknowledgments of this finding in the template were not honoured (empty: there were none)."""

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_reason is not None


def resources_of(template: Mapping[str, Any]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    resources = template.get("Resources", {})
    for logical_id, resource in resources.items() if isinstance(resources, Mapping) else ():
        if isinstance(resource, Mapping):
            yield str(logical_id), resource


def check_template(template: Mapping[str, Any], policy: Policy, env: EnvironmentPolicy,
                   rules: Sequence[Rule] = ALL_RULES, *, exports: Exports | None = None,
                   account: str | None = None) -> list[Finding]:
    """All findings (acknowledged ones flagged) of ``rules`` over one template; ``exports``: what the templates
    checked with it export (:func:`exported_values`), so that its ``Fn::ImportValue`` can be read; ``account``: the
    account it is deployed to, when known (:attr:`RuleContext.account`)."""
    ctx = RuleContext(policy=policy, env=env, template=template, exports=exports or {}, account=account)
    findings: list[Finding] = []
    for logical_id, resource in resources_of(template):
        resource_type = str(resource.get("Type", ""))
        applicable = [rule for rule in rules if rule.applies_to(resource_type)]
        if not applicable:
            continue
        metadata = resource.get("Metadata", {})
        path = metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
        for rule in applicable:
            for violation in rule.check(logical_id, resource, ctx):
                rule_id = finding_id(rule.id, violation)
                judged = verdict(rule_id, logical_id, resource, ctx)
                findings.append(Finding(
                    rule_id=rule_id, title=rule.title, logical_id=logical_id, resource_type=resource_type,
                    location=violation.location, message=violation.message, fix=rule.fix,
                    construct_path=path if isinstance(path, str) else None,
                    acknowledged_reason=judged.reason, refused=judged.refused,
                ))
    return findings


__all__ = ["Finding", "check_template", "exported_values", "resources_of", "unacknowledged"]


def unacknowledged(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if not f.acknowledged]
