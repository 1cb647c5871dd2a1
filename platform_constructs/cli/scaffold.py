"""``platform new KIND NAME``: write a data-scientist project from the templates in ``ds_templates/project/``.

A project is a folder with a ten-line ``app.py`` stack, ``cdk.json`` (CDK's recommended feature flags),
``requirements.txt`` (platform-constructs from the organisation's index or wheel: :mod:`.install_source`),
``package.json`` (the pinned CDK CLI and Node 22), a test that synthesizes the stack with every compliance check
(``platform_constructs.testing``) and a README whose steps work as written. The files come from
``project/_common/`` and then ``project/<kind>/`` (a kind's file wins over a common one of the same name). Files
ending in ``.tmpl`` are rendered with :class:`string.Template` (``${name}``, ``${class_name}``, ``${cost_center}``,
``${version}``, ``${kind}``, ``${requirement}``, ``${install_from}``, ``${install_login}``) and lose the suffix;
others are copied. ``dot-NAME`` becomes ``.NAME``.

The templates are found in the installed wheel (``platform_constructs/_templates``) or, in a checkout of
the repository, in ``ds_templates/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from platform_constructs.cli.install_source import InstallSource, NoInstallSourceError, install_source
from platform_constructs.policy import Policy, load_policy

COMMON = "_common"
TEMPLATE_SUFFIX = ".tmpl"
DOT_PREFIX = "dot-"
"""``dot-gitignore`` is written as ``.gitignore`` (dot files stay visible in the package)."""
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,62}[a-z0-9]$")
"""Project names double as stack name, Project and CostCenter tag: the policy's slug pattern."""


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    construct: str
    """``module:Class`` of the platform construct the project's stack uses."""


KINDS: dict[str, Kind] = {
    "endpoint": Kind("endpoint", "a SageMaker real-time endpoint (SecureModelEndpoint)",
                     "platform_constructs.serving.endpoint:SecureModelEndpoint"),
    "training": Kind("training", "a multi-node GPU training cluster on AWS Batch (GpuTrainingCluster)",
                     "platform_constructs.compute.training:GpuTrainingCluster"),
    "batch": Kind("batch", "an AWS Batch compute environment and job queue (BatchComputeEnv)",
                  "platform_constructs.compute.batch:BatchComputeEnv"),
}


class ScaffoldError(ValueError):
    """``platform new`` cannot write the project; the message says why and what to do."""


def templates_root() -> Path:
    """``ds_templates`` as shipped in the wheel (``_templates``) or in the repository checkout."""
    package = Path(__file__).resolve().parents[1]
    bundled = package / "_templates"
    if (bundled / "project").is_dir():
        return bundled
    return package.parent / "ds_templates"


def class_name(name: str) -> str:
    """``churn-model`` -> ``ChurnModelStack``."""
    return "".join(part.capitalize() for part in re.split(r"[-_]", name) if part) + "Stack"


def project_files(kind_dir: Path, common_dir: Path | None = None) -> dict[Path, Path]:
    """Relative destination path -> template file, common files first, the kind's winning on clashes."""
    files: dict[Path, Path] = {}
    for source in (common_dir, kind_dir):
        if source is None or not source.is_dir():
            continue
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                relative = path.relative_to(source)
                if relative.name.endswith(TEMPLATE_SUFFIX):
                    relative = relative.with_name(relative.name.removesuffix(TEMPLATE_SUFFIX))
                if relative.name.startswith(DOT_PREFIX):
                    relative = relative.with_name("." + relative.name.removeprefix(DOT_PREFIX))
                files[relative] = path
    return files


def render(files: dict[Path, Path], destination: Path, values: dict[str, str]) -> list[Path]:
    """Write ``files`` under ``destination``; ``.tmpl`` files rendered with ``values``. Returns written paths."""
    written: list[Path] = []
    for relative, source in sorted(files.items()):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.name.endswith(TEMPLATE_SUFFIX):
            try:
                text = Template(source.read_text(encoding="utf-8")).substitute(values)
            except (KeyError, ValueError) as exc:
                raise ScaffoldError(f"template {source} uses an unknown or malformed placeholder: {exc}") from None
            target.write_text(text, encoding="utf-8")
        else:
            target.write_bytes(source.read_bytes())
        written.append(target)
    return written


def new_project(kind: str, name: str, *, directory: Path | None = None, cost_center: str | None = None,
                root: Path | None = None, kinds: dict[str, Kind] | None = None, policy: Policy | None = None,
                wheel: Path | None = None) -> list[Path]:
    """Write a ``kind`` project called ``name`` into ``directory`` (default ``./NAME``); the files written.

    ``policy`` (default: the packaged one) may name the organisation's package index; ``wheel`` is the
    platform-constructs wheel the project installs (see :func:`.install_source.install_source`)."""
    from platform_constructs import __version__

    known = KINDS if kinds is None else kinds
    problems: list[str] = []
    chosen = known.get(kind)
    if chosen is None:
        problems.append(f"kind {kind!r} is unknown; choose one of: {', '.join(known)}")
    if not NAME_PATTERN.fullmatch(name):
        problems.append(f"name {name!r} must be 3-64 lowercase letters, digits and hyphens, starting with a letter "
                        "(it becomes the stack name and the Project tag), e.g. churn-model")
    cost = cost_center if cost_center is not None else name
    if not NAME_PATTERN.fullmatch(cost):
        problems.append(f"cost center {cost!r} must be 3-64 lowercase letters, digits and hyphens")
    target = directory if directory is not None else Path(name)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        problems.append(f"{target} already exists and is not an empty directory; choose another --dir")
    source: InstallSource | None = None
    try:
        source = install_source(policy if policy is not None else load_policy(), __version__, wheel=wheel)
    except NoInstallSourceError as exc:
        problems.append(str(exc))
    if problems or source is None:
        raise ScaffoldError("cannot create the project:\n  - " + "\n  - ".join(problems))
    base = (root if root is not None else templates_root()) / "project"
    kind_dir = base / kind
    if not kind_dir.is_dir():
        raise ScaffoldError(f"no project templates for kind {kind!r} in {base}")
    values = {
        "name": name,
        "kind": kind,
        "class_name": class_name(name),
        "cost_center": cost,
        "version": __version__,
        "requirement": source.requirement,
        "install_from": source.description,
        "install_login": f"{source.login}   # log pip in to the organisation's package index\n" if source.login
        else "",
    }
    return render(project_files(kind_dir, base / COMMON), target, values)
