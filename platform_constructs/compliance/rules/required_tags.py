"""PLAT-TAG1: every taggable resource carries every required tag, each well-formed per policy."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, is_intrinsic, props

_DATA = Path(__file__).resolve().parent.parent / "data" / "taggable_types.json"


@lru_cache(maxsize=1)
def taggable_types() -> dict[str, str]:
    """Taggable resource type -> the property holding its tags, from the CloudFormation schemas (generated
    from cfn-lint's by ``scripts/gen_taggable_types.py``; a test keeps it in sync with the pinned cfn-lint)."""
    data: dict[str, str] = json.loads(_DATA.read_text(encoding="utf-8"))
    return data


# Tagged through a nested property (TagSpecifications) rather than a top-level one, handled explicitly below.
OTHER_TAG_PROPERTY = frozenset({"AWS::EC2::LaunchTemplate"})


def _tags(resource_type: str, properties: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = properties.get(taggable_types().get(resource_type, "Tags"))
    if resource_type == "AWS::EC2::LaunchTemplate":  # no Tags property: its own tags are a tag specification
        specs = properties.get("TagSpecifications")
        raw = next((s.get("Tags") for s in specs if isinstance(s, Mapping) and s.get("ResourceType") ==
                    "launch-template"), None) if isinstance(specs, list) else specs
    if raw is None:
        return {}
    if is_intrinsic(raw):
        return None  # the whole tag set is computed at deploy time: unverifiable
    if isinstance(raw, Mapping):
        return dict(raw)
    if isinstance(raw, list) and all(isinstance(t, Mapping) and "Key" in t for t in raw):
        return {t["Key"]: t.get("Value") for t in raw}
    return None  # an intrinsic: unverifiable


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    resource_type = str(resource.get("Type", ""))
    if resource_type not in taggable_types() and resource_type not in OTHER_TAG_PROPERTY:
        return
    tags = _tags(resource_type, props(resource))
    if tags is None:
        yield Violation("Properties.Tags", "tags are computed at deploy time and cannot be verified")
        return
    missing = [rule.name for rule in ctx.policy.tags if tags.get(rule.name) is None]
    if missing:
        yield Violation("Properties.Tags", f"missing required tag(s) {', '.join(missing)} "
                                           f"(see tags.required in {ctx.policy.file})")
    for rule in ctx.policy.tags:
        value = tags.get(rule.name)
        if value is None or is_intrinsic(value):
            continue  # missing (reported above) or a deploy-time value (e.g. a parameter), accepted
        if not isinstance(value, str) or not rule.accepts(value):
            yield Violation("Properties.Tags", f"tag {rule.name}={value!r} is malformed; expected {rule.expectation()}")


RULE = Rule(
    id="PLAT-TAG1",
    title="Taggable resources carry every required tag, well-formed",
    fix="create the resource through a platform construct, or add the tags listed in policies/platform.yaml",
    resource_types=("*",),  # every type; check() skips the ones CloudFormation cannot tag
    check=check,
)
