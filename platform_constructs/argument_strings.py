"""The checks of :mod:`platform_constructs.arguments` for strings and their collections: a string, a list of strings,
a mapping (pure: no ``aws_cdk``; import them from :mod:`platform_constructs.arguments`).

Each records at most one :class:`~platform_constructs.errors.Problem` and returns whether the value is good. A
wrong type is named as a wrong type (``name must be a string, got the integer 3``) and the fix suggests what the
user most likely meant, but only a value that would pass: the string inside a one-item list (``['recs']`` ->
``'recs'``) or inside ``bytes``, the closest choice, the items of a comma-separated string, the mapping a list of
pairs makes; otherwise the caller's ``example`` or ``fix``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from platform_constructs.errors import Problems
from platform_constructs.values import closest, describe, full_match, is_token

__all__ = ["expect_mapping", "expect_str", "expect_str_list"]


Repair = Callable[[str], tuple[str, str] | None]
"""An argument's own reading of a slip: ``value -> (what the slip is, the value without it)`` or ``None``
(``data_prefix='s3://bucket/recs/'`` -> ``('it is an S3 URL, not a key prefix', 'recs/')``)."""


@dataclass(frozen=True)
class _Rules:
    """What a string must be: one of ``choices``, matching ``pattern`` as a whole, at most ``max_length`` long."""

    choices: Sequence[str] | None = None
    pattern: str | re.Pattern[str] | None = None
    max_length: int | None = None
    case_sensitive: bool = True
    repair: Repair | None = None

    @property
    def any(self) -> bool:
        return self.choices is not None or self.pattern is not None or self.max_length is not None

    def problem(self, value: str) -> tuple[str, str | None] | None:
        """(reason, suggested value) when the string breaks a rule, else ``None``."""
        if self.choices is not None:
            ok = value in self.choices or (not self.case_sensitive and
                                           value.lower() in {c.lower() for c in self.choices})
            if not ok:
                return f"must be one of {', '.join(map(repr, self.choices))}", closest(value, self.choices)
        if self.max_length is not None and len(value) > self.max_length:
            return f"must be at most {self.max_length} characters (it has {len(value)})", None
        if self.pattern is not None and full_match(self.pattern, value) is None:
            own = self.repair(value) if self.repair is not None else None
            for why, meant in [*_repairs(value), *([own] if own is not None else [])]:
                if meant != value and full_match(self.pattern, meant) is not None:
                    return f"does not have the expected form ({why})", meant
            return "does not have the expected form", None
        return None

    def passes(self, value: str) -> bool:
        return not is_token(value) and self.problem(value) is None


def _repairs(value: str) -> list[tuple[str, str]]:
    """The slips a pattern failure most often is, each with the value without it (tried in this order)."""
    stripped = value.strip()
    lowered = stripped.lower()
    return [("it has leading or trailing whitespace", stripped), ("it has uppercase letters", lowered),
            ("it has spaces or underscores where hyphens go", re.sub(r"[\s_]+", "-", lowered))]


def _inner_string(value: object) -> tuple[str, str] | None:
    """The string a wrongly typed value carries, and how it was wrapped: ``['recs']`` or ``b'recs'``."""
    if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], str):
        return value[0], f"one string, not a {type(value).__name__}"
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("ascii"), "a str, not bytes"
        except UnicodeDecodeError:
            return None
    return None


def _str_type_fix(argument: str, value: object, rules: _Rules, *, example: str | None, fix: str | None) -> str:
    """The fix for a value that is not a string: the string it most likely stands for, if that would pass."""
    hint = f"pass {argument}={example!r}" if example is not None else None
    inner = _inner_string(value)
    if inner is not None and rules.passes(inner[0]):
        return f"pass {argument}={inner[0]!r} ({inner[1]})"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
        meant = closest(text, rules.choices) if rules.choices is not None else None
        if meant is not None:
            return f"pass {argument}={meant!r}"
        if example is not None:
            return f"pass {argument}={example!r} (a string, in quotes)"
        if (rules.any and rules.passes(text)) or fix is None:
            return f"pass {argument}={text!r} (a string, in quotes)"
        return fix
    return hint or fix or f"pass a string for {argument}"


def expect_str(problems: Problems, argument: str, value: object, *, choices: Sequence[str] | None = None,
               pattern: str | re.Pattern[str] | None = None, max_length: int | None = None,
               allowed: str | None = None, fix: str | None = None, example: str | None = None,
               case_sensitive: bool = True, repair: Repair | None = None) -> bool:
    """``value`` must be a ``str`` (not a number, not a list, not ``bytes``), one of ``choices`` if given, matching
    ``pattern`` as a whole (ASCII) if given, at most ``max_length`` characters. A CDK token is refused: the value
    must be known at synth.

    A string that does not match ``pattern`` gets, as its fix, the value without the slip it most likely is:
    white space around it, uppercase letters, spaces or underscores for hyphens, else what ``repair`` reads —
    only when that value matches.

    The fix suggests the closest choice (``'Serverless'`` -> ``'serverless'``), the string inside a one-item list or
    ``bytes`` when it would pass, else ``fix``, else ``example``; for a number, ``example`` comes before ``fix``
    (``python_version=3.10`` is the float ``3.1``: the string ``'3.1'`` is not what was meant).
    """
    rules = _Rules(choices=choices, pattern=pattern, max_length=max_length, case_sensitive=case_sensitive,
                   repair=repair)
    what = allowed if allowed is not None else (
        "one of " + ", ".join(map(repr, choices)) if choices is not None else "a string")
    hint = f"pass {argument}={example!r}" if example is not None else None
    if not isinstance(value, str):
        problems.add(argument, value, what, _str_type_fix(argument, value, rules, example=example, fix=fix),
                     reason=f"{argument} must be a string, got {describe(value)}")
        return False
    if is_token(value):
        problems.add(argument, value, what + " known at synth (a literal, not a CDK token)",
                     hint or fix or f"pass {argument} as a literal string",
                     reason=f"{argument} must be known at synth, got {describe(value)}")
        return False
    found = rules.problem(value)
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
    ``pattern`` if given, each once (``unique``). One problem names the first bad item (``instance_types[1]``).

    A string is answered with the list it most likely stands for (``'a,b'`` -> ``['a', 'b']``) when its items
    would pass, else with ``example`` / ``fix``."""
    rules = _Rules(choices=choices, pattern=pattern, case_sensitive=case_sensitive)
    what = allowed if allowed is not None else "a list of strings" + (
        " from " + ", ".join(map(repr, choices)) if choices is not None else "")
    hint = f"pass {argument}={list(example)!r}" if example is not None else None
    if not _list_shape_ok(problems, argument, value, what=what, advice=hint or fix, min_items=min_items,
                          max_items=max_items, item_ok=rules.passes):
        return False
    assert isinstance(value, (list, tuple))
    seen: set[str] = set()
    for index, item in enumerate(value):
        label = f"{argument}[{index}]"
        if not isinstance(item, str) or is_token(item):
            problems.add(label, item, what, hint or fix or f"pass {label} as a literal string",
                         reason=f"{label} must be a string, got {describe(item)}")
            return False
        found = rules.problem(item)
        if found is not None:
            reason, meant = found
            other = fix or hint
            advice = (f"pass {meant!r} as {label}" if meant is not None else
                      f"remove {item!r}" + (f", or {other}" if other else "") if choices is not None else
                      other or f"pass {what}")
            problems.add(label, item, what, advice, reason=f"{label} {reason}, got {item!r}")
            return False
        if unique and item in seen:
            problems.add(label, item, what + ", each once", f"remove the duplicate {item!r}",
                         reason=f"{label} repeats {item!r}")
            return False
        seen.add(item)
    return True


