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

    def render(self, path: str) -> str:
        return (
            f"{path}: argument '{self.argument}' = {self.value!r} is not allowed. "
            f"Allowed: {self.allowed}. Fix: {self.fix}"
        )


class PlatformValidationError(ValueError):
    """Raised at synth time when a construct's arguments break the organisation's policy."""

    def __init__(self, path: str, problems: Iterable[Problem]) -> None:
        self.path = path
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [p.render(path) for p in self.problems]
        header = f"{len(lines)} problem(s) in {path}:" if len(lines) > 1 else ""
        super().__init__("\n".join([header, *lines]) if header else lines[0])


class Problems:
    """Collects the problems of one construct and raises them together."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._problems: list[Problem] = []

    def add(self, argument: str, value: object, allowed: str, fix: str) -> None:
        self._problems.append(Problem(argument, value, allowed, fix))

    def check(self, ok: bool, argument: str, value: object, allowed: str, fix: str) -> bool:
        """Record a problem unless ``ok``; returns ``ok`` so callers can skip dependent checks."""
        if not ok:
            self.add(argument, value, allowed, fix)
        return ok

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
