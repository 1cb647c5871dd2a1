"""Helpers for testing stacks built with platform constructs (used by our tests and scaffolded projects).

``synthesize`` runs a full synth — every compliance check included — into a directory and returns the
templates; a compliance finding raises :class:`ComplianceError` with the validation report's text.
``cfn_lint`` runs the real cfn-lint over a synthesized template.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App


class ComplianceError(AssertionError):
    """Synth failed: the compliance gate (or CDK's own validation) reported findings."""


@dataclass(frozen=True)
class SynthResult:
    outdir: Path
    templates: dict[str, dict[str, Any]]
    """Stack name -> template JSON."""

    def template(self, stack_id: str) -> dict[str, Any]:
        return self.templates[stack_id]

    def template_path(self, stack_id: str) -> Path:
        return self.outdir / f"{stack_id}.template.json"

    def resources(self, stack_id: str, resource_type: str) -> dict[str, Mapping[str, Any]]:
        return {k: v for k, v in self.templates[stack_id]["Resources"].items() if v["Type"] == resource_type}


def new_app(context: Mapping[str, Any] | None = None, outdir: str | Path | None = None) -> App:
    """An ``App`` writing to ``outdir`` (a fresh temporary directory by default)."""
    out = str(outdir) if outdir is not None else tempfile.mkdtemp(prefix="cdk-test-")
    return App(outdir=out, context=dict(context or {}))


def synthesize(app: App) -> SynthResult:
    """Synthesize ``app`` with every validation plugin; raise :class:`ComplianceError` on findings."""
    try:
        assembly = app.synth()
    except RuntimeError as exc:
        if "ValidationFailed" not in str(exc) and "Validation failed" not in str(exc):
            raise
        outdir = Path(app.outdir)
        report = outdir / "validation-report.json"
        detail = report.read_text(encoding="utf-8") if report.exists() else str(exc)
        raise ComplianceError(_summarise(detail)) from None
    outdir = Path(assembly.directory)
    templates = {
        stack.stack_name: json.loads((outdir / stack.template_file).read_text(encoding="utf-8"))
        for stack in assembly.stacks
    }
    return SynthResult(outdir=outdir, templates=templates)


def _summarise(report_text: str) -> str:
    """Turn CDK's validation report JSON into 'rule at path: message' lines (raw text if not JSON)."""
    try:
        report = json.loads(report_text)
    except json.JSONDecodeError:
        return report_text
    lines: list[str] = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for resource in violation.get("violatingConstructs", violation.get("violatingResources", [])):
                where = resource.get("constructPath") or resource.get("resourceLogicalId")
                lines.append(f"{violation.get('ruleName')} at {where}: {violation.get('description', '')[:200]}")
    return "\n".join(lines) or report_text


def cfn_lint(template_path: str | Path, regions: tuple[str, ...] = ("us-east-1",)) -> list[str]:
    """cfn-lint errors and warnings (as text) for one template; empty when clean."""
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(Path(template_path), config=ManualArgs(regions=list(regions)))
    return [f"{m.rule.id} {m.message} ({m.filename}:{m.linenumber})" for m in matches]
