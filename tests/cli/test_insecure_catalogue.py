"""The insecure-resource catalogue (``tests/cli/insecure_catalogue/``): raw CloudFormation templates, each one
realistic mistake an ML engineer makes beside the platform constructs, checked by ONE ``platform-check`` run (the
CLI's entry point, every tool: the rule pack, cfn-lint, cdk-nag's four packs, Control Tower's cfn-guard rules).

What each template must draw is data in ``index.yaml`` (``caught``: "RESOURCE TOOL:FINDING-ID"), written from the
mistake, not from the run; the templates no tool catches are listed there under ``uncaught`` and, with the reason,
in the README's "What platform-check does not catch" — they are not run here."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_constructs.cli.check import EXIT_FINDINGS, main

pytestmark = pytest.mark.xdist_group("insecure-catalogue")

CATALOGUE = Path(__file__).parent / "insecure_catalogue"
INDEX: dict[str, Any] = yaml.safe_load((CATALOGUE / "index.yaml").read_text(encoding="utf-8"))
CAUGHT: dict[str, dict[str, Any]] = INDEX["caught"]
UNCAUGHT: dict[str, str] = INDEX["uncaught"]
README = Path(__file__).resolve().parents[2] / "README.md"


@dataclass(frozen=True)
class Run:
    exit_code: int
    failures: dict[str, set[str]]
    """Per template name: every unacknowledged finding as "RESOURCE TOOL:ID" (each tool of a merged finding)."""
    suites: dict[str, int]
    """Per template name: its JUnit failure count."""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    junit = tmp_path_factory.mktemp("catalogue") / "report.xml"
    templates = [str(CATALOGUE / f"{name}.yaml") for name in CAUGHT]
    exit_code = main([*templates, "--junit", str(junit)])
    failures: dict[str, set[str]] = {}
    suites: dict[str, int] = {}
    for suite in ET.parse(junit).getroot().iter("testsuite"):
        name = Path(str(suite.get("name"))).stem
        suites[name] = int(suite.get("failures", "0"))
        found = failures.setdefault(name, set())
        for case in suite.iter("testcase"):
            failure = case.find("failure")
            if failure is None:
                continue
            first, _, logical_id = str(case.get("name")).partition(" ")
            also = next((line.removeprefix("also: ") for line in (failure.text or "").splitlines()
                         if line.startswith("also: ")), "")
            found.update(f"{logical_id} {finding}" for finding in [first, *filter(None, also.split(", "))])
    return Run(exit_code, failures, suites)


def test_the_run_fails_and_reports_every_template(run: Run) -> None:
    assert run.exit_code == EXIT_FINDINGS
    assert set(run.suites) == set(CAUGHT)


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_each_mistake_is_reported_unacknowledged_by_the_expected_tools(run: Run, name: str) -> None:
    expected = set(CAUGHT[name]["expect"])
    assert expected, f"{name}: an entry in 'caught' names what catches it"
    assert run.suites[name] > 0
    missing = expected - run.failures[name]
    assert not missing, f"{name}: not reported: {sorted(missing)}; reported: {sorted(run.failures[name])}"


def test_every_template_is_in_the_index_once() -> None:
    templates = {path.stem for path in CATALOGUE.glob("*.yaml") if path.name != "index.yaml"}
    assert not set(CAUGHT) & set(UNCAUGHT)
    assert templates == set(CAUGHT) | set(UNCAUGHT)


def test_each_template_names_its_mistake_first() -> None:
    for path in CATALOGUE.glob("*.yaml"):
        if path.name != "index.yaml":
            assert path.read_text(encoding="utf-8").startswith("# "), f"{path.name}: no mistake comment"


def test_the_readme_lists_what_stays_uncaught_and_the_measured_figure() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme.split("### What platform-check does not catch", 1)[1].split("\n## ", 1)[0]
    for name in UNCAUGHT:
        assert f"`{name}`" in section, f"{name}: not listed in the README's out-of-scope list"
    total = len(CAUGHT) + len(UNCAUGHT)
    checkov = sum(bool(entry["checkov"]) for entry in CAUGHT.values())
    assert f"{len(CAUGHT)} of {total}" in section and f"checkov catches {checkov} of {total}" in section
