"""Golden-image smoke test, copied into every Level 0 image and run by every level's build.

Standard library only (it runs before any package is installed). Exits non-zero with one line per
failure, so the image is never pushed, scanned or approved.

* every level: the interpreter's ``major.minor`` is ``PLATFORM_PYTHON_VERSION``;
* GPU images (``PLATFORM_GPU=1``): the CUDA runtime library is present and its ``major.minor`` is
  ``PLATFORM_CUDA_VERSION``'s;
* ``--requirements FILE``: every ``name==version`` line is installed at that version and its
  top-level modules import;
* ``--runtime`` (run by the build with ``docker run --network none`` after ``docker build``): a training
  image runs as a non-root user and an inference image (``PLATFORM_SERVING=1``) as root, which SageMaker
  expects ("SageMaker AI expects all containers to run with root users", SageMaker Developer Guide, "Custom
  Inference Code with Hosting Services");
* ``--gpu-host`` (with ``--runtime``, on a GPU build host, ``docker run --gpus all``): a CUDA device is visible
  (driver ``cuInit`` succeeds, at least one device, and ``torch.cuda.is_available()`` when torch is installed).
  On a CPU build host no device exists: the CUDA runtime's version is checked, the device is not.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import importlib
import importlib.metadata
import json
import os
import re
import sys


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def check_python(failures: list[str]) -> None:
    expected = os.environ.get("PLATFORM_PYTHON_VERSION", "")
    actual = f"{sys.version_info.major}.{sys.version_info.minor}"
    if expected and _major_minor(expected) != actual:
        failures.append(f"python is {actual}, the policy requires {expected}")


def _cuda_runtime_version() -> str | None:
    for path in ("/usr/local/cuda/version.json",):
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            version = data.get("cuda_cudart", data.get("cuda", {})).get("version")
            return str(version) if version else None
    libraries = sorted(glob.glob("/usr/local/cuda*/lib64/libcudart.so.*") + glob.glob("/usr/lib/*/libcudart.so.*"))
    for library in libraries:
        runtime = ctypes.CDLL(library)
        number = ctypes.c_int()
        if runtime.cudaRuntimeGetVersion(ctypes.byref(number)) == 0:
            return f"{number.value // 1000}.{(number.value % 1000) // 10}"
    return None


def check_cuda_runtime(failures: list[str]) -> None:
    if os.environ.get("PLATFORM_GPU") != "1":
        return
    expected = os.environ.get("PLATFORM_CUDA_VERSION", "")
    actual = _cuda_runtime_version()
    if actual is None:
        failures.append("no CUDA runtime (libcudart) found in a GPU image")
    elif expected and _major_minor(actual) != _major_minor(expected):
        failures.append(f"CUDA runtime is {actual}, the policy requires {expected}")


def _pins(path: str) -> list[tuple[str, str | None]]:
    pins: list[tuple[str, str | None]] = []
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = re.sub(r"(^|\s)#.*$", "", raw).strip().split(";")[0].split(" --hash")[0].strip()
            match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(?:===?\s*([^\s,]+))?", line)
            if match:
                pins.append((match.group(1), match.group(3)))
    return pins


def _top_level_modules(name: str) -> list[str]:
    distribution = importlib.metadata.distribution(name)
    listed = distribution.read_text("top_level.txt")
    if listed:
        return [m for m in listed.split() if m and not m.startswith("_")]
    return [name.replace("-", "_").lower()]


def check_requirements(path: str, failures: list[str]) -> None:
    for name, version in _pins(path):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            failures.append(f"{name} ({path}) is not installed")
            continue
        if version is not None and installed.split("+")[0] != version.split("+")[0]:
            failures.append(f"{name} is {installed}, pinned {version} in {path}")
        for module in _top_level_modules(name):
            try:
                importlib.import_module(module)
            except Exception as exc:  # any import failure fails the smoke test
                failures.append(f"import {module} (from {_normalize(name)}) failed: {exc!r}")


def check_user(failures: list[str]) -> None:
    serving = os.environ.get("PLATFORM_SERVING") == "1"
    if serving and os.geteuid() != 0:
        failures.append("an inference image must run as root (SageMaker expects root); it ends with another USER")
    if not serving and os.geteuid() == 0:
        failures.append("the image runs as root; it must end with a non-root USER")


def check_device(failures: list[str]) -> None:
    if os.environ.get("PLATFORM_GPU") != "1":
        return
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError as exc:
        failures.append(f"CUDA driver not visible in the container ({exc}); run with --gpus all on a GPU host")
        return
    count = ctypes.c_int()
    if driver.cuInit(0) != 0 or driver.cuDeviceGetCount(ctypes.byref(count)) != 0 or count.value < 1:
        failures.append("CUDA initialised no device: the GPU is not visible")
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        return
    if not torch.cuda.is_available():
        failures.append("torch.cuda.is_available() is False on a GPU image")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--level", type=int, choices=(0, 1, 2), required=True)
    parser.add_argument("--requirements", action="append", default=[])
    parser.add_argument("--runtime", action="store_true")
    parser.add_argument("--gpu-host", action="store_true")
    args = parser.parse_args(argv)
    failures: list[str] = []
    check_python(failures)
    check_cuda_runtime(failures)
    for path in args.requirements:
        check_requirements(path, failures)
    if args.runtime:
        check_user(failures)
        if args.gpu_host:
            check_device(failures)
        elif os.environ.get("PLATFORM_GPU") == "1":
            print(f"smoke test (level {args.level}): CUDA device not checked (no GPU build host)")
    for failure in failures:
        print(f"smoke test (level {args.level}) FAILED: {failure}", file=sys.stderr)
    if not failures:
        print(f"smoke test (level {args.level}) passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
