"""Tags from the policy (pure: no CDK): defaults, keyword and free-form tags, and every refusal named."""

from __future__ import annotations

import dataclasses

import pytest

from platform_constructs.errors import Problem
from platform_constructs.policy import Policy, TagRule, load_policy
from platform_constructs.tags import resolve_tags

POLICY = load_policy()
DEFAULTS = {"CostCenter": "recs", "Environment": "dev", "DataClassification": "confidential",
            "ManagedBy": "platform-constructs", "Project": "ml-platform", "Owner": "ml-platform@example.com"}


def resolve(policy: Policy = POLICY, env: str = "dev", extra: object = None,
            **keywords: object) -> tuple[dict[str, str], list[Problem]]:
    return resolve_tags(policy, env, {"cost_center": "recs", **keywords}, extra)


def with_rules(*rules: TagRule, without: tuple[str, ...] = ()) -> Policy:
    """The shipped policy with ``rules`` added to (and the tags ``without`` removed from) ``tags.required``."""
    kept = tuple(rule for rule in POLICY.tags if rule.name not in without)
    return dataclasses.replace(POLICY, tags=(*kept, *rules))


TEAM = TagRule(name="Team", description="team slug", pattern="^[a-z-]+$")


def test_defaults_come_from_the_policy_and_environment_from_the_context() -> None:
    assert resolve() == (DEFAULTS, [])
    tags, _ = resolve(env="prod", data_classification="internal", project="churn", owner="recs@example.com")
    assert tags == {**DEFAULTS, "Environment": "prod", "DataClassification": "internal", "Project": "churn",
                    "Owner": "recs@example.com"}


def test_a_tag_the_platform_team_adds_is_required_and_accepted_through_tags() -> None:
    policy = with_rules(TEAM)
    tags, problems = resolve(policy)
    assert "Team" not in tags
    assert problems == [Problem("tags['Team']", None, "team slug (pattern ^[a-z-]+$)",
                                f"pass tags={{'Team': ...}} matching the Team tag rule in {POLICY.file}",
                                reason="tags['Team'] is required (the policy's Team tag has no default), got None")]
    assert resolve(policy, extra={"Team": "recs"}) == ({**DEFAULTS, "Team": "recs"}, [])
    _, problems = resolve(policy, extra={"Team": "Recs Team"})
    assert [(p.argument, p.value) for p in problems] == [("tags['Team']", "Recs Team")]


def test_a_default_of_an_added_tag_applies_when_it_is_not_given() -> None:
    tags, problems = resolve(with_rules(dataclasses.replace(TEAM, default="platform")))
    assert (tags["Team"], problems) == ("platform", [])


def test_an_allowed_list_is_named_in_the_problem() -> None:
    _, problems = resolve(extra={"ManagedBy": "terraform"})
    assert [(p.argument, p.allowed) for p in problems] == [("tags['ManagedBy']", "one of platform-constructs")]


def test_free_form_tags_beyond_the_policy_are_kept() -> None:
    tags, problems = resolve(extra={"Purpose": "demo", "team:owner": "a.b@example.com"})
    assert problems == []
    assert tags == {**DEFAULTS, "Purpose": "demo", "team:owner": "a.b@example.com"}


@pytest.mark.parametrize(("extra", "argument", "allowed"), [
    ({"Environment": "prod"}, "tags['Environment']", "no Environment tag: it is set from the CDK context"),
    ({"CostCenter": "x"}, "tags['CostCenter']", "the CostCenter tag through its own argument"),
    ({"Owner": "x@example.com"}, "tags['Owner']", "the Owner tag through its own argument"),
    ({"aws:team": "x"}, "tags", "tag keys of 1-128 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'"),
    ({"k" * 129: "x"}, "tags", "tag keys of 1-128 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'"),
    ({"Team#1": "x"}, "tags", "tag keys of 1-128 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'"),
    ({3: "x"}, "tags", "tag keys of 1-128 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'"),
    ({"Team": 3}, "tags['Team']", "a string of up to 256 letters, digits, spaces and _.:/=+-@, not starting with "
                                  "'aws:'"),
    ({"Team": "v" * 257}, "tags['Team']", "a string of up to 256 letters, digits, spaces and _.:/=+-@, not "
                                          "starting with 'aws:'"),
    ({"Team": "aws:recs"}, "tags['Team']", "a string of up to 256 letters, digits, spaces and _.:/=+-@, not "
                                           "starting with 'aws:'"),
    (["Team"], "tags", "a mapping of tag names to string values"),
])
def test_bad_tags_are_refused_with_what_is_allowed(extra: object, argument: str, allowed: str) -> None:
    tags, problems = resolve(extra=extra)
    assert [(p.argument, p.allowed) for p in problems] == [(argument, allowed)]
    assert tags == DEFAULTS  # the refused tag is not applied


def test_the_fix_of_a_keyword_tag_given_through_tags_names_the_keyword() -> None:
    (problem,) = resolve(extra={"CostCenter": "recs"})[1]
    assert problem.fix == "pass cost_center='recs' instead of tags={'CostCenter': ...}"


def test_keyword_tags_are_checked_against_their_policy_rules() -> None:
    _, problems = resolve(cost_center="Product Recs", data_classification="secret", owner="nobody")
    assert [p.argument for p in problems] == ["cost_center", "data_classification", "owner"]
    assert problems[0].fix == "pass cost_center='product-recs'"  # the slug the rule accepts
    assert problems[2].fix == f"pass owner=... matching the Owner tag rule in {POLICY.file}"  # nothing close
    _, problems = resolve(cost_center=None)
    assert [(p.argument, p.value) for p in problems] == [("cost_center", None)]


def test_a_keyword_tag_the_policy_no_longer_requires_is_still_a_well_formed_tag() -> None:
    policy = with_rules(without=("Owner",))
    tags, problems = resolve(policy, owner="recs@example.com")
    assert (tags["Owner"], problems) == ("recs@example.com", [])
    tags, problems = resolve(policy, owner="aws:me")
    assert "Owner" not in tags
    assert [(p.argument, p.value) for p in problems] == [("owner", "aws:me")]
    assert "Owner" not in resolve(policy)[0]  # not given, not required: not applied


def test_an_environment_the_policy_does_not_know_is_left_to_the_environment_check() -> None:
    tags, problems = resolve(env="qa")
    assert (problems, "Environment" in tags) == ([], False)


def test_every_problem_is_reported_together() -> None:
    _, problems = resolve(with_rules(TEAM), extra={"Environment": "prod", "Purpose": 1}, cost_center="X")
    assert [p.argument for p in problems] == ["tags['Environment']", "tags['Purpose']", "cost_center",
                                              "tags['Team']"]


def test_a_wrong_type_is_named_and_the_fix_is_what_was_most_likely_meant() -> None:
    _, problems = resolve(cost_center=3)
    assert [(p.argument, p.reason) for p in problems] == [("cost_center", "cost_center must be a string, got the "
                                                                          "integer 3")]
    _, problems = resolve(cost_center="Product_Recs")
    assert [p.fix for p in problems] == ["pass cost_center='product-recs'"]
    _, problems = resolve(data_classification="CONFIDENTIAL")
    assert [p.fix for p in problems] == ["pass data_classification='confidential'"]
    _, problems = resolve(extra="Team=recs")
    assert [p.reason for p in problems] == ["tags must be a mapping, got the string 'Team=recs'"]
    _, problems = resolve(extra={"Team": 3})
    assert [p.reason for p in problems] == ["tags['Team'] must be a string, got the integer 3"]
