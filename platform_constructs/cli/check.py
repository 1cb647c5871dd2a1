"""``platform-check``: the compliance check for CI, over synthesized CloudFormation templates.

Usage::

    platform-check cdk.out/                      # every *.template.json in a cloud assembly
    platform-check a.template.json b.yaml        # or template files (JSON or YAML)
    platform-check cdk.out/ --env prod --junit report.xml --sarif report.sarif
    platform-check cdk.out/ --checkov            # also run checkov (pip install 'platform-constructs[checkov]')
    platform-check artifact model/               # the model artifact contract (see platform_constructs.cli.artifact)

Each template is checked by the platform rule pack (the same rules the synth-time gate runs) and by
cfn-lint (loaded once, errors and warnings); with ``--checkov`` also by checkov. A finding is
acknowledged only by an entry with a non-empty reason in the resource's ``platform:acknowledgments``
metadata (written by the platform constructs); it is then listed, not counted. The exit code is 0 when
no unacknowledged finding remains, 1 when one does, 2 on a usage error (no templates, unknown env,
checkov asked for but not installed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from platform_constructs.compliance.engine import acknowledgments, check_template
from platform_constructs.errors import PolicyError
from platform_constructs.policy import DEFAULT_ENVIRONMENT, EnvironmentPolicy, Policy, load_policy

PROG = "platform-check"
TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Result:
    """One finding of any tool, tied to a template (and a resource when the tool names one)."""

    template: Path
    tool: str
    rule_id: str
    severity: str
    message: str
    logical_id: str | None = None
    resource_type: str | None = None
    location: str | None = None
    line: int | None = None
    help: str = ""
    acknowledged_reason: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_reason is not None


@dataclass(frozen=True)
class TemplateReport:
    path: Path
    resources: int
    results: tuple[Result, ...]
    seconds: float


# --- loading ------------------------------------------------------------------------------------------
def discover(paths: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Templates named by ``paths`` (directories: every ``*.template.json`` outside asset folders)."""
    found: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            templates = sorted(
                p for p in path.rglob("*.template.json")
                if not any(part.startswith("asset.") for part in p.relative_to(path).parts)
            )
            if not templates:
                problems.append(f"{path}: no *.template.json in this directory (run `cdk synth` first?)")
            found.extend(templates)
        elif path.is_file():
            if path.suffix.lower() not in TEMPLATE_SUFFIXES:
                problems.append(f"{path}: not a template file (expected one of {', '.join(TEMPLATE_SUFFIXES)})")
            else:
                found.append(path)
        else:
            problems.append(f"{path}: no such file or directory")
    return found, problems


def _line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


class CfnLint:
    """cfn-lint with its rules loaded once for all templates."""

    def __init__(self, regions: Sequence[str]) -> None:
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner

        self._runner = Runner(ConfigMixIn([], regions=list(regions)))

    def check(self, path: Path, template: Mapping[str, Any]) -> list[Result]:
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


def load_template(path: Path) -> tuple[Mapping[str, Any] | None, list[str]]:
    """Decode a JSON or YAML template with cfn-lint's decoder (keeps line numbers, understands ``!Ref``)."""
    from cfnlint.decode import decode

    template, matches = decode(str(path))
    if matches:
        return None, [f"{path}:{m.linenumber}: {m.message}" for m in matches]
    if not isinstance(template, Mapping) or not isinstance(template.get("Resources", {}), Mapping):
        return None, [f"{path}: not a CloudFormation template (no Resources mapping)"]
    return template, []


# --- checkov ------------------------------------------------------------------------------------------
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


# --- checking -----------------------------------------------------------------------------------------
def _acknowledge(results: Iterable[Result], template: Mapping[str, Any]) -> list[Result]:
    """Mark results acknowledged by their resource's ``platform:acknowledgments`` (reason required)."""
    resources = template.get("Resources", {})
    marked: list[Result] = []
    for result in results:
        resource = resources.get(result.logical_id) if result.logical_id else None
        if isinstance(resource, Mapping):
            reason = acknowledgments(resource).get(result.rule_id)
            resource_type = result.resource_type or str(resource.get("Type", ""))
            marked.append(replace(result, acknowledged_reason=reason, resource_type=resource_type,
                                  line=result.line or _line(resource)))
        else:
            marked.append(result)
    return marked


