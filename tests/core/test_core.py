"""Cross-cutting machinery: environment and policy file from CDK context, tag validation and tagging."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from aws_cdk import Stack

from platform_constructs import PlatformNetwork, PlatformValidationError, PolicyError
from platform_constructs.core import PlatformContext
from platform_constructs.policy import default_policy_file
from platform_constructs.testing import new_app, synthesize


def _policy_with_team_tag(tmp_path: Path, default: str | None) -> Path:
    data = yaml.safe_load(default_policy_file().read_text())
    rule = {"pattern": "^[a-z-]+$", "description": "team slug"}
    if default is not None:
        rule["default"] = default
    data["tags"]["required"]["Team"] = rule
    path = tmp_path / f"policy-{default}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_environment_comes_from_context_default_dev() -> None:
    assert PlatformContext.of(new_app()).env.name == "dev"
    assert PlatformContext.of(new_app({"env": "prod"})).env.name == "prod"


def test_unknown_environment_in_context_is_a_policy_error() -> None:
    app = new_app({"env": "qa"})
    with pytest.raises(PolicyError, match="environment 'qa'"):
        PlatformNetwork(Stack(app, "Net"), "Network")


def test_policy_file_from_context_applies(tmp_path: Path) -> None:
    path = _policy_with_team_tag(tmp_path, "ml-research")
    app = new_app({"policy_file": str(path), "env": "staging"})
    PlatformNetwork(Stack(app, "Net"), "Network")
    template = synthesize(app).template("Net")
    (vpc,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::VPC"]
    tags = {t["Key"]: t["Value"] for t in vpc["Properties"]["Tags"]}
    assert tags["Team"] == "ml-research"
    assert tags["Environment"] == "staging"
    assert tags["CostCenter"] == "ml-platform"


def test_required_tag_without_default_or_argument_is_reported(tmp_path: Path) -> None:
    app = new_app({"policy_file": str(_policy_with_team_tag(tmp_path, None))})
    with pytest.raises(PlatformValidationError,
                       match=r"argument 'tags\['Team'\]' = None.*Fix: pass tags=\{'Team': ...\}"):
        PlatformNetwork(Stack(app, "Net"), "Network")


def test_a_tag_the_policy_adds_is_accepted_through_tags_without_code_changes(tmp_path: Path) -> None:
    app = new_app({"policy_file": str(_policy_with_team_tag(tmp_path, None))})
    network = PlatformNetwork(Stack(app, "Net"), "Network", tags={"Team": "ml-research", "Purpose": "demo"})
    assert network.tags["Team"] == "ml-research"
    assert network.tags["Purpose"] == "demo"  # free-form extra tags are kept


@pytest.mark.parametrize(("tags", "message"), [
    ({"Environment": "prod"}, r"tags\['Environment'\].*set from the CDK context"),
    ({"CostCenter": "x"}, r"Fix: pass cost_center='x' instead of tags="),
    ({"aws:foo": "x"}, r"not starting with 'aws:'"),
    ({"Team": 3}, r"tags\['Team'\]' = 3"),
    (["Team"], r"argument 'tags' = \['Team'\].*a mapping"),
])
def test_bad_tags_are_refused(tags: object, message: str) -> None:
    with pytest.raises(PlatformValidationError, match=message):
        PlatformNetwork(Stack(new_app(), "Net"), "Network", tags=tags)  # type: ignore[arg-type]


@pytest.mark.parametrize("cost_center", ["", "Product Recs", "x", "-recs", "a" * 80])
def test_malformed_cost_center_names_argument_value_and_fix(cost_center: str) -> None:
    with pytest.raises(PlatformValidationError) as info:
        PlatformNetwork(Stack(new_app(), "Net"), "Network", cost_center=cost_center)
    message = str(info.value)
    assert f"Net/Network: argument 'cost_center' = {cost_center!r}" in message
    assert "Fix: pass cost_center=..." in message


def test_malformed_optional_tags_are_reported_together() -> None:
    with pytest.raises(PlatformValidationError) as info:
        PlatformNetwork(Stack(new_app(), "Net"), "Network", data_classification="secret", owner="nobody")
    assert [p.argument for p in info.value.problems] == ["data_classification", "owner"]
