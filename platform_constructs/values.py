"""How messages name values, and what a value is: pure helpers of :mod:`platform_constructs.arguments`.

:func:`describe` (``the string '4'``), :func:`closest` (the choice a user most likely meant), :func:`full_match`
(whole-string, ASCII-only matching), :func:`is_token` (a CDK token in its string, list or number encoding) and
:func:`number_in` (the number a string spells, for the fix of a number passed as a string).
"""

from __future__ import annotations

import difflib
import re
import struct
from collections.abc import Iterable

__all__ = ["closest", "describe", "full_match", "is_token", "number_in"]

_STRING_TOKEN = re.compile(r"[$#]\{Token\[[^\]]*\]\}")
"""The string form of a CDK token (``${Token[TOKEN.23]}``; ``#{Token[...]}`` inside an encoded list)."""
_DOUBLE_TOKEN_MARKER = 0xFBFF
"""The top 16 bits of a number-encoded CDK token (aws-cdk ``core/lib/private/encoding.ts``:
``DOUBLE_TOKEN_MARKER_BITS = 0xFBFF << 16`` in the high 32-bit word), e.g. ``-1.888154589708755e+289``."""


def is_token(value: object) -> bool:
    """Whether ``value`` is (or contains, for strings and lists) a CDK token: a value known only at deploy time."""
    if isinstance(value, str):
        return _STRING_TOKEN.search(value) is not None
    if isinstance(value, float):
        bits: int = struct.unpack("<Q", struct.pack("<d", value))[0]
        return bits >> 48 == _DOUBLE_TOKEN_MARKER
    if isinstance(value, (list, tuple)):
        return any(is_token(item) for item in value)
    return False


def describe(value: object, *, limit: int = 60) -> str:
    """How a message names a value: ``the string '4'``, ``the float 2.5``, ``the bool True``, ``None``, ..."""
    if value is None:
        return "None"
    if is_token(value):
        return "a CDK token (a value known only at deploy time)"
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    kind = {bool: "bool", int: "integer", float: "float", str: "string", bytes: "bytes", list: "list",
            tuple: "tuple", dict: "dict", set: "set", frozenset: "set"}.get(type(value))
    if kind is not None:
        return f"the {kind} {text}"
    return f"a {type(value).__name__} object"


def closest(value: object, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice ``value`` most likely meant: the same ignoring case, else one starting like it (``production`` ->
    ``prod``), else the closest by :func:`difflib.get_close_matches`; ``None`` when nothing is close."""
    options = list(choices)
    if not isinstance(value, str) or not options:
        return None
    lowered = value.strip().lower()
    for option in options:
        if option.lower() == lowered:
            return option
    starting = [o for o in options if lowered and (lowered.startswith(o.lower()) or o.lower().startswith(lowered))]
    if len(starting) == 1:
        return starting[0]
    by_lower = {o.lower(): o for o in options}
    found = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=cutoff)
    return by_lower[found[0]] if found else None


def full_match(pattern: str | re.Pattern[str], value: object) -> re.Match[str] | None:
    """``re.fullmatch`` with ASCII-only classes; ``None`` for anything that is not a string."""
    if not isinstance(value, str):
        return None
    if isinstance(pattern, re.Pattern):
        if not pattern.flags & re.ASCII:
            pattern = re.compile(pattern.pattern, (pattern.flags & ~re.UNICODE) | re.ASCII)
        return pattern.fullmatch(value)
    return re.fullmatch(pattern, value, re.ASCII)


_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_UNITS: dict[str, tuple[str, ...]] = {
    "hours": ("hours", "hour", "hrs", "hr", "h"), "minutes": ("minutes", "minute", "mins", "min", "m"),
    "seconds": ("seconds", "second", "secs", "sec", "s"), "ms": ("milliseconds", "ms"),
    "percent": ("percent", "pct", "%"), "mb": ("mib", "mb"), "gib": ("gib", "gb"),
}
"""Units a number may be written with when the argument's name ends in them (``max_job_hours='24h'``)."""


def number_in(value: str, argument: str = "") -> tuple[float, bool] | None:
    """The number ``value`` spells in ASCII digits (``'4'``, ``' 2.5'``, ``'1_000'``, ``'1e3'``) and whether a unit
    was written after it: only the unit the argument's name ends in (``'24h'`` for ``max_job_hours``, ``'500ms'``
    for ``alarm_p99_latency_ms``, ``'10%'`` for a ``..._percent``), never converted from another unit. ``None``
    otherwise (no ``inf``/``nan``, no other scripts' digits)."""
    text = value.strip().replace("_", "")
    unit = argument.rsplit("_", 1)[-1].lower() if "_" in argument else ""
    with_unit = False
    for suffix in _UNITS.get(unit, ()):
        if text.lower().endswith(suffix) and len(text) > len(suffix):
            text, with_unit = text[: -len(suffix)].strip(), True
            break
    if _NUMBER.fullmatch(text) is None:
        return None
    return float(text), with_unit
