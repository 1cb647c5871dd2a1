"""Checking one argument the way a type checker and a parser would, with a fix that fits what was given.

Pure (no ``aws_cdk``). Every check records at most one :class:`~platform_constructs.errors.Problem` and returns
whether the value is usable, so callers can skip the checks that depend on it. A wrong type is named as a wrong
type ("an integer from 1 to 10, got the string '4'"), and the fix suggests the value the user most likely meant:
``'4'`` -> ``4``, ``2.0`` -> ``2``, ``'Serverless'`` -> ``'serverless'``, a sampling fraction ``0.1`` -> ``10``
(percent). Booleans are never integers or numbers, strings are never booleans, numbers are finite. Values are
named as every platform message names them (:func:`platform_constructs.values.describe`: ``the float 2.5``).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence

from platform_constructs.errors import Problems
from platform_constructs.values import describe, number_in


def is_int(value: object) -> bool:
    """An integer, never a boolean (``True`` is an ``int`` in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """A finite integer or float, never a boolean (``inf`` and ``nan`` would crash the jsii kernel)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _intended_number(value: object, argument: str = "") -> float | None:
    """The number a wrongly typed value most likely stands for (``'4'`` -> 4.0; ``'500ms'`` -> 500.0 for an
    argument whose name ends in ``_ms``: :func:`platform_constructs.values.number_in`), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and (read := number_in(value, argument)) is not None:
        return read[0]
    return None


def check_int(problems: Problems, argument: str, value: object, *, low: int, high: int | None, default: int,
              meaning: str = "", percent: bool = False) -> bool:
    """``value`` must be an integer from ``low`` to ``high`` (no upper bound when ``None``).

    ``meaning`` says what the number counts (appended to the allowed range). With ``percent``, a fraction such as
    ``0.1`` is read as the share it most likely means (10 %)."""
    bounds = f"from {low} to {high}" if high is not None else f">= {low}"
    allowed = f"an integer {bounds}" + (f" ({meaning})" if meaning else "")
    if is_int(value) and value >= low and (high is None or value <= high):  # type: ignore[operator]
        return True
    if not is_int(value):
        allowed += f", got {describe(value)}"
    meant = _int_fix(value, argument, low, high, default=default, percent=percent)
    problems.add(argument, value, allowed, f"pass {argument}={meant}")
    return False


def _int_fix(value: object, argument: str, low: int, high: int | None, *, default: int, percent: bool) -> int:
    """The integer ``value`` most likely means, within the bounds (``'4'`` -> 4, ``2.6`` -> 3, ``0.1`` -> 10 %)."""
    number = _intended_number(value, argument)
    if number is None:
        return default
    written_as_percent = isinstance(value, str) and number_in(value, argument) != number_in(value)
    if percent and 0 < number < 1 and not written_as_percent:
        number *= 100  # a fraction given where a percentage is asked
    intended = max(round(number), low)
    return min(intended, high) if high is not None else intended


def check_number(problems: Problems, argument: str, value: object, *, high: float | None = None,
                 fix: str) -> bool:
    """``value`` must be a finite number above 0 (and at most ``high``)."""
    allowed = "a positive number" + (f" up to {high:g}" if high is not None else "") + " (finite)"
    if is_number(value) and value > 0 and (high is None or value <= high):  # type: ignore[operator]
        return True
    intended = _intended_number(value, argument)
    if not is_number(value):
        allowed += f", got {describe(value)}"
        if intended is not None and intended > 0 and (high is None or intended <= high):
            fix = f"pass {argument}={intended:g} (a number, not a string)"
    problems.add(argument, value, allowed, fix)
    return False


def check_bool(problems: Problems, argument: str, value: object, *, fix: str) -> bool:
    """``value`` must be ``True`` or ``False``: the string ``'false'`` is not ``False``."""
    if isinstance(value, bool):
        return True
    meant = {"true": "True", "false": "False", "yes": "True", "no": "False", "1": "True", "0": "False"}.get(
        str(value).strip().lower()) if isinstance(value, (str, int)) else None
    problems.add(argument, value, f"True or False, got {describe(value)}",
                 f"pass {argument}={meant}" if meant else fix)
    return False


def check_choice(problems: Problems, argument: str, value: object, choices: Sequence[str], *,
                 default: str) -> bool:
    """``value`` must be one of ``choices`` exactly; the fix names the choice it most likely meant."""
    if isinstance(value, str) and value in choices:
        return True
    allowed = "one of " + ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        allowed += f", got {describe(value)}"
    problems.add(argument, value, allowed, f"pass {argument}={closest(value, choices, default)!r}")
    return False


def closest(value: object, choices: Sequence[str], default: str) -> str:
    """The choice ``value`` most likely means: the same up to case, spaces, ``-``/``_``, else the closest spelling."""
    if not isinstance(value, str):
        return default
    folded = {re.sub(r"[\s_-]+", "", c.lower()): c for c in choices}
    key = re.sub(r"[\s_-]+", "", value.lower())
    if key in folded:
        return folded[key]
    match = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else default
