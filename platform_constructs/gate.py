"""The automatic compliance gate, installed once on the app root by the first platform construct.

It registers cdk-nag 3's AwsSolutions, HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1 packs, AWS Control
Tower's proactive controls (cfn-guard, ``cdklabs-cdk-validator-cfnguard``) and the platform rule pack as CDK
validation plugins, so every stack in an app that contains a platform construct is checked at synth — even a
plain ``App()`` written by a data scientist. The platform rule pack reads nested stacks' templates too (CDK
hands plugins the top-level templates only). Findings are errors: synth fails. There is deliberately no switch
to turn the gate off, and an acknowledgment made with CDK's API instead of the library's decision table fails
the synth (PLAT-ACK2): only the library decides what is acknowledged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
    Stack,
    Validations,
)
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator
from constructs import IConstruct

from platform_constructs.compliance.assembly import template_accounts
from platform_constructs.compliance.engine import check_template, exported_values, unacknowledged
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.guard_run import GuardRun
from platform_constructs.policy import EnvironmentPolicy, Policy

Acknowledgments = list[tuple[str, str, str]]
"""(construct path, rule id, reason) of every acknowledgment applied in an app (it grows during construction)."""

NAG_PACKS = ("AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")
GUARD_PLUGIN = "cdk-validator-cfnguard"
PLUGIN_NAME = "platform-rules"
GATE_PLUGINS = (*NAG_PACKS, GUARD_PLUGIN, PLUGIN_NAME)
"""Every check the gate runs at synth, in the order the synth report names them (CDK runs them one after another
in another order: the platform rule pack first, which starts cfn-guard, and the Control Tower rules last)."""
FOREIGN_ACKNOWLEDGMENT = "PLAT-ACK2"
GATE_ID_PREFIXES = (*(f"{pack}-" for pack in NAG_PACKS), f"{GUARD_PLUGIN}::", f"{PLUGIN_NAME}::", "PLAT-")
"""Acknowledgment ids of the gate's findings (cdk-nag's ``<pack>-<rule>``, CDK's ``<plugin>::<rule>``, ours)."""


def nested_templates(top_level: list[str]) -> list[Path]:
    """The nested stacks' templates of the cloud assemblies the top-level templates are in (CDK writes each as
    ``<id>.nested.template.json`` beside its parent)."""
    directories = dict.fromkeys(Path(path).parent for path in top_level)
    return [nested for directory in directories for nested in sorted(directory.glob("*.nested.template.json"))]


@jsii.implements(IPolicyValidationPlugin)
class ControlTowerRules:
    """AWS Control Tower's proactive controls: ``cdklabs-cdk-validator-cfnguard``'s plugin code and cfn-guard,
    run beside the other checks over each template's applicable rule files (:mod:`platform_constructs.guard_run`).
    Its name is the package plugin's, so its findings keep their acknowledgment ids
    (``cdk-validator-cfnguard::<rule>``). Its :attr:`run` collects what an earlier plugin started (the gate's
    platform rule pack starts it), or runs now."""

    def __init__(self, run: GuardRun | None = None) -> None:
        self.run = run if run is not None else GuardRun()

    @property
    def name(self) -> str:
        return GUARD_PLUGIN

    @property
    def version(self) -> str:
        return str(CfnGuardValidator().version)

    @property
    def rule_ids(self) -> list[str]:
        return list(CfnGuardValidator().rule_ids or [])

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        report = self.run.report(list(context.template_paths))
        return PolicyValidationPluginReport(success=bool(report["success"]), violations=[
            PolicyViolation(rule_name=v["ruleName"], description=v.get("description", ""), fix=v.get("fix"),
                            severity=v.get("severity"), rule_metadata=v.get("ruleMetadata"), violating_resources=[
                                PolicyViolatingResource(locations=list(r["locations"]), template_path=r.get(
                                    "templatePath"), resource_logical_id=r.get("resourceLogicalId"))
                                for r in v["violatingResources"]])
            for v in report["violations"]])


