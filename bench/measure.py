"""How the bench measures one command: wall time, CPU time and peak memory of its whole process tree.

Each scenario runs in a fresh process (as ``cdk synth`` runs ``app.py``): Python plus the Node process jsii starts.
Wall time is what a user waits; CPU time (user + system of the command and every descendant it waited for, from
``getrusage(RUSAGE_CHILDREN)``) moves less with the machine's load, so the bench reports both. Peak memory is the
largest sum of the tree's resident sets, sampled every 50 ms from ``/proc``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / "node_modules" / ".bin"


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    wall_s: float
    cpu_s: float
    peak_mib: float


@dataclass
class Series:
    """The runs of one scenario, in the order they ran."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    detail: str = ""

    @property
    def wall_s(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    @property
    def cpu_s(self) -> float:
        return statistics.median(s.cpu_s for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return statistics.median(s.peak_mib for s in self.samples)

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "detail": self.detail, "runs": len(self.samples), "wall_s": round(self.wall_s, 3),
                "cpu_s": round(self.cpu_s, 3), "peak_mib": round(self.peak_mib), "samples": [
                    {"wall_s": round(s.wall_s, 3), "cpu_s": round(s.cpu_s, 3), "peak_mib": round(s.peak_mib)}
                    for s in self.samples]}


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The project's toolchain: Node 22 from node_modules for jsii and the CLI, the repository on PYTHONPATH."""
    env = dict(os.environ)
    env["PATH"] = f"{NODE_BIN}:{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    env["JSII_NODE"] = str(NODE_BIN / "node")
    env["PYTHONPATH"] = str(ROOT)
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    env.update(extra or {})
    return env


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (KiB), read from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, StopIteration, PermissionError):
            continue
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(cmd: Sequence[str], *, cwd: Path = ROOT, env: Mapping[str, str] | None = None,
             timeout: float = 3600) -> Sample:
    """Run ``cmd`` to completion; raise with its stderr's tail when it fails."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env or environment()), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, stderr = proc.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return Sample(wall_s=wall, cpu_s=_children_cpu() - cpu_before, peak_mib=peak / 1024)


def paired_ratio(numerator: Series, denominator: Series) -> float:
    """The median of the per-round ratios of two series measured alternately (round i of each ran back to back)."""
    return statistics.median(a.wall_s / b.wall_s for a, b in zip(numerator.samples, denominator.samples, strict=True))


def paired_cpu_ratio(numerator: Series, denominator: Series) -> float:
    return statistics.median(a.cpu_s / b.cpu_s for a, b in zip(numerator.samples, denominator.samples, strict=True))
