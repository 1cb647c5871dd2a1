"""Which account each template of a cloud assembly is deployed to, read from the assembly's ``manifest.json`` (pure).

A stack artifact's ``environment`` is ``aws://<account>/<region>``: a 12-digit account for a stack synthesized for
an explicit environment, ``unknown-account`` for an environment-agnostic one. A nested stack's template is a file
asset of its top-level stack (listed in the asset manifest the stack depends on) and is deployed to the same
account. A template outside a cloud assembly (a file checked on its own) has no known account.

The premises of the library's decisions use it where a policy pattern says ``{account}`` ("the deploying account"):
only this account, or an account the policy lists, is the deploying one — never any 12 digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_ENVIRONMENT = re.compile(r"aws://(\d{12})/[^/]+")


def _read(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, Mapping) else {}


def _assembly_accounts(directory: Path) -> dict[Path, str | None]:
    artifacts = _read(directory / "manifest.json").get("artifacts", {})
    if not isinstance(artifacts, Mapping):
        return {}
    accounts: dict[Path, str | None] = {}
    for artifact in artifacts.values():
        if not isinstance(artifact, Mapping) or artifact.get("type") != "aws:cloudformation:stack":
            continue
        found = _ENVIRONMENT.fullmatch(str(artifact.get("environment", "")))
        account = found[1] if found else None
        template = (artifact.get("properties") or {}).get("templateFile")
        if isinstance(template, str):
            accounts[(directory / template).resolve()] = account
        for dependency in artifact.get("dependencies") or ():
            manifest = artifacts.get(dependency)
            if not isinstance(manifest, Mapping) or manifest.get("type") != "cdk:asset-manifest":
                continue
            assets = _read(directory / str((manifest.get("properties") or {}).get("file", ""))).get("files", {})
            for asset in assets.values() if isinstance(assets, Mapping) else ():
                source = str(((asset or {}).get("source") or {}).get("path", ""))
                if source.endswith(".nested.template.json"):
                    accounts[(directory / source).resolve()] = account
    return accounts


def template_accounts(paths: Iterable[str | Path]) -> dict[Path, str | None]:
    """Each template path (as given) -> its stack's literal account, or ``None`` (environment-agnostic, or not in a
    cloud assembly)."""
    given = [Path(path) for path in paths]
    by_directory = {directory: _assembly_accounts(directory) for directory in dict.fromkeys(p.parent for p in given)}
    return {path: by_directory[path.parent].get(path.resolve()) for path in given}
