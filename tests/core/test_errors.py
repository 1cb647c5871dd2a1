"""PlatformValidationError: every problem names path, argument, value, what is allowed and the fix."""

from __future__ import annotations

import pytest

from platform_constructs.errors import PlatformValidationError, PolicyError, Problems


def test_single_problem_message() -> None:
    problems = Problems("Stack/Endpoint")
    problems.add("instance_type", "ml.bogus", "one of ml.m5.xlarge", "pass instance_type='ml.m5.xlarge'")
    with pytest.raises(PlatformValidationError) as info:
        problems.raise_if_any()
    assert str(info.value) == (
        "Stack/Endpoint: argument 'instance_type' = 'ml.bogus' is not allowed. "
        "Allowed: one of ml.m5.xlarge. Fix: pass instance_type='ml.m5.xlarge'"
    )


def test_problems_are_collected_and_raised_once() -> None:
    problems = Problems("S/C")
    assert problems.check(True, "a", 1, "x", "y")
    assert not problems.check(False, "a", 1, "positive", "pass a=2")
    problems.add("b", None, "a string", "pass b='x'")
    with pytest.raises(PlatformValidationError, match=r"2 problem\(s\) in S/C") as info:
        problems.raise_if_any()
    assert [p.argument for p in info.value.problems] == ["a", "b"]


def test_no_problems_raises_nothing() -> None:
    Problems("S/C").raise_if_any()


def test_policy_error_names_the_file_and_lists_every_problem() -> None:
    error = PolicyError("policies/platform.yaml", ["alarms: missing", "version: expected an integer"])
    assert str(error) == ("Invalid platform policy file policies/platform.yaml:\n"
                          "  - alarms: missing\n  - version: expected an integer")
    assert error.problems == ("alarms: missing", "version: expected an integer")
