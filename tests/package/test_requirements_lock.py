"""requirements.lock, what ``make setup`` installs with ``--no-deps``: every pin of requirements*.txt at the same
version, every package pinned exactly once, and the wheel's own dependencies among them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{path.name}: {line} is not an exact pin"
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"{path.name}: {name} pinned twice"
        pins[name] = specifiers[0].version
    return pins


LOCK = _pins(ROOT / "requirements.lock")


def test_every_requirement_pin_is_locked_at_its_version() -> None:
    for name in ("requirements.txt", "requirements-dev.txt"):
        for package, version in _pins(ROOT / name).items():
            assert LOCK.get(package) == version, f"{name} pins {package}=={version}, the lock {LOCK.get(package)}"


def test_the_wheels_dependencies_are_locked_within_their_ranges() -> None:
    """Its dependencies and the ``local`` extra (the emulator, which the tests use); ``checkov`` is optional and not
    part of ``make setup``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["local"]]
    for dependency in declared:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in LOCK, f"{name} (pyproject.toml) is not in requirements.lock"
        assert requirement.specifier.contains(LOCK[name]), f"{name}=={LOCK[name]} is outside {requirement.specifier}"


def test_make_setup_installs_the_lock_without_resolving() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"pip install .*--no-deps -r requirements\.lock", makefile)
    assert "-r requirements-dev.txt" not in makefile  # nothing else is installed with resolution
