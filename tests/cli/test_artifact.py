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


LOCK = "scikit-learn==1.5.2\njoblib==1.4.2\n"


@pytest.fixture
def sklearn_model(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """What joblib.dump writes for a scikit-learn estimator: a pickle importing sklearn's class (made here with a
    stand-in module of that name, so the test needs no scikit-learn)."""
    import pickle
    import sys
    import types

    class LogisticRegression:
        def __init__(self) -> None:
            self.C = 1.0

    LogisticRegression.__module__ = "sklearn.linear_model._logistic"
    LogisticRegression.__qualname__ = "LogisticRegression"
    for name in ("sklearn", "sklearn.linear_model", "sklearn.linear_model._logistic"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setattr(sys.modules["sklearn.linear_model._logistic"], "LogisticRegression", LogisticRegression,
                        raising=False)
    return pickle.dumps(LogisticRegression(), protocol=4)


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


def test_sklearn_needs_a_clean_joblib_and_a_lock_file_pinning_scikit_learn_and_joblib(
        tmp_path: Path, sklearn_model: bytes) -> None:
    sk = {**METADATA, "framework": "scikit-learn"}
    good: dict[str, bytes | str] = {"model.joblib": sklearn_model, "requirements.lock": LOCK}
    assert problems(artifact(tmp_path / "ok", good, sk)) == ()
    assert problems(artifact(tmp_path / "unpinned", {"model.joblib": sklearn_model,
                                                     "requirements.lock": "joblib\nscikit-learn>=1.5\n"}, sk)) == (
        "requirements.lock does not pin scikit-learn (add a line scikit-learn==<version>, the exact version the "
        "model was saved with)",
        "requirements.lock does not pin joblib (add a line joblib==<version>, the exact version the model was saved "
        "with)")
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
    assert problems(tmp_path / "missing") == (
        f"{tmp_path / 'missing'} is not a directory or a model archive (.tar.gz, .tgz, .tar)",)


class _Shell:
    """Unpickling this runs a shell command: what a hostile or careless model file can do."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return os.system, ("echo pwned",)


class NotebookModel:
    """A model class defined in a notebook or script: the serving container cannot import it."""


def test_a_pickle_renamed_model_joblib_is_refused(tmp_path: Path) -> None:
    import pickle

    sk = {**METADATA, "framework": "sklearn"}
    hostile = problems(artifact(tmp_path / "hostile", {"model.joblib": pickle.dumps(_Shell()),
                                                       "requirements.lock": LOCK}, sk))
    assert hostile == ("model.joblib would run code when loaded: it imports posix.system (picklescan flags these as "
                       "dangerous); rebuild it from trusted code",)
    custom = problems(artifact(tmp_path / "custom", {"model.joblib": pickle.dumps(NotebookModel(), protocol=4),
                                                     "requirements.lock": LOCK}, sk))
    assert len(custom) == 1 and custom[0].startswith(f"model.joblib imports {__name__}.NotebookModel, outside the "
                                                     "allowed modules (sklearn, numpy, scipy")
    text = problems(artifact(tmp_path / "text", {"model.joblib": b"not a model", "requirements.lock": LOCK}, sk))
    assert text == ("model.joblib is not a joblib/pickle file (no pickle protocol 2+ header): it cannot be checked, "
                    "so it is refused",)


def test_compressed_joblib_files_are_scanned_too(tmp_path: Path, sklearn_model: bytes) -> None:
    import gzip
    import pickle
    import zlib

    sk = {**METADATA, "framework": "sklearn"}
    assert problems(artifact(tmp_path / "zlib", {"model.joblib": zlib.compress(sklearn_model),
                                                 "requirements.lock": LOCK}, sk)) == ()
    found = problems(artifact(tmp_path / "gzip", {"model.joblib": gzip.compress(pickle.dumps(_Shell())),
                                                  "requirements.lock": LOCK}, sk))
    assert found and "imports posix.system" in found[0]
    lz4 = problems(artifact(tmp_path / "lz4", {"model.joblib": b"\x04\x22\x4d\x18rest", "requirements.lock": LOCK},
                            sk))
    assert lz4 == ("model.joblib lz4-compressed, which cannot be scanned here; save with joblib.dump(model, path, "
                   "compress=3): it cannot be checked, so it is refused",)


def test_joblib_files_of_other_frameworks_are_scanned_for_dangerous_imports(tmp_path: Path) -> None:
    import pickle

    found = problems(artifact(tmp_path / "pt", {"model.pt": b"torchscript", "encoder.joblib": pickle.dumps(_Shell())}))
    assert found == ("encoder.joblib would run code when loaded: it imports posix.system (picklescan flags these as "
                     "dangerous); rebuild it from trusted code",)


@pytest.mark.parametrize(("text", "expected"), [
    (LOCK, {"scikit-learn": "1.5.2", "joblib": "1.4.2"}),
    ("Scikit_Learn == 1.5.2 ; python_version >= '3.9' \\\n    --hash=sha256:abc\n# comment\njoblib===1.4.2 # pinned\n",
     {"scikit-learn": "1.5.2", "joblib": "1.4.2"}),
    ("scikit-learn[alldeps]==1.5.2rc1\n", {"scikit-learn": "1.5.2rc1"}),
    ("joblib==latest\nscikit-learn==1.*\nnumpy>=1.26\npandas\n", {}),
])
def test_lock_file_pins(text: str, expected: dict[str, str]) -> None:
    from platform_constructs.cli.artifact import pins

    assert pins(text) == expected


def _tar(path: Path, files: Mapping[str, bytes], *, prefix: str = "") -> Path:
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(prefix + name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def test_the_model_tar_gz_is_checked_like_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      sklearn_model: bytes) -> None:
    files = {"model_metadata.json": json.dumps({**METADATA, "framework": "sklearn"}).encode(),
             "model.joblib": sklearn_model, "requirements.lock": LOCK.encode()}
    good = _tar(tmp_path / "model.tar.gz", files)
    assert main(["artifact", str(good)]) == 0
    assert f"✓ {good}: artifact contract passed (framework sklearn" in capsys.readouterr().out
    nested = _tar(tmp_path / "nested.tar.gz", files, prefix="model/")
    found = problems(nested)
    assert found[0] == ("nested.tar.gz holds everything under model/: SageMaker extracts the archive into "
                        "/opt/ml/model, so put the files at its root (tar -C model -czf nested.tar.gz .)")
    pickled = _tar(tmp_path / "pickled.tar.gz", {**files, "extra.pkl": b"x"})
    assert problems(pickled) == ("extra.pkl: pickle files are not allowed (loading one runs arbitrary code); save "
                                 "with the framework's format instead",)


def test_archive_entries_that_escape_are_refused_before_extraction(tmp_path: Path) -> None:
    import tarfile

    escaping = _tar(tmp_path / "bad.tar.gz", {"../outside.txt": b"x"})
    with tarfile.open(tmp_path / "link.tar", "w") as tar:
        link = tarfile.TarInfo("passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    (found,) = problems(escaping)
    assert found.startswith("bad.tar.gz: ../outside.txt: refused (") and "outside the destination" in found
    assert not (tmp_path / "outside.txt").exists()
    (link_problem,) = problems(tmp_path / "link.tar")
    assert link_problem.startswith("link.tar: passwd: refused (")
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a tar")
    assert problems(broken)[0].startswith("broken.tar.gz is not a readable tar archive")
