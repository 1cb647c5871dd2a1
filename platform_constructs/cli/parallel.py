"""``platform-check`` over many templates at once: forked workers that inherit the checkers the parent loaded.

cfn-lint is pure Python and most of a check's time (its schemas, rules and the rule pack load once, in the
parent); one process checks one template at a time on one core. :func:`ordered_map` forks ``jobs`` workers after
everything is loaded, so each starts with the checkers in memory (copy-on-write, nothing loaded twice), checks
templates as they come free and hands back the results in the templates' order.

The workers are forked before anything else starts: ``platform-check`` then runs cdk-nag and cfn-guard (the jsii
runtime, Node) in the parent while the workers check, so the two kinds of work share the CPUs.

Forking is safe only in a process that runs one thread (a forked child keeps only the forking thread, and a lock
another thread held stays locked there), and exists only where the platform has ``fork`` (not Windows). Elsewhere
— and for fewer than two templates or ``jobs=1`` — the templates are checked one after the other in this process,
with the same results.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_WORK: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []
"""What the forked workers run (set in the parent just before the fork; workers read their inherited copy)."""


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether workers may be forked from this process now (``fork`` exists and only this thread runs)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _run(index: int) -> Any:
    assert _WORK, "a worker forked without work"
    function, items = _WORK[-1]
    return function(items[index])


def ordered_map(function: Callable[[T], R], items: Sequence[T], *, jobs: int) -> Iterator[R]:
    """``function`` of each item, in the items' order: by up to ``jobs`` forked workers where :func:`can_fork`,
    else here, one after the other, as the results are read. ``function`` may be a closure (the workers inherit
    it; only each item's index and its result cross between processes, so results must pickle). An exception in
    ``function`` is raised where the results are read.

    The workers are forked by this call, before it returns: what the caller does next (start the jsii runtime,
    threads) is not in them, and runs beside them."""
    workers = min(jobs, len(items))
    if workers < 2 or not can_fork():
        return (function(item) for item in items)
    _WORK.append((function, items))
    pool = multiprocessing.get_context("fork").Pool(workers)
    return _results(pool, pool.imap(_run, range(len(items))))


def _results(pool: Any, results: Iterator[R]) -> Iterator[R]:
    try:
        yield from results
    finally:
        pool.terminate()
        _WORK.pop()
