"""Regenerate platform_constructs/compliance/data/taggable_types.json from cfn-lint's resource schemas.

Run after upgrading cfn-lint: `.venv/bin/python scripts/gen_taggable_types.py`. A test checks the
committed file matches the installed cfn-lint, so the two never drift. (Importing cfn-lint costs ~2 s,
too much for every synth, hence the generated file.)
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "platform_constructs" / "compliance" / "data" / "taggable_types.json"


def taggable_types() -> dict[str, str]:
    """Taggable resource type -> the property that holds its tags (the schema's ``tagProperty``)."""
    import cfnlint
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    providers = Path(str(cfnlint.__file__)).parent / "data" / "schemas" / "providers" / "us-east-1.json"
    names = sorted(json.loads(providers.read_text()))
    result = {}
    for name in names:
        tagging = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", name).schema.get("tagging", {})
        prop = str(tagging.get("tagProperty", "/properties/Tags"))
        if tagging.get("taggable") and prop.count("/") == 2:  # a top-level property
            result[name] = prop.rsplit("/", 1)[-1]
    return result


def render() -> str:
    return json.dumps(taggable_types(), indent=0, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT}")
