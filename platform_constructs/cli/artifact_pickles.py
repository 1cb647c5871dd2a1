"""What a pickle-based model file would import when loaded, read with picklescan (never by loading it).

``joblib`` files are pickle streams (optionally compressed); loading one imports and calls whatever its ``GLOBAL``
opcodes name, so a file renamed ``model.joblib`` can carry ``os.system``. :func:`scan` lists those imports with
`picklescan <https://github.com/mmaitre314/picklescan>`_ (a maintained scanner; its own list of dangerous globals
is always applied) and, for files that must hold a scikit-learn model, refuses every import outside an allow-list
(the policy's ``artifacts.allowed_pickle_imports``). Compressed joblib files (zlib, gzip, bz2, xz/lzma) are
decompressed in memory, up to the artifact size limit, and scanned; other compressions cannot be scanned and are
refused.
"""

from __future__ import annotations

import bz2
import gzip
import io
import logging
import lzma
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from picklescan.scanner import Global, SafetyLevel, scan_file_path, scan_pickle_bytes

JOBLIB_SUFFIX = ".joblib"
PICKLE_PROTOCOL_2_OR_LATER = b"\x80"
"""The first byte of every pickle written with protocol 2 or later (joblib writes protocol 4+)."""


@dataclass(frozen=True)
class Scan:
    imports: tuple[str, ...]
    """``module.name`` of every global the file would import, sorted."""
    dangerous: tuple[str, ...]
    """The imports picklescan flags as dangerous (e.g. ``posix.system``, ``builtins.eval``)."""
    problem: str | None = None
    """Why the file could not be scanned (then it is refused)."""


def _decompressor(head: bytes) -> tuple[str, Callable[[], object]] | None:
    if head.startswith(b"\x1f\x8b"):
        return "gzip", lambda: zlib.decompressobj(wbits=31)
    if head[:1] == b"\x78":
        return "zlib", zlib.decompressobj
    if head.startswith(b"BZh"):
        return "bz2", bz2.BZ2Decompressor
    if head.startswith(b"\xfd7zXZ") or head.startswith(b"]\x00\x00"):
        return "xz/lzma", lzma.LZMADecompressor
    return None


def _decompress(path: Path, limit: int) -> tuple[bytes | None, str | None]:
    """The decompressed stream of a compressed joblib file (``None`` when it is not compressed), or a problem."""
    with path.open("rb") as handle:
        head = handle.read(6)
    found = _decompressor(head)
    if found is None:
        if head.startswith(b"\x04\x22\x4d\x18"):
            return None, "lz4-compressed, which cannot be scanned here; save with joblib.dump(model, path, compress=3)"
        return None, None
    kind, make = found
    decompressor = make()
    out = bytearray()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                out += decompressor.decompress(chunk)  # type: ignore[attr-defined]
                if len(out) > limit:
                    return None, f"decompresses ({kind}) to more than the artifact size limit"
    except (OSError, EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile) as exc:
        return None, f"is not a readable {kind} stream ({exc})"
    return bytes(out), None


def scan(path: Path, *, limit: int) -> Scan:
    """The imports of a joblib file (decompressed, its pickle header required) or of another format picklescan reads
    (a PyTorch ``.pt``/``.pth`` zip of pickles); ``limit``: bytes a joblib file may decompress to."""
    logger = logging.getLogger("picklescan")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # its findings come back in the result; its warnings would only repeat them
    try:
        if path.suffix.lower() != JOBLIB_SUFFIX:
            result = scan_file_path(str(path))
            return _summary(result.globals, result.scan_err)
        data, problem = _decompress(path, limit)
        if problem is not None:
            return Scan((), (), problem)
        if data is not None:
            if not data.startswith(PICKLE_PROTOCOL_2_OR_LATER):
                return Scan((), (), "is compressed but holds no pickle stream")
            result = scan_pickle_bytes(io.BytesIO(data), str(path))
        else:
            with path.open("rb") as handle:
                first = handle.read(1)
            if not first.startswith(PICKLE_PROTOCOL_2_OR_LATER):
                return Scan((), (), "is not a joblib/pickle file (no pickle protocol 2+ header)")
            result = scan_file_path(str(path))
    finally:
        logger.setLevel(level)
    return _summary(result.globals, result.scan_err)


def _summary(found: Sequence[Global], scan_error: bool) -> Scan:
    imports = tuple(sorted({f"{g.module}.{g.name}" for g in found}))
    dangerous = tuple(sorted({f"{g.module}.{g.name}" for g in found if g.safety == SafetyLevel.Dangerous}))
    return Scan(imports, dangerous, "could not be parsed completely as a pickle" if scan_error else None)


def allowed(name: str, allow_list: Sequence[str]) -> bool:
    """``module.name`` is allowed by an entry equal to it or naming its module or a parent package of it."""
    module = name.rsplit(".", 1)[0]
    return any(entry in (name, module) or module.startswith(entry + ".") for entry in allow_list)


def problems(relative: str, path: Path, *, allow_list: Sequence[str] | None, limit: int) -> list[str]:
    """One line per problem of one pickle-based file; ``allow_list`` ``None``: only picklescan's dangerous list."""
    found = scan(path, limit=limit)
    lines = []
    if found.problem is not None:
        lines.append(f"{relative} {found.problem}: it cannot be checked, so it is refused")
    if found.dangerous:
        lines.append(f"{relative} would run code when loaded: it imports {', '.join(found.dangerous)} "
                     "(picklescan flags these as dangerous); rebuild it from trusted code")
    if allow_list is not None:
        outside = [name for name in found.imports if not allowed(name, allow_list) and name not in found.dangerous]
        if outside:
            lines.append(f"{relative} imports {', '.join(outside)}, outside the allowed modules "
                         f"({', '.join(allow_list)}); a scikit-learn model saved with joblib.dump imports only "
                         "those (a class defined in a notebook or script cannot be loaded by the serving container)")
    return lines
