"""The local deploy's report: one line per stack, then what needs reading.

Per stack: its resources; how many the emulator created; how many were checked on the template only, by type,
each type's reason in the legend below the table; how many the adapter dropped (custom resources); the
runtime calls made with its roles that were allowed and the negative calls that were denied, of those declared
(``-`` when the runtime calls did not run); checks passed; time. Then the adapter's changes, failed checks, the
runtime calls decided on the template, the known gaps and the calls that misbehaved, anything the emulator
logged, the second deploy + ``cdk diff`` and the timings.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from platform_constructs.local.models import TEMPLATE_ONLY
from platform_constructs.local.runtime.tables import report_lines, tally

if TYPE_CHECKING:
    from platform_constructs.local.deploy import DeployResult, StackResult


def _count(value: int | None, declared: int) -> str:
    """``-`` (not run), ``allowed/declared`` when the calls are known, else the count alone."""
    return "-" if value is None else f"{value}/{declared}" if declared else str(value)


def _template_only(stack: StackResult, keys: dict[str, str]) -> str:
    return ", ".join(f"{n} x {t.split('::', 1)[1]} [{keys[t]}]" for t, n in sorted(stack.template_only.items())) or "-"


def stack_table(result: DeployResult) -> list[str]:
    """The per-stack lines and the legend of template-only reasons."""
    types = sorted({t for s in result.stacks for t in s.template_only})
    keys = {t: chr(ord("a") + i) for i, t in enumerate(types)}
    width = max([len(s.stack) for s in result.stacks] + [5])
    header = (f"{'stack':<{width}}  {'resources':>9}  {'created':>7}  {'dropped':>7}  {'runtime ok':>10}  "
              f"{'denied':>6}  {'checks':>9}  {'time':>6}  template only")
    lines = [header]
    for s in result.stacks:
        declared = tally(s.runtime)
        lines.append(f"{s.stack:<{width}}  {s.resources:>9}  {s.created:>7}  {s.dropped:>7}  "
                     f"{_count(s.runtime_allowed, declared.allow_declared):>10}  "
                     f"{_count(s.runtime_denied, declared.deny_declared):>6}  "
                     f"{f'{s.passed}/{len(s.checks)}':>9}  {s.seconds:>5.1f}s  {_template_only(s, keys)}")
    if types:
        lines.append("template only = the emulator cannot create the type; its properties are checked on the template:")
        lines += [f"  [{keys[t]}] {t}: {TEMPLATE_ONLY.get(t, 'no reason recorded')}" for t in types]
    lines.append("dropped = removed by the template adapter (custom resources: see the changes above)")
    return lines


def summary(result: DeployResult) -> str:
    """The whole report, as printed by ``platform deploy-local`` and ``make demo``."""
    lines: list[str] = [result.gate_report] if result.gate_report else []
    if result.platform_check is not None:
        passed, output = result.platform_check
        lines.append(f"platform-check: {'passed' if passed else 'FAILED'}")
        if not passed:
            lines.append(output.strip()[-2000:])
    else:
        lines.append("platform-check: not installed (skipped)")
    lines.append(f"\nChanged for the local emulator only ({len(result.changes)} changes, "
                 f"in {result.adapted.directory}):")
    lines += [f"  - {c}" for c in result.changes] or ["  (none)"]
    lines += ["", *stack_table(result)]
    failed = [c for s in result.stacks for c in s.failed]
    if failed:
        lines.append("\nFailed checks:")
        lines += [f"  {c}" for c in failed]
    lines += report_lines([r for s in result.stacks for r in s.runtime])
    if result.emulator_log:
        lines.append(f"\nThe emulator logged {len(result.emulator_log)} warning(s) or error(s):")
        lines += [f"  {record}" for record in result.emulator_log]
    if result.diff_clean is not None:
        lines.append("second deploy + cdk diff: " + ("no differences" if result.diff_clean else "DIFFERENCES FOUND"))
    lines.append("\n" + "  ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    lines.append("local deploy: " + ("OK" if result.ok else "FAILED"))
    return "\n".join(lines)


def as_json(result: DeployResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "timings": result.timings,
        "changes": [str(c) for c in result.changes],
        "emulator_log": result.emulator_log,
        "stacks": [{"stack": s.stack, "resources": s.resources, "created": s.created, "dropped": s.dropped,
                    "template_only": s.template_only, "runtime_allowed": s.runtime_allowed,
                    "runtime_denied": s.runtime_denied, "runtime_failed": [str(r) for r in s.runtime_failed],
                    "passed": s.passed, "checks": len(s.checks),
                    "failed": [str(c) for c in s.failed]} for s in result.stacks],
    }


def dumps(result: DeployResult) -> str:
    return json.dumps(as_json(result), indent=2)
