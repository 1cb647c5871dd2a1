"""What the per-family verification modules share: :class:`Check`, :class:`Deployed` and the comparison helpers.

A check reads a fact from the emulator with boto3 and compares it with the template value as resolved for the
deploy (:class:`platform_constructs.local.verify_resolve.Resolver`). Its ``source`` says where the fact came
from: the emulator, or — for a property the emulator's CloudFormation drops, or a type it cannot create — the
template, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.local.emulator import Emulator
from platform_constructs.local.verify_resolve import Resolver, Unresolved, unresolved_in

EMULATED = "emulator"
TEMPLATE = "template (emulator drops this property)"


def template_only(reason: str) -> str:
    """The ``source`` of a check made on the template because the emulator cannot create the type."""
    return f"template ({reason})"


@dataclass(frozen=True)
class Check:
    stack: str
    logical_id: str
    resource_type: str
    name: str
    passed: bool
    detail: str
    source: str = EMULATED
    """Where the fact was read: the emulator (boto3) or the template (and why)."""

    def __str__(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        return (f"{mark} {self.stack}/{self.logical_id} [{self.resource_type}] {self.name}: {self.detail} "
                f"({self.source})")


@dataclass(frozen=True)
class Deployed:
    """One resource as deployed: its physical id, its template properties and their deployed values."""

    stack: str
    logical_id: str
    resource_type: str
    physical_id: str
    properties: Mapping[str, Any]
    """The template's properties as written (intrinsics unevaluated)."""
    resolver: Resolver

    def value(self, *path: str, default: Any = None) -> Any:
        """The resolved value at ``path`` (property names) in the properties; ``default`` when absent."""
        node: Any = self.properties
        for key in path:
            if not isinstance(node, Mapping) or key not in node:
                return default
            node = node[key]
        return self.resolver.resolve(node)


Checker = Callable[[Emulator, Deployed], list[Check]]


def check(res: Deployed, name: str, passed: bool, detail: str, source: str = EMULATED) -> Check:
    return Check(res.stack, res.logical_id, res.resource_type, name, bool(passed), detail, source)


def expect(res: Deployed, name: str, got: Any, want: Any, *, label: str = "") -> Check:
    """A check that the emulator's ``got`` equals the deployed template value ``want``; fails, naming the
    reference, when ``want`` could not be resolved."""
    label = label or name
    missing = unresolved_in(want)
    if missing is not None:
        return check(res, name, False, f"{label}: template value not resolvable with boto3: {missing}")
    return check(res, name, got == want, f"{label}={got!r}" + ("" if got == want else f" (template {want!r})"))


def literal(value: Any) -> bool:
    return isinstance(value, (str, int, bool, float)) and not isinstance(value, Unresolved)


def as_set(items: Any, *keys: str) -> set[tuple[Any, ...]]:
    """A list of dicts as a set of ``keys`` tuples (order-insensitive comparison of rules, dimensions...)."""
    return {tuple(item.get(k) for k in keys) for item in items or [] if isinstance(item, Mapping)}


def number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
