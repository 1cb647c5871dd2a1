"""The automatic compliance gate, installed once on the app root by the first platform construct.

It registers cdk-nag 3's AwsSolutions, HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1 packs and the
platform rule pack as CDK validation plugins, so every stack in an app that contains a platform
construct is checked at synth — even a plain ``App()`` written by a data scientist. Findings are errors:
synth fails. There is deliberately no switch to turn the gate off.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
    Validations,
)
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks
from constructs import IConstruct

from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.core import PlatformContext

NAG_PACKS = ("AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")
PLUGIN_NAME = "platform-rules"


@jsii.implements(IPolicyValidationPlugin)
class PlatformRulesPlugin:
    """Runs the platform rule pack over every synthesized template and prints the synth report."""

    def __init__(self, context: PlatformContext) -> None:
        self._context = context

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        from platform_constructs import __version__

        return __version__

    @property
    def rule_ids(self) -> list[str]:
        return [rule.id for rule in ALL_RULES]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        by_rule: dict[str, list[PolicyViolatingResource]] = {}
        details: dict[str, tuple[str, str]] = {}
        templates = list(context.template_paths)
        for path in templates:
            with open(path, encoding="utf-8") as handle:
                template: dict[str, Any] = json.load(handle)
            for finding in unacknowledged(check_template(template, self._context.policy, self._context.env)):
                by_rule.setdefault(finding.rule_id, []).append(PolicyViolatingResource(
                    locations=[finding.location], resource_logical_id=finding.logical_id, template_path=path,
                ))
                details.setdefault(finding.rule_id, (f"{finding.title}: {finding.message}", finding.fix))
        violations = [
            PolicyViolation(rule_name=rule_id, description=details[rule_id][0], fix=details[rule_id][1],
                            violating_resources=resources, severity="error")
            for rule_id, resources in by_rule.items()
        ]
        _print_synth_report(self._context, templates)
        return PolicyValidationPluginReport(
            success=not violations,
            violations=violations,
            metadata={
                "environment": self._context.env.name,
                "policy": self._context.policy.file,
                "packs": ", ".join((*NAG_PACKS, PLUGIN_NAME)),
                "acknowledgments": str(len(self._context.acknowledgments)),
            },
        )


def _print_synth_report(context: PlatformContext, templates: list[str]) -> None:
    lines = [
        f"platform-constructs: compliance gate ({context.env.name}, policy {context.policy.file})",
        f"  checked {len(templates)} template(s) with: {', '.join((*NAG_PACKS, PLUGIN_NAME))}",
        f"  library acknowledgments applied: {len(context.acknowledgments)}",
    ]
    seen: set[tuple[str, str]] = set()
    for _path, rule_id, reason in context.acknowledgments:
        if (rule_id, reason) not in seen:
            seen.add((rule_id, reason))
            lines.append(f"    - {rule_id}: {reason}")
    print("\n".join(lines), file=sys.stderr)


def install_compliance_gate(root: IConstruct, context: PlatformContext) -> None:
    """Register the four cdk-nag packs and the platform rule pack on ``root`` (idempotent per app)."""
    if context.gate_installed:
        return
    Validations.of(root).add_plugins(
        AwsSolutionsChecks(root),
        HIPAASecurityChecks(root),
        NIST80053R5Checks(root),
        PCIDSS321Checks(root),
        PlatformRulesPlugin(context),
    )
    context.gate_installed = True
