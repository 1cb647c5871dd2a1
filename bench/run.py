"""Benchmarks: synth speed against the empty-app floor, scaling to 100 stacks, platform-check, test suite.

Prints a table and writes ``bench/results/latest.json`` and ``bench/results/latest.md``. Each scenario
runs in a fresh Python process (as ``cdk synth`` does), measuring wall time and the peak resident memory
of the whole process tree (Python + the jsii Node process); the median of ``--runs`` runs is reported.

    .venv/bin/python bench/run.py [--runs 3] [--skip-tests] [--sizes 1,10,50,100]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
NODE_BIN = ROOT / "node_modules" / ".bin"


@dataclass
class Measurement:
    name: str
    wall_s: float
    peak_mib: float
    runs: int
    detail: str = ""


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (KiB), read from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError, StopIteration, PermissionError):
            continue
    return total


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{NODE_BIN}:{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    env["JSII_NODE"] = str(NODE_BIN / "node")
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_once(cmd: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak MiB of one command (process tree sampled every 20 ms)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**_env(), **(extra_env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return wall, peak / 1024


def measure(name: str, cmd: list[str], runs: int, *, cwd: Path = ROOT, detail: str = "",
            extra_env: dict[str, str] | None = None) -> Measurement:
    samples = [run_once(cmd, cwd, extra_env) for _ in range(runs)]
    m = Measurement(name, statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
                    runs, detail)
    print(f"  {name:<42} {m.wall_s:8.2f} s {m.peak_mib:9.0f} MiB  (median of {runs})", flush=True)
    return m


def synth_script(body: str, outdir: Path) -> list[str]:
    code = "\n".join(["from aws_cdk import App, Stack", f"app = App(outdir={str(outdir)!r})", body, "app.synth()"])
    return [sys.executable, "-c", code]


def scale_body(n: int, stack_ref: str) -> str:
    module, cls = stack_ref.rsplit(".", 1)
    return f"from {module} import {cls}\nfor i in range({n}):\n    {cls}(app, f'ds-{{i:03d}}')"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median reported)")
    parser.add_argument("--sizes", default="1,10,50,100", help="app sizes (number of data-scientist stacks)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the full test suite")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.update(_env())  # the import below starts jsii: give it the project's Node 22
    from ds_templates import EXAMPLE_STACKS

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    results: list[Measurement] = []
    print(f"benchmarks on {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()})")
    floor = measure("empty app (floor)", synth_script("Stack(app, 'Empty')", work / "empty"), args.runs)
    results.append(floor)
    for stack_id, stack_class in EXAMPLE_STACKS.items():
        ref = f"{stack_class.__module__}.{stack_class.__name__}"
        results.append(measure(f"ten-line stack {stack_id}", synth_script(scale_body(1, ref), work / stack_id),
                               args.runs, detail=ref))
    seed = next((f"{c.__module__}.{c.__name__}" for c in EXAMPLE_STACKS.values() if c.__module__.endswith("endpoint")),
                None)
    if seed:  # what CDK's own built-in CloudFormation template validation costs (our gate still runs)
        results.append(measure("seed stack, CDK built-in validation off", synth_script(scale_body(1, seed),
                               work / "seed-no-builtin"), args.runs, detail="CDK_VALIDATION=false",
                               extra_env={"CDK_VALIDATION": "false"}))
    scale_ref = seed or next((f"{c.__module__}.{c.__name__}" for c in EXAMPLE_STACKS.values()), None)
    sizes = [int(s) for s in args.sizes.split(",")] if scale_ref else []
    scale: dict[int, Measurement] = {}
    for n in sizes:
        assert scale_ref is not None
        runs = args.runs if n <= 10 else max(1, min(args.runs, 2))
        scale[n] = measure(f"app of {n} stacks", synth_script(scale_body(n, scale_ref), work / f"scale-{n}"), runs,
                           detail=scale_ref)
        results.append(scale[n])
    largest = work / f"scale-{max(sizes, default=0)}"
    templates = sorted(largest.glob("*.template.json"))
    check = ROOT / ".venv" / "bin" / "platform-check"
    if check.exists() and templates:
        m = measure(f"platform-check over {len(templates)} templates", [str(check), str(largest)], args.runs)
        m.detail = f"{m.wall_s / len(templates):.3f} s per template"
        results.append(m)
    if not args.skip_tests:
        results.append(measure("full test suite (make test)", ["make", "test"], 1))

    ratios: dict[str, float] = {}
    if seed:
        seed_m = next(r for r in results if r.detail == seed and r.name.startswith("ten-line"))
        ratios["seed endpoint stack / empty floor"] = seed_m.wall_s / floor.wall_s
    if 1 in scale and max(sizes, default=0) > 1:
        ratios[f"app of {max(sizes)} stacks / app of 1"] = scale[max(sizes)].wall_s / scale[1].wall_s
    for r in results:
        if r.name.startswith(("ten-line", "app of")):
            ratios.setdefault(f"{r.name} / floor", r.wall_s / floor.wall_s)
    print("\nratios:")
    for key, value in ratios.items():
        print(f"  {key:<50} {value:6.2f}x")

    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = {"host": platform.node(), "cores": os.cpu_count(), "python": platform.python_version(),
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    (RESULTS / "latest.json").write_text(json.dumps(
        {"machine": machine, "results": [asdict(r) for r in results], "ratios": ratios}, indent=2) + "\n")
    lines = [f"Measured {machine['date']} on {machine['host']} ({machine['cores']} cores, Python {machine['python']}).",
             "", "| scenario | wall (s) | peak memory (MiB) | runs | note |", "| --- | ---: | ---: | ---: | --- |"]
    lines += [f"| {r.name} | {r.wall_s:.2f} | {r.peak_mib:.0f} | {r.runs} | {r.detail} |" for r in results]
    lines += ["", "| ratio | value |", "| --- | ---: |"]
    lines += [f"| {k} | {v:.2f}x |" for k, v in ratios.items()]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    print(f"\nwrote {RESULTS / 'latest.json'} and {RESULTS / 'latest.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
