"""``make bench``: every target of issue 19, measured in one run, with the ratio to its target.

    .venv/bin/python bench/run.py [--rounds 5] [--scale-rounds 1] [--stacks 100] [--slow] [--ci]

What it runs (each synth in a fresh Python process, as ``cdk synth`` runs ``app.py``; see :mod:`bench.measure`):

* **Rounds** of three synths back to back, the order rotating each round: the empty app (the floor), the seed
  endpoint stack (``ds_templates/endpoint.py``, every check of the gate) and the same resources written by hand
  (:mod:`bench.handwritten`, the same four cdk-nag packs). Ratios are the median of the per-round ratios.
* The **jsii calls** (Python -> Node requests, :mod:`bench.jsii_calls`) of the seed and the hand-written stack.
* **Scaling**: an app of one seed stack and one of ``--stacks`` (100), alternately.
* **platform-check** over the large app's templates, in one process, with all its tools.
* ``--slow``: ``make demo`` warm (one run to warm up, then the timed one) and the full test suite (``make test``'s
  command). ``--ci``: ``CI=true bash .ci/run`` on a clean clone of this repository, setup included (pip and npm
  install from their registries: minutes).

Prints a table of every target (measured, target, measured / target) and writes ``bench/results/<date>.json`` and
``bench/results/latest.md``. The machine (cores, memory, load average before and after) is recorded with them: the
ratios are meaningful on a quiet machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import ROOT, Series, environment, paired_cpu_ratio, paired_ratio, run_once

RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
FLOOR = "Stack(app, 'Empty')"
SEED = "from ds_templates.endpoint import ModelEndpointStack\nModelEndpointStack(app, 'ds-000')"
HANDWRITTEN = ("from bench.handwritten import HandwrittenEndpointStack, apply_nag_packs\napply_nag_packs(app)\n"
               "HandwrittenEndpointStack(app, 'ds-000')")


def scale_body(n: int) -> str:
    return f"from ds_templates.endpoint import ModelEndpointStack\nfor i in range({n}):\n" \
           f"    ModelEndpointStack(app, f'ds-{{i:03d}}')"


def synth_command(body: str, outdir: Path, *, count_to: Path | None = None) -> list[str]:
    """``python -c`` of an app with ``body`` synthesized into ``outdir``; with ``count_to``, its jsii calls are
    counted (per phase: import, construct, synth) and written there."""
    lines = ["import bench.jsii_calls as _calls", f"_calls.install({str(count_to)!r})"] if count_to else []
    lines += ["from aws_cdk import App, Stack"]
    lines += ["_calls.phase('construct')"] if count_to else []
    lines += [f"app = App(outdir={str(outdir)!r})", body]
    lines += ["_calls.phase('synth')"] if count_to else []
    lines += ["app.synth()"]
    return [PYTHON, "-c", "\n".join(lines)]


@dataclass(frozen=True)
class Target:
    name: str
    measured: float | None
    limit: float
    unit: str
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if self.measured is None else self.measured / self.limit

    @property
    def status(self) -> str:
        if self.measured is None:
            return "not measured"
        return "met" if self.measured <= self.limit else "NOT MET"

    def row(self) -> str:
        measured = "-" if self.measured is None else f"{self.measured:.2f}{self.unit}"
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}"
        return f"  {self.name:<48} {measured:>10}  <= {self.limit:g}{self.unit:<3} {ratio:>6}  {self.status:<12} " \
               f"{self.note}"

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "measured": self.measured, "limit": self.limit, "unit": self.unit,
                "ratio": self.ratio, "status": self.status, "note": self.note}


def _print(series: Series) -> None:
    last = series.samples[-1]
    print(f"  {series.name:<44} {last.wall_s:7.2f} s wall {last.cpu_s:7.2f} s cpu {last.peak_mib:6.0f} MiB", flush=True)


def alternate(scenarios: list[tuple[Series, Callable[[int], list[str]]]], rounds: int) -> None:
    """``rounds`` rounds of every scenario back to back, the order rotating each round (drift cancels)."""
    for index in range(rounds):
        print(f" round {index + 1}/{rounds}", flush=True)
        shift = index % len(scenarios)
        for series, command in scenarios[shift:] + scenarios[:shift]:
            series.samples.append(run_once(command(index)))
            _print(series)


def count_calls(work: Path) -> dict[str, dict[str, Any]]:
    counts: dict[str, dict[str, Any]] = {}
    for name, body in (("seed", SEED), ("handwritten", HANDWRITTEN)):
        out = work / f"calls-{name}.json"
        run_once(synth_command(body, work / f"calls-{name}", count_to=out))
        counts[name] = json.loads(out.read_text())
        phases = counts[name]["phases"]
        print(f"  jsii calls {name:<12} {counts[name]['calls']:5} (callbacks {counts[name]['callbacks']}; "
              f"phases {phases})", flush=True)
    return counts


def platform_check(directory: Path, templates: int) -> Series:
    series = Series(f"platform-check over {templates} templates")
    series.samples.append(run_once([str(ROOT / ".venv" / "bin" / "platform-check"), str(directory)]))
    series.detail = f"{series.wall_s / templates:.3f} s per template"
    _print(series)
    return series


def demo_warm() -> Series:
    series = Series("make demo (warm)")
    command = [PYTHON, "-m", "platform_constructs.cli.demo"]
    run_once(command)  # warm-up: caches, bytecode, the emulator's first start
    series.samples.append(run_once(command))
    _print(series)
    return series


def test_suite() -> Series:
    series = Series("make test (pytest -n 2 --dist loadgroup)")
    series.samples.append(run_once([PYTHON, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q",
                                    "-p", "no:cacheprovider"]))
    _print(series)
    return series


def ci_clean_clone(work: Path) -> Series:
    series = Series("CI=true bash .ci/run (clean clone, setup included)")
    clone = work / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "JSII_NODE", "VIRTUAL_ENV")}
    series.samples.append(run_once(["bash", ".ci/run"], cwd=clone, env={**env, "CI": "true"}))
    _print(series)
    return series


def machine() -> dict[str, object]:
    memory = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0)
    return {"host": platform.node(), "cores": os.cpu_count(), "memory_mib": memory,
            "python": platform.python_version(), "load_before": [round(x, 2) for x in os.getloadavg()],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of floor / seed / hand-written (default 5)")
    parser.add_argument("--scale-rounds", type=int, default=1, help="rounds of 1 stack / N stacks (default 1)")
    parser.add_argument("--stacks", type=int, default=100, help="stacks in the large app (default 100)")
    parser.add_argument("--slow", action="store_true", help="also time make demo (warm) and the test suite")
    parser.add_argument("--ci", action="store_true", help="also time CI on a clean clone (installs from registries)")
    args = parser.parse_args(argv)
    os.environ.update(environment())
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    info = machine()
    print(f"benchmarks on {info['host']}: {info['cores']} cores, {info['memory_mib']} MiB, Python {info['python']}, "
          f"load average {info['load_before']}", flush=True)

    floor, seed, hand = Series("empty app (floor)"), Series("seed endpoint stack"), Series("hand-written stack")
    seed.detail, hand.detail = "ds_templates.endpoint.ModelEndpointStack", "bench.handwritten.HandwrittenEndpointStack"
    alternate([(floor, lambda i: synth_command(FLOOR, work / f"floor-{i}")),
               (seed, lambda i: synth_command(SEED, work / f"seed-{i}")),
               (hand, lambda i: synth_command(HANDWRITTEN, work / f"hand-{i}"))], args.rounds)
    counts = count_calls(work)
    one, many = Series("app of 1 stack"), Series(f"app of {args.stacks} stacks")
    alternate([(one, lambda i: synth_command(scale_body(1), work / f"one-{i}")),
               (many, lambda i: synth_command(scale_body(args.stacks), work / f"many-{i}"))], args.scale_rounds)
    large = work / f"many-{args.scale_rounds - 1}"
    check = platform_check(large, len(list(large.glob("*.template.json"))))
    series = [floor, seed, hand, one, many, check]
    demo = demo_warm() if args.slow else None
    tests = test_suite() if args.slow else None
    ci = ci_clean_clone(work) if args.ci else None
    series += [s for s in (demo, tests, ci) if s is not None]

    seed_calls, hand_calls = int(counts["seed"]["calls"]), int(counts["handwritten"]["calls"])
    templates = len(list(large.glob("*.template.json")))
    targets = [
        Target("seed stack / hand-written (alternating)", paired_ratio(seed, hand), 0.95, "x",
               f"CPU {paired_cpu_ratio(seed, hand):.2f}x; medians {seed.wall_s:.2f} s / {hand.wall_s:.2f} s"),
        Target("jsii calls: seed / hand-written", seed_calls / hand_calls, 1.0, "x",
               f"{seed_calls} vs {hand_calls} calls (target: fewer)"),
        Target(f"app of {args.stacks} stacks / app of 1", paired_ratio(many, one), 4.0, "x",
               f"{many.wall_s:.1f} s / {one.wall_s:.2f} s"),
        Target("platform-check per template (one process)", check.wall_s / templates, 0.3, " s",
               f"{check.wall_s:.1f} s over {templates} templates"),
        Target("make test", tests.wall_s if tests else None, 180, " s", "" if tests else "--slow"),
        Target("CI=true bash .ci/run, clean clone", ci.wall_s if ci else None, 420, " s", "" if ci else "--ci"),
        Target("make demo, warm", demo.wall_s if demo else None, 60, " s", "" if demo else "--slow"),
        Target("seed stack / empty floor (no regression)", paired_ratio(seed, floor), 2.0, "x",
               f"CPU {paired_cpu_ratio(seed, floor):.2f}x"),
    ]
    info["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\ntargets (load average before {info['load_before']}, after {info['load_after']}):")
    print(f"  {'target':<48} {'measured':>10}  {'limit':<9} {'ratio':>6}  status")
    for target in targets:
        print(target.row())
    print(f"  context: hand-written / floor {paired_ratio(hand, floor):.2f}x; seed - hand-written "
          f"{seed.wall_s - hand.wall_s:+.2f} s wall, {seed.cpu_s - hand.cpu_s:+.2f} s CPU (medians)")

    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"machine": info, "targets": [t.as_dict() for t in targets], "series": [s.as_dict() for s in series],
              "jsii_calls": counts, "rounds": args.rounds, "scale_rounds": args.scale_rounds}
    dated = RESULTS / f"{time.strftime('%Y-%m-%d', time.gmtime())}.json"
    dated.write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"Measured {info['date']} on {info['host']} ({info['cores']} cores, {info['memory_mib']} MiB, Python "
             f"{info['python']}; load average {info['load_before']} before, {info['load_after']} after).", "",
             "| target | measured | target | status | note |", "| --- | ---: | ---: | --- | --- |"]
    lines += [f"| {t.name} | {'-' if t.measured is None else f'{t.measured:.2f}{t.unit}'} | ≤ {t.limit:g}{t.unit} | "
              f"{t.status} | {t.note} |" for t in targets]
    lines += ["", "| scenario | wall (s) | CPU (s) | peak memory (MiB) | runs | note |",
              "| --- | ---: | ---: | ---: | ---: | --- |"]
    lines += [f"| {s.name} | {s.wall_s:.2f} | {s.cpu_s:.2f} | {s.peak_mib:.0f} | {len(s.samples)} | {s.detail} |"
              for s in series]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    print(f"\nwrote {dated.relative_to(ROOT)} and {(RESULTS / 'latest.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
