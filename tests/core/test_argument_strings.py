"""The string, list and mapping checks: wrong types named, and fixes that offer only what would pass."""

from __future__ import annotations

import math

import pytest

from platform_constructs.arguments import (
    expect_bool,
    expect_mapping,
    expect_number,
    expect_str,
    expect_str_list,
)
from platform_constructs.errors import Problem, Problems
from platform_constructs.values import number_in

SLUG = r"[a-z][a-z0-9-]{1,30}[a-z0-9]"


def _one(problems: Problems) -> Problem:
    (problem,) = problems.problems
    return problem


@pytest.mark.parametrize(("value", "reason", "fix"), [
    (["recs"], "name must be a string, got the list ['recs']", "pass name='recs' (one string, not a list)"),
    (("recs",), "name must be a string, got the tuple ('recs',)", "pass name='recs' (one string, not a tuple)"),
    (b"recs", "name must be a string, got the bytes b'recs'", "pass name='recs' (a str, not bytes)"),
    (["Not A Slug!"], "name must be a string, got the list ['Not A Slug!']", "pass name='golden'"),
    (b"\xff", "name must be a string, got the bytes b'\\xff'", "pass name='golden'"),
    (3, "name must be a string, got the integer 3", "pass name='golden' (a string, in quotes)"),
    ({}, "name must be a string, got the dict {}", "pass name='golden'"),
])
def test_expect_str_offers_the_string_inside_only_when_it_passes(value: object, reason: str, fix: str) -> None:
    problems = Problems("S/C")
    assert not expect_str(problems, "name", value, pattern=SLUG, example="golden")
    assert (_one(problems).reason, _one(problems).fix) == (reason, fix)


def test_expect_str_number_fixes_prefer_the_example_then_digits_that_pass_then_the_callers_fix() -> None:
    problems = Problems("S/C")
    expect_str(problems, "python_version", 3.1, pattern=r"3\.[0-9]+", example="3.11")
    expect_str(problems, "version", 3.1, pattern=r"3\.[0-9]+")
    expect_str(problems, "image", 3, fix="pass the full image reference")
    expect_str(problems, "label", 3)
    assert [p.fix for p in problems.problems] == [
        "pass python_version='3.11' (a string, in quotes)", "pass version='3.1' (a string, in quotes)",
        "pass the full image reference", "pass label='3' (a string, in quotes)"]


@pytest.mark.parametrize(("value", "why", "meant"), [
    ("Golden", "it has uppercase letters", "golden"),
    ("churn model", "it has spaces or underscores where hyphens go", "churn-model"),
    ("churn_model", "it has spaces or underscores where hyphens go", "churn-model"),
    (" golden ", "it has leading or trailing whitespace", "golden"),
])
def test_a_pattern_failure_offers_the_value_without_the_slip(value: str, why: str, meant: str) -> None:
    problems = Problems("S/C")
    assert not expect_str(problems, "name", value, pattern=SLUG, fix="pass name='golden'")
    problem = _one(problems)
    assert problem.reason == f"name does not have the expected form ({why}), got {value!r}"
    assert problem.fix == f"pass name={meant!r}"


def test_an_arguments_own_repair_is_offered_only_when_its_value_matches() -> None:
    def repair(value: str) -> tuple[str, str] | None:
        return ("it has no trailing '/'", value + "/") if not value.endswith("/") else None

    problems = Problems("S/C")
    assert not expect_str(problems, "prefix", "recs", pattern=r"[a-z]+/", fix="pass prefix='team/'", repair=repair)
    assert not expect_str(problems, "prefix", "Rec$", pattern=r"[a-z]+/", fix="pass prefix='team/'", repair=repair)
    assert [(p.reason, p.fix) for p in problems.problems] == [
        ("prefix does not have the expected form (it has no trailing '/'), got 'recs'", "pass prefix='recs/'"),
        ("prefix does not have the expected form, got 'Rec$'", "pass prefix='team/'")]


def test_expect_str_list_answers_a_string_with_its_items_only_when_they_pass() -> None:
    problems = Problems("S/C")
    keys = ("training-gpu", "inference-cpu")
    expect_str_list(problems, "lineages", "training-gpu, inference-cpu", choices=keys)
    expect_str_list(problems, "lineages", "g5.xlarge", choices=keys, fix="pass lineages=['training-gpu']")
    expect_str_list(problems, "lineages", ["tpu"], choices=keys, fix="pass lineages=['training-gpu']")
    assert [p.fix for p in problems.problems] == [
        "pass lineages=['training-gpu', 'inference-cpu'] (a list, even of one)",
        "pass lineages=['training-gpu'] (a list, even of one)",
        "remove 'tpu', or pass lineages=['training-gpu']"]
    assert problems.problems[2].argument == "lineages[0]"


