"""AWS Control Tower's proactive controls as cfn-guard rule files, from ``cdklabs-cdk-validator-cfnguard``.

The package ships the rules (one ``.guard`` file per control, ``rules/control-tower/cfn-guard/<service>/``), the
cfn-guard binary and its plugin's code inside its jsii bundle. cfn-guard evaluates every rule file it is given on
every template (about 12 ms per rule file and template on our templates, even when the rule is skipped), and a rule
file whose guarded resource types (:mod:`platform_constructs.guard_applicability`) do not occur in a template can
find nothing there. So the gate and ``platform-check`` give each template only the rule files that can report on it;
the rules, the binary and the plugin code that turns cfn-guard's output into findings are the package's own
(:mod:`platform_constructs.guard_run` runs them).

The package is extracted once per version into the temporary directory (its code, this machine's binary, the rules).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from platform_constructs.guard_applicability import guarded_types, plain_template

RULES = "rules/control-tower/cfn-guard"
"""The Control Tower rule files' directory inside the package."""


def bundle() -> Path:
    """The package's jsii bundle (``cdk-validator-cfnguard@<version>.jsii.tgz``)."""
    import cdklabs.cdk_validator_cfnguard as package

    (found,) = (Path(package.__file__).parent / "_jsii").glob("cdk-validator-cfnguard@*.jsii.tgz")
    return found


def binary_dir() -> str:
    """``bin/<platform>/<architecture>`` of the package, named as its plugin names them (``CfnGuardValidator``'s
    ``getPlatform``/``getArchitecture``: ubuntu for every Linux, macos; x86_64, aarch64)."""
    system = {"Linux": "ubuntu", "Darwin": "macos"}.get(platform.system(), platform.system().lower())
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    return f"bin/{system}/{machine}"


def _wanted(name: str) -> bool:
    return name in ("package/package.json",) or name.startswith(
        ("package/lib/", f"package/{RULES}/", f"package/{binary_dir()}/"))


@lru_cache(maxsize=1)
def package_dir() -> Path:
    """The package as its plugin runs it (``lib/``, ``package.json``, this machine's ``bin/`` and the rules),
    extracted from the bundle once per version, shared by processes."""
    source = bundle()
    target = Path(tempfile.gettempdir()) / f"platform-constructs-{source.name.removesuffix('.jsii.tgz')}"
    if (target / ".complete").is_file():
        return target
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
    with tarfile.open(source) as archive:
        members = [m for m in archive.getmembers() if m.isfile() and _wanted(m.name)]
        for member in members:
            member.name = member.name.removeprefix("package/")
        archive.extractall(staging, members=members, filter="data")
    (staging / ".complete").write_text("extracted\n", encoding="utf-8")
    with contextlib.suppress(OSError):  # another process got there first: use its copy
        os.replace(staging, target)
    return target if (target / ".complete").is_file() else staging


def rules_dir() -> Path:
    """The Control Tower rule files (``<service>/ct-<service>-pr-<n>.guard``)."""
    return package_dir() / RULES


@lru_cache(maxsize=1)
def rule_index() -> dict[str, frozenset[str] | None]:
    """Rule file -> the CloudFormation resource types one of which a template must hold for the file to report on
    it (``None``: any template)."""
    return {str(path): guarded_types(path.read_text(encoding="utf-8")) for path in sorted(rules_dir().rglob("*.guard"))}


def rules_for(resource_types: Iterable[str], *, plain: bool = True) -> list[str]:
    """The rule files that can report on a template holding ``resource_types`` (every file for a template that is
    not ``plain``: one with a top-level key other than a template section, see :mod:`.guard_applicability`)."""
    present = frozenset(resource_types)
    return [path for path, types in rule_index().items() if not plain or types is None or types & present]


def rules_for_template(template: Mapping[str, Any]) -> list[str]:
    """The rule files that can report on ``template`` (a loaded CloudFormation template)."""
    resources = template.get("Resources", {})
    types = {str(r.get("Type")) for r in resources.values() if isinstance(r, dict)} if isinstance(
        resources, dict) else set()
    return rules_for(types, plain=plain_template(template))


def template_types(paths: Iterable[str | Path]) -> set[str]:
    """The resource types of the templates at ``paths`` (JSON)."""
    found: set[str] = set()
    for path in paths:
        resources = json.loads(Path(path).read_text(encoding="utf-8")).get("Resources", {})
        found.update(str(r.get("Type")) for r in resources.values() if isinstance(r, dict))
    return found
