"""The per-app platform context and the construct base: environment and policy file from CDK context,
the gate installed with the context, tag arguments validated and applied to every resource.

Tag semantics themselves are tested without CDK in test_tags.py; here only how constructs use them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from aws_cdk import RemovalPolicy, Stack
from aws_cdk.assertions import Match, Template

from platform_constructs import PlatformNetwork, PlatformValidationError, PolicyError
from platform_constructs.core import PlatformContext
from platform_constructs.errors import UnknownEnvironmentError
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


def test_one_context_per_app_shared_by_every_scope() -> None:
    app = new_app({"env": "staging"})
    first, second = Stack(app, "A"), Stack(app, "B")
    context = PlatformContext.of(first)
    assert PlatformContext.of(second) is context
    assert PlatformContext.of(app) is context
    assert PlatformContext.of(new_app({"env": "staging"})) is not context


def test_stateful_resources_are_retained_only_where_the_policy_says() -> None:
    assert PlatformContext.of(new_app({"env": "prod"})).removal_policy == RemovalPolicy.RETAIN
    assert PlatformContext.of(new_app({"env": "dev"})).removal_policy == RemovalPolicy.DESTROY


def test_a_missing_policy_file_is_a_policy_error_naming_it() -> None:
    with pytest.raises(PolicyError, match=r"/nonexistent/policy.yaml:\n  - file not found"):
        PlatformNetwork(Stack(new_app({"policy_file": "/nonexistent/policy.yaml"}), "Net"), "Network")


@pytest.mark.parametrize(("env", "message"), [
    ("qa", r"argument '-c env' = 'qa' is not allowed: environment 'qa' is not defined in the policy\. Allowed: one "
           r"of: dev, prod, staging \(the environments of the policy .*platform\.yaml\)\. Fix: -c env=dev, or ask "
           r"the platform team to add environments\.qa"),
    ("production", r"environment 'production' is not defined in the policy.*Fix: -c env=prod$"),
    ("Prod", r"Fix: -c env=prod$"),
    ("stagging", r"Fix: -c env=staging$"),
    (3, r"the environment must be a string, got the integer 3.*Fix: -c env=dev"),
])
def test_an_unknown_environment_is_an_error_about_the_env_context(env: object, message: str) -> None:
    """Not "Invalid platform policy file": the file is fine, the -c env value is not."""
    with pytest.raises(UnknownEnvironmentError, match=message) as info:
        PlatformNetwork(Stack(new_app({"env": env}), "Net"), "Network")
    assert info.value.path == "the app's CDK context"
    assert "Invalid platform policy" not in str(info.value)


def test_a_duplicate_construct_id_is_explained_in_our_words() -> None:
    stack = Stack(new_app(), "Stack2")
    PlatformNetwork(stack, "Network", publish_parameters=False)
    with pytest.raises(PlatformValidationError, match=(
            r"^Stack2/Network: argument 'id' = 'Network' is not allowed: two constructs in Stack2 have the id "
            r"'Network'\. Allowed: an id no other construct directly inside Stack2 has\. Fix: give the second "
            r"construct another id, e.g\. 'Network2'")):
        PlatformNetwork(stack, "Network", publish_parameters=False)


def test_policy_file_from_context_applies_its_tags_to_every_resource(tmp_path: Path) -> None:
    path = _policy_with_team_tag(tmp_path, "ml-research")
    app = new_app({"policy_file": str(path), "env": "staging"})
    PlatformNetwork(Stack(app, "Net"), "Network")
    template = Template.from_json(synthesize(app).template("Net"))
    expected = [{"Key": "CostCenter", "Value": "ml-platform"}, {"Key": "Environment", "Value": "staging"},
                {"Key": "Team", "Value": "ml-research"}]  # CDK sorts tags by key
    template.has_resource_properties("AWS::EC2::VPC", {"Tags": Match.array_with(expected)})
    template.all_resources_properties("AWS::KMS::Key", {"Tags": Match.array_with(expected)})
    template.all_resources_properties("AWS::EC2::Subnet", {"Tags": Match.array_with(expected)})


def test_required_tag_without_default_or_argument_names_the_construct(tmp_path: Path) -> None:
    app = new_app({"policy_file": str(_policy_with_team_tag(tmp_path, None))})
    with pytest.raises(PlatformValidationError,
                       match=r"^Net/Network: argument 'tags\['Team'\]' = None.*Fix: pass tags=\{'Team': ...\}"):
        PlatformNetwork(Stack(app, "Net"), "Network")


def test_a_tag_the_policy_adds_is_accepted_through_tags_without_code_changes(tmp_path: Path) -> None:
    app = new_app({"policy_file": str(_policy_with_team_tag(tmp_path, None))})
    network = PlatformNetwork(Stack(app, "Net"), "Network", tags={"Team": "ml-research", "Purpose": "demo"})
    assert network.tags["Team"] == "ml-research"
    assert network.tags["Purpose"] == "demo"  # free-form extra tags are kept


def test_bad_tag_arguments_raise_before_any_resource_exists() -> None:
    stack = Stack(new_app(), "Net")
    with pytest.raises(PlatformValidationError) as info:
        PlatformNetwork(stack, "Network", cost_center="Product Recs", tags={"Environment": "prod"})
    assert [p.argument for p in info.value.problems] == ["tags['Environment']", "cost_center"]
    assert str(info.value).startswith("2 problem(s) in Net/Network:\nNet/Network: argument 'tags['Environment']'")
    network = stack.node.find_child("Network")
    assert [child.node.id for child in network.node.children] == []  # nothing was created
