"""Checking arguments as a type checker and a parser would: the helpers every settings function shares.

Pure (no ``aws_cdk``). Each ``expect_*`` function checks one argument, records at most one
:class:`~platform_constructs.errors.Problem` in ``problems`` and returns whether the value is good, so callers can
skip the checks that depend on it (like :meth:`Problems.check`). What they hold to:

* booleans only from ``bool`` (the string ``'false'`` is not ``False``); integers never from ``bool`` (nor from
  ``float``, not even ``4.0``); numbers finite (no ``inf``/``nan``);
* a string where a list is expected is refused (never iterated character by character), and so is a mapping;
* patterns match the whole string (``re.fullmatch``, so no trailing newline slips past a ``$``) with ASCII
  classes only (``\\d`` is ``[0-9]``, not every Unicode digit);
* a wrong type is named as a wrong type (``max_gpus must be an integer, got the string '4'``) and the fix
  suggests the value the user most likely meant (``pass max_gpus=4``; a close name by :mod:`difflib`).

Re-exported here so one import serves a settings function: the string, list and mapping checks
(:func:`expect_str`, :func:`expect_str_list`, :func:`expect_mapping`, from
:mod:`platform_constructs.argument_strings`), :func:`describe` (how a value is named in a message),
:func:`closest`, :func:`full_match`, :func:`is_token` (from :mod:`platform_constructs.values`) and
:func:`parse_s3_url` / :func:`bucket_name_problem` (``s3://bucket/key`` by S3's bucket-naming rules, from
:mod:`platform_constructs.s3url`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from platform_constructs.argument_strings import expect_mapping, expect_str, expect_str_list
from platform_constructs.errors import Problems
from platform_constructs.s3url import S3Url, bucket_name_problem, parse_s3_url
from platform_constructs.values import closest, describe, full_match, is_token, number_in

__all__ = [
    "S3Url",
    "bucket_name_problem",
    "closest",
    "describe",
    "expect_bool",
    "expect_instance",
    "expect_int",
    "expect_mapping",
    "expect_number",
    "expect_str",
    "expect_str_list",
    "full_match",
    "is_token",
    "parse_s3_url",
]

# --- the checks ---------------------------------------------------------------------------------------------------
def _num(value: float) -> str:
    """A number as a message writes it: ten significant digits (``999.9999`` stays ``999.9999``; ``:g`` would
    round it to ``1000``, outside the range it names), no trailing ``.0``."""
    return f"{value:.10g}"


def _range_text(minimum: float | None, maximum: float | None, *, exclusive_minimum: bool = False) -> str:
    if minimum is not None and maximum is not None:
        low, high = _num(minimum), _num(maximum)
        return f"from {low} to {high}" if not exclusive_minimum else f"above {low} up to {high}"
    if minimum is not None:
        return f"{'above' if exclusive_minimum else 'at least'} {_num(minimum)}"
    if maximum is not None:
        return f"at most {_num(maximum)}"
    return ""


def _in_range(value: float, minimum: float | None, maximum: float | None, exclusive_minimum: bool) -> bool:
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        return False
    return maximum is None or value <= maximum


def _clamp(value: float, minimum: float | None, maximum: float | None) -> float:
    if minimum is not None and value < minimum:
        return minimum
    if maximum is not None and value > maximum:
        return maximum
    return value


def expect_bool(problems: Problems, argument: str, value: object, *, allowed: str | None = None,
                fix: str | None = None) -> bool:
    """``value`` must be ``True`` or ``False`` (a ``bool``: not ``'false'``, ``0`` or ``None``).

    ``allowed`` describes what is allowed (default: "True or False"; e.g. an argument that also takes ``None``
    says so, and its caller skips the check for ``None``); ``fix`` is the advice when the value does not read as a
    bool (``[]``, ``2``); a value that does (``'false'``, ``0``) always gets ``pass x=False (a bool, without
    quotes)``.
    """
    if isinstance(value, bool):
        return True
    meant: bool | None = None
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        meant = value.strip().lower() in ("true", "yes", "on", "1")
    elif isinstance(value, (int, float)) and value in (0, 1):
        meant = bool(value)
    advice = (f"pass {argument}={meant} (a bool, without quotes)" if meant is not None
              else fix or f"pass {argument}=True or {argument}=False")
    problems.add(argument, value, allowed or "True or False", advice,
                 reason=f"{argument} must be True or False, got {describe(value)}")
    return False


def expect_int(problems: Problems, argument: str, value: object, *, minimum: int | None = None,
               maximum: int | None = None, allowed: str | None = None, fix: str | None = None,
               default: int | None = None) -> bool:
    """``value`` must be an ``int`` (not a ``bool``, a ``float`` or a string of digits) within the bounds.

    ``allowed`` describes what is allowed (default: "an integer" and the bounds); ``fix`` is the advice for a value
    out of range (default: the nearest bound); a wrong type always gets the suggestion of the integer it most likely
    stands for (``'4'`` -> ``4``, ``2.5`` -> ``2 or 3``), else ``default``.
    """
    bounds = _range_text(minimum, maximum)
    what = allowed if allowed is not None else "an integer" + (f" {bounds}" if bounds else "")
    if isinstance(value, int) and not isinstance(value, bool):
        if _in_range(value, minimum, maximum, False):
            return True
        nearest = int(_clamp(value, minimum, maximum))
        problems.add(argument, value, what, fix if fix is not None else f"pass {argument}={nearest}",
                     reason=f"{argument} must be {bounds}, got {value}")
        return False
    number: float | None = None
    if isinstance(value, float) and not is_token(value):
        number = value
    elif isinstance(value, str):
        number = (number_in(value, argument) or (None, False))[0]
    suggestions: list[int] = []
    if number is not None and math.isfinite(number):
        candidates = [math.floor(number), math.ceil(number)]
        suggestions = sorted({int(_clamp(c, minimum, maximum)) for c in candidates})
    elif default is not None:
        suggestions = [default]
    elif minimum is not None:
        suggestions = [minimum]
    meant = " or ".join(f"{argument}={s}" for s in suggestions)
    if suggestions and isinstance(value, str):
        type_fix = f"pass {meant} (an integer, without quotes)"
    elif suggestions and number is not None and math.isfinite(number) and number != int(number):
        type_fix = f"pass {meant} (a whole number)"
    elif suggestions:
        type_fix = f"pass {meant} (an integer)"
    else:
        type_fix = f"pass an integer{f' {bounds}' if bounds else ''}"
    problems.add(argument, value, what, type_fix, reason=f"{argument} must be an integer, got {describe(value)}")
    return False


def expect_number(problems: Problems, argument: str, value: object, *, minimum: float | None = None,
                  maximum: float | None = None, exclusive_minimum: bool = False, allowed: str | None = None,
                  fix: str | None = None, default: float | None = None) -> bool:
    """``value`` must be a finite ``int`` or ``float`` (not a ``bool``, not a string, not ``inf``/``nan``) within
    the bounds (``exclusive_minimum``: strictly above ``minimum``)."""
    bounds = _range_text(minimum, maximum, exclusive_minimum=exclusive_minimum)
    what = allowed if allowed is not None else "a finite number" + (f" {bounds}" if bounds else "")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not is_token(value):
        if not math.isfinite(value):
            suggestion = default if default is not None else maximum if maximum is not None else minimum
            problems.add(argument, value, what,
                         f"pass {argument}={_num(suggestion)}" if suggestion is not None else "pass a finite number",
                         reason=f"{argument} must be a finite number, got {value}")
            return False
        if _in_range(value, minimum, maximum, exclusive_minimum):
            return True
        nearest = _clamp(value, minimum, maximum)
        advice = fix if fix is not None else (f"pass {argument}={_num(nearest)}" if nearest != minimum or
                                              not exclusive_minimum else f"pass a number {bounds}")
        problems.add(argument, value, what, advice, reason=f"{argument} must be {bounds}, got {_num(value)}")
        return False
    read = number_in(value, argument) if isinstance(value, str) else None
    if read is not None and math.isfinite(read[0]) and (
            _in_range(_clamp(read[0], minimum, maximum), minimum, maximum, exclusive_minimum)):
        number, with_unit = read
        meant = _clamp(number, minimum, maximum)
        type_fix = (f"pass {argument}={_num(meant)} (a number, without quotes{' or unit' if with_unit else ''}"
                    + (f"; {_num(number)} is not {bounds}" if meant != number else "") + ")")
    elif default is not None:
        type_fix = f"pass a number, e.g. {argument}={_num(default)}"
    else:
        type_fix = f"pass a number{f' {bounds}' if bounds else ''}"
    problems.add(argument, value, what, type_fix, reason=f"{argument} must be a number, got {describe(value)}")
    return False


def expect_instance(problems: Problems, argument: str, value: object, accepts: Callable[[object], bool], *,
                    what: str, fix: str) -> bool:
    """``value`` must satisfy ``accepts`` (e.g. be an ``ec2.IVpc``: the caller knows the type; this module does not
    import ``aws_cdk``). Checked before the value reaches jsii, which would fail with its own error."""
    try:
        ok = accepts(value)
    except Exception:  # a predicate that cannot judge the value refuses it
        ok = False
    if ok:
        return True
    problems.add(argument, value, what, fix, reason=f"{argument} must be {what}, got {describe(value)}")
    return False
