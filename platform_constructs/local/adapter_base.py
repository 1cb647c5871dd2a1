"""What the template adapter's transformations share: :class:`Change` and the template-walking helpers
(references between resources, ``Fn::GetAtt`` parsing, rewriting intrinsics, removing resources with what
depends on them, JSON text with intrinsics)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Template = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One alteration the adapter made for the emulator."""

    stack: str
    transformation: str
    target: str
    """Logical id (or ``Rules``/``Parameters``/asset id) the change applies to."""
    detail: str

    def __str__(self) -> str:
        return f"{self.stack}: {self.transformation} {self.target}: {self.detail}"


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def references(node: Any) -> set[str]:
    """Logical ids ``node`` refers to through ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` (``${X}``/``${X.Attr}``)."""
    found: set[str] = set()
    for item in _walk(node):
        if not isinstance(item, dict) or len(item) != 1:
            continue
        (key, value), = item.items()
        if key == "Ref" and isinstance(value, str):
            found.add(value)
        elif key == "Fn::GetAtt":
            target = value[0] if isinstance(value, list) else str(value).split(".")[0]
            found.add(str(target))
        elif key == "Fn::Sub":
            text = value[0] if isinstance(value, list) else value
            if isinstance(text, str):
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text))
    return found


def getatt(node: dict[str, Any]) -> tuple[str, str] | None:
    """``(logical id, attribute)`` when ``node`` is exactly a ``Fn::GetAtt``, else None."""
    target = node.get("Fn::GetAtt")
    if target is None or len(node) != 1:
        return None
    name, attribute = (target if isinstance(target, list) else str(target).split(".", 1))[:2]
    return str(name), str(attribute)


def rewrite(node: Any, replace: Callable[[dict[str, Any]], Any]) -> Any:
    """A copy of ``node`` in which every dict for which ``replace`` returns something other than None is
    replaced by that value (the replacement is not descended into)."""
    if isinstance(node, dict):
        replaced = replace(node)
        if replaced is not None:
            return replaced
        return {k: rewrite(v, replace) for k, v in node.items()}
    if isinstance(node, list):
        return [rewrite(v, replace) for v in node]
    return node


def depends_on(resource: dict[str, Any]) -> list[str]:
    value = resource.get("DependsOn", [])
    return [value] if isinstance(value, str) else list(value)


def remove_resources(stack: str, template: Template, doomed: set[str], reason: str,
                     transformation: str) -> list[Change]:
    """Remove ``doomed`` plus every resource or output that references a removed resource (transitively)."""
    resources: dict[str, Any] = template.get("Resources", {})
    changes: list[Change] = []
    pending = set(doomed)
    while pending:
        for logical_id in sorted(pending):
            if logical_id in resources:
                rtype = resources.pop(logical_id)["Type"]
                why = reason if logical_id in doomed else "referenced a removed resource"
                changes.append(Change(stack, transformation, logical_id, f"removed {rtype} ({why})"))
        removed = {c.target for c in changes}
        pending = {lid for lid, res in resources.items()
                   if references({k: v for k, v in res.items() if k != "DependsOn"}) & removed}
    removed = {c.target for c in changes}
    for res in resources.values():
        if "DependsOn" in res:
            kept = [d for d in depends_on(res) if d not in removed]
            if kept:
                res["DependsOn"] = kept
            else:
                del res["DependsOn"]
    outputs: dict[str, Any] = template.get("Outputs", {})
    for name in sorted(outputs):
        if references(outputs[name]) & removed:
            del outputs[name]
            changes.append(Change(stack, transformation, name, "removed output (referenced a removed resource)"))
    return changes


def is_intrinsic(node: Any) -> bool:
    return isinstance(node, dict) and len(node) == 1 and next(iter(node)) in {
        "Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::If", "Fn::ImportValue", "Fn::FindInMap"}


def json_string_with_intrinsics(node: Any) -> Any:
    """``node`` (JSON with intrinsic functions in string positions) as one string expression: a plain string
    when it has no intrinsics, else an ``Fn::Join`` whose pieces are JSON text and the intrinsics."""
    pieces: list[Any] = []

    def emit(value: Any) -> None:
        if is_intrinsic(value):
            pieces.extend(['"', value, '"'])
        elif isinstance(value, dict):
            pieces.append("{")
            for index, (key, item) in enumerate(value.items()):
                pieces.append(("," if index else "") + json.dumps(key) + ":")
                emit(item)
            pieces.append("}")
        elif isinstance(value, list):
            pieces.append("[")
            for index, item in enumerate(value):
                if index:
                    pieces.append(",")
                emit(item)
            pieces.append("]")
        else:
            pieces.append(json.dumps(value))

    emit(node)
    merged: list[Any] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged[0] if len(merged) == 1 and isinstance(merged[0], str) else {"Fn::Join": ["", merged]}