def check_one(path: Path, template: Mapping[str, Any], policy: Policy, env: EnvironmentPolicy,
              linter: CfnLint | None) -> list[Result]:
    results = [
        Result(template=path, tool="platform-rules", rule_id=f.rule_id, severity="error",
               message=f.message, logical_id=f.logical_id, resource_type=f.resource_type,
               location=f.location, help=f"{f.title}. Fix: {f.fix}")
        for f in check_template(template, policy, env)
    ]
    if linter is not None:
        results += linter.check(path, template)
    return _acknowledge(results, template)


# --- output -------------------------------------------------------------------------------------------
def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(reports: Sequence[TemplateReport]) -> str:
    rows = [
        (r.template.name, r.logical_id or "-", r.tool + ":" + r.rule_id, _shorten(r.message, 160))
        for report in reports for r in report.results if not r.acknowledged
    ]
    if not rows:
        return ""
    header = ("TEMPLATE", "RESOURCE", "RULE", "MESSAGE")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row))
             for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in (*widths, 7)))
    return "\n".join(lines)


def write_junit(reports: Sequence[TemplateReport], file: Path) -> None:
    """One test suite per template; one failing test case per finding (acknowledged ones: skipped)."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name=PROG)
    for report in reports:
        failures = [r for r in report.results if not r.acknowledged]
        suite = ET.SubElement(root, "testsuite", name=str(report.path), tests=str(max(1, len(report.results))),
                              failures=str(len(failures)), errors="0",
                              skipped=str(len(report.results) - len(failures)), time=f"{report.seconds:.3f}")
        if not report.results:
            ET.SubElement(suite, "testcase", classname=report.path.name, name="compliance", time="0")
        for result in report.results:
            case = ET.SubElement(suite, "testcase", classname=report.path.name,
                                 name=f"{result.tool}:{result.rule_id} {result.logical_id or ''}".strip())
            if result.acknowledged:
                ET.SubElement(case, "skipped", message=f"acknowledged: {result.acknowledged_reason}")
            else:
                failure = ET.SubElement(case, "failure", type=result.rule_id, message=result.message)
                failure.text = f"{result.location or ''}\nfix: {result.help}".strip()
    ET.indent(root)
    ET.ElementTree(root).write(file, encoding="utf-8", xml_declaration=True)


def sarif(reports: Sequence[TemplateReport], base: Path) -> dict[str, Any]:
    """SARIF 2.1.0 with one run; acknowledged findings carry an in-source suppression and its reason."""
    from platform_constructs import __version__

    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for report in reports:
        try:
            uri = report.path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            uri = report.path.resolve().as_posix()
        for r in report.results:
            rule_key = f"{r.tool}/{r.rule_id}"
            rules.setdefault(rule_key, {
                "id": rule_key, "name": r.rule_id,
                "shortDescription": {"text": (r.help.split(". Fix: ")[0] or r.message)[:200]},
                "help": {"text": r.help or r.message}, "properties": {"tool": r.tool},
            })
            entry: dict[str, Any] = {
                "ruleId": rule_key,
                "level": "warning" if r.severity == "warning" else "error",
                "message": {"text": f"{r.logical_id}: {r.message}" if r.logical_id else r.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": r.line or 1},
                }}],
            }
            if r.acknowledged:
                entry["suppressions"] = [{"kind": "inSource", "justification": r.acknowledged_reason}]
            results.append(entry)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": PROG, "version": __version__,
                                "informationUri": "https://github.com/example/platform-constructs",
                                "rules": list(rules.values())}},
            "results": results,
        }],
    }


# --- commands -----------------------------------------------------------------------------------------
def _templates_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check CloudFormation templates (a cdk.out directory or files) with the platform rule pack "
                    "and cfn-lint. `platform-check artifact DIR` checks a model artifact instead.",
    )
    parser.add_argument("paths", nargs="+", help="cdk.out directories and/or template files")
    parser.add_argument("--env", default=DEFAULT_ENVIRONMENT, help="policy environment (default: %(default)s)")
    parser.add_argument("--policy", help="policy file (default: the one shipped with platform-constructs)")
    parser.add_argument("--region", action="append", dest="regions", help="cfn-lint region (default: us-east-1)")
    parser.add_argument("--no-cfn-lint", action="store_true", help="run only the platform rule pack")
    parser.add_argument("--checkov", action="store_true", help="also run checkov (must be installed)")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="write a SARIF 2.1.0 report")
    parser.add_argument("--show-acknowledged", action="store_true", help="list acknowledged findings and reasons")
    return parser


def _policy(policy_file: str | None, env_name: str) -> tuple[Policy, EnvironmentPolicy]:
    policy = load_policy(policy_file)
    return policy, policy.environment(env_name)


def check_templates(argv: Sequence[str]) -> int:
    args = _templates_parser().parse_args(argv)
    err = sys.stderr
    try:
        policy, env = _policy(args.policy, args.env)
    except PolicyError as exc:
        print(f"{PROG}: {exc}", file=err)
        return EXIT_USAGE
    paths, problems = discover(args.paths)
    checkov = checkov_executable() if args.checkov else None
    if args.checkov and checkov is None:
        problems.append("--checkov: checkov is not installed (no `checkov` on PATH); install it with "
                        "`pip install 'platform-constructs[checkov]'` or drop --checkov")
    if problems:
        for problem in problems:
            print(f"{PROG}: {problem}", file=err)
        return EXIT_USAGE
    started = time.perf_counter()
    tools = ["platform-rules", *([] if args.no_cfn_lint else ["cfn-lint"]), *(["checkov"] if checkov else [])]
    print(f"{PROG}: {len(paths)} template(s), env {env.name}, policy {policy.file}; checks: {', '.join(tools)}",
          file=err)
    linter = None if args.no_cfn_lint else CfnLint(args.regions or ["us-east-1"])
    checkov_results = run_checkov(checkov, paths) if checkov else {}
    reports: list[TemplateReport] = []
    for index, path in enumerate(paths, 1):
        begin = time.perf_counter()
        template, errors = load_template(path)
        if template is None:
            results = [Result(template=path, tool=PROG, rule_id="parse", severity="error", message=e) for e in errors]
            resources = 0
        else:
            results = check_one(path, template, policy, env, linter)
            results += _acknowledge(
                (replace(r, template=path) for r in checkov_results.get(path.resolve(), [])), template)
            resources = len(template.get("Resources", {}))
        seconds = time.perf_counter() - begin
        report = TemplateReport(path, resources, tuple(results), seconds)
        reports.append(report)
        open_count = sum(not r.acknowledged for r in results)
        print(f"[{index}/{len(paths)}] {path}: {resources} resources, {open_count} finding(s), "
              f"{len(results) - open_count} acknowledged ({seconds:.2f} s)", file=err)
    table = render_table(reports)
    if table:
        print(table)
    if args.show_acknowledged:
        for report in reports:
            for r in report.results:
                if r.acknowledged:
                    print(f"acknowledged {r.tool}:{r.rule_id} on {report.path.name}/{r.logical_id}: "
                          f"{r.acknowledged_reason}")
    if args.junit:
        write_junit(reports, args.junit)
    if args.sarif:
        args.sarif.write_text(json.dumps(sarif(reports, Path.cwd()), indent=2), encoding="utf-8")
    total = sum(not r.acknowledged for report in reports for r in report.results)
    acknowledged = sum(r.acknowledged for report in reports for r in report.results)
    elapsed = time.perf_counter() - started
    verdict = "FAILED" if total else "passed"
    print(f"{PROG}: {verdict}: {total} unacknowledged finding(s), {acknowledged} acknowledged, "
          f"{len(paths)} template(s) in {elapsed:.1f} s", file=err)
    return EXIT_FINDINGS if total else EXIT_OK


def check_artifact(argv: Sequence[str]) -> int:
    from platform_constructs.cli.artifact import validate_artifact

    parser = argparse.ArgumentParser(prog=f"{PROG} artifact",
                                     description="Check a model artifact directory against the artifact contract.")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--policy", help="policy file (default: the one shipped with platform-constructs)")
    args = parser.parse_args(argv)
    try:
        policy = load_policy(args.policy)
    except PolicyError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = validate_artifact(args.directory, policy.artifacts)
    if report.ok:
        print(f"✓ {report.directory}: artifact contract passed (framework {report.framework}, "
              f"{report.size_bytes / 1024**3:.2f} GB of {policy.artifacts.max_size_gb:g} GB)")
        return EXIT_OK
    print(f"✗ {report.directory}: {len(report.problems)} problem(s) with the artifact contract:")
    for problem in report.problems:
        print(f"  - {problem}")
    return EXIT_FINDINGS


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "artifact":
        return check_artifact(args[1:])
    return check_templates(args)


if __name__ == "__main__":
    sys.exit(main())
