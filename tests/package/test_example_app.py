"""The example app (app.py) as a whole: every template compliant, tagged and cfn-lint clean; the real
CDK CLI works from the repository root without a Node end-of-life banner."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from platform_constructs.compliance.engine import check_template
from platform_constructs.compliance.rules.required_tags import RULE as REQUIRED_TAGS
from platform_constructs.policy import load_policy
from platform_constructs.testing import SynthResult, cfn_lint

ROOT = Path(__file__).resolve().parents[2]  # tests/package/ -> the repository


def test_every_taggable_resource_carries_every_required_tag(example_app: SynthResult) -> None:
    """Except the golden images' build-owned parameters: CloudFormation must never update them (it would rewrite an
    approval), so their template has no Tags and their build tags them (decision image-parameter-build-tagged)."""
    policy = load_policy()
    for name, template in example_app.templates.items():
        findings = check_template(template, policy, policy.environment("dev"), rules=[REQUIRED_TAGS])
        untagged = [f for f in findings if not f.acknowledged]
        assert untagged == [], f"{name}: {untagged[:3]}"
        assert {f.resource_type for f in findings} <= {"AWS::SSM::Parameter"}, name
        assert all("build applies the required tags" in str(f.acknowledged_reason) for f in findings), name


def test_every_example_template_is_cfn_lint_clean(example_app: SynthResult) -> None:
    for name in example_app.templates:
        assert cfn_lint(example_app.template_path(name)) == [], name


def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDK_HOME": str(tmp_path / "cdk-home"), "CDK_DISABLE_CLI_TELEMETRY": "true"}
    env.pop("JSII_NODE", None)  # prove the CLI's own PATH (npx) gives jsii a supported Node
    return subprocess.run(["npx", "--no-install", "cdk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.mark.slow
def test_cli_synth_and_ls_from_repo_root_without_eol_banner(tmp_path: Path) -> None:
    version = _cli("--version", tmp_path=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("2."), version.stdout + version.stderr
    out = tmp_path / "cdk.out"
    synth = _cli("synth", "--quiet", "--output", str(out), tmp_path=tmp_path)
    assert synth.returncode == 0, synth.stderr[-3000:]
    assert (out / "platform-network.template.json").exists()
    assert "end-of-life" not in synth.stderr + synth.stdout
    assert "platform-constructs: 6 template(s) in dev" in synth.stderr
    assert "feature flags are not configured" not in synth.stderr + synth.stdout  # cdk.json has cdk init's flags
    assert "deprecated" not in synth.stderr + synth.stdout  # app.py: add_stack_dependency, not add_dependency
    # the assembly just synthesized: `cdk ls` of the app would synthesize all of it a second time
    listing = _cli("ls", "--app", str(out), tmp_path=tmp_path)
    assert listing.returncode == 0 and "platform-network" in listing.stdout
