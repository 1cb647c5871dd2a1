"""platform-check checks templates against the environment and policy they were synthesized under."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import PlatformNetwork
from platform_constructs.cli.check import main
from platform_constructs.cli.environment import (
    Recorded,
    SelectionError,
    check_policy_hash,
    read_records,
    recorded,
    select,
)
from platform_constructs.policy import load_policy
from platform_constructs.testing import new_app, synthesize

SHA = load_policy().sha256


def _record(env: str, policy: str = "default", sha: str = SHA) -> Recorded:
    return Recorded(env, policy, sha)


def test_the_recorded_environment_is_chosen() -> None:
    selection = select({Path("a.template.json"): _record("staging")}, env=None, policy=None)
    assert (selection.env, selection.policy_file, selection.source) == ("staging", None, "the templates")
    assert select({Path("a.template.json"): _record("staging")}, env="staging", policy=None).env == "staging"


def test_without_records_env_or_dev() -> None:
    assert select({}, env=None, policy=None).env == "dev"
    assert select({}, env="prod", policy=None).source == "--env"


def test_a_different_env_is_refused_in_one_line() -> None:
    with pytest.raises(SelectionError) as info:
        select({Path("x/prod-rec-model.template.json"): _record("staging")}, env="dev", policy=None)
    message = str(info.value)
    assert "\n" not in message
    assert message == ("--env dev does not match the environment the templates were synthesized for (-c env=staging: "
                       "prod-rec-model.template.json); drop --env, or synthesize again with -c env=dev")


def test_mixed_environments_and_policies_are_refused() -> None:
    with pytest.raises(SelectionError, match=r"different environments \(dev: a.template.json; prod: b.template.json"):
        select({Path("a.template.json"): _record("dev"), Path("b.template.json"): _record("prod")}, env=None,
               policy=None)
    with pytest.raises(SelectionError, match="different policies"):
        select({Path("a.template.json"): _record("dev"), Path("b.template.json"): _record("dev", sha="1" * 64)},
               env=None, policy=None)


def test_the_recorded_policy_path_is_used_and_must_exist(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("x")
    assert select({Path("a"): _record("dev", str(policy))}, env=None, policy=None).policy_file == str(policy)
    with pytest.raises(SelectionError, match=r"synthesized under the policy /gone\.yaml, which is not here"):
        select({Path("a"): _record("dev", "/gone.yaml")}, env=None, policy=None)


def test_a_policy_with_other_content_is_refused() -> None:
    selection = select({Path("a"): _record("dev", sha="1" * 64)}, env=None, policy=None)
    with pytest.raises(SelectionError, match=r"is not the one the templates were synthesized under \(default, "
                                             r"sha256 111111111111\)"):
        check_policy_hash(selection, SHA, "policies/platform.yaml")
    check_policy_hash(select({}, env=None, policy=None), SHA, "p")  # nothing recorded: nothing to compare


def test_records_are_read_from_json_templates_only(tmp_path: Path) -> None:
    good = tmp_path / "a.template.json"
    good.write_text(json.dumps({"Metadata": {"platform:synth": {"environment": "prod", "policy": "default",
                                                                "policy_sha256": SHA}}, "Resources": {}}))
    broken = tmp_path / "b.template.json"
    broken.write_text("{")
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("Resources: {}")
    assert read_records([good, broken, yaml_file]) == {good: _record("prod")}
    assert recorded({"Metadata": {"platform:synth": {"policy": "default"}}}) is None


@pytest.fixture(scope="module")
def staging(tmp_path_factory: pytest.TempPathFactory) -> Path:
    app = new_app({"env": "staging"}, outdir=tmp_path_factory.mktemp("staging"))
    PlatformNetwork(Stack(app, "platform-network"), "Network")
    return synthesize(app).outdir


def test_a_staging_synth_passes_without_env_and_reports_it(staging: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    junit, sarif = tmp_path / "r.xml", tmp_path / "r.sarif"
    assert main([str(staging), "--no-cfn-lint", "--junit", str(junit), "--sarif", str(sarif)]) == 0
    assert "env staging (from the templates)" in capsys.readouterr().err
    properties = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert properties["environment"] == "staging" and properties["policy_sha256"] == SHA
    run: dict[str, Any] = json.loads(sarif.read_text())["runs"][0]
    assert run["properties"]["environment"] == "staging"


def test_a_staging_synth_with_env_dev_is_refused(staging: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(staging), "--env", "dev", "--no-cfn-lint"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("platform-check: --env dev does not match the environment the templates were "
                           "synthesized for (-c env=staging: platform-network.template.json)")
