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

Re-exported here so one import serves a settings function: :func:`describe` (how a value is named in a message),
:func:`closest`, :func:`full_match`, :func:`is_token` (from :mod:`platform_constructs.values`) and
:func:`parse_s3_url` / :func:`bucket_name_problem` (``s3://bucket/key`` by S3's bucket-naming rules, from
:mod:`platform_constructs.s3url`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence

from platform_constructs.errors import Problems
from platform_constructs.s3url import S3Url, bucket_name_problem, parse_s3_url
from platform_constructs.values import closest, describe, full_match, is_token

__all__ = [
    "S3Url",
    "bucket_name_problem",
    "closest",
    "describe",
    "expect_bool",
    "expect_instance",
    "expect_int",
    "expect_number",
    "expect_str",
    "expect_str_list",
    "full_match",
    "is_token",
    "parse_s3_url",
]

# --- the checks ---------------------------------------------------------------------------------------------------
def _range_text(minimum: float | None, maximum: float | None, *, exclusive_minimum: bool = False) -> str:
    if minimum is not None and maximum is not None:
        return f"from {minimum:g} to {maximum:g}" if not exclusive_minimum else f"above {minimum:g} up to {maximum:g}"
    if minimum is not None:
        return f"{'above' if exclusive_minimum else 'at least'} {minimum:g}"
    if maximum is not None:
        return f"at most {maximum:g}"
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


def _number_from_string(value: str) -> float | None:
    text = value.strip().replace("_", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text, re.ASCII):
        return None
    return float(text)


def expect_bool(problems: Problems, argument: str, value: object) -> bool:
    """``value`` must be ``True`` or ``False`` (a ``bool``: not ``'false'``, ``0`` or ``None``)."""
    if isinstance(value, bool):
        return True
    meant: bool | None = None
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        meant = value.strip().lower() in ("true", "yes", "on", "1")
    elif isinstance(value, (int, float)) and value in (0, 1):
        meant = bool(value)
    fix = (f"pass {argument}={meant} (a bool, without quotes)" if meant is not None
           else f"pass {argument}=True or {argument}=False")
    problems.add(argument, value, "True or False", fix,
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
        number = _number_from_string(value)
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
                         f"pass {argument}={suggestion:g}" if suggestion is not None else "pass a finite number",
                         reason=f"{argument} must be a finite number, got {value}")
            return False
        if _in_range(value, minimum, maximum, exclusive_minimum):
            return True
        nearest = _clamp(value, minimum, maximum)
        advice = fix if fix is not None else (f"pass {argument}={nearest:g}" if nearest != minimum or
                                              not exclusive_minimum else f"pass a number {bounds}")
        problems.add(argument, value, what, advice, reason=f"{argument} must be {bounds}, got {value:g}")
        return False
    number = _number_from_string(value) if isinstance(value, str) else None
    if number is not None and math.isfinite(number):
        type_fix = f"pass {argument}={_clamp(number, minimum, maximum):g} (a number, without quotes)"
    elif default is not None:
        type_fix = f"pass a number, e.g. {argument}={default:g}"
    else:
        type_fix = f"pass a number{f' {bounds}' if bounds else ''}"
    problems.add(argument, value, what, type_fix, reason=f"{argument} must be a number, got {describe(value)}")
    return False


def _str_problem(value: str, *, choices: Sequence[str] | None, pattern: str | re.Pattern[str] | None,
                 max_length: int | None, case_sensitive: bool) -> tuple[str, str | None] | None:
    """(reason, suggested value) when the string breaks a rule, else ``None``."""
    if choices is not None:
        ok = value in choices or (not case_sensitive and value.lower() in {c.lower() for c in choices})
        if not ok:
            return f"must be one of {', '.join(map(repr, choices))}", closest(value, choices)
    if max_length is not None and len(value) > max_length:
        return f"must be at most {max_length} characters (it has {len(value)})", None
    if pattern is not None and full_match(pattern, value) is None:
        stripped = value.strip()
        meant = stripped if stripped != value and full_match(pattern, stripped) else None
        return "does not have the expected form" + (" (it has leading or trailing whitespace)" if meant else ""), meant
    return None


def expect_str(problems: Problems, argument: str, value: object, *, choices: Sequence[str] | None = None,
               pattern: str | re.Pattern[str] | None = None, max_length: int | None = None,
               allowed: str | None = None, fix: str | None = None, example: str | None = None,
               case_sensitive: bool = True) -> bool:
    """``value`` must be a ``str`` (not a number, not a list), one of ``choices`` if given, matching ``pattern`` as
    a whole (ASCII) if given. A CDK token is refused: the value must be known at synth.

    The fix suggests the closest choice (``'Serverless'`` -> ``'serverless'``), else ``fix``, else ``example``.
    """
    what = allowed if allowed is not None else (
        "one of " + ", ".join(map(repr, choices)) if choices is not None else "a string")
    hint = f"pass {argument}={example!r}" if example is not None else None
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            meant = closest(str(value), choices) if choices is not None else None
            type_fix = (f"pass {argument}={meant!r}" if meant is not None else
                        f"pass {argument}={example!r} (a string, in quotes)" if example is not None else
                        f"pass {argument}={str(value)!r} (a string, in quotes)")
        else:
            type_fix = hint or fix or f"pass a string for {argument}"
        problems.add(argument, value, what, type_fix, reason=f"{argument} must be a string, got {describe(value)}")
        return False
    if is_token(value):
        problems.add(argument, value, what + " known at synth (a literal, not a CDK token)",
                     hint or fix or f"pass {argument} as a literal string",
                     reason=f"{argument} must be known at synth, got {describe(value)}")
        return False
    found = _str_problem(value, choices=choices, pattern=pattern, max_length=max_length,
                         case_sensitive=case_sensitive)
    if found is None:
        return True
    reason, meant = found
    advice = f"pass {argument}={meant!r}" if meant is not None else fix or hint or f"pass {what}"
    problems.add(argument, value, what, advice, reason=f"{argument} {reason}, got {value!r}")
    return False


def expect_str_list(problems: Problems, argument: str, value: object, *, choices: Sequence[str] | None = None,
                    pattern: str | re.Pattern[str] | None = None, min_items: int = 1, max_items: int | None = None,
                    unique: bool = True, allowed: str | None = None, fix: str | None = None,
                    example: Sequence[str] | None = None, case_sensitive: bool = True) -> bool:
    """``value`` must be a list or tuple of strings (a single string is refused, not iterated; so are mappings,
    sets and generators), with ``min_items``..``max_items`` items, each one of ``choices`` / matching
    ``pattern`` if given, each once (``unique``). One problem names the first bad item (``instance_types[1]``)."""
    what = allowed if allowed is not None else "a list of strings" + (
        " from " + ", ".join(map(repr, choices)) if choices is not None else "")
    hint = f"pass {argument}={list(example)!r}" if example is not None else None
    if not _list_shape_ok(problems, argument, value, what=what, advice=hint or fix, min_items=min_items,
                          max_items=max_items):
        return False
    assert isinstance(value, (list, tuple))
    seen: set[str] = set()
    for index, item in enumerate(value):
        label = f"{argument}[{index}]"
        if not isinstance(item, str) or is_token(item):
            problems.add(label, item, what, hint or fix or f"pass {label} as a literal string",
                         reason=f"{label} must be a string, got {describe(item)}")
            return False
        found = _str_problem(item, choices=choices, pattern=pattern, max_length=None, case_sensitive=case_sensitive)
        if found is not None:
            reason, meant = found
            problems.add(label, item, what, f"pass {meant!r} as {label}" if meant is not None else fix or hint or
                         f"pass {what}", reason=f"{label} {reason}, got {item!r}")
            return False
        if unique and item in seen:
            problems.add(label, item, what + ", each once", f"remove the duplicate {item!r}",
                         reason=f"{label} repeats {item!r}")
            return False
        seen.add(item)
    return True


def _list_shape_ok(problems: Problems, argument: str, value: object, *, what: str, advice: str | None,
                   min_items: int, max_items: int | None) -> bool:
    """A list or tuple of ``min_items``..``max_items`` items; anything else recorded as a problem."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()] if "," in value else [value]
        problems.add(argument, value, what, f"pass {argument}={parts!r} (a list, even of one)",
                     reason=f"{argument} must be a list of strings, got {describe(value)}")
        return False
    if not isinstance(value, (list, tuple)):
        if isinstance(value, (set, frozenset)):
            advice = f"pass {argument}={sorted(map(str, value))!r} (a list)"
        elif isinstance(value, Mapping):
            advice = advice or f"pass {argument} as a list of strings, not a mapping"
        problems.add(argument, value, what, advice or f"pass {argument} as a list of strings",
                     reason=f"{argument} must be a list of strings, got {describe(value)}")
        return False
    if len(value) < min_items or (max_items is not None and len(value) > max_items):
        size = _range_text(min_items, max_items) + " item" + ("" if (max_items or min_items) == 1 else "s")
        problems.add(argument, value, what + f" ({size})", advice or f"pass {size}",
                     reason=f"{argument} must have {size}, got {len(value)}")
        return False
    return True


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
