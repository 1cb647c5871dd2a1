"""Regenerate platform_constructs/compliance/data/taggable_types.json from cfn-lint's resource schemas.

Run after upgrading cfn-lint: `.venv/bin/python scripts/gen_taggable_types.py`. A test checks the
committed file matches the installed cfn-lint, so the two never drift. (Importing cfn-lint costs ~2 s,
too much for every synth, hence the generated file.)
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "platform_constructs" / "compliance" / "data" / "taggable_types.json"


def taggable_types() -> list[str]:
    import cfnlint
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    providers = Path(str(cfnlint.__file__)).parent / "data" / "schemas" / "providers" / "us-east-1.json"
    names = sorted(json.loads(providers.read_text()))
    result = []
    for name in names:
        tagging = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", name).schema.get("tagging", {})
        if tagging.get("taggable") and tagging.get("tagProperty", "/properties/Tags") == "/properties/Tags":
            result.append(name)
    return result


def render() -> str:
    return json.dumps(taggable_types(), indent=0) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT}")
