"""The automatic compliance gate, installed once on the app root by the first platform construct.

It registers cdk-nag 3's AwsSolutions, HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1 packs and the
platform rule pack as CDK validation plugins, so every stack in an app that contains a platform
construct is checked at synth — even a plain ``App()`` written by a data scientist. Findings are errors:
synth fails. There is deliberately no switch to turn the gate off.
"""

from __future__ import annotations

import json
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

from platform_constructs.compliance.engine import check_template, exported_values, unacknowledged
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.policy import EnvironmentPolicy, Policy

Acknowledgments = list[tuple[str, str, str]]
"""(construct path, rule id, reason) of every acknowledgment applied in an app (it grows during construction)."""

NAG_PACKS = ("AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")
PLUGIN_NAME = "platform-rules"


@jsii.implements(IPolicyValidationPlugin)
class PlatformRulesPlugin:
    """Runs the platform rule pack over every synthesized template (the synth report is
    :mod:`platform_constructs.synth_report`'s, a plugin of its own)."""

    def __init__(self, policy: Policy, env: EnvironmentPolicy, acknowledgments: Acknowledgments) -> None:
        self._policy = policy
        self._env = env
        self._acknowledgments = acknowledgments

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
        loaded: dict[str, dict[str, Any]] = {}
        for path in templates:
            with open(path, encoding="utf-8") as handle:
                loaded[path] = json.load(handle)
        exports = exported_values(loaded.values())  # the app's cross-stack references
        for path, template in loaded.items():
            for finding in unacknowledged(check_template(template, self._policy, self._env, exports=exports)):
                by_rule.setdefault(finding.rule_id, []).append(PolicyViolatingResource(
                    locations=[finding.location], resource_logical_id=finding.logical_id, template_path=path,
                ))
                details.setdefault(finding.rule_id, (f"{finding.title}: {finding.message}", finding.fix))
        violations = [
            PolicyViolation(rule_name=rule_id, description=details[rule_id][0], fix=details[rule_id][1],
                            violating_resources=resources, severity="error")
            for rule_id, resources in by_rule.items()
        ]
        return PolicyValidationPluginReport(
            success=not violations,
            violations=violations,
            metadata={
                "environment": self._env.name,
                "policy": self._policy.file,
                "packs": ", ".join((*NAG_PACKS, PLUGIN_NAME)),
                "acknowledgments": str(len(self._acknowledgments)),
            },
        )


def install_compliance_gate(root: IConstruct, policy: Policy, env: EnvironmentPolicy,
                            acknowledgments: Acknowledgments) -> None:
    """Register the four cdk-nag packs and the platform rule pack on ``root`` (once per app: the caller,
    :class:`platform_constructs.core.PlatformContext`, installs it when it creates the app's context)."""
    Validations.of(root).add_plugins(
        AwsSolutionsChecks(root),
        HIPAASecurityChecks(root),
        NIST80053R5Checks(root),
        PCIDSS321Checks(root),
        PlatformRulesPlugin(policy, env, acknowledgments),
    )
