"""Finding and reading the templates ``platform-check`` checks: cloud assemblies and template files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def discover(paths: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Templates named by ``paths`` (directories: every ``*.template.json`` outside asset folders)."""
    found: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            templates = sorted(
                p for p in path.rglob("*.template.json")
                if not any(part.startswith("asset.") for part in p.relative_to(path).parts)
            )
            if not templates:
                problems.append(f"{path}: no *.template.json in this directory (run `cdk synth` first?)")
            found.extend(templates)
        elif path.is_file():
            if path.suffix.lower() not in TEMPLATE_SUFFIXES:
                problems.append(f"{path}: not a template file (expected one of {', '.join(TEMPLATE_SUFFIXES)})")
            else:
                found.append(path)
        else:
            problems.append(f"{path}: no such file or directory")
    return found, problems


def load_template(path: Path) -> tuple[Mapping[str, Any] | None, list[str]]:
    """Decode a JSON or YAML template with cfn-lint's decoder (keeps line numbers, understands ``!Ref``)."""
    from cfnlint.decode import decode

    template, matches = decode(str(path))
    if matches:
        return None, [f"{path}:{m.linenumber}: {m.message}" for m in matches]
    if not isinstance(template, Mapping) or not isinstance(template.get("Resources", {}), Mapping):
        return None, [f"{path}: not a CloudFormation template (no Resources mapping)"]
    return template, []
