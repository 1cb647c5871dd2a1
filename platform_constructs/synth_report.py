"""What every synth prints about the platform, and the monthly cost caps it enforces (a CDK validation plugin).

Registered beside the compliance gate on the app root (:class:`platform_constructs.core.PlatformContext` installs
both), it runs when CDK validates the synthesized templates and:

* prints one line for the gate (environment, policy and its hash, the packs that checked, how many acknowledgments
  the library applied) and one line per stack — what was built, what must be deployed first, the estimated monthly
  cost (:mod:`platform_constructs.describe`); the full acknowledgment list only with ``-c platform_verbose=true``;
* writes all of it, acknowledgments included, to ``cdk.out/platform-report.json``;
* fails synth (rule ``PLAT-COST1``) when a cost centre's estimated maximum in this environment exceeds its cap in
  the policy's ``cost_caps``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

from platform_constructs.describe import StackSummary, by_cost_center, cost_range, one_line, read_stack, stack_cost
from platform_constructs.describe.cost import money
from platform_constructs.describe.model import Built
from platform_constructs.facts import policy_label
from platform_constructs.gate import GATE_PLUGINS, Acknowledgments
from platform_constructs.policy import EnvironmentPolicy, Policy

REPORT_PLUGIN = "platform-report"
REPORT_FILE = "platform-report.json"
VERBOSE_CONTEXT_KEY = "platform_verbose"
COST_RULE = "PLAT-COST1"


def is_verbose(value: object) -> bool:
    """``-c platform_verbose=true`` (the CLI passes a string; an ``App(context=...)`` may pass a bool)."""
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def _read(paths: Sequence[str]) -> list[tuple[str, StackSummary]]:
    read = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            template: dict[str, Any] = json.load(handle)
        read.append((path, read_stack(Path(path).name.removesuffix(".template.json"), template)))
    return read


def report_lines(policy: Policy, env: EnvironmentPolicy, acknowledgments: Acknowledgments,
                 summaries: Sequence[StackSummary], *, verbose: bool) -> list[str]:
    """The lines printed at synth."""
    decisions = sorted({(rule, reason) for _path, rule, reason in acknowledgments})
    listed = "listed below" if verbose else f"-c {VERBOSE_CONTEXT_KEY}=true lists them"
    lines = [
        f"platform-constructs: {len(summaries)} template(s) in {env.name} (policy {policy_label(policy)}, sha256 "
        f"{policy.sha256[:12]}) checked with {', '.join(GATE_PLUGINS)}; {len(acknowledgments)} "
        f"acknowledgments applied by the library ({len(decisions)} decisions; {listed}; all in cdk.out/{REPORT_FILE})",
        *(f"  {one_line(summary, policy)}" for summary in summaries),
    ]
    if verbose:
        lines += [f"    - {rule}: {reason}" for rule, reason in decisions]
    return lines


def cost_violations(policy: Policy, env: EnvironmentPolicy,
                    read: Sequence[tuple[str, StackSummary]]) -> list[PolicyViolation]:
    """A violation for each cost centre whose estimated maximum here exceeds its ``cost_caps`` entry."""
    if policy.prices is None or not policy.cost_caps:
        return []
    violations = []
    currency = policy.prices.currency
    for center, cost in by_cost_center([summary for _path, summary in read], policy.prices).items():
        cap = policy.cost_caps.get(center, {}).get(env.name)
        if cap is None or cost.high <= cap:
            continue
        resources = [PolicyViolatingResource(locations=[f"{built.path} (Metadata/platform:constructs)"],
                                             resource_logical_id=_primary(built), template_path=path)
                     for path, summary in read for built in summary.built if built.cost_center == center]
        worst = sorted(cost.lines, key=lambda line: -line.high)[:3]
        violations.append(PolicyViolation(
            rule_name=COST_RULE, severity="error", violating_resources=resources,
            description=(f"cost centre {center} may cost up to {money(cost.high, currency)} a month in {env.name} "
                         f"(estimated {cost_range(cost, currency)}), over its cap {money(cap, currency)} "
                         f"(cost_caps.{center}.{env.name}); most of it: "
                         + "; ".join(f"{line.what} up to {money(line.high, currency)}" for line in worst)),
            fix=("lower max_capacity / max_vcpus / max_gpus or choose cheaper instance types; or ask the platform "
                 f"team to raise cost_caps.{center}.{env.name} in the policy")))
    return violations


PRIMARY_TYPES = ("AWS::SageMaker::Endpoint", "AWS::Batch::JobQueue", "AWS::ECR::Repository", "AWS::EC2::VPC")


def _primary(built: Built) -> str:
    """The resource a cost violation points at: the construct's endpoint, queue, repository or VPC."""
    return next((logical_id for kind in PRIMARY_TYPES for logical_id, type_ in built.resources.items()
                 if type_ == kind), next(iter(built.resources), built.path))


def write_report(directory: Path, policy: Policy, env: EnvironmentPolicy, acknowledgments: Acknowledgments,
                 read: Sequence[tuple[str, StackSummary]]) -> Path:
    """``platform-report.json`` in the cloud assembly: the whole synth report."""
    prices = policy.prices
    report = {
        "environment": env.name, "policy": policy_label(policy), "policy_sha256": policy.sha256,
        "packs": list(GATE_PLUGINS),
        "acknowledgments": [{"path": path, "rule": rule, "reason": reason} for path, rule, reason in acknowledgments],
        "stacks": {summary.stack: {
            "template": os.path.relpath(path, directory), "summary": one_line(summary, policy),
            "constructs": [built.path for built in summary.built],
            **({"monthly_cost": {"currency": prices.currency, "low": round(cost.low, 2), "high": round(cost.high, 2),
                                 "unpriced": list(cost.unpriced)}}
               if prices is not None and (cost := stack_cost(summary, prices)) else {}),
        } for path, summary in read},
    }
    if prices is not None:
        report["cost_centers"] = {
            center: {"low": round(cost.low, 2), "high": round(cost.high, 2),
                     "cap": policy.cost_caps.get(center, {}).get(env.name)}
            for center, cost in by_cost_center([summary for _path, summary in read], prices).items()}
    target = directory / REPORT_FILE
    target.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return target


@jsii.implements(IPolicyValidationPlugin)
class SynthReportPlugin:
    """Prints the synth report, writes ``platform-report.json`` and enforces ``cost_caps``."""

    def __init__(self, policy: Policy, env: EnvironmentPolicy, acknowledgments: Acknowledgments, *,
                 verbose: bool) -> None:
        self._policy = policy
        self._env = env
        self._acknowledgments = acknowledgments
        self._verbose = verbose

    @property
    def name(self) -> str:
        return REPORT_PLUGIN

    @property
    def version(self) -> str:
        from platform_constructs import __version__

        return __version__

    @property
    def rule_ids(self) -> list[str]:
        return [COST_RULE]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        paths = list(context.template_paths)
        read = _read(paths)
        summaries = [summary for _path, summary in read]
        print("\n".join(report_lines(self._policy, self._env, self._acknowledgments, summaries,
                                     verbose=self._verbose)), file=sys.stderr)
        if paths:
            write_report(Path(os.path.commonpath([os.path.dirname(p) for p in paths])), self._policy, self._env,
                         self._acknowledgments, read)
        violations = cost_violations(self._policy, self._env, read)
        return PolicyValidationPluginReport(success=not violations, violations=violations)
