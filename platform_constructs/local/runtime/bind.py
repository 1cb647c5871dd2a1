"""Bind the runtime-call tables to synthesized templates.

Binding is pure (template in, planned calls out): :func:`plan` finds a table's construct instances, their roles
and the siblings each call names, and expands ``{placeholder}`` siblings into one call per binding.
:func:`value_of` gives a call's target as deployed (through :mod:`~platform_constructs.local.runtime.resolve`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from platform_constructs.local.runtime.resolve import Lookups, arn_of, resolve, symbolic
from platform_constructs.runtime_calls import (
    BatchCluster,
    Call,
    Join,
    Output,
    Prop,
    RoleCalls,
    RuntimeTable,
    ServiceCalls,
    Sibling,
    Value,
)

_HASH = "[0-9A-F]{8}"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class BindError(LookupError):
    """A table names something the template does not have (the message says what and where)."""


@dataclass(frozen=True)
class Instance:
    """One construct instance in one stack: its logical-id prefix."""

    stack: str
    prefix: str
    template: Mapping[str, Any]

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        return self.template.get("Resources", {})  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Planned:
    """One call of a table, bound to a construct instance (and a placeholder binding)."""

    table: RuntimeTable
    instance: Instance
    role: RoleCalls | ServiceCalls
    role_id: str
    """The role's logical id; for a service calling as itself, its principal (e.g. ``cloudwatch.amazonaws.com``)."""
    call: Call
    bindings: Mapping[str, str]
    trust_bindings: Mapping[str, str] = field(default_factory=dict)
    """What the role's trust context is read with (:func:`trust_bindings`)."""

    @property
    def name(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in sorted(self.bindings.items()) if not k.startswith("@"))
        return f"{self.call.action}" + (f" [{where}]" if where else "")


def _pattern(name: str, bindings: Mapping[str, str]) -> re.Pattern[str]:
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(name):
        parts.append(re.escape(name[last:match.start()]))
        key = match.group(1)
        parts.append(re.escape(bindings[key]) if key in bindings else f"(?P<{key}>[A-Za-z0-9]+?)")
        last = match.end()
    parts.append(re.escape(name[last:]))
    return re.compile("".join(parts))


def _key(sibling: Sibling) -> str:
    """The binding key of a nameless sibling: each resource of its type is one binding."""
    return f"@{sibling.type}"


def find_siblings(instance: Instance, sibling: Sibling, bindings: Mapping[str, str] | None = None,
                  ) -> list[tuple[str, dict[str, str]]]:
    """``(logical id, placeholder bindings)`` of each resource ``sibling`` names in ``instance``."""
    bindings = dict(bindings or {})
    name = sibling.name.lstrip("/")
    prefix = "" if sibling.name.startswith("/") else instance.prefix  # "/Name": the stack's, not the instance's
    body = _pattern(name, bindings).pattern if name else "[A-Za-z0-9]*"
    regex = re.compile(rf"^{re.escape(prefix)}(?:{body}){_HASH}$")
    found = []
    for lid, resource in instance.resources.items():
        match = regex.match(lid)
        if not match or (sibling.type is not None and resource.get("Type") != sibling.type):
            continue
        if not sibling.name:
            if bindings.get(_key(sibling), lid) != lid:
                continue
            found.append((lid, {**bindings, _key(sibling): lid}))
        else:
            found.append((lid, {**bindings, **{k: v for k, v in match.groupdict().items() if v is not None}}))
    return sorted(found)


def _expands(sibling: Sibling) -> bool:
    return not sibling.name or _PLACEHOLDER.search(sibling.name) is not None


def instances(table: RuntimeTable, stack: str, template: Mapping[str, Any]) -> list[Instance]:
    """The instances of ``table``'s construct in ``template``: a prefix for each resource matching the anchor."""
    anchor = re.compile(rf"^(?P<prefix>[A-Za-z0-9]*?){re.escape(table.anchor.name)}{_HASH}$")
    prefixes = sorted({m["prefix"] for lid, r in template.get("Resources", {}).items()
                       if (m := anchor.match(lid)) and r.get("Type") == table.anchor.type})
    return [Instance(stack, prefix, template) for prefix in prefixes]


def _siblings_of(value: Value) -> list[Sibling]:
    if isinstance(value, Sibling):
        return [value]
    if isinstance(value, Prop):
        return [value.of]
    if isinstance(value, BatchCluster):
        return [value.environment]
    if isinstance(value, Join):
        return [s for part in value.parts for s in _siblings_of(part)]
    return []


