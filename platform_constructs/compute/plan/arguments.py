"""The Batch constructs' argument checks: the shared checks of :mod:`platform_constructs.arguments` (pure: no
``aws_cdk``), in the words the planning code uses.

Every domain names a wrong type the same way ("max_gpus must be an integer, got the string '4'") and its fix
suggests the value the caller most likely meant (``max_gpus=4``), never a range that does not apply. Booleans come
only from ``bool`` (the string ``'false'`` is not False), integers never from ``bool``, numbers are finite, and a
string where a list is expected is refused, not iterated character by character.
"""

from __future__ import annotations

import math

from platform_constructs.arguments import expect_bool, expect_int, expect_number, expect_str_list
from platform_constructs.errors import Problems
from platform_constructs.values import describe

__all__ = ["check_flag", "check_int", "check_number", "check_string_list", "describe", "is_int", "is_number"]


def is_int(value: object) -> bool:
    """An integer that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """A finite int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_int(problems: Problems, argument: str, value: object, *, low: int, high: int, allowed: str,
              range_fix: str | None, example: int) -> bool:
    """Record a problem unless ``value`` is an integer from ``low`` to ``high``; returns whether it is.

    ``range_fix`` is the fix for an integer out of range (``None``: pass the nearest bound); a value of another
    type gets a type fix (the integer it most likely stands for, else ``example``).
    """
    return expect_int(problems, argument, value, minimum=low, maximum=high, allowed=allowed, fix=range_fix,
                      default=example)


def check_number(problems: Problems, argument: str, value: object, *, low: float, high: float, allowed: str,
                 range_fix: str, example: float) -> bool:
    """Record a problem unless ``value`` is a finite number from ``low`` to ``high``; returns whether it is."""
    return expect_number(problems, argument, value, minimum=low, maximum=high, allowed=allowed, fix=range_fix,
                         default=example)


def check_flag(problems: Problems, argument: str, value: object) -> bool:
    """Record a problem unless ``value`` is a ``bool`` (``'false'``, ``0`` and ``None`` are not)."""
    return expect_bool(problems, argument, value)


def check_string_list(problems: Problems, argument: str, value: object, *, allowed: str,
                      example: str | None) -> list[str] | None:
    """The items of a non-empty list (or tuple) of strings, or ``None`` with a problem recorded.

    A single string is refused with the fix of wrapping it in a list (``instance_types=['g5.xlarge']``);
    repeated items are left to the caller (which names the duplicate).
    """
    if not expect_str_list(problems, argument, value, allowed=allowed, unique=False,
                           example=[example] if example else None,
                           fix=None if example else "ask the platform team"):
        return None
    assert isinstance(value, (list, tuple))
    return list(value)
