"""Over a thousand single-argument mistakes across every public construct: each one clean PlatformValidationError.

Cases and their judgement: argument_catalogue.py. What still fails is listed in argument_catalogue_known.txt
(case id, then what happens), owned by the domains that fix them; the list only shrinks: a listed case that now
passes fails the second test until its line is removed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from argument_catalogue import OK, cases
from argument_catalogue import outcomes as catalogue_outcomes

HERE = Path(__file__).resolve().parent
KNOWN_FILE = HERE / "argument_catalogue_known.txt"
WORKER = HERE / "argument_catalogue_worker.py"
pytestmark = pytest.mark.slow


def known() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in KNOWN_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            case_id, _, what = line.partition("\t")
            entries[case_id] = what
    return entries


def _through_constructs(ids: list[str]) -> dict[str, str]:
    """Run ``ids`` in worker processes; a case that kills its process is an outcome too, the rest run on."""
    outcomes: dict[str, str] = {}
    remaining = list(ids)
    while remaining:
        done = subprocess.run([sys.executable, str(WORKER)], input=json.dumps(remaining), capture_output=True,
                              text=True, timeout=1800, check=False)
        for line in done.stdout.splitlines():
            result = json.loads(line)
            outcomes[result["id"]] = result["outcome"]
        remaining = [i for i in remaining if i not in outcomes]
        if remaining:
            tail = " ".join(done.stderr.strip().splitlines()[-3:])[-300:]
            outcomes[remaining.pop(0)] = f"crashed the process (exit {done.returncode}): {tail}"
    return outcomes


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    return catalogue_outcomes(_through_constructs)


def test_the_catalogue_is_over_a_thousand_mistakes_across_every_construct() -> None:
    catalogue = cases()
    assert len(catalogue) > 1000
    assert len({c.id for c in catalogue}) == len(catalogue)
    assert {c.construct for c in catalogue} == {"SecureModelEndpoint", "ModelVariant", "BatchComputeEnv",
                                                "GpuTrainingCluster", "GoldenImagePipeline",
                                                "GoldenImagePipeline.add_project_image", "PlatformNetwork"}


def test_every_mistake_is_one_clean_error_naming_the_argument(outcomes: dict[str, str]) -> None:
    listed = known()
    failing = {case_id: outcome for case_id, outcome in outcomes.items() if outcome != OK and case_id not in listed}
    assert failing == {}, "\n".join(f"{k}\t{v}" for k, v in sorted(failing.items()))


def test_the_list_of_known_failures_only_names_cases_that_still_fail(outcomes: dict[str, str]) -> None:
    fixed = sorted(case_id for case_id in known() if outcomes.get(case_id, OK) == OK)
    assert fixed == [], "remove these from argument_catalogue_known.txt: they pass now (or are gone)"