def _list_shape_ok(problems: Problems, argument: str, value: object, *, what: str, advice: str | None,
                   min_items: int, max_items: int | None, item_ok: Callable[[str], bool]) -> bool:
    """A list or tuple of ``min_items``..``max_items`` items; anything else recorded as a problem."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()] if "," in value else [value]
        fix = (f"pass {argument}={parts!r} (a list, even of one)" if parts and all(map(item_ok, parts))
               else f"{advice} (a list, even of one)" if advice else f"pass {argument} as a list of strings")
        problems.add(argument, value, what, fix, reason=f"{argument} must be a list of strings, got {describe(value)}")
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
        size = _size_text(min_items, max_items)
        problems.add(argument, value, what + f" ({size})", advice or f"pass {size}",
                     reason=f"{argument} must have {size}, got {len(value)}")
        return False
    return True


def _size_text(min_items: int, max_items: int | None, *, one: str = "item", many: str = "items") -> str:
    if max_items is None:
        bounds = f"at least {min_items}"
    elif min_items == max_items:
        bounds = f"exactly {min_items}"
    else:
        bounds = f"from {min_items} to {max_items}"
    return f"{bounds} {one if (max_items or min_items) == 1 else many}"


ValueCheck = Callable[[Problems, str, object], bool]
"""Checks one value of a mapping: ``(problems, label, value) -> ok`` (e.g. ``expect_number`` with its bounds)."""


def expect_mapping(problems: Problems, argument: str, value: object, *, allowed: str, fix: str,
                   key_pattern: str | re.Pattern[str] | None = None, key_allowed: str = "a string",
                   check_value: ValueCheck | None = None, min_items: int = 1, max_items: int | None = None) -> bool:
    """``value`` must be a mapping (a ``dict``: not a string, not a list of pairs, not a set) of
    ``min_items``..``max_items`` entries whose keys are strings matching ``key_pattern`` (as a whole, ASCII) and
    whose values pass ``check_value``.

    Every problem is the argument's (its value the whole mapping, ``allowed`` the mapping's description); a bad
    entry is named in the reason (``team_shares['recs'] must be a number, got the string '1'``). A list of pairs
    is answered with the mapping it makes; otherwise the fix is ``fix``.
    """
    if not isinstance(value, Mapping):
        pairs = _pairs(value)
        advice = f"pass {argument}={pairs!r} (a mapping, not a {type(value).__name__})" if pairs else fix
        problems.add(argument, value, allowed, advice, reason=f"{argument} must be a mapping, got {describe(value)}")
        return False
    if len(value) < min_items or (max_items is not None and len(value) > max_items):
        size = _size_text(min_items, max_items, one="entry", many="entries")
        problems.add(argument, value, allowed, fix, reason=f"{argument} must have {size}, got {len(value)}")
        return False
    for key, item in value.items():
        label = f"{argument}[{key!r}]"
        if not isinstance(key, str) or is_token(key) or (key_pattern is not None and
                                                          full_match(key_pattern, key) is None):
            problems.add(argument, value, allowed, fix,
                         reason=f"the key {key!r} of {argument} must be {key_allowed}, got {describe(key)}")
            return False
        if check_value is not None:
            found = Problems(problems.path)
            if not check_value(found, label, item):
                for problem in found.problems:
                    problems.add(argument, value, allowed, _entry_fix(problem.fix, argument, label, key),
                                 reason=problem.reason)
                return False
    return True


def _entry_fix(fix: str, argument: str, label: str, key: str) -> str:
    """An entry's fix in the mapping's words: ``pass shares['recs']=1 (...)`` -> ``pass shares={'recs': 1} (...)``
    (every ``shares['recs']=<value>`` in it)."""
    return re.sub(re.escape(label) + r"=([^\s()]+)", lambda found: f"{argument}={{{key!r}: {found[1]}}}", fix)


def _pairs(value: object) -> dict[object, object] | None:
    """The mapping a list (or tuple) of key-value pairs makes, else ``None``."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    if not all(isinstance(pair, (list, tuple)) and len(pair) == 2 for pair in value):
        return None
    try:
        return dict(value)
    except TypeError:  # an unhashable key
        return None
