"""The artifact contract: what a model artifact must hold before it may be deployed.

A data scientist hands the platform a directory or the ``model.tar.gz`` that ``model_data_url`` points to
(:mod:`.artifact_archive` extracts it safely first); :func:`validate_artifact` checks it against the organisation's
policy (``artifacts:`` in ``policies/platform.yaml``) and returns every problem at once, one clear message each
(``platform-check artifact PATH`` prints them):

* ``model_metadata.json`` exists, is a JSON object and has every field in ``required_metadata_fields``;
* the framework's expected file is there: TorchScript ``model.pt`` (``pytorch``), a SavedModel directory
  ``model_savedmodel/`` holding ``saved_model.pb`` (``tensorflow``, no ``.h5``), or ``model.joblib`` plus a
  ``requirements.lock`` pinning both ``scikit-learn`` and ``joblib`` to exact versions (``sklearn``);
* no pickle files (``*.pkl``, ``*.pickle``): loading one runs arbitrary code; every ``*.joblib`` and PyTorch file
  is scanned with picklescan (:mod:`.artifact_pickles`) for what it would import when loaded, and a scikit-learn
  ``model.joblib`` may import only the policy's ``allowed_pickle_imports`` — a pickle renamed ``model.joblib``
  that imports anything else is refused;
* the total size is within ``max_size_gb``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.cli import artifact_pickles
from platform_constructs.cli.artifact_archive import extracted, is_archive
from platform_constructs.policy import ArtifactPolicy

METADATA_FILE = "model_metadata.json"
PICKLE_SUFFIXES = (".pkl", ".pickle")
SCANNED_SUFFIXES = (".joblib", ".pt", ".pth")
"""Pickle-based formats the contract allows, each scanned for what it imports when loaded."""
SKLEARN_PINS = ("scikit-learn", "joblib")
"""What ``requirements.lock`` must pin (``==``) for a scikit-learn model: the serving container installs them, and a
model unpickled by another scikit-learn or joblib version may fail or behave differently."""
GIB = 1024**3
_REQUIREMENT = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(===?)\s*([^\s;]+)\s*(?:;.*)?", re.ASCII)
_VERSION = re.compile(r"(\d+!)?\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[a-z0-9.]+)?",
                      re.ASCII | re.IGNORECASE)
"""A PEP 440 version (what ``==`` must name: not ``latest``, not a wildcard)."""


@dataclass(frozen=True)
class ArtifactReport:
    """The outcome of validating one artifact directory."""

    directory: Path
    problems: tuple[str, ...]
    framework: str | None
    size_bytes: int

    @property
    def ok(self) -> bool:
        return not self.problems


def _pytorch(root: Path, problems: list[str], policy: ArtifactPolicy) -> None:
    if not (root / "model.pt").is_file():
        problems.append("framework 'pytorch' needs model.pt (a TorchScript model: torch.jit.script(model).save)")


def _tensorflow(root: Path, problems: list[str], policy: ArtifactPolicy) -> None:
    saved = root / "model_savedmodel"
    if not saved.is_dir():
        problems.append("framework 'tensorflow' needs the SavedModel directory model_savedmodel/ "
                        "(model.save('model_savedmodel/'))")
    elif not (saved / "saved_model.pb").is_file():
        problems.append("model_savedmodel/ has no saved_model.pb; it is not a complete SavedModel")
    for h5 in sorted(root.rglob("*.h5")):
        problems.append(f"{h5.relative_to(root)}: HDF5 (.h5) models are deprecated; use the SavedModel format only")


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Scikit_Learn`` -> ``scikit-learn``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    """Exact pins (``name==version``, ``===``) of a requirements file; comments, continuations, hashes, extras and
    environment markers understood; a pin to something that is not a version (``==latest``, ``==1.*``) is left out."""
    found: dict[str, str] = {}
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.split(" #", 1)[0].split("--hash", 1)[0].strip()
        match = _REQUIREMENT.fullmatch(line)
        if match is not None and _VERSION.fullmatch(match[3]):
            found[normalized(match[1])] = match[3]
    return found


def _sklearn(root: Path, problems: list[str], policy: ArtifactPolicy) -> None:
    model = root / "model.joblib"
    if not model.is_file():
        problems.append("framework 'sklearn' needs model.joblib (joblib.dump(model, 'model.joblib'))")
    else:
        problems += artifact_pickles.problems("model.joblib", model, allow_list=policy.allowed_pickle_imports,
                                              limit=int(policy.max_size_gb * GIB))
    lock = root / "requirements.lock"
    if not lock.is_file():
        problems.append("framework 'sklearn' needs requirements.lock pinning scikit-learn and joblib "
                        "(e.g. scikit-learn==1.5.2 and joblib==1.4.2)")
        return
    pinned = pins(lock.read_text(encoding="utf-8", errors="replace"))
    for name in SKLEARN_PINS:
        if name not in pinned:
            problems.append(f"requirements.lock does not pin {name} (add a line {name}==<version>, the exact "
                            "version the model was saved with)")


FRAMEWORKS: dict[str, Callable[[Path, list[str], ArtifactPolicy], None]] = {
    "pytorch": _pytorch,
    "tensorflow": _tensorflow,
    "sklearn": _sklearn,
}
"""Framework name in ``model_metadata.json`` -> the check of its expected files."""
ALIASES = {"torch": "pytorch", "scikit-learn": "sklearn", "tf": "tensorflow"}


def _metadata(root: Path, policy: ArtifactPolicy, problems: list[str]) -> dict[str, Any] | None:
    path = root / METADATA_FILE
    if not path.is_file():
        problems.append(f"missing {METADATA_FILE} (required fields: {', '.join(policy.required_metadata_fields)})")
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{METADATA_FILE} is not valid JSON ({exc})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{METADATA_FILE} must be a JSON object, got {type(data).__name__}")
        return None
    for field in policy.required_metadata_fields:
        if field not in data or data[field] in (None, "", {}, []):
            problems.append(f"{METADATA_FILE} is missing required field '{field}'")
    return data


def validate_artifact(path: str | Path, policy: ArtifactPolicy) -> ArtifactReport:
    """Check an artifact directory or ``model.tar.gz`` against the contract; every problem collected, none raised."""
    given = Path(path)
    if is_archive(given):
        with extracted(given, limit=int(policy.max_size_gb * GIB)) as (root, archive_problems):
            if root is None:
                return ArtifactReport(given, tuple(archive_problems), None, given.stat().st_size)
            report = _validate_directory(root, policy)
            return ArtifactReport(given, (*archive_problems, *report.problems), report.framework, report.size_bytes)
    if not given.is_dir():
        return ArtifactReport(given, (f"{given} is not a directory or a model archive (.tar.gz, .tgz, .tar)",),
                              None, 0)
    return _validate_directory(given, policy)


def _validate_directory(root: Path, policy: ArtifactPolicy) -> ArtifactReport:
    problems: list[str] = []
    metadata = _metadata(root, policy, problems)
    framework: str | None = None
    raw = metadata.get("framework") if metadata is not None else None
    if isinstance(raw, str) and raw:
        framework = ALIASES.get(raw.lower(), raw.lower())
        check = FRAMEWORKS.get(framework)
        if check is None:
            problems.append(f"framework {raw!r} is not supported; use one of: {', '.join(FRAMEWORKS)}")
        else:
            check(root, problems, policy)
    elif raw is not None:
        problems.append(f"{METADATA_FILE} field 'framework' must be a string, got {raw!r}")
    size = 0
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            problems.append(f"{path.relative_to(root)}: symbolic links are not allowed in an artifact")
            continue
        if not path.is_file():
            continue
        size += path.stat().st_size
        relative = path.relative_to(root).as_posix()
        if path.suffix.lower() in PICKLE_SUFFIXES:
            problems.append(f"{relative}: pickle files are not allowed (loading one runs "
                            "arbitrary code); save with the framework's format instead")
        elif path.suffix.lower() in SCANNED_SUFFIXES and not (framework == "sklearn" and relative == "model.joblib"):
            problems += artifact_pickles.problems(relative, path, allow_list=None, limit=int(policy.max_size_gb * GIB))
    limit = policy.max_size_gb * GIB
    if size > limit:
        problems.append(f"artifact is {size / GIB:.1f} GB, over the {policy.max_size_gb:g} GB limit "
                        "(training data or checkpoints left in the directory?)")
    return ArtifactReport(root, tuple(problems), framework, size)
