"""cdk-nag's four packs and AWS Control Tower's cfn-guard rules over raw templates, in one CDK app for all of them.

Each template is loaded with ``cloudformation_include.CfnInclude`` (logical ids kept) into its own stack of a
throwaway app, so the packs see every resource as the typed L1 construct they check (at synth they see only
what a construct tree holds: CDK's provider singletons, for one, are untyped ``CfnResource`` objects there).
The app carries no acknowledgment: which findings count is decided afterwards by the library's decisions in
each resource's metadata (:mod:`platform_constructs.cli.results`), the same for every tool. CDK's own
template validation is off in the throwaway app (cfn-lint checks the schema).

The jsii runtime (Node) starts once, on first use, for all templates of a run. jsii runs the Node that
``JSII_NODE`` names, else the first ``node`` on ``PATH``; when ``JSII_NODE`` is unset, the project's pinned Node
(``node_modules/.bin/node`` of the working directory or of a directory above it, or above the templates, as
``platform new`` projects install it with ``npm install``) is used, as ``npx cdk`` does for the CLI.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from platform_constructs.cli.results import Result

NAG_TOOL, GUARD_TOOL = "cdk-nag", "cfn-guard"
_PATH = re.compile(r"^T(\d+)/Template/(.+)$")
_CT_ID = re.compile(r"^\[(CT\.[A-Z0-9.]+)\]")


def pinned_node(starts: Sequence[Path]) -> Path | None:
    """The first ``node_modules/.bin/node`` in ``starts`` or a directory above one of them (``None``: none)."""
    for start in starts:
        for directory in (start, *start.parents):
            candidate = directory / "node_modules" / ".bin" / "node"
            if candidate.is_file():
                return candidate
    return None


def run_cdk_checks(templates: Sequence[tuple[Path, Mapping[str, Any]]], *, nag: bool = True,
                   guard: bool = True) -> dict[Path, list[Result]]:
    """The findings of the nag packs (``nag``) and the Control Tower rules (``guard``) per template path.

    A template CfnInclude cannot load (e.g. a reference to a resource it does not define, a transform) gets one
    error result saying so, and the others are still checked.
    """
    if not templates or not (nag or guard):
        return {}
    node = pinned_node([Path.cwd(), *(path.resolve().parent for path, _ in templates)])
    if node is not None and "JSII_NODE" not in os.environ:
        os.environ["JSII_NODE"] = str(node)  # read when jsii starts, on the first import of aws_cdk below
    from aws_cdk import App, DefaultStackSynthesizer, Stack, Validations
    from aws_cdk import cloudformation_include as cfn_inc

    from platform_constructs.gate import ControlTowerRules, StartControlTowerRules
    from platform_constructs.guard_run import GuardRun

    outdir = Path(tempfile.mkdtemp(prefix="platform-check-"))
    app = App(outdir=str(outdir), analytics_reporting=False, builtin_cloud_formation_validation=False,
              context={"aws:cdk:enable-path-metadata": False,
                       # report into validation-report.json only: no console report, no exception to parse
                       "@aws-cdk/core:failSynthOnValidationErrors": False})
    results: dict[Path, list[Result]] = {path: [] for path, _ in templates}
    for index, (path, template) in enumerate(templates):
        stack = Stack(app, f"T{index}", synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
        source = outdir / f"source-{index}.json"
        source.write_text(json.dumps(template), encoding="utf-8")
        try:
            cfn_inc.CfnInclude(stack, "Template", template_file=str(source), preserve_logical_ids=True)
        except RuntimeError as exc:  # jsii: CfnInclude refused the template
            app.node.try_remove_child(stack.node.id)
            results[path].append(Result(template=path, tool=NAG_TOOL, rule_id="load", severity="error",
                                        message=f"cdk-nag and cfn-guard could not load the template: "
                                                f"{str(exc).splitlines()[0][:300]}"))
    plugins: list[Any] = []
    run = GuardRun()
    if guard:  # cfn-guard's processes start first and run beside the nag packs; ControlTowerRules collects them
        plugins.append(StartControlTowerRules(run))
    if nag:
        from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

        plugins += [AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app), PCIDSS321Checks(app)]
    if guard:
        plugins.append(ControlTowerRules(run))
    Validations.of(app).add_plugins(*plugins)
    app.synth()
    report_file = outdir / "validation-report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    paths = [path for path, _ in templates]
    for plugin in report.get("pluginReports", []):
        tool = GUARD_TOOL if plugin.get("pluginName") == "cdk-validator-cfnguard" else NAG_TOOL
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                found = _PATH.match(str(construct.get("constructPath", "")))
                if found is None:
                    continue  # cfn-guard repeats a finding without its resource; the located one is kept
                path = paths[int(found[1])]
                results[path].append(_result(tool, path, found[2], violation))
    return results


def _result(tool: str, path: Path, logical_id: str, violation: Mapping[str, Any]) -> Result:
    description = str(violation.get("description", "")).strip()
    rule = str(violation.get("ruleName", ""))
    if tool == GUARD_TOOL:
        control = _CT_ID.match(description)
        rule_id = f"cdk-validator-cfnguard::{rule}"
        help_text = f"AWS Control Tower {control[1]}" if control else rule
    else:
        rule_id, help_text = rule, rule.split("[", 1)[0]
    fix = str(violation.get("suggestedFix") or violation.get("fix") or "")
    return Result(template=path, tool=tool, rule_id=rule_id, severity="error", message=description.splitlines()[0],
                  logical_id=logical_id, help=f"{help_text}. Fix: {fix}" if fix else help_text)
