"""The shared argument checks: types named as types, fixes that suggest what the user most likely meant."""

from __future__ import annotations

import math

import pytest

from platform_constructs.arguments import (
    describe,
    expect_bool,
    expect_instance,
    expect_int,
    expect_number,
    expect_str,
    expect_str_list,
)
from platform_constructs.errors import PlatformValidationError, Problem, Problems

TOKEN_STRING = "${Token[TOKEN.23]}"
TOKEN_NUMBER = -1.888154589708755e+289  # Token.as_number(bucket.bucket_name) in aws-cdk-lib 2.275


def _one(problems: Problems) -> Problem:
    (problem,) = problems.problems
    return problem


@pytest.mark.parametrize(("value", "fix"), [
    ("false", "pass fair_share=False (a bool, without quotes)"),
    ("True", "pass fair_share=True (a bool, without quotes)"),
    (0, "pass fair_share=False (a bool, without quotes)"),
    (None, "pass fair_share=True or fair_share=False"),
])
def test_expect_bool_only_from_bool(value: object, fix: str) -> None:
    problems = Problems("S/C")
    assert not expect_bool(problems, "fair_share", value)
    problem = _one(problems)
    assert problem.fix == fix
    assert problem.reason == f"fair_share must be True or False, got {describe(value)}"
    assert expect_bool(Problems("S/C"), "fair_share", False)


@pytest.mark.parametrize(("value", "reason", "fix"), [
    ("4", "max_gpus must be an integer, got the string '4'", "pass max_gpus=4 (an integer, without quotes)"),
    (2.5, "max_gpus must be an integer, got the float 2.5", "pass max_gpus=2 or max_gpus=3 (a whole number)"),
    (4.0, "max_gpus must be an integer, got the float 4.0", "pass max_gpus=4 (an integer)"),
    (True, "max_gpus must be an integer, got the bool True", "pass max_gpus=1 (an integer)"),
    ("40", "max_gpus must be an integer, got the string '40'", "pass max_gpus=4 (an integer, without quotes)"),
    (math.inf, "max_gpus must be an integer, got the float inf", "pass max_gpus=1 (an integer)"),
    (9, "max_gpus must be from 1 to 4, got 9", "pass max_gpus=4"),
    (0, "max_gpus must be from 1 to 4, got 0", "pass max_gpus=1"),
])
def test_expect_int(value: object, reason: str, fix: str) -> None:
    problems = Problems("S/C")
    assert not expect_int(problems, "max_gpus", value, minimum=1, maximum=4)
    problem = _one(problems)
    assert (problem.reason, problem.fix, problem.allowed) == (reason, fix, "an integer from 1 to 4")


def test_expect_int_accepts_and_uses_the_callers_words() -> None:
    assert expect_int(Problems("S/C"), "n", 3, minimum=1)
    problems = Problems("S/C")
    expect_int(problems, "max_gpus", 9, maximum=4, allowed="an integer up to the dev cap 4",
               fix="pass max_gpus<=4, or ask the platform team")
    assert _one(problems).fix == "pass max_gpus<=4, or ask the platform team"
    problems = Problems("S/C")
    expect_int(problems, "max_gpus", "four", maximum=4, fix="pass max_gpus<=4", default=2)
    assert _one(problems).fix == "pass max_gpus=2 (an integer, without quotes)"  # a type error: never the range fix


@pytest.mark.parametrize(("value", "reason"), [
    (math.inf, "threshold must be a finite number, got inf"),
    (math.nan, "threshold must be a finite number, got nan"),
    ("10", "threshold must be a number, got the string '10'"),
    (False, "threshold must be a number, got the bool False"),
    (TOKEN_NUMBER, "threshold must be a number, got a CDK token (a value known only at deploy time)"),
    (0, "threshold must be above 0 up to 100, got 0"),
    (101.5, "threshold must be above 0 up to 100, got 101.5"),
])
def test_expect_number(value: object, reason: str) -> None:
    problems = Problems("S/C")
    assert not expect_number(problems, "threshold", value, minimum=0, maximum=100, exclusive_minimum=True,
                             default=5)
    assert _one(problems).reason == reason
    assert expect_number(Problems("S/C"), "threshold", 0.1, minimum=0, maximum=100, exclusive_minimum=True)


def test_expect_number_fixes() -> None:
    problems = Problems("S/C")
    expect_number(problems, "t", "10", minimum=0, maximum=100)
    expect_number(problems, "t", math.inf, maximum=100)
    assert [p.fix for p in problems.problems] == ["pass t=10 (a number, without quotes)", "pass t=100"]


