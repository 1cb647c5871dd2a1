"""What ``platform-check`` reports: one :class:`Result` per finding of any tool, grouped per template.

A result is acknowledged only by an entry with a non-empty reason in its resource's
``platform:acknowledgments`` template metadata (:func:`mark_acknowledged`), the same rule the synth-time
gate applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from platform_constructs.compliance.engine import acknowledgments


@dataclass(frozen=True)
class Result:
    """One finding of any tool, tied to a template (and a resource when the tool names one)."""

    template: Path
    tool: str
    rule_id: str
    severity: str
    message: str
    logical_id: str | None = None
    resource_type: str | None = None
    location: str | None = None
    line: int | None = None
    help: str = ""
    acknowledged_reason: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_reason is not None


@dataclass(frozen=True)
class TemplateReport:
    path: Path
    resources: int
    results: tuple[Result, ...]
    seconds: float


def source_line(node: Any) -> int | None:
    """The 1-based line of a node decoded by cfn-lint (``None`` when it carries no position)."""
    mark = getattr(node, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


def mark_acknowledged(results: Iterable[Result], template: Mapping[str, Any]) -> list[Result]:
    """Mark results acknowledged by their resource's ``platform:acknowledgments`` (reason required)."""
    resources = template.get("Resources", {})
    marked: list[Result] = []
    for result in results:
        resource = resources.get(result.logical_id) if result.logical_id else None
        if isinstance(resource, Mapping):
            reason = acknowledgments(resource).get(result.rule_id)
            resource_type = result.resource_type or str(resource.get("Type", ""))
            marked.append(replace(result, acknowledged_reason=reason, resource_type=resource_type,
                                  line=result.line or source_line(resource)))
        else:
            marked.append(result)
    return marked
