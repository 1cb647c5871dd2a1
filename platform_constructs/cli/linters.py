"""The third-party checkers ``platform-check`` runs besides the rule pack: cfn-lint and (optionally) checkov."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from platform_constructs.cli.results import Result


class CfnLint:
    """cfn-lint with its rules loaded once for all templates."""

    def __init__(self, regions: Sequence[str]) -> None:
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner

        self._runner = Runner(ConfigMixIn([], regions=list(regions)))

    def check(self, path: Path, template: Mapping[str, Any]) -> list[Result]:
        """cfn-lint's errors and warnings for one decoded template (informational matches are dropped)."""
        results: list[Result] = []
        for match in self._runner.validate_template(dict(template)):
            severity = str(match.rule.severity)
            if severity not in ("error", "warning"):
                continue
            where = getattr(match, "path", None) or []
            logical_id = str(where[1]) if len(where) > 1 and where[0] == "Resources" else None
            results.append(Result(
                template=path, tool="cfn-lint", rule_id=str(match.rule.id), severity=severity,
                message=str(match.message), logical_id=logical_id,
                location="/".join(str(p) for p in where) or None, line=int(match.linenumber),
                help=str(getattr(match.rule, "source_url", "") or match.rule.shortdesc),
            ))
        return results


def checkov_executable() -> str | None:
    return shutil.which("checkov")


def run_checkov(executable: str, paths: Sequence[Path]) -> dict[Path, list[Result]]:
    """Run checkov once over ``paths``; failed checks per template."""
    command = [executable, "--framework", "cloudformation", "--output", "json", "--quiet", "--compact",
               "--skip-download"]
    for path in paths:
        command += ["--file", str(path)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed (exit {completed.returncode}): {completed.stderr.strip()[-500:]}")
    output = completed.stdout.strip()
    data: Any = json.loads(output) if output.startswith(("[", "{")) else []
    reports = data if isinstance(data, list) else [data]
    by_path: dict[Path, list[Result]] = {path.resolve(): [] for path in paths}
    for report in reports:
        for failed in report.get("results", {}).get("failed_checks", []):
            template = Path(failed.get("file_abs_path", "")).resolve()
            resource = str(failed.get("resource", ""))
            resource_type, _, logical_id = resource.partition(".")
            lines = failed.get("file_line_range") or [None]
            by_path.setdefault(template, []).append(Result(
                template=template, tool="checkov", rule_id=str(failed["check_id"]), severity="error",
                message=str(failed.get("check_name", "")), logical_id=logical_id or None,
                resource_type=resource_type or None, line=lines[0], help=str(failed.get("guideline") or ""),
            ))
    return by_path