def expand(instance: Instance, call: Call, start: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """Every placeholder binding of ``call`` (``[{}]`` without placeholders), starting from ``start`` (the bindings
    of a ``{placeholder}`` role). A ``{placeholder}`` or nameless sibling without a match gives no call (the
    construct has no such level or resource); a named one is an error."""
    siblings = [s for value in (*call.target.values(), *call.context.values()) for s in _siblings_of(value)]
    if call.when is not None:
        siblings.append(call.when.of)
    bindings: list[dict[str, str]] = [dict(start or {})]
    for sibling in siblings:
        grown: list[dict[str, str]] = []
        for current in bindings:
            found = find_siblings(instance, sibling, current)
            if not found and _expands(sibling):
                continue  # e.g. a pipeline without project images: no call for a project level
            if not found:
                raise BindError(f"{instance.stack}: no resource {instance.prefix}{sibling.name or '*'}<hash> "
                                f"of type {sibling.type} for {call.action} ({call.does})")
            grown += [b for _, b in found] if _expands(sibling) else [current]
        bindings = [dict(t) for t in {tuple(sorted(b.items())) for b in grown}]
    return sorted(bindings, key=lambda b: sorted(b.items()))


def plan(table: RuntimeTable, stack: str, template: Mapping[str, Any]) -> list[Planned]:
    """Every call of ``table`` in ``stack``; a missing required role or sibling raises :class:`BindError`."""
    planned: list[Planned] = []
    for instance in instances(table, stack, template):
        for role in table.roles:
            found = find_siblings(instance, Sibling(role.role, "AWS::IAM::Role"))
            if not found:
                if role.optional:
                    continue
                raise BindError(f"{stack}: {table.construct} {instance.prefix!r} has no role "
                                f"{instance.prefix}{role.role}<hash>")
            for role_id, bindings in found:  # a ``{placeholder}`` role: one per binding (e.g. per project)
                trust = trust_bindings(instance, role, bindings)
                planned += [replace(p, trust_bindings=trust)
                            for p in _planned(table, instance, role, role_id, bindings)]
        for service in table.services:
            planned += _planned(table, instance, service, service.service, {})
    return planned


def trust_bindings(instance: Instance, role: RoleCalls, bindings: Mapping[str, str]) -> dict[str, str]:
    """The bindings a role's :attr:`~platform_constructs.runtime_calls.RoleCalls.context` is read with: the
    role's own, then the first resource each ``{placeholder}`` sibling of it matches (the service assumes the role
    on behalf of any of them, e.g. one of the rules that start builds)."""
    current = dict(bindings)
    for value in role.context.values():
        for sibling in _siblings_of(value):
            found = find_siblings(instance, sibling, current)
            if not found:
                raise BindError(f"{instance.stack}: no resource {instance.prefix}{sibling.name}<hash> of type "
                                f"{sibling.type} for the trust context of {role.role}")
            current = found[0][1]
    return current


def _planned(table: RuntimeTable, instance: Instance, actor: RoleCalls | ServiceCalls, actor_id: str,
             start: Mapping[str, str]) -> list[Planned]:
    return [Planned(table, instance, actor, actor_id, call, binding) for call in actor.calls
            if call.when is None or _has_property(instance, call.when) for binding in expand(instance, call, start)]


def _has_property(instance: Instance, prop: Prop) -> bool:
    found = find_siblings(instance, prop.of)
    return bool(found) and all(property_at(instance.resources[lid], prop.path) is not None for lid, _ in found)


def property_at(resource: Mapping[str, Any], path: str) -> Any:
    """A property by dotted path; ``Name[Key=Value]`` picks the list item whose ``Key`` is ``Value``."""
    node: Any = resource.get("Properties", {})
    for part in path.split("."):
        selector = re.fullmatch(r"(\w+)\[(\w+)=([^\]]+)\]", part)
        key = selector.group(1) if selector else part
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
        if selector:
            node = next((item for item in node if isinstance(item, Mapping)
                         and item.get(selector.group(2)) == selector.group(3)), None)
    return node


def value_of(value: Value, planned: Planned, lookups: Lookups) -> str:
    """A call's target or context value as deployed."""
    instance = planned.instance
    if isinstance(value, str):
        return value.format(region=lookups.region, account=lookups.account, partition=lookups.partition)
    if isinstance(value, Join):
        return "".join(value_of(part, planned, lookups) for part in value.parts)
    if isinstance(value, Output):
        regex = re.compile(rf"^{re.escape(instance.prefix)}{re.escape(value.name)}{_HASH}$")
        outputs = [o for k, o in instance.template.get("Outputs", {}).items() if regex.match(k)]
        if len(outputs) != 1:
            raise BindError(f"{instance.stack}: no output {instance.prefix}{value.name}<hash>")
        return str(resolve(outputs[0]["Value"], instance.stack, instance.template, lookups))
    sibling = value.of if isinstance(value, Prop) else value.environment if isinstance(value, BatchCluster) else value
    found = find_siblings(instance, sibling, planned.bindings)
    if len(found) != 1:
        raise BindError(f"{instance.stack}: {len(found)} resources match {instance.prefix}{sibling.name}<hash>")
    (lid, _), = found
    if isinstance(value, Prop):
        return str(resolve(property_at(instance.resources[lid], value.path), instance.stack, instance.template,
                           lookups))
    physical = lookups.physical_id(instance.stack, lid)
    if isinstance(value, BatchCluster):
        if physical is None:
            raise BindError(f"{instance.stack}: compute environment {lid} was not created")
        return lookups.batch_cluster(physical)
    return physical if physical is not None else symbolic(lid)


def sibling_arn(value: Value, planned: Planned, lookups: Lookups) -> tuple[str, str, str] | None:
    """``(logical id, type, ARN)`` of the resource a ``Sibling`` value names (``None`` for other values); the
    ARN is symbolic (``unresolved:<id>.Arn``, as in the role's policy) when the emulator did not create it."""
    if not isinstance(value, Sibling):
        return None
    (lid, _), = find_siblings(planned.instance, value, planned.bindings)
    resource_type = str(planned.instance.resources[lid]["Type"])
    physical = lookups.physical_id(planned.instance.stack, lid)
    arn = arn_of(resource_type, physical, lookups) if physical is not None else None
    return lid, resource_type, arn if arn is not None else symbolic(lid, "Arn")