@jsii.implements(IPolicyValidationPlugin)
class StartControlTowerRules:
    """Starts a :class:`ControlTowerRules`' run and reports nothing: registered before the plugins it should run
    beside where no platform rule pack starts it (``platform-check``'s app)."""

    def __init__(self, run: GuardRun) -> None:
        self._run = run

    @property
    def name(self) -> str:
        return f"{GUARD_PLUGIN}-start"

    @property
    def version(self) -> str:
        return str(CfnGuardValidator().version)

    @property
    def rule_ids(self) -> list[str]:
        return []

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        self._run.start(list(context.template_paths))
        return PolicyValidationPluginReport(success=True, violations=[])


@jsii.implements(IPolicyValidationPlugin)
class PlatformRulesPlugin:
    """Runs the platform rule pack over every synthesized template (nested stacks' too) and refuses
    acknowledgments made outside the decision table (the synth report is :mod:`platform_constructs.synth_report`'s,
    a plugin of its own)."""

    def __init__(self, policy: Policy, env: EnvironmentPolicy, acknowledgments: Acknowledgments,
                 root: IConstruct | None = None, guard: GuardRun | None = None) -> None:
        self._policy = policy
        self._env = env
        self._acknowledgments = acknowledgments
        self._root = root
        self._guard = guard

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        from platform_constructs import __version__

        return __version__

    @property
    def rule_ids(self) -> list[str]:
        return [*(rule.id for rule in ALL_RULES), FOREIGN_ACKNOWLEDGMENT]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        if self._guard is not None:  # cfn-guard runs in its own processes meanwhile (ControlTowerRules collects)
            self._guard.start(list(context.template_paths))
        by_rule: dict[tuple[str, str], list[PolicyViolatingResource]] = {}
        details: dict[tuple[str, str], str] = {}
        templates = [*context.template_paths, *map(str, nested_templates(list(context.template_paths)))]
        loaded = {path: json.loads(Path(path).read_text(encoding="utf-8")) for path in templates}
        exports = exported_values(loaded.values())  # the app's cross-stack references
        accounts = template_accounts(loaded)  # each stack's explicit account ({account} in the policy)
        for path, checked in loaded.items():
            for finding in unacknowledged(check_template(checked, self._policy, self._env, exports=exports,
                                                         account=accounts[Path(path)])):
                refused = f" (acknowledgment refused: {'; '.join(finding.refused)})" if finding.refused else ""
                key = (finding.rule_id, f"{finding.title}: {finding.message}{refused}")
                by_rule.setdefault(key, []).append(PolicyViolatingResource(
                    locations=[finding.location], resource_logical_id=finding.logical_id, template_path=path))
                details[key] = finding.fix
        foreign = list(self._foreign_acknowledgments(list(context.template_paths)))
        if foreign:
            named = sorted({text for text, _ in foreign})
            listed = "; ".join(named[:10]) + (f" and {len(named) - 10} more" if len(named) > 10 else "")
            key = (FOREIGN_ACKNOWLEDGMENT, "Acknowledgments made with CDK's API instead of the library's decision "
                                           f"table (platform_constructs/compliance/decisions.py): {listed}")
            by_rule[key] = [resource for _, resource in foreign]
            details[key] = ("remove the Validations.of(...).acknowledge(...) call and fix the resource (or ask the "
                            "platform team for a decision)")
        violations = [
            PolicyViolation(rule_name=rule_id, description=description, fix=details[(rule_id, description)],
                            violating_resources=resources, severity="error")
            for (rule_id, description), resources in by_rule.items()
        ]
        return PolicyValidationPluginReport(
            success=not violations,
            violations=violations,
            metadata={
                "environment": self._env.name,
                "policy": self._policy.file,
                "packs": ", ".join(GATE_PLUGINS),
                "acknowledgments": str(len(self._acknowledgments)),
            },
        )

    def _foreign_acknowledgments(self, template_paths: list[str]) -> Iterator[tuple[str, PolicyViolatingResource]]:
        """Acknowledgments of the gate's findings made with CDK's API (``Validations.of(x).acknowledge``) that the
        library did not make, one per resource they cover (CDK's own, e.g. of its built-in validation's
        ``CloudFormation-Validate::W3010``, are not the gate's)."""
        if self._root is None:
            return
        made = {(path, rule_id) for path, rule_id, _ in self._acknowledgments}
        if not any(_is_foreign(rule_id, path, made) for path, rule_id in _recorded_acknowledgments(
                self._root, template_paths)):
            return  # the common case, decided without a call into Node; else each construct is asked, as before
        by_file = {Path(p).name: p for p in template_paths}
        for construct in [self._root, *self._root.node.find_all()]:
            for entry in construct.node.metadata:
                if entry.type != Validations.ACKNOWLEDGED_RULES_METADATA_KEY or not isinstance(entry.data, dict):
                    continue
                for recorded in entry.data:
                    rule_id = re.sub(r"^annotation::", "", str(recorded), flags=re.IGNORECASE)  # CDK's stored form
                    if (construct.node.path, rule_id) in made or not rule_id.startswith(GATE_ID_PREFIXES):
                        continue
                    for resource in _resources_under(construct):
                        template = by_file.get(Path(Stack.of(resource).template_file).name)
                        if template is not None:
                            yield f"{construct.node.path}: {rule_id}", PolicyViolatingResource(
                                locations=[rule_id], resource_logical_id=Stack.of(resource).resolve(
                                    resource.logical_id), template_path=template)


