"""``platform-check``: the compliance check for CI, over synthesized CloudFormation templates.

Usage::

    platform-check cdk.out/                      # every *.template.json in a cloud assembly (nested ones too)
    platform-check a.template.json b.yaml        # or template files (JSON or YAML)
    platform-check cdk.out/ --env prod --junit report.xml --sarif report.sarif
    platform-check cdk.out/ --checkov            # also run checkov (pip install 'platform-constructs[checkov]')
    platform-check artifact model/               # the model artifact contract (see platform_constructs.cli.artifact)
    platform-check artifact model.tar.gz         # ... on the archive SageMaker receives

Each template is checked by the platform rule pack (the same rules the synth-time gate runs), cfn-lint
(loaded once, errors and warnings), cdk-nag's AwsSolutions, HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1
packs and AWS Control Tower's proactive controls (cfn-guard; both over every template in one CDK app, see
:mod:`.cdk_checks`); with ``--checkov`` also by checkov. One process checks all templates. A finding is
acknowledged only by the library's own decision for exactly that finding on that resource, for every tool
alike (:mod:`platform_constructs.compliance.acknowledgments`); it is then listed, not counted. Findings of
several tools on one resource and check are merged and tagged with every tool. The exit code is 0 when no
unacknowledged finding remains, 1 when one does, 2 on a usage error (no templates, unknown env, checkov
asked for but not installed or failing).

The checkers load once. The rule pack and cfn-lint (pure Python, most of a run) check the templates in ``--jobs``
forked workers that share them (default: the CPUs this process may use; :mod:`.parallel`), forked before the jsii
runtime starts, so that cdk-nag and cfn-guard (Node) run in this process meanwhile; results are reported in the
templates' order, the same as one after the other.

This module is the command; the pieces it runs live beside it: :mod:`.templates` (finding and decoding
templates), :mod:`.linters` (cfn-lint, checkov), :mod:`.cdk_checks` (cdk-nag, cfn-guard), :mod:`.parallel` (the
workers), :mod:`.results` (findings and acknowledgments) and :mod:`.reports` (table, JUnit, SARIF).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from platform_constructs.cli import environment, parallel
from platform_constructs.cli.cdk_checks import run_cdk_checks
from platform_constructs.cli.linters import CfnLint, checkov_executable, run_checkov
from platform_constructs.cli.reports import PROG, render_table, sarif, write_junit
from platform_constructs.cli.results import Result, TemplateReport, mark_acknowledged
from platform_constructs.cli.templates import discover, load_template
from platform_constructs.compliance.assembly import template_accounts
from platform_constructs.compliance.engine import check_template
from platform_constructs.compliance.exports import Exports, exported_values
from platform_constructs.compliance.rules.base import RuleContext
from platform_constructs.errors import PlatformValidationError, PolicyError
from platform_constructs.policy import DEFAULT_ENVIRONMENT, EnvironmentPolicy, Policy, load_policy

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def check_one(path: Path, template: Mapping[str, Any], policy: Policy, env: EnvironmentPolicy,
              linter: CfnLint | None, *, others: Sequence[Result] = (),
              exports: Exports | None = None, account: str | None = None) -> list[Result]:
    """The rule pack's findings over one template, then cfn-lint's and ``others`` (the other tools'), each
    acknowledged only by the library's decisions. ``exports``: what the templates checked with it export (their
    ``Fn::ImportValue`` targets); ``account``: the account its stack is deployed to, when the cloud assembly says
    (:mod:`platform_constructs.compliance.assembly`)."""
    results = [
        Result(template=path, tool="platform-rules", rule_id=f.rule_id, severity="error",
               message=f.message, logical_id=f.logical_id, resource_type=f.resource_type,
               location=f.location, help=f"{f.title}. Fix: {f.fix}")
        for f in check_template(template, policy, env, exports=exports, account=account)
    ]
    if linter is not None:
        results += linter.check(path, template)
    results += others
    return mark_acknowledged(results, template, RuleContext(policy=policy, env=env, template=template,
                                                            exports=exports or {}, account=account))


def _plain(result: Result) -> Result:
    """``result`` with plain ``str`` and ``int`` values: cfn-lint's decoder hands out its own ``str`` and ``int``
    subclasses (with line marks), which cannot cross to another process (:mod:`.parallel`)."""
    changes: dict[str, Any] = {
        name: str(value) for name in ("tool", "rule_id", "severity", "message", "help", "logical_id",
                                      "resource_type", "location", "acknowledged_reason")
        if (value := getattr(result, name)) is not None and type(value) is not str}
    if result.line is not None and type(result.line) is not int:
        changes["line"] = int(result.line)
    if any(type(reason) is not str for reason in result.refused):
        changes["refused"] = tuple(str(reason) for reason in result.refused)
    return replace(result, **changes) if changes else result


def _templates_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check CloudFormation templates (a cdk.out directory or files) with the platform rule pack, "
                    "cfn-lint, cdk-nag's four packs and AWS Control Tower's cfn-guard rules. "
                    "`platform-check artifact DIR` checks a model artifact instead.",
    )
    parser.add_argument("paths", nargs="+", help="cdk.out directories and/or template files")
    parser.add_argument("--env", help="policy environment (default: the one the templates were synthesized for, "
                                      f"else {DEFAULT_ENVIRONMENT}); refused when it differs from theirs")
    parser.add_argument("--policy", help="policy file (default: the one the templates were synthesized under, else "
                                         "the one shipped with platform-constructs)")
    parser.add_argument("--region", action="append", dest="regions", help="cfn-lint region (default: us-east-1)")
    parser.add_argument("--no-cfn-lint", action="store_true", help="skip cfn-lint")
    parser.add_argument("--no-cdk-nag", action="store_true", help="skip cdk-nag's packs")
    parser.add_argument("--no-cfn-guard", action="store_true", help="skip AWS Control Tower's cfn-guard rules")
    parser.add_argument("--checkov", action="store_true", help="also run checkov (must be installed)")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="write a SARIF 2.1.0 report")
    parser.add_argument("--show-acknowledged", action="store_true", help="list acknowledged findings and reasons")
    parser.add_argument("--jobs", type=int, default=parallel.default_jobs(), metavar="N",
                        help="templates checked at once by the rule pack and cfn-lint, in forked workers that share "
                             f"the loaded checkers (default: the CPUs this process may use, {parallel.default_jobs()})")
    return parser


def _policy(policy_file: str | None, env_name: str) -> tuple[Policy, EnvironmentPolicy]:
    policy = load_policy(policy_file)
    return policy, policy.environment(env_name, option="--env")


def check_templates(argv: Sequence[str]) -> int:
    args = _templates_parser().parse_args(argv)
    err = sys.stderr
    paths, problems = discover(args.paths)
    try:
        selection = environment.select(environment.read_records(paths), env=args.env, policy=args.policy)
        policy, env = _policy(selection.policy_file, selection.env)
        environment.check_policy_hash(selection, policy.sha256, policy.file)
    except (PolicyError, PlatformValidationError, environment.SelectionError) as exc:
        print(f"{PROG}: {exc}", file=err)
        return EXIT_USAGE
    run_properties = environment.properties(selection, policy.file, policy.sha256)
    checkov = checkov_executable() if args.checkov else None
    if args.checkov and checkov is None:
        problems.append("--checkov: checkov is not installed (no `checkov` on PATH); install it with "
                        "`pip install 'platform-constructs[checkov]'` or drop --checkov")
    if problems:
        for problem in problems:
            print(f"{PROG}: {problem}", file=err)
        return EXIT_USAGE
    started = time.perf_counter()
    tools = ["platform-rules", *([] if args.no_cfn_lint else ["cfn-lint"]), *([] if args.no_cdk_nag else ["cdk-nag"]),
             *([] if args.no_cfn_guard else ["cfn-guard"]), *(["checkov"] if checkov else [])]
    print(f"{PROG}: {len(paths)} template(s), env {env.name} (from {selection.source}), policy {policy.file}; "
          f"checks: {', '.join(tools)}", file=err)
    linter = None if args.no_cfn_lint else CfnLint(args.regions or ["us-east-1"])
    try:
        checkov_results = run_checkov(checkov, paths) if checkov else {}
    except RuntimeError as exc:
        print(f"{PROG}: --checkov: {exc}", file=err)
        return EXIT_USAGE
    loaded = {path: load_template(path) for path in paths}
    exports = exported_values(t for t, _ in loaded.values() if t is not None)  # cross-stack references
    accounts = template_accounts(paths)  # explicit stack accounts, from the cloud assembly's manifest

    def check(path: Path) -> tuple[list[Result], int, float]:
        """The rule pack's and cfn-lint's results for one template (in a worker, when there are workers)."""
        begin = time.perf_counter()
        template, errors = loaded[path]
        if template is None:
            return [Result(template=path, tool=PROG, rule_id="parse", severity="error", message=e) for e in errors], \
                0, time.perf_counter() - begin
        results = [_plain(r) for r in check_one(path, template, policy, env, linter, exports=exports,
                                                account=accounts[path])]
        return results, len(template.get("Resources", {})), time.perf_counter() - begin

    checked = parallel.ordered_map(check, paths, jobs=args.jobs)  # forks now, before jsii starts Node below
    begin = time.perf_counter()
    cdk_results = run_cdk_checks([(p, t) for p, (t, _) in loaded.items() if t is not None],
                                 nag=not args.no_cdk_nag, guard=not args.no_cfn_guard)
    if cdk_results:
        print(f"{PROG}: cdk-nag and cfn-guard over {len(cdk_results)} template(s) in one app: "
              f"{time.perf_counter() - begin:.1f} s", file=err)
    reports: list[TemplateReport] = []
    for index, (path, (own, resources, seconds)) in enumerate(zip(paths, checked, strict=True), 1):
        template, _ = loaded[path]
        results = own
        if template is not None:  # the other tools' results, acknowledged as check_one acknowledges its own
            others = [replace(r, template=path) for r in (*checkov_results.get(path.resolve(), []),
                                                          *cdk_results.get(path, []))]
            results = [*own, *mark_acknowledged(others, template, RuleContext(
                policy=policy, env=env, template=template, exports=exports, account=accounts[path]))]
        report = TemplateReport(path, resources, tuple(results), seconds)
        reports.append(report)
        findings = report.findings
        open_count = sum(not f.acknowledged for f in findings)
        print(f"[{index}/{len(paths)}] {path}: {resources} resources, {open_count} finding(s), "
              f"{len(findings) - open_count} acknowledged ({seconds:.2f} s)", file=err)
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
        write_junit(reports, args.junit, run_properties)
    if args.sarif:
        args.sarif.write_text(json.dumps(sarif(reports, Path.cwd(), run_properties), indent=2), encoding="utf-8")
    total = sum(not f.acknowledged for report in reports for f in report.findings)
    acknowledged = sum(f.acknowledged for report in reports for f in report.findings)
    elapsed = time.perf_counter() - started
    verdict = "FAILED" if total else "passed"
    print(f"{PROG}: {verdict}: {total} unacknowledged finding(s), {acknowledged} acknowledged, "
          f"{len(paths)} template(s) in {elapsed:.1f} s", file=err)
    return EXIT_FINDINGS if total else EXIT_OK


def check_artifact(argv: Sequence[str]) -> int:
    from platform_constructs.cli.artifact import validate_artifact

    parser = argparse.ArgumentParser(prog=f"{PROG} artifact",
                                     description="Check a model artifact (a directory, or the model.tar.gz that "
                                                 "model_data_url points to) against the artifact contract.")
    parser.add_argument("directory", type=Path, metavar="PATH", help="the artifact directory or model.tar.gz")
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
