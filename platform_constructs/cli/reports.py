"""The outputs of ``platform-check``: the findings table, JUnit XML and SARIF 2.1.0.

Unacknowledged results are findings; acknowledged ones are skipped test cases in JUnit and carry an
in-source suppression with their reason in SARIF (the table lists only findings).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from platform_constructs.cli.results import TemplateReport

PROG = "platform-check"


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(reports: Sequence[TemplateReport]) -> str:
    """TEMPLATE / RESOURCE / RULE / MESSAGE, one row per unacknowledged result (empty when there is none)."""
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


def write_junit(reports: Sequence[TemplateReport], file: Path, properties: Mapping[str, str] | None = None) -> None:
    """One test suite per template; one failing test case per finding (acknowledged ones: skipped). ``properties``
    (the run's environment and policy) are written into every suite's ``<properties>``."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name=PROG)
    for report in reports:
        failures = [r for r in report.results if not r.acknowledged]
        suite = ET.SubElement(root, "testsuite", name=str(report.path), tests=str(max(1, len(report.results))),
                              failures=str(len(failures)), errors="0",
                              skipped=str(len(report.results) - len(failures)), time=f"{report.seconds:.3f}")
        if properties:
            bag = ET.SubElement(suite, "properties")
            for key, value in properties.items():
                ET.SubElement(bag, "property", name=key, value=value)
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
            "tool": {"driver": {"name": PROG, "version": __version__, "rules": list(rules.values())}},
            "results": results,
            **({"properties": dict(properties)} if properties else {}),
        }],
    }
