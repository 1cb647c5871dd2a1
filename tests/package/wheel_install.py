"""The built wheel installed into a fresh virtualenv outside the repository (shared by the tests that need it).

The venv gets the wheel and its declared dependencies from the package index (pip's cache and the configured
find-links make that fast); nothing of the repository is importable in it. Built once per test session, even when
xdist spreads the tests over workers (a lock and a marker file in the session's shared temporary directory).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # tests/package/ -> the repository
NODE_BIN = ROOT / "node_modules" / ".bin"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    work: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def env(self) -> dict[str, str]:
        """The venv's environment: nothing of the repository, and Python writing bytecode as it imports (this
        machine sets PYTHONDONTWRITEBYTECODE, a user's does not): the venv was installed without compiling, so each
        process would otherwise compile aws-cdk-lib's modules from source again."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
        env["PATH"] = os.pathsep.join([str(self.venv / "bin"), str(NODE_BIN), env.get("PATH", "")])
        env["JSII_NODE"] = str(NODE_BIN / "node")
        env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
        env["CDK_HOME"] = str(self.work / ".cdk-home")
        return env

    def run(self, command: Sequence[str], cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(command), cwd=cwd, env=self.env(), capture_output=True, text=True,
                              timeout=timeout, check=False)


def _run(command: Sequence[str], cwd: Path) -> None:
    done = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def install_wheel(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Built and installed once per test session, even when xdist spreads these tests over workers."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if "PYTEST_XDIST_WORKER" in os.environ else base  # common to this session's workers
    work = shared / "wheel"
    work.mkdir(exist_ok=True)
    dist, venv = work / "dist", work / "venv"
    with (shared / "wheel.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (work / "ready").exists():
            _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)], work)
            # A venv without its own pip (ensurepip costs ~20 s here); this pip installs into it. No bytecode
            # compilation of aws-cdk-lib up front: modules compile when first imported.
            _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
            (wheel,) = dist.glob("platform_constructs-*.whl")
            _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                  "--disable-pip-version-check", "--no-compile", str(wheel)], work)
            (work / "ready").touch()
    (wheel,) = dist.glob("platform_constructs-*.whl")
    return Installed(wheel, venv, work)
