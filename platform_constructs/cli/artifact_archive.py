"""A model artifact as SageMaker receives it: the ``model.tar.gz`` that ``model_data_url`` points to.

SageMaker extracts the archive into ``/opt/ml/model``, so the contract's files belong at its root. :func:`extracted`
opens the archive, refuses what must never be extracted (absolute paths, ``..``, links leading out of it, devices:
Python's tarfile ``data`` filter, PEP 706) and anything over the artifact size limit before writing a byte, and
extracts it into a temporary directory that the contract is then checked on.
"""

from __future__ import annotations

import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
MAX_MEMBERS = 100_000


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def _extract(archive: Path, root: Path, limit: int) -> list[str]:
    """Extract ``archive`` into ``root`` unless something in it is refused; the problems (nothing extracted then)."""
    problems: list[str] = []
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            if len(members) > MAX_MEMBERS:
                problems.append(f"{archive.name} holds {len(members)} entries, more than {MAX_MEMBERS}")
            total = sum(m.size for m in members if m.isfile())
            if total > limit:
                problems.append(f"{archive.name} extracts to {total / 1024**3:.1f} GB, over the size limit")
            for member in members:
                try:
                    tarfile.data_filter(member, str(root))
                except tarfile.FilterError as exc:
                    problems.append(f"{archive.name}: {member.name}: refused ({exc})")
            if not problems:
                tar.extractall(root, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        return [f"{archive.name} is not a readable tar archive ({exc})"]
    return problems


@contextmanager
def extracted(archive: Path, *, limit: int) -> Iterator[tuple[Path | None, list[str]]]:
    """``(directory, problems)``: the archive extracted into a temporary directory (``None`` when it cannot be,
    with the problems saying why). The directory is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="artifact-") as scratch:
        root = Path(scratch) / "model"
        root.mkdir()
        problems = _extract(archive, root, limit)
        if problems:
            yield None, problems
            return
        entries = list(root.iterdir())
        if len(entries) == 1 and entries[0].is_dir() and not (root / "model_metadata.json").exists():
            problems.append(f"{archive.name} holds everything under {entries[0].name}/: SageMaker extracts the "
                            "archive into /opt/ml/model, so put the files at its root "
                            f"(tar -C {entries[0].name} -czf {archive.name} .)")
        yield root, problems