def test_expect_str_list_may_allow_an_empty_list_and_repeats() -> None:
    assert expect_str_list(Problems("S/C"), "default_for", (), choices=("batch",), min_items=0)
    assert expect_str_list(Problems("S/C"), "default_for", ["batch", "batch"], choices=("batch",), unique=False)


def _weight(problems: Problems, label: str, value: object) -> bool:
    return expect_number(problems, label, value, minimum=0.0001, maximum=999.9999, default=1.0)


@pytest.mark.parametrize(("value", "reason", "fix"), [
    ("recs", "team_shares must be a mapping, got the string 'recs'", "pass team_shares={'recs': 1.0}"),
    ([("recs", 1.0)], "team_shares must be a mapping, got the list [('recs', 1.0)]",
     "pass team_shares={'recs': 1.0} (a mapping, not a list)"),
    ({"recs"}, "team_shares must be a mapping, got the set {'recs'}", "pass team_shares={'recs': 1.0}"),
    ({}, "team_shares must have at least 1 entry, got 0", "pass team_shares={'recs': 1.0}"),
    ({3: 1.0}, "the key 3 of team_shares must be a share identifier, got the integer 3",
     "pass team_shares={'recs': 1.0}"),
    ({"bad id": 1.0}, "the key 'bad id' of team_shares must be a share identifier, got the string 'bad id'",
     "pass team_shares={'recs': 1.0}"),
    ({"recs": "1"}, "team_shares['recs'] must be a number, got the string '1'",
     "pass team_shares={'recs': 1} (a number, without quotes)"),
    ({"recs": True}, "team_shares['recs'] must be a number, got the bool True",
     "pass a number, e.g. team_shares={'recs': 1}"),
    ({"recs": math.inf}, "team_shares['recs'] must be a finite number, got inf", "pass team_shares={'recs': 1}"),
    ({"recs": 0}, "team_shares['recs'] must be from 0.0001 to 999.9999, got 0", "pass team_shares={'recs': 0.0001}"),
])
def test_expect_mapping(value: object, reason: str, fix: str) -> None:
    problems = Problems("S/C")
    assert not expect_mapping(problems, "team_shares", value, allowed="a mapping of share identifiers to weights",
                              fix="pass team_shares={'recs': 1.0}", key_pattern=r"[A-Za-z0-9_-]{1,255}",
                              key_allowed="a share identifier", check_value=_weight)
    problem = _one(problems)
    assert (problem.argument, problem.value, problem.reason, problem.fix) == ("team_shares", value, reason, fix)
    assert expect_mapping(Problems("S/C"), "team_shares", {"recs": 2.5}, allowed="-", fix="-", check_value=_weight)


def test_expect_bool_takes_the_callers_words_for_an_argument_that_also_takes_none() -> None:
    problems = Problems("S/C")
    allowed, fix = "None (the default), True or False", "omit create_endpoints"
    expect_bool(problems, "create_endpoints", "no", allowed=allowed, fix=fix)
    expect_bool(problems, "create_endpoints", [], allowed=allowed, fix=fix)
    assert [(p.allowed, p.fix) for p in problems.problems] == [
        (allowed, "pass create_endpoints=False (a bool, without quotes)"), (allowed, fix)]


@pytest.mark.parametrize(("text", "argument", "read"), [
    ("24h", "max_job_hours", (24.0, True)), ("24 hours", "max_job_hours", (24.0, True)),
    ("500ms", "alarm_p99_latency_ms", (500.0, True)), ("10%", "sampling_percent", (10.0, True)),
    (" 4 ", "max_gpus", (4.0, False)), ("1_000", "max_vcpus", (1000.0, False)), ("1e3", "n", (1000.0, False)),
    ("90m", "max_job_hours", None),  # another unit is never converted
    ("24h", "max_gpus", None), ("inf", "n", None), ("\u0664", "n", None), ("h", "max_job_hours", None),
])
def test_number_in_reads_only_the_unit_the_argument_is_in(text: str, argument: str,
                                                          read: tuple[float, bool] | None) -> None:
    assert number_in(text, argument) == read


def test_expect_number_reads_a_unit_and_says_when_it_moved_the_value_into_range() -> None:
    problems = Problems("S/C")
    expect_number(problems, "max_job_hours", "6h", minimum=0.1, maximum=12)
    expect_number(problems, "max_job_hours", "24h", minimum=0.1, maximum=12)
    expect_number(problems, "threshold", "0", minimum=0, maximum=5, exclusive_minimum=True, default=1)
    assert [p.fix for p in problems.problems] == [
        "pass max_job_hours=6 (a number, without quotes or unit)",
        "pass max_job_hours=12 (a number, without quotes or unit; 24 is not from 0.1 to 12)",
        "pass a number, e.g. threshold=1"]
