"""Argument checks as a type checker and a parser would make them (pure: no ``aws_cdk``).

A wrong type is named as a wrong type ("max_gpus must be an integer, got the string '4'") and its fix suggests
the value the caller most likely meant (``max_gpus=4``), never a range that does not apply. Booleans come only
from ``bool`` (the string ``'false'`` is not False), integers never from ``bool``, numbers are finite, and a
string where a list is expected is refused, not iterated character by character.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from platform_constructs.errors import Problems

_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_TRUE, _FALSE = frozenset({"true", "yes", "on", "1"}), frozenset({"false", "no", "off", "0"})


def describe(value: object) -> str:
    """What ``value`` is, in words: ``the string '4'``, ``the float 2.5``, ``the bool True``."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the float {value!r}"
    text = repr(value)
    return f"a {type(value).__name__} ({text if len(text) <= 60 else text[:57] + '...'})"


def is_int(value: object) -> bool:
    """An integer that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """A finite int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _intended_int(value: object, low: int, high: int) -> int | None:
    """The integer a caller most likely meant by a value of the wrong type (``None``: no guess)."""
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return _clamp(int(value), low, high)
    if isinstance(value, float) and math.isfinite(value):
        return _clamp(math.floor(value), low, high)
    return None


def check_int(problems: Problems, argument: str, value: object, *, low: int, high: int, allowed: str,
              range_fix: str, example: int) -> bool:
    """Record a problem unless ``value`` is an integer from ``low`` to ``high``; returns whether it is.

    ``range_fix`` is the fix for an integer out of range; a value of another type gets a type fix.
    """
    if is_int(value):
        return problems.check(low <= value <= high, argument, value, allowed, range_fix)  # type: ignore[operator]
    guess = _intended_int(value, low, high)
    if isinstance(value, str) and guess is not None:
        fix = f"pass {argument}={guess} (a number, not a string)"
    elif isinstance(value, float) and guess is not None:
        fix = f"pass a whole number, e.g. {argument}={guess}"
    else:
        fix = f"pass an integer, e.g. {argument}={example}"
    problems.add(argument, value, f"{allowed} ({argument} must be an integer, got {describe(value)})", fix)
    return False


def check_number(problems: Problems, argument: str, value: object, *, low: float, high: float, allowed: str,
                 range_fix: str, example: float) -> bool:
    """Record a problem unless ``value`` is a finite number from ``low`` to ``high``; returns whether it is."""
    if is_number(value):
        return problems.check(low <= float(value) <= high, argument, value, allowed, range_fix)  # type: ignore[arg-type]
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()) and math.isfinite(float(value)):
        fix = f"pass {argument}={min(max(float(value), low), high):g} (a number, not a string)"
    else:
        fix = f"pass a finite number, e.g. {argument}={example:g}"
    got = f"the non-finite float {value!r}" if isinstance(value, float) else describe(value)
    problems.add(argument, value, f"{allowed} ({argument} must be a finite number, got {got})", fix)
    return False


def check_flag(problems: Problems, argument: str, value: object) -> bool:
    """Record a problem unless ``value`` is a ``bool`` (``'false'``, ``0`` and ``None`` are not)."""
    if isinstance(value, bool):
        return True
    meant: bool | None = None
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        meant = value.strip().lower() in _TRUE
    elif is_int(value) and value in (0, 1):
        meant = value == 1
    fix = (f"pass {argument}={meant} (a bool, not {describe(value)})" if meant is not None
           else f"pass {argument}=True or {argument}=False")
    problems.add(argument, value, f"True or False ({argument} must be a bool, got {describe(value)})", fix)
    return False


def check_string_list(problems: Problems, argument: str, value: object, *, allowed: str,
                      example: str | None) -> list[str] | None:
    """The items of a non-empty list (or tuple) of strings, or ``None`` with a problem recorded.

    A single string is refused with the fix of wrapping it in a list (``instance_types=['g5.xlarge']``).
    """
    if isinstance(value, str):
        fix = (f"pass {argument}=[{value!r}] (a list, even for one value)" if value
               else f"pass {argument}=[{example!r}]" if example else "ask the platform team")
        problems.add(argument, value, f"{allowed} ({argument} must be a list, got {describe(value)})", fix)
        return None
    if not isinstance(value, Sequence) or isinstance(value, (bytes, bytearray)):
        fix = f"pass {argument}=[{example!r}]" if example else "ask the platform team"
        if isinstance(value, (set, frozenset)):
            fix = f"pass {argument}={sorted(str(v) for v in value)!r} (a list, in the order you prefer)"
        problems.add(argument, value, f"{allowed} ({argument} must be a list, got {describe(value)})", fix)
        return None
    if not value:
        problems.add(argument, value, allowed, f"pass {argument}=[{example!r}]" if example else "ask the platform team")
        return None
    wrong = [item for item in value if not isinstance(item, str)]
    if wrong:
        problems.add(argument, wrong[0], f"{allowed} (each item a string, got {describe(wrong[0])})",
                     f"pass {argument}=[{example!r}]" if example else "pass strings only")
        return None
    return list(value)
