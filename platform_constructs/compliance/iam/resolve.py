"""Resolving CloudFormation intrinsic functions to example values, so that policies can be checked offline.

``Ref`` / ``Fn::GetAtt`` of a resource become its example return values (:mod:`.arns`), pseudo parameters
become example values (account ``123456789012``, region ``us-east-1``, partition ``aws``), and
``Fn::Join``, ``Fn::Sub``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap`` are evaluated over them.

``Fn::ImportValue`` of a value another template exports is resolved in that template when the two are checked
together (:mod:`platform_constructs.compliance.exports`). What cannot be resolved — a template parameter, an
import from a template not checked with this one, ``Fn::If``, a type or attribute the table does not know — is
never guessed: the part is filled with ``example`` so the rest of the value can still be read, and the result
says *why* it is not fully known and how long its literal prefix is. :func:`arn_verifiable` uses that prefix to
decide whether the value is still an ARN of a known resource type
(``arn:aws:ec2:us-east-1:123456789012:subnet/<parameter>`` is a subnet, whatever the parameter holds) or must be
reported as unverifiable (``arn:aws:s3:::<parameter>`` may be a bucket or an object).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.compliance.exports import Exports
from platform_constructs.compliance.iam.arns import PSEUDO_PARAMETERS, RETURNS, Arn, example_name

FILL = "example"
"""The text standing in for a part that cannot be resolved."""

NO_VALUE = "AWS::NoValue"
_MAX_DEPTH = 16
_PLACEHOLDER = re.compile(r"\{(prop:)?(\w+)\}")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Resolved:
    """A resolved value (JSON). ``unknown`` says why part of it is not known (``None``: fully known); for a
    string, ``known_prefix`` is the length of its text before the first unknown part."""

    value: Any
    unknown: str | None = None
    known_prefix: int | None = None

    @property
    def known(self) -> bool:
        return self.unknown is None


class _Omit:
    """``Ref: AWS::NoValue``: the element is removed from its list or object."""


OMIT = _Omit()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unknown(reason: str) -> Resolved:
    return Resolved(FILL, reason, 0)


def _concat(parts: list[Resolved], delimiter: str = "") -> Resolved:
    """Join resolved string parts, keeping the first unknown reason and the literal prefix before it."""
    text = ""
    unknown: str | None = None
    prefix: int | None = None
    for index, given in enumerate(parts):
        if index:
            text += delimiter
        part = _unknown("a list or object where a string is expected") if isinstance(given.value, (list, dict)) \
            else given
        if part.unknown is not None and unknown is None:
            unknown, prefix = part.unknown, len(text) + (part.known_prefix or 0)
        text += _text(part.value)
    return Resolved(text, unknown, prefix)


class Resolver:
    """Resolves values of one template (its ``Resources``, ``Parameters`` and ``Mappings``)."""

    def __init__(self, template: Mapping[str, Any], exports: Exports | None = None) -> None:
        self._exports: Exports = exports or {}
        resources = template.get("Resources", {})
        parameters = template.get("Parameters", {})
        mappings = template.get("Mappings", {})
        self._resources: Mapping[str, Any] = resources if isinstance(resources, Mapping) else {}
        self._parameters: Mapping[str, Any] = parameters if isinstance(parameters, Mapping) else {}
        self._mappings: Mapping[str, Any] = mappings if isinstance(mappings, Mapping) else {}

    # --- public -------------------------------------------------------------------------------------
    def resolve(self, value: Any, depth: int = 0) -> Resolved:
        """``value`` with every intrinsic function evaluated (see the module docstring)."""
        if depth > _MAX_DEPTH:
            return _unknown("references nest too deeply (a cycle?)")
        if isinstance(value, Mapping):
            if len(value) == 1:
                (name, argument), = value.items()
                if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")):
                    return self._intrinsic(str(name), argument, depth + 1)
            items = {k: self.resolve(v, depth + 1) for k, v in value.items()}
            return Resolved({k: r.value for k, r in items.items() if r.value is not OMIT},
                            next((r.unknown for r in items.values() if r.unknown), None))
        if isinstance(value, list):
            resolved = [self.resolve(v, depth + 1) for v in value]
            return Resolved([r.value for r in resolved if r.value is not OMIT],
                            next((r.unknown for r in resolved if r.unknown), None))
        return Resolved(value)

    def return_value(self, logical_id: str, attribute: str | None, depth: int = 0) -> Resolved:
        """``Ref`` (``attribute`` ``None``) or ``Fn::GetAtt`` of resource ``logical_id``."""
        resource = self._resources.get(logical_id)
        if not isinstance(resource, Mapping):
            return _unknown(f"{logical_id} is not a resource of this template")
        resource_type = str(resource.get("Type", ""))
        returns = RETURNS.get(resource_type)
        shape = returns.value(attribute) if returns is not None else None
        if returns is None or shape is None:
            what = "Ref" if attribute is None else f"attribute {attribute}"
            return _unknown(f"{what} of {resource_type} {logical_id} is not in the resolver's table")
        name = self._name(logical_id, resource, returns.name_property, depth)
        fmt = shape.format if isinstance(shape, Arn) else shape
        return self._fill(fmt, name, resource, depth)

    # --- intrinsic functions ------------------------------------------------------------------------
    def _intrinsic(self, name: str, argument: Any, depth: int) -> Resolved:
        evaluate = {
            "Ref": self._ref, "Fn::GetAtt": self._get_att, "Fn::Join": self._join, "Fn::Sub": self._sub,
            "Fn::Select": self._select, "Fn::Split": self._split, "Fn::FindInMap": self._find_in_map,
            "Fn::ImportValue": self._import_value,
        }.get(name)
        if evaluate is not None:
            return evaluate(argument, depth)
        if name == "Fn::If":
            return _unknown("Fn::If (depends on a template condition)")
        return _unknown(f"{name} is not evaluated by the resolver")

    def _import_value(self, argument: Any, depth: int) -> Resolved:
        """A value another template exports, resolved in that template (a CDK cross-stack reference)."""
        name = self.resolve(argument, depth)
        if name.known and isinstance(name.value, str) and name.value in self._exports:
            producer, value = self._exports[name.value]
            return Resolver(producer, self._exports).resolve(value, depth)
        return _unknown(f"Fn::ImportValue {name.value!r} (exported by a stack not checked with this one)")

    def _get_att(self, argument: Any, depth: int) -> Resolved:
        target = argument.split(".", 1) if isinstance(argument, str) else argument
        if isinstance(target, list) and len(target) == 2 and all(isinstance(t, str) for t in target):
            return self.return_value(target[0], target[1], depth)
        return _unknown(f"Fn::GetAtt {argument!r} is malformed")

    def _join(self, argument: Any, depth: int) -> Resolved:
        if not (isinstance(argument, list) and len(argument) == 2):
            return _unknown(f"Fn::Join {argument!r} is malformed")
        delimiter = _text(argument[0])
        if isinstance(argument[1], list):  # item by item, so the literal prefix is kept
            parts = [self.resolve(item, depth) for item in argument[1]]
            return _concat([p for p in parts if p.value is not OMIT], delimiter)
        items = self.resolve(argument[1], depth)
        if not isinstance(items.value, list):
            return _unknown(items.unknown or "Fn::Join over a value that is not a list")
        joined = _concat([Resolved(v) for v in items.value], delimiter)
        return joined if items.known else Resolved(joined.value, items.unknown, 0)

    def _select(self, argument: Any, depth: int) -> Resolved:
        if not (isinstance(argument, list) and len(argument) == 2):
            return _unknown(f"Fn::Select {argument!r} is malformed")
        index, items = self.resolve(argument[0], depth), self.resolve(argument[1], depth)
        if not (index.known and items.known and isinstance(items.value, list)):
            return _unknown(items.unknown or index.unknown or "Fn::Select over a value that is not a list")
        try:
            return Resolved(items.value[int(index.value)])
        except (ValueError, IndexError):
            return _unknown(f"Fn::Select index {index.value!r} is out of range")

    def _split(self, argument: Any, depth: int) -> Resolved:
        if not (isinstance(argument, list) and len(argument) == 2):
            return _unknown(f"Fn::Split {argument!r} is malformed")
        source = self.resolve(argument[1], depth)
        if not source.known or not isinstance(source.value, str):
            return _unknown(source.unknown or "Fn::Split of a value that is not a string")
        return Resolved(source.value.split(_text(argument[0])))

    def _find_in_map(self, argument: Any, depth: int) -> Resolved:
        keys = [self.resolve(k, depth) for k in argument] if isinstance(argument, list) and len(argument) == 3 else []
        if keys and all(k.known and isinstance(k.value, str) for k in keys):
            found: Any = self._mappings
            for key in keys:
                found = found.get(key.value) if isinstance(found, Mapping) else None
            if found is not None:
                return self.resolve(found, depth)
        return _unknown(f"Fn::FindInMap {argument!r} is not a literal entry of the template's Mappings")

    def _ref(self, target: Any, depth: int) -> Resolved:
        if not isinstance(target, str):
            return _unknown(f"Ref {target!r} is malformed")
        if target == NO_VALUE:
            return Resolved(OMIT)
        if target in PSEUDO_PARAMETERS:
            return Resolved(PSEUDO_PARAMETERS[target])
        if target in self._parameters:
            return _unknown(f"parameter {target} (its value is chosen at deploy time)")
        if target.startswith("AWS::"):
            return _unknown(f"pseudo parameter {target} is not resolved")
        return self.return_value(target, None, depth)

    def _sub(self, argument: Any, depth: int) -> Resolved:
        template, variables = (argument, {}) if isinstance(argument, str) else (
            argument if isinstance(argument, list) and len(argument) == 2 else (None, None))
        if not isinstance(template, str) or not isinstance(variables, Mapping):
            return _unknown(f"Fn::Sub {argument!r} is malformed")
        parts: list[Resolved] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(template):
            parts.append(Resolved(template[position:match.start()]))
            position = match.end()
            variable = match[1]
            if variable.startswith("!"):  # ${!Literal} is the literal text ${Literal}
                parts.append(Resolved("${" + variable[1:] + "}"))
            elif variable in variables:
                parts.append(self.resolve(variables[variable], depth))
            elif "." in variable and not variable.startswith("AWS::"):
                logical_id, attribute = variable.split(".", 1)
                parts.append(self.return_value(logical_id, attribute, depth))
            else:
                parts.append(self._ref(variable, depth))
        parts.append(Resolved(template[position:]))
        return _concat(parts)

    # --- names and formats --------------------------------------------------------------------------
    def _name(self, logical_id: str, resource: Mapping[str, Any], name_property: str | None, depth: int) -> str:
        properties = resource.get("Properties", {})
        raw = properties.get(name_property) if name_property and isinstance(properties, Mapping) else None
        if raw is not None:
            named = self.resolve(raw, depth + 1)
            if named.known and isinstance(named.value, str) and named.value:
                return named.value
        return example_name(logical_id)

    def _fill(self, fmt: str, name: str, resource: Mapping[str, Any], depth: int) -> Resolved:
        fixed = {"partition": PSEUDO_PARAMETERS["AWS::Partition"], "region": PSEUDO_PARAMETERS["AWS::Region"],
                 "account": PSEUDO_PARAMETERS["AWS::AccountId"], "name": name}
        parts: list[Resolved] = []
        position = 0
        for match in _PLACEHOLDER.finditer(fmt):
            parts.append(Resolved(fmt[position:match.start()]))
            position = match.end()
            if match[1]:  # {prop:X}: another property of the resource, resolved
                properties = resource.get("Properties", {})
                raw = properties.get(match[2]) if isinstance(properties, Mapping) else None
                parts.append(self.resolve(raw, depth + 1) if raw is not None else Resolved(example_name(match[2])))
            else:
                parts.append(Resolved(fixed[match[2]]))
        parts.append(Resolved(fmt[position:]))
        return _concat(parts)


def arn_verifiable(resolved: Resolved) -> bool:
    """Whether ``resolved`` is a literal ARN, or an ARN whose unknown part comes after a literal resource type.

    ``arn:aws:ec2:us-east-1:123456789012:subnet/<unknown>`` qualifies (its resource type, ``subnet``, is
    literal); ``arn:aws:s3:::<unknown>`` or a wholly unknown value does not.
    """
    if resolved.known:
        return True
    if not isinstance(resolved.value, str) or resolved.known_prefix is None:
        return False
    fields = resolved.value[:resolved.known_prefix].split(":", 5)
    return len(fields) == 6 and fields[0] == "arn" and any(sep in fields[5] for sep in "/:")
