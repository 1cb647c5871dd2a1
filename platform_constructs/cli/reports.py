"""The outputs of ``platform-check``: the findings table, JUnit XML and SARIF 2.1.0.

Each output lists findings merged per resource and check (:func:`platform_constructs.cli.results.deduplicate`),
each tagged with the tools that found it. Unacknowledged findings are failures; acknowledged ones are skipped
test cases in JUnit and carry an in-source suppression with their reason in SARIF (the table lists only
failures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from platform_constructs.cli.results import Finding, TemplateReport

PROG = "platform-check"


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _rule(finding: Finding) -> str:
    first = finding.first
    more = len(finding.results) - 1
    return f"{first.tool}:{first.rule_id}" + (f" (+{more})" if more else "")


def _message(finding: Finding) -> str:
    refused = next((r.refused for r in finding.results if r.refused), ())
    note = f" [acknowledgment refused: {refused[0]}]" if refused else ""
    return finding.first.message + note


def render_table(reports: Sequence[TemplateReport]) -> str:
    """TEMPLATE / RESOURCE / RULE / TOOLS / MESSAGE, one row per unacknowledged finding (empty when none)."""
    rows = [
        (report.path.name, f.first.logical_id or "-", _rule(f), ",".join(f.tools), _shorten(_message(f), 160))
        for report in reports for f in report.findings if not f.acknowledged
    ]
    if not rows:
        return ""
    header = ("TEMPLATE", "RESOURCE", "RULE", "TOOLS", "MESSAGE")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row))
             for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in (*widths, 7)))
    return "\n".join(lines)


def write_junit(reports: Sequence[TemplateReport], file: Path, properties: Mapping[str, str] | None = None) -> None:
    """One test suite per template; one failing test case per finding (acknowledged ones: skipped). ``properties``
    (the run's environment and policy) are written into every suite's ``<properties>``."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name=PROG)
    for report in reports:
        findings = report.findings
        failures = [f for f in findings if not f.acknowledged]
        suite = ET.SubElement(root, "testsuite", name=str(report.path), tests=str(max(1, len(findings))),
                              failures=str(len(failures)), errors="0",
                              skipped=str(len(findings) - len(failures)), time=f"{report.seconds:.3f}")
        if properties:
            bag = ET.SubElement(suite, "properties")
            for key, value in properties.items():
                ET.SubElement(bag, "property", name=key, value=value)
        if not findings:
            ET.SubElement(suite, "testcase", classname=report.path.name, name="compliance", time="0")
        for finding in findings:
            first = finding.first
            case = ET.SubElement(suite, "testcase", classname=report.path.name,
                                 name=f"{first.tool}:{first.rule_id} {first.logical_id or ''}".strip())
            if finding.acknowledged:
                ET.SubElement(case, "skipped", message=f"acknowledged: {first.acknowledged_reason}")
            else:
                failure = ET.SubElement(case, "failure", type=first.rule_id, message=_message(finding))
                also = ", ".join(f"{r.tool}:{r.rule_id}" for r in finding.results[1:])
                failure.text = "\n".join(part for part in (first.location or "", f"also: {also}" if also else "",
                                                           f"fix: {first.help}") if part)
    ET.indent(root)
    ET.ElementTree(root).write(file, encoding="utf-8", xml_declaration=True)


def sarif(reports: Sequence[TemplateReport], base: Path, properties: Mapping[str, str] | None = None) -> dict[str, Any]:
    """SARIF 2.1.0 with one run; acknowledged findings carry an in-source suppression and its reason; ``properties``
    (the run's environment and policy) are the run's property bag."""
    from platform_constructs import __version__

    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for report in reports:
        try:
            uri = report.path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            uri = report.path.resolve().as_posix()
        for finding in report.findings:
            r = finding.first
            rule_key = f"{r.tool}/{r.rule_id}"
            rules.setdefault(rule_key, {
                "id": rule_key, "name": r.rule_id,
                "shortDescription": {"text": (r.help.split(". Fix: ")[0] or r.message)[:200]},
                "help": {"text": r.help or r.message}, "properties": {"tool": r.tool},
            })
            entry: dict[str, Any] = {
                "ruleId": rule_key,
                "level": "warning" if r.severity == "warning" else "error",
                "message": {"text": f"{r.logical_id}: {_message(finding)}" if r.logical_id else _message(finding)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": r.line or 1},
                }}],
                "properties": {"tools": list(finding.tools), "ruleIds": list(finding.rule_ids)},
            }
            if finding.acknowledged:
                entry["suppressions"] = [{"kind": "inSource", "justification": r.acknowledged_reason}]
            results.append(entry)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": PROG, "version": __version__, "rules": list(rules.values())}},
            "results": results,
            **({"properties": dict(properties)} if properties else {}),
        }],
    }
