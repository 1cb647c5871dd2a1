"""The synth report: one line for the gate, one per stack, the full list only when asked; the JSON report in the
cloud assembly; monthly cost caps that fail synth."""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_cdk import Stack

from platform_constructs import SecureModelEndpoint
from platform_constructs.policy import default_policy_file, load_policy
from platform_constructs.synth_report import REPORT_FILE, is_verbose
from platform_constructs.testing import ComplianceError, SynthResult, new_app, synthesize

URL = "s3://churn-models/model.tar.gz"


@dataclass(frozen=True)
class Synth:
    result: SynthResult
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.result.outdir / REPORT_FILE).read_text(encoding="utf-8"))
        return data


def _synth(context: dict[str, Any]) -> Synth:
    app = new_app(context)
    SecureModelEndpoint(Stack(app, "churn"), "Model", model_data_url=URL, cost_center="churn",
                        instance_type="ml.m5.large")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        result = synthesize(app)
    return Synth(result, err.getvalue())


@pytest.fixture(scope="module")
def quiet() -> Synth:
    return _synth({})


@pytest.fixture(scope="module")
def verbose() -> Synth:
    return _synth({"platform_verbose": "true"})


def test_acknowledgments_are_one_line_and_each_stack_one_more(quiet: Synth) -> None:
    lines = quiet.stderr.strip().splitlines()
    gate = next(line for line in lines if line.startswith("platform-constructs: "))
    assert "1 template(s) in dev (policy default, sha256 " in gate
    assert "acknowledgments applied by the library (" in gate and "-c platform_verbose=true lists them" in gate
    assert f"all in cdk.out/{REPORT_FILE}" in gate
    stack_line = lines[lines.index(gate) + 1]
    # the endpoint's SageMaker name: its stable name and the generation of its instance types (serving/deployment.py)
    assert re.fullmatch(r"  churn: endpoint churn-Model-[0-9a-f]{8} \(realtime, ml\.m5\.large x 1-2\); deploy first: "
                        r"the platform network; ~USD 84-168/month", stack_line), stack_line
    assert not any(line.startswith("    - ") for line in lines)  # no acknowledgment listed


def test_verbose_lists_every_decision(verbose: Synth, quiet: Synth) -> None:
    listed = [line for line in verbose.stderr.splitlines() if line.startswith("    - ")]
    decisions = {(a["rule"], a["reason"]) for a in quiet.report["acknowledgments"]}
    assert len(listed) == len(decisions) > 0
    assert "listed below" in verbose.stderr


def test_the_json_report_holds_everything(quiet: Synth) -> None:
    report = quiet.report
    assert (report["environment"], report["policy"], report["policy_sha256"]) == ("dev", "default",
                                                                                  load_policy().sha256)
    assert report["acknowledgments"] and all(set(a) == {"path", "rule", "reason"} for a in report["acknowledgments"])
    stack = report["stacks"]["churn"]
    assert stack["template"] == "churn.template.json" and stack["constructs"] == ["churn/Model"]
    assert stack["monthly_cost"] == {"currency": "USD", "low": 83.95, "high": 167.9, "unpriced": []}
    assert report["cost_centers"] == {"churn": {"low": 83.95, "high": 167.9, "cap": None}}


@pytest.mark.parametrize(("value", "expected"), [(True, True), ("true", True), ("True", True), ("1", True),
                                                 (False, False), ("false", False), (None, False), ("no", False)])
def test_verbose_context_values(value: object, expected: bool) -> None:
    assert is_verbose(value) is expected


def _policy_with_cap(tmp_path: Path, cap: float) -> Path:
    data = yaml.safe_load(default_policy_file().read_text(encoding="utf-8"))
    data["cost_caps"] = {"churn": {"dev": cap}}
    path = tmp_path / f"policy-{cap:g}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_cost_centre_over_its_monthly_cap_fails_synth(tmp_path: Path) -> None:
    with pytest.raises(ComplianceError, match=r"PLAT-COST1 at churn/Model/Endpoint: cost centre churn may cost up to "
                                              r"USD 168 a month in dev \(estimated USD 84-168/month\), over its cap "
                                              r"USD 100"):
        _synth({"policy_file": str(_policy_with_cap(tmp_path, 100))})


def test_a_cost_centre_within_its_cap_synthesizes(tmp_path: Path) -> None:
    synth = _synth({"policy_file": str(_policy_with_cap(tmp_path, 200))})
    assert synth.report["cost_centers"]["churn"]["cap"] == 200
