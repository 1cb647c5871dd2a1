"""The artifact contract (`platform-check artifact DIR`): every problem reported at once, one message each."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_constructs.cli.artifact import validate_artifact
from platform_constructs.cli.check import main
from platform_constructs.policy import default_policy_file, load_policy

METADATA: dict[str, Any] = {
    "framework": "pytorch", "version": "2.3.0", "input_schema": {"image": {"shape": [1, 3, 224, 224]}},
    "output_schema": {"class_probs": {"shape": [1, 1000]}}, "created_by": "alice@example.com"}


def artifact(root: Path, files: Mapping[str, bytes | str], metadata: Mapping[str, Any] | None = METADATA) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if metadata is not None:
        (root / "model_metadata.json").write_text(json.dumps(metadata))
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def problems(root: Path) -> tuple[str, ...]:
    return validate_artifact(root, load_policy().artifacts).problems


def test_good_pytorch_artifact_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = artifact(tmp_path / "model", {"model.pt": b"torchscript"})
    assert main(["artifact", str(root)]) == 0
    assert "artifact contract passed (framework pytorch" in capsys.readouterr().out


def test_pickle_and_missing_output_schema_are_both_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    metadata = {k: v for k, v in METADATA.items() if k != "output_schema"}
    root = artifact(tmp_path / "model", {"model.pt": b"x", "model.pkl": b"pickle", "extra/enc.pickle": b"p"},
                    metadata)
    assert main(["artifact", str(root)]) == 1
    out = capsys.readouterr().out
    assert "3 problem(s)" in out
    assert "model_metadata.json is missing required field 'output_schema'" in out
    assert "model.pkl: pickle files are not allowed" in out
    assert "extra/enc.pickle: pickle files are not allowed" in out


def test_missing_metadata_file_is_reported(tmp_path: Path) -> None:
    found = problems(artifact(tmp_path / "m", {"model.pt": b"x"}, metadata=None))
    assert found == ("missing model_metadata.json (required fields: framework, version, input_schema, output_schema)",)


def test_tensorflow_needs_a_complete_savedmodel_and_no_h5(tmp_path: Path) -> None:
    tf = {**METADATA, "framework": "tensorflow"}
    assert problems(artifact(tmp_path / "ok", {"model_savedmodel/saved_model.pb": b"pb"}, tf)) == ()
    found = problems(artifact(tmp_path / "bad", {"model_savedmodel/variables/v.index": b"", "model.h5": b""}, tf))
    assert found == ("model_savedmodel/ has no saved_model.pb; it is not a complete SavedModel",
                     "model.h5: HDF5 (.h5) models are deprecated; use the SavedModel format only")


def test_sklearn_needs_joblib_and_a_pinned_lock_file(tmp_path: Path) -> None:
    sk = {**METADATA, "framework": "scikit-learn"}
    good: dict[str, bytes | str] = {"model.joblib": b"j", "requirements.lock": "scikit-learn==1.5.2\njoblib==1.4.2\n"}
    assert problems(artifact(tmp_path / "ok", good, sk)) == ()
    assert problems(artifact(tmp_path / "unpinned", {"model.joblib": b"j", "requirements.lock": "joblib\n"}, sk)) == (
        "requirements.lock does not pin scikit-learn (add a line scikit-learn==<version>)",)
    assert len(problems(artifact(tmp_path / "empty", {}, sk))) == 2


def test_pytorch_without_model_pt_and_unknown_framework(tmp_path: Path) -> None:
    assert problems(artifact(tmp_path / "pt", {"weights.bin": b"x"})) == (
        "framework 'pytorch' needs model.pt (a TorchScript model: torch.jit.script(model).save)",)
    found = problems(artifact(tmp_path / "xgb", {}, {**METADATA, "framework": "xgboost"}))
    assert found == ("framework 'xgboost' is not supported; use one of: pytorch, tensorflow, sklearn",)


def test_size_limit_comes_from_the_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = yaml.safe_load(default_policy_file().read_text())
    data["artifacts"]["max_size_gb"] = 0.000001  # about 1 KiB
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(yaml.safe_dump(data))
    root = artifact(tmp_path / "big", {"model.pt": b"0" * 4096})
    assert main(["artifact", str(root), "--policy", str(policy_file)]) == 1
    assert "over the 1e-06 GB limit" in capsys.readouterr().out
    assert main(["artifact", str(root)]) == 0


def test_not_a_directory(tmp_path: Path) -> None:
    assert problems(tmp_path / "missing") == (f"{tmp_path / 'missing'} is not a directory",)
