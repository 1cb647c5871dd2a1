"""platform-check's forked workers (cli/parallel.py): results in order, from other processes where forking is safe,
here otherwise, and the same report either way."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from platform_constructs.cli import parallel
from platform_constructs.testing import SynthResult

ROOT = Path(__file__).resolve().parents[2]

FORKED = """
import json, os, sys
from platform_constructs.cli import parallel
offset = 10  # a closure: the workers inherit it
def work(item):
    return item + offset, os.getpid()
print(json.dumps({"can_fork": parallel.can_fork(), "parent": os.getpid(),
                  "results": list(parallel.ordered_map(work, list(range(20)), jobs=2))}))
"""


def test_workers_are_forked_processes_and_results_keep_the_order() -> None:
    done = subprocess.run([sys.executable, "-c", FORKED], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    report = json.loads(done.stdout)
    assert report["can_fork"] is True
    assert [value for value, _ in report["results"]] == list(range(10, 30))
    assert report["parent"] not in {pid for _, pid in report["results"]}


def test_with_another_thread_running_the_work_stays_in_this_process() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert parallel.can_fork() is False
        assert list(parallel.ordered_map(lambda item: (item * 2, os.getpid()), [1, 2, 3], jobs=4)) == [
            (2, os.getpid()), (4, os.getpid()), (6, os.getpid())]
    finally:
        stop.set()
        other.join()


def test_an_error_in_the_work_is_raised_to_the_caller() -> None:
    def fail(item: int) -> int:
        raise ValueError(f"bad item {item}")

    with pytest.raises(ValueError, match="bad item 1"):
        list(parallel.ordered_map(fail, [1, 2], jobs=1))


@pytest.mark.slow
def test_the_report_is_the_same_with_one_job_and_with_workers(example_app: SynthResult, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "platform-check"
    templates = [str(example_app.template_path(name)) for name in ("platform-network", "prod-rec-model")]
    outputs = []
    for jobs in ("1", "2"):
        sarif = tmp_path / f"report-{jobs}.sarif"
        done = subprocess.run([str(script), *templates, "--jobs", jobs, "--sarif", str(sarif), "--show-acknowledged"],
                              capture_output=True, text=True, check=False, timeout=600)
        assert done.returncode == 0, done.stderr
        timing = re.compile(r"\d+\.\d+ s")
        outputs.append((done.stdout, timing.sub("", done.stderr), sarif.read_text()))
    assert outputs[0] == outputs[1]
    assert "[2/2]" in outputs[1][1] and "acknowledged" in outputs[1][0]
