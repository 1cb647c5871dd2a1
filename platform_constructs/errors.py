"""Errors raised by platform constructs.

Every construct validates all of its arguments first, collects every problem and raises one
:class:`PlatformValidationError`. Each problem names the construct path, the argument, the value
given, what is allowed and how to fix it, so a data scientist never has to read a jsii traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One invalid argument: where, what was given, what is allowed and how to fix it."""

    argument: str
    value: object
    allowed: str
    fix: str
    reason: str | None = None
    """What is wrong, in words (``max_gpus must be an integer, got the string '4'``), when more than "not allowed"."""

    def render(self, path: str) -> str:
        why = f": {self.reason}" if self.reason else ""
        return (
            f"{path}: argument '{self.argument}' = {_short(self.value)} is not allowed{why}. "
            f"Allowed: {self.allowed}. Fix: {self.fix}"
        )

    def block(self) -> list[str]:
        """The problem as the lines of a message block (what a synth prints; see :func:`render_block`)."""
        lines = [f"  {self.argument} = {_short(self.value)}"]
        if self.reason:
            lines.append(f"    problem: {self.reason}")
        lines += [f"    allowed: {self.allowed}", f"    fix:     {self.fix}"]
        return lines


def _short(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PlatformValidationError(ValueError):
    """Raised at synth time when a construct's arguments break the organisation's policy."""

    def __init__(self, path: str, problems: Iterable[Problem]) -> None:
        self.path = path
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [p.render(path) for p in self.problems]
        header = f"{len(lines)} problem(s) in {path}:" if len(lines) > 1 else ""
        super().__init__("\n".join([header, *lines]) if header else lines[0])

    def render_block(self) -> str:
        """The message block printed when the error ends a synth: the path, then each problem's argument, value,
        what is wrong, what is allowed and the fix, one per line."""
        count = len(self.problems)
        lines = [f"{self.path}: {count} problem{'s' if count != 1 else ''} with the arguments"]
        for problem in self.problems:
            lines += problem.block()
        return "\n".join(lines)


class UnknownEnvironmentError(PlatformValidationError):
    """The environment chosen (``-c env=...`` at synth, ``--env`` of ``platform-check``) is not one the policy
    defines: an error about that option (with the closest environment as the fix), not about the policy file."""


class Problems:
    """Collects the problems of one construct and raises them together."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._problems: list[Problem] = []

    def add(self, argument: str, value: object, allowed: str, fix: str, *, reason: str | None = None) -> None:
        self._problems.append(Problem(argument, value, allowed, fix, reason))

    def check(self, ok: bool, argument: str, value: object, allowed: str, fix: str, *,
              reason: str | None = None) -> bool:
        """Record a problem unless ``ok``; returns ``ok`` so callers can skip dependent checks."""
        if not ok:
            self.add(argument, value, allowed, fix, reason=reason)
        return ok

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems recorded so far."""
        return tuple(self._problems)

    def __bool__(self) -> bool:
        return bool(self._problems)

    def raise_if_any(self) -> None:
        if self._problems:
            raise PlatformValidationError(self.path, self._problems)


class PolicyError(ValueError):
    """Raised when a policy file is missing, malformed or breaks the policy schema."""

    def __init__(self, file: str, problems: Iterable[str]) -> None:
        self.file = file
        self.problems = tuple(problems)
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Invalid platform policy file {file}:\n{body}")

    def render_block(self) -> str:
        """The message block printed when the error ends a synth."""
        return str(self)