@pytest.mark.parametrize(("value", "reason", "fix"), [
    ("Serverless", "mode must be one of 'realtime', 'serverless', 'async', got 'Serverless'",
     "pass mode='serverless'"),
    ("real-time", "mode must be one of 'realtime', 'serverless', 'async', got 'real-time'", "pass mode='realtime'"),
    (3, "mode must be a string, got the integer 3", "pass mode='realtime' (a string, in quotes)"),
    (["realtime"], "mode must be a string, got the list ['realtime']", "pass mode='realtime' (one string, not a list)"),
    (["real time"], "mode must be a string, got the list ['real time']", "pass mode='realtime'"),
    (TOKEN_STRING, "mode must be known at synth, got a CDK token (a value known only at deploy time)",
     "pass mode='realtime'"),
])
def test_expect_str_choices(value: object, reason: str, fix: str) -> None:
    problems = Problems("S/C")
    assert not expect_str(problems, "mode", value, choices=("realtime", "serverless", "async"), example="realtime")
    problem = _one(problems)
    assert (problem.reason, problem.fix) == (reason, fix)


def test_expect_str_pattern_and_length() -> None:
    problems = Problems("S/C")
    assert expect_str(problems, "v", "3.10", pattern=r"3\.\d+")
    assert not expect_str(problems, "v", 3.1, pattern=r"3\.\d+", example="3.10")
    assert not expect_str(problems, "v", "3.10\n", pattern=r"3\.\d+")
    assert not expect_str(problems, "v", "3.\u0661\u0660", pattern=r"3\.\d+", fix="pass v='3.11'")
    assert not expect_str(problems, "name", "x" * 70, max_length=63, fix="shorten it")
    fixes = [p.fix for p in problems.problems]
    assert fixes == ["pass v='3.10' (a string, in quotes)", "pass v='3.10'", "pass v='3.11'", "shorten it"]
    assert problems.problems[1].reason == "v does not have the expected form (it has leading or trailing " \
                                          "whitespace), got '3.10\\n'"


@pytest.mark.parametrize(("value", "reason", "fix"), [
    ("g5.xlarge", "instance_types must be a list of strings, got the string 'g5.xlarge'",
     "pass instance_types=['g5.xlarge'] (a list, even of one)"),
    ("g5.xlarge, g4dn.xlarge", "instance_types must be a list of strings, got the string 'g5.xlarge, g4dn.xlarge'",
     "pass instance_types=['g5.xlarge', 'g4dn.xlarge'] (a list, even of one)"),
    ({"g5.xlarge": 1}, "instance_types must be a list of strings, got the dict {'g5.xlarge': 1}",
     "pass instance_types=['g4dn.xlarge']"),
    ({"g5.xlarge"}, "instance_types must be a list of strings, got the set {'g5.xlarge'}",
     "pass instance_types=['g5.xlarge'] (a list)"),
    ([], "instance_types must have at least 1 item, got 0", "pass instance_types=['g4dn.xlarge']"),
    (["g5.xlarge", 3], "instance_types[1] must be a string, got the integer 3", "pass instance_types=['g4dn.xlarge']"),
    (["G5.xlarge"], "instance_types[0] must be one of 'g5.xlarge', 'g4dn.xlarge', got 'G5.xlarge'",
     "pass 'g5.xlarge' as instance_types[0]"),
    (["g5.xlarge", "g5.xlarge"], "instance_types[1] repeats 'g5.xlarge'", "remove the duplicate 'g5.xlarge'"),
])
def test_expect_str_list(value: object, reason: str, fix: str) -> None:
    problems = Problems("S/C")
    assert not expect_str_list(problems, "instance_types", value, choices=("g5.xlarge", "g4dn.xlarge"),
                               example=["g4dn.xlarge"])
    problem = _one(problems)
    assert (problem.reason, problem.fix) == (reason, fix)
    assert expect_str_list(Problems("S/C"), "instance_types", ("g5.xlarge",), choices=("g5.xlarge",))


def test_expect_instance() -> None:
    problems = Problems("S/C")
    assert expect_instance(problems, "vpc", 3, lambda v: isinstance(v, int), what="an int", fix="-")
    assert not expect_instance(problems, "vpc", "vpc-123", lambda v: v.node is not None,  # type: ignore[attr-defined]
                               what="an ec2.IVpc", fix="pass vpc=ec2.Vpc.from_lookup(...)")
    assert _one(problems).reason == "vpc must be an ec2.IVpc, got the string 'vpc-123'"


def test_reason_is_part_of_the_message_and_the_block() -> None:
    problems = Problems("S/Train")
    expect_int(problems, "max_gpus", "4", minimum=1, maximum=4)
    with pytest.raises(PlatformValidationError, match=r"argument 'max_gpus' = '4' is not allowed: max_gpus must "
                                                      r"be an integer, got the string '4'\. Allowed") as info:
        problems.raise_if_any()
    assert info.value.render_block() == (
        "S/Train: 1 problem with the arguments\n"
        "  max_gpus = '4'\n"
        "    problem: max_gpus must be an integer, got the string '4'\n"
        "    allowed: an integer from 1 to 4\n"
        "    fix:     pass max_gpus=4 (an integer, without quotes)")
