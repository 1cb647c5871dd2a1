"""AWS Control Tower's proactive controls as cfn-guard rule files, from ``cdklabs-cdk-validator-cfnguard``.

The package ships the rules (one ``.guard`` file per control, ``rules/control-tower/cfn-guard/<service>/``)
inside its jsii bundle. cfn-guard reads every rule file it is given for every template: on our templates
parsing all of them is most of the cost (about 1 s per template even for an empty one, measured), and a rule
whose resource types do not occur in a template can find nothing there. So the gate and ``platform-check``
hand the package's plugin only the rule files that name a resource type present in the templates checked;
the rules, the binary and the findings are the package's own.

The rule files are extracted once per package version into the temporary directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tarfile
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

RULES_PREFIX = "package/rules/control-tower/cfn-guard/"
_TYPE = re.compile(r'"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"')


def bundle() -> Path:
    """The package's jsii bundle (``cdk-validator-cfnguard@<version>.jsii.tgz``)."""
    import cdklabs.cdk_validator_cfnguard as package

    (found,) = (Path(package.__file__).parent / "_jsii").glob("cdk-validator-cfnguard@*.jsii.tgz")
    return found


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    """The Control Tower rule files, extracted from the bundle (once per version, shared by processes)."""
    source = bundle()
    target = Path(tempfile.gettempdir()) / f"platform-constructs-{source.name.removesuffix('.jsii.tgz')}-rules"
    if (target / ".complete").is_file():
        return target
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
    with tarfile.open(source) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(RULES_PREFIX) and m.isfile()]
        for member in members:
            member.name = member.name.removeprefix(RULES_PREFIX)
        archive.extractall(staging, members=members, filter="data")
    (staging / ".complete").write_text("extracted\n", encoding="utf-8")
    with contextlib.suppress(OSError):  # another process got there first: use its copy
        os.replace(staging, target)
    return target if (target / ".complete").is_file() else staging


@lru_cache(maxsize=1)
def rule_index() -> dict[str, frozenset[str]]:
    """Rule file -> the CloudFormation resource types it names."""
    root = rules_dir()
    return {str(path): frozenset(_TYPE.findall(path.read_text(encoding="utf-8")))
            for path in sorted(root.rglob("*.guard"))}


def rules_for(resource_types: Iterable[str]) -> list[str]:
    """The rule files that can apply to templates holding ``resource_types``."""
    present = frozenset(resource_types)
    return [path for path, types in rule_index().items() if not types or types & present]


def template_types(paths: Iterable[str | Path]) -> set[str]:
    """The resource types of the templates at ``paths`` (JSON)."""
    found: set[str] = set()
    for path in paths:
        resources = json.loads(Path(path).read_text(encoding="utf-8")).get("Resources", {})
        found.update(str(r.get("Type")) for r in resources.values() if isinstance(r, dict))
    return found
