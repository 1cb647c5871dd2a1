"""A stack update reaches what depends on a replaced resource, or on a changed Parameter Store value, as
CloudFormation's does.

moto's CloudFormation updates only resources whose template text changed (``ResourceMap.build_resource_diff``
compares the raw JSON). When a resource is replaced — a new physical id, e.g. an endpoint configuration (every
property create-only) — the resources that name it by ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` now resolve to a new
value, and CloudFormation updates them; moto left them pointing at the deleted old one. So the endpoint of a
changed configuration was never updated, and SageMaker's update rules could not even be asked.

The same for SSM parameter types (``AWS::SSM::Parameter::Value<...>``): CloudFormation "always fetches the latest
values from Parameter Store when it updates stacks" and updates what uses a value that changed (CloudFormation user
guide, "Systems Manager parameter types"), e.g. an endpoint's model after the model registry published a newly
approved package. moto fetches the values again too, but decides what to update by the parameters' *input* (the
parameter's name, the same on every deploy), so it updated nothing.

:func:`install` wraps ``ResourceMap.update``: after moto's own update it updates, in template order, every
resource that references one whose physical id changed, or an SSM-typed parameter whose fetched value changed (and,
in turn, what references those), unless moto just updated it itself. Installed by
:func:`platform_constructs.local.models.register`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

_SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
_MARK = "_platform_updates_dependents"


def references(value: Any) -> Iterator[str]:
    """The logical ids ``value`` (a resource's template JSON) names by ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt":
                target = item[0] if isinstance(item, list) else str(item).split(".", 1)[0]
                yield str(target)
            elif key == "Fn::Sub":
                template = item[0] if isinstance(item, list) else item
                yield from _SUB_REFERENCE.findall(str(template))
                yield from references(item[1] if isinstance(item, list) and len(item) > 1 else {})
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def _physical_id(resource: Any) -> Any:
    return getattr(resource, "physical_resource_id", resource)


def update_dependents(resources: Mapping[str, dict[str, Any]], parsed: dict[str, Any], *, changed: set[str],
                      touched: set[str], before: Mapping[str, Any],
                      update: Callable[[str, dict[str, Any]], Any]) -> list[str]:
    """Update, in template order, each resource of ``resources`` (logical id -> template JSON) that references one
    of ``changed`` (replaced: a new physical id) and was not ``touched`` by moto's own update, then what references
    those it replaced in turn. ``parsed`` (logical id -> model) is updated; returns the ids updated."""
    updated_ids: list[str] = []
    while changed:
        replaced: set[str] = set()
        for name, resource_json in resources.items():
            if name in touched or not changed & set(references(resource_json.get("Properties", {}))):
                continue
            updated = update(name, resource_json)
            touched.add(name)
            updated_ids.append(name)
            if updated is not None:
                if _physical_id(updated) != before.get(name):
                    replaced.add(name)
                parsed[name] = updated
        changed = replaced
    return updated_ids


def fetched_again(parameters: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """The SSM-typed template ``parameters`` (name -> declaration) whose resolved value is another ``after`` an
    update than ``before`` it."""
    return {name for name, spec in parameters.items()
            if isinstance(spec, Mapping) and str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value")
            and name in before and before[name] != after.get(name)}


def install() -> None:
    """Wrap moto's ``ResourceMap.update`` (idempotent)."""
    from moto.cloudformation import parsing

    if getattr(parsing.ResourceMap.update, _MARK, False):
        return
    original: Callable[..., None] = parsing.ResourceMap.update

    def update(self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
        diff = self.build_resource_diff(template, parameters)
        before = {name: _physical_id(self._parsed_resources.get(name)) for name in self._resource_json_map}
        resolved = dict(self.resolved_parameters)
        original(self, template, parameters)
        fetched = fetched_again(template.get("Parameters") or {}, resolved, self.resolved_parameters)
        update_dependents(
            self._resource_json_map, self._parsed_resources, before=before,
            touched=set(diff["Modify"]) | set(diff["Add"]),
            changed={n for n in diff["Modify"] if _physical_id(self._parsed_resources.get(n)) != before[n]} | fetched,
            update=lambda name, resource_json: parsing.parse_and_update_resource(
                name, resource_json, self, self._account_id, self._region_name))

    setattr(update, _MARK, True)
    parsing.ResourceMap.update = update  # type: ignore[method-assign]
