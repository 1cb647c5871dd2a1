"""Which account each template of a cloud assembly is deployed to (compliance/assembly.py), over hand-written
manifests in the cloud assembly schema CDK writes (the stack artifact's ``environment``, its asset manifest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from platform_constructs.compliance.assembly import template_accounts


def stack(name: str, environment: str, *, nested: tuple[str, ...] = ()) -> dict[str, Any]:
    return {f"{name}.assets": {"type": "cdk:asset-manifest", "properties": {"file": f"{name}.assets.json"}},
            name: {"type": "aws:cloudformation:stack", "environment": environment,
                   "properties": {"templateFile": f"{name}.template.json"}, "dependencies": [f"{name}.assets"]},
            "_nested": list(nested)}


def assembly(directory: Path, *stacks: dict[str, Any]) -> Path:
    artifacts: dict[str, Any] = {}
    for entry in stacks:
        nested = entry.pop("_nested")
        artifacts.update(entry)
        name = next(k for k, v in entry.items() if v["type"] == "aws:cloudformation:stack")
        (directory / f"{name}.template.json").write_text("{}")
        (directory / f"{name}.assets.json").write_text(json.dumps({"version": "55.0.0", "files": {
            f"hash{i}": {"source": {"path": child, "packaging": "file"}, "destinations": {}}
            for i, child in enumerate(nested)}}))
        for child in nested:
            (directory / child).write_text("{}")
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    return directory


def test_explicit_environment_agnostic_and_nested_stacks(tmp_path: Path) -> None:
    out = assembly(tmp_path, stack("prod-model", "aws://111122223333/eu-west-1",
                                   nested=("prodmodelInnerABC123.nested.template.json",)),
                   stack("shared", "aws://unknown-account/unknown-region"))
    paths = [out / "prod-model.template.json", out / "prodmodelInnerABC123.nested.template.json",
             out / "shared.template.json"]
    assert template_accounts(paths) == dict(zip(paths, ["111122223333", "111122223333", None], strict=True))


def test_a_template_outside_a_cloud_assembly_has_no_known_account(tmp_path: Path) -> None:
    template = tmp_path / "raw.yaml"
    template.write_text("Resources: {}\n")
    assert template_accounts([template]) == {template: None}
    (tmp_path / "manifest.json").write_text("not json")
    assert template_accounts([str(template)]) == {template: None}
