"""Where a scaffolded project installs platform-constructs from: never a bare public name.

``pip install platform-constructs`` would fetch whatever package of that name a public index holds (anyone may
publish one: a name-squatting risk), or fail inside an organisation. :func:`install_source` chooses, in order:

1. ``--wheel PATH``: the wheel (or source checkout) given;
2. the policy's ``package_index``: the organisation's index (e.g. CodeArtifact) as the *only* index
   (``--index-url``, never ``--extra-index-url``, so no public package can shadow it), the version pinned exactly,
   with its login command in the README;
3. the file platform-constructs itself was installed from (its PEP 610 ``direct_url.json``: a wheel file or a
   checkout), so a project made on a machine installed from the platform team's wheel installs that wheel.

Otherwise :class:`NoInstallSourceError` says how to choose one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from platform_constructs.policy import Policy

DISTRIBUTION = "platform-constructs"
EXTRAS = "[local]"
"""The project installs the ``local`` extra too: ``platform deploy-local`` is one of its README's steps."""


class NoInstallSourceError(ValueError):
    """No wheel was given, the policy names no package index and the running package came from no file."""


@dataclass(frozen=True)
class InstallSource:
    requirement: str
    """The lines of ``requirements.txt`` that install platform-constructs."""
    login: str | None
    """A command to run before ``pip install`` (an index login), if any."""
    description: str
    """Where it comes from, in words (for the README)."""


def _file_requirement(path: Path) -> str:
    return f"{DISTRIBUTION}{EXTRAS} @ {path.resolve().as_uri()}"


def installed_from() -> Path | None:
    """The wheel file or directory the running platform-constructs was installed from (PEP 610), if a local one."""
    try:
        text = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    url = urlparse(str(json.loads(text).get("url", "")))
    if url.scheme != "file":
        return None
    path = Path(unquote(url.path))
    return path if path.exists() else None


def install_source(policy: Policy, version: str, *, wheel: Path | None = None) -> InstallSource:
    """How the project installs platform-constructs (see the module docstring for the order)."""
    if wheel is not None:
        if not wheel.exists():
            raise NoInstallSourceError(f"--wheel {wheel}: no such file")
        return InstallSource(_file_requirement(wheel), None, f"the wheel {wheel.resolve()}")
    index = policy.package_index
    if index is not None:
        return InstallSource(f"--index-url {index.url}\n{DISTRIBUTION}{EXTRAS}=={version}", index.login,
                             f"the organisation's package index {index.url} (the policy's package_index)")
    found = installed_from()
    if found is not None:
        kind = "wheel" if found.is_file() else "checkout"
        return InstallSource(_file_requirement(found), None, f"the {kind} platform-constructs was installed from "
                             f"({found})")
    raise NoInstallSourceError(
        "cannot tell where the project should install platform-constructs from: pass --wheel PATH (the "
        "platform-constructs wheel your platform team ships), or ask the platform team to set package_index in "
        "the policy (their package index, e.g. CodeArtifact); a bare 'pip install platform-constructs' could "
        "install someone else's package of that name")
