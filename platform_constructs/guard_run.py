"""AWS Control Tower's rules over a synth's templates in a few processes at once, started early, collected late.

``cdklabs-cdk-validator-cfnguard``'s plugin runs one cfn-guard process over every template, synchronously, inside
the jsii runtime: on a 100-stack app that was 58 s of a 76 s synth on one core, while Node waited (issue 19's
profile). Here the same plugin code (the package's ``lib/plugin.js``: its cfn-guard command line and its reading
of cfn-guard's output into findings) runs in plain Node processes of its own, one per CPU, each over a share of
the templates, and each template gets only the rule files that can report on it
(:func:`platform_constructs.guard_rules.rules_for_template`). :meth:`GuardRun.start` launches them and returns at
once, so the nag packs and the platform rule pack run meanwhile; :meth:`GuardRun.report` waits and merges them into
the report the package's plugin gives for all templates in one call (same findings, in the same order: cfn-guard
reports template by template, rule file by rule file, and a rule file that cannot apply reports nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.guard_rules import package_dir, rules_for_template

MAX_BUFFER = 64 * 1024 * 1024
"""cfn-guard's output buffer (bytes): the plugin's 1 MiB default is too small for the golden-image templates."""

_RUNNER = r"""
const fs = require('fs');
const [plugin, requestFile] = process.argv.slice(1);
const { CfnGuardValidator } = require(plugin);
const request = JSON.parse(fs.readFileSync(requestFile, 'utf8'));
const reports = request.groups.map(group => new CfnGuardValidator({
  controlTowerRulesEnabled: false, rules: group.rules, maxBuffer: request.maxBuffer,
}).validate({ templatePaths: group.templates }));
process.stdout.write(JSON.stringify(reports));
"""
"""Node: the package's plugin over each group of templates (one cfn-guard process per group, one after another)."""

Report = dict[str, Any]
"""The package plugin's report: ``success`` and ``violations`` (``ruleName``, ``description``, ``fix``,
``ruleMetadata``, ``violatingResources``: ``locations``, ``resourceLogicalId``, ``templatePath``)."""


def node_binary() -> str:
    """The Node jsii runs (``JSII_NODE``, else ``node`` on ``PATH``)."""
    found = os.environ.get("JSII_NODE") or shutil.which("node")
    if not found:
        raise RuntimeError("cfn-guard: no Node to run cdklabs-cdk-validator-cfnguard's plugin with (set JSII_NODE "
                           "or put node on PATH)")
    return found


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    directory: Path

    def reports(self) -> list[Report]:
        code = self.process.wait()
        output = (self.directory / "out.json").read_text(encoding="utf-8")
        if code != 0:
            error = (self.directory / "err.txt").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"cdklabs-cdk-validator-cfnguard's plugin failed (exit {code}): {error[-3000:]}")
        shutil.rmtree(self.directory, ignore_errors=True)
        return list(json.loads(output))


class GuardRun:
    """The Control Tower rules over one set of templates, run in ``workers`` processes."""

    def __init__(self, *, workers: int | None = None) -> None:
        self._workers = workers if workers is not None else default_workers()
        self._started: tuple[tuple[str, ...], list[_Worker]] | None = None
        self._failed: tuple[tuple[str, ...], Exception] | None = None

    def start(self, template_paths: Sequence[str]) -> None:
        """Launch cfn-guard over ``template_paths`` (returns at once; a second call with the same paths does
        nothing, with other paths it replaces the first run). A failure to launch is raised by :meth:`report`,
        so that it is the Control Tower rules' failure, not the caller's (the platform rule pack's)."""
        paths = tuple(template_paths)
        if (self._started is not None and self._started[0] == paths) or (
                self._failed is not None and self._failed[0] == paths):
            return
        self._failed = None
        try:
            self._launch(paths)
        except Exception as exc:  # kept for report(), which raises it
            self._failed = (paths, exc)

    def _launch(self, paths: tuple[str, ...]) -> None:
        if self._started is not None:
            for worker in self._started[1]:
                worker.process.kill()
                worker.process.wait()
        plugin = str(package_dir() / "lib" / "plugin.js")
        jobs = [(path, rules_for_template(json.loads(Path(path).read_text(encoding="utf-8")))) for path in paths]
        jobs = [(path, rules) for path, rules in jobs if rules]
        count = min(self._workers, len(jobs))
        workers = []
        for index in range(count):
            share = jobs[len(jobs) * index // count:len(jobs) * (index + 1) // count]
            groups: list[dict[str, list[str]]] = []
            for path, rules in share:  # neighbours with the same rule files share one cfn-guard process
                if groups and groups[-1]["rules"] == rules:
                    groups[-1]["templates"].append(path)
                else:
                    groups.append({"rules": rules, "templates": [path]})
            directory = Path(tempfile.mkdtemp(prefix="platform-guard-"))
            (directory / "request.json").write_text(json.dumps({"groups": groups, "maxBuffer": MAX_BUFFER}),
                                                    encoding="utf-8")
            with open(directory / "out.json", "wb") as out, open(directory / "err.txt", "wb") as err:
                process = subprocess.Popen([node_binary(), "-e", _RUNNER, plugin, str(directory / "request.json")],
                                           stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            workers.append(_Worker(process, directory))
        self._started = (paths, workers)

    def report(self, template_paths: Sequence[str]) -> Report:
        """The findings over ``template_paths`` (started now unless :meth:`start` was given the same paths), as
        the package's plugin reports them for all templates in one call."""
        self.start(template_paths)
        if self._failed is not None:
            failed, self._failed = self._failed[1], None
            raise failed
        assert self._started is not None
        paths, workers = self._started
        self._started = None
        by_template: dict[str, list[dict[str, Any]]] = {path: [] for path in paths}
        success = True
        for worker in workers:
            for report in worker.reports():
                success = success and bool(report.get("success", True))
                for violation in report.get("violations", []):  # each names the one template it was found in
                    by_template.setdefault(violation["violatingResources"][0]["templatePath"], []).append(violation)
        return {"success": success, "violations": [v for found in by_template.values() for v in found]}
