"""One argument checked as a type checker and a parser would (``serving/arguments.py``), with a fix that fits."""

from __future__ import annotations

import pytest

from platform_constructs.errors import PlatformValidationError, Problem, Problems
from platform_constructs.serving.arguments import (
    check_bool,
    check_choice,
    check_int,
    check_number,
    closest,
    is_int,
    is_number,
)


def _reported(problems: Problems) -> tuple[Problem, ...]:
    with pytest.raises(PlatformValidationError) as info:
        problems.raise_if_any()
    return info.value.problems


def test_booleans_are_never_numbers_and_numbers_are_finite() -> None:
    assert is_int(3) and not is_int(True) and not is_int(3.0) and not is_int("3")
    assert is_number(2.5) and not is_number(False) and not is_number(float("inf")) and not is_number(float("nan"))


@pytest.mark.parametrize(("value", "fix"), [
    ("4", 4), (" 3 ", 3), (2.6, 3), (2.0, 2), (99, 10), (-5, 1), ("four", 5), (True, 5),
    ("\u0661", 5)])  # an Arabic-Indic digit: not read as a number
def test_an_integer_fix_is_the_value_most_likely_meant(value: object, fix: int) -> None:
    problems = Problems("S/E")
    assert not check_int(problems, "n", value, low=1, high=10, default=5)
    (problem,) = _reported(problems)
    assert problem.fix == f"pass n={fix}"


def test_a_fraction_where_a_percentage_is_asked_means_its_share() -> None:
    problems = Problems("S/E")
    assert not check_int(problems, "sampling", 0.25, low=1, high=100, default=100, percent=True)
    assert _reported(problems)[0].fix == "pass sampling=25"


def test_numbers_choices_and_booleans() -> None:
    problems = Problems("S/E")
    assert check_number(problems, "t", 2.5, fix="f") and not check_number(problems, "t", "2.5", fix="f")
    assert not check_number(problems, "p", 150, high=100, fix="leave p unset")
    assert not check_choice(problems, "mode", "ASYNC", ("realtime", "async"), default="realtime")
    assert not check_bool(problems, "flag", "no", fix="pass flag=True")
    assert check_bool(problems, "flag", False, fix="unused")
    number, percent, choice, flag = _reported(problems)
    assert number.fix == "pass t=2.5 (a number, not a string)" and "got the string '2.5'" in number.allowed
    assert "up to 100" in percent.allowed
    assert choice.fix == "pass mode='async'"
    assert flag.fix == "pass flag=False" and "got the string 'no'" in flag.allowed
    assert closest("real_time", ("realtime", "async"), "x") == "realtime"
    assert closest("zzz", ("realtime", "async"), "realtime") == "realtime"
