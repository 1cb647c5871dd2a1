"""The artifact contract: what a model artifact directory must hold before it may be deployed.

A data scientist hands the platform a directory; :func:`validate_artifact` checks it against the
organisation's policy (``artifacts:`` in ``policies/platform.yaml``) and returns every problem at once,
one clear message each (``platform-check artifact DIR`` prints them):

* ``model_metadata.json`` exists, is a JSON object and has every field in ``required_metadata_fields``;
* the framework's expected file is there: TorchScript ``model.pt`` (``pytorch``), a SavedModel directory
  ``model_savedmodel/`` holding ``saved_model.pb`` (``tensorflow``, no ``.h5``), or ``model.joblib`` plus a
  ``requirements.lock`` pinning ``scikit-learn`` (``sklearn``);
* no pickle files (``*.pkl``, ``*.pickle``): loading one runs arbitrary code;
* the total size is within ``max_size_gb``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.policy import ArtifactPolicy

METADATA_FILE = "model_metadata.json"
PICKLE_SUFFIXES = (".pkl", ".pickle")
GIB = 1024**3


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


def _pytorch(root: Path, problems: list[str]) -> None:
    if not (root / "model.pt").is_file():
        problems.append("framework 'pytorch' needs model.pt (a TorchScript model: torch.jit.script(model).save)")


def _tensorflow(root: Path, problems: list[str]) -> None:
    saved = root / "model_savedmodel"
    if not saved.is_dir():
        problems.append("framework 'tensorflow' needs the SavedModel directory model_savedmodel/ "
                        "(model.save('model_savedmodel/'))")
    elif not (saved / "saved_model.pb").is_file():
        problems.append("model_savedmodel/ has no saved_model.pb; it is not a complete SavedModel")
    for h5 in sorted(root.rglob("*.h5")):
        problems.append(f"{h5.relative_to(root)}: HDF5 (.h5) models are deprecated; use the SavedModel format only")


def _sklearn(root: Path, problems: list[str]) -> None:
    if not (root / "model.joblib").is_file():
        problems.append("framework 'sklearn' needs model.joblib (joblib.dump(model, 'model.joblib'))")
    lock = root / "requirements.lock"
    if not lock.is_file():
        problems.append("framework 'sklearn' needs requirements.lock pinning scikit-learn and joblib "
                        "(e.g. scikit-learn==1.5.2)")
    elif not re.search(r"^\s*scikit-learn\s*==", lock.read_text(encoding="utf-8", errors="replace"), re.MULTILINE):
        problems.append("requirements.lock does not pin scikit-learn (add a line scikit-learn==<version>)")


FRAMEWORKS: dict[str, Callable[[Path, list[str]], None]] = {
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


def validate_artifact(directory: str | Path, policy: ArtifactPolicy) -> ArtifactReport:
    """Check ``directory`` against the artifact contract; every problem is collected, none raised."""
    root = Path(directory)
    if not root.is_dir():
        return ArtifactReport(root, (f"{root} is not a directory",), None, 0)
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
            check(root, problems)
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
        if path.suffix.lower() in PICKLE_SUFFIXES:
            problems.append(f"{path.relative_to(root)}: pickle files are not allowed (loading one runs "
                            "arbitrary code); save with the framework's format instead")
    limit = policy.max_size_gb * GIB
    if size > limit:
        problems.append(f"artifact is {size / GIB:.1f} GB, over the {policy.max_size_gb:g} GB limit "
                        "(training data or checkpoints left in the directory?)")
    return ArtifactReport(root, tuple(problems), framework, size)