def _is_foreign(rule_id: str, path: str, made: set[tuple[str, str]]) -> bool:
    return (path, rule_id) not in made and rule_id.startswith(GATE_ID_PREFIXES)


def _recorded_acknowledgments(root: IConstruct, template_paths: list[str]) -> Iterator[tuple[str, str]]:
    """(construct path, rule id) of every acknowledgment recorded in the app: those of the stacks' constructs read
    from the cloud assembly (CDK has written each stack's construct metadata, nested stacks' included, beside its
    template before validation plugins run: the manifest's ``additionalMetadataFile`` or inline ``metadata``), those
    of the constructs outside every stack (the app root, stages) asked of the construct tree.

    Reading a few hundred constructs' metadata through jsii cost two calls each at every synth (issue 19's profile:
    about 750 of the seed stack's 1,700 calls); the files hold the same entries."""
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    for directory in dict.fromkeys(Path(path).parent for path in template_paths):
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        for artifact in manifest.get("artifacts", {}).values():
            if artifact.get("type") != "aws:cloudformation:stack":
                continue
            metadata = artifact.get("metadata") or {}
            if "additionalMetadataFile" in artifact:
                metadata = json.loads((directory / artifact["additionalMetadataFile"]).read_text(encoding="utf-8"))
            for path, entries in metadata.items():
                for entry in entries:
                    if entry.get("type") == key and isinstance(entry.get("data"), dict):
                        yield from ((path.lstrip("/"), _rule_id(recorded)) for recorded in entry["data"])
    outside = [root]
    while outside:
        construct = outside.pop()
        node = construct.node
        for entry in node.metadata:
            if entry.type == key and isinstance(entry.data, dict):
                yield from ((node.path, _rule_id(recorded)) for recorded in entry.data)
        outside.extend(child for child in node.children if not isinstance(child, Stack))


def _rule_id(recorded: object) -> str:
    return re.sub(r"^annotation::", "", str(recorded), flags=re.IGNORECASE)  # CDK's stored form


def _resources_under(construct: IConstruct) -> list[Any]:
    from aws_cdk import CfnResource

    return [c for c in [construct, *construct.node.find_all()] if isinstance(c, CfnResource)]


def install_compliance_gate(root: IConstruct, policy: Policy, env: EnvironmentPolicy,
                            acknowledgments: Acknowledgments) -> None:
    """Register the four cdk-nag packs, the Control Tower cfn-guard rules and the platform rule pack on ``root``
    (once per app: the caller, :class:`platform_constructs.core.PlatformContext`, installs it when it creates the
    app's context).

    CDK runs the plugins one after another in this order: the platform rule pack first, which starts cfn-guard's
    processes, so that cfn-guard runs beside the rule pack and the four nag packs; the Control Tower rules last,
    collecting its findings."""
    guard = GuardRun()
    Validations.of(root).add_plugins(
        PlatformRulesPlugin(policy, env, acknowledgments, root, guard=guard),
        AwsSolutionsChecks(root),
        HIPAASecurityChecks(root),
        NIST80053R5Checks(root),
        PCIDSS321Checks(root),
        ControlTowerRules(guard),
    )
