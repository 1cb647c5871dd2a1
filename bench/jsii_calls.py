"""Count the Python -> Node (jsii) messages of one process: the bench's jsii call counter.

Every call a Python CDK program makes into aws-cdk-lib crosses a pipe to jsii's Node process as one JSON request
(``jsii._kernel.providers.process._NodeProcess.send``, jsii 1.142): ``create`` (a new object), ``invoke`` /
``sinvoke`` (a method, static method), ``get`` / ``sget`` / ``set`` / ``sset`` (a property), and ``complete``
(the answer to a callback: Node calling a Python override, e.g. a validation plugin or ``Lazy``), plus ``load`` (one
per jsii assembly) and ``del`` (garbage). This module wraps that one method, in the bench's own process only (the
library never imports it), and writes the counts at exit::

    python -c "import bench.jsii_calls as c; c.install('counts.json'); ...the synth script..."

``calls`` — the figure the bench compares — is what Python starts: create + invoke + sinvoke + get + sget + set +
sset (``load`` is per assembly imported and ``complete`` is Node's, both reported apart). With
``sites=True`` each call is also attributed to the first frame outside jsii and aws-cdk-lib's generated bindings
(file:line), which is how the profile behind issue 19 was read.
"""

from __future__ import annotations

import atexit
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PYTHON_STARTED = ("create", "invoke", "sinvoke", "get", "sget", "set", "sset")
"""The request kinds Python starts (the bench's ``calls``)."""

_KINDS = {
    "CreateRequest": "create", "InvokeRequest": "invoke", "StaticInvokeRequest": "sinvoke", "GetRequest": "get",
    "StaticGetRequest": "sget", "SetRequest": "set", "StaticSetRequest": "sset", "_CompleteRequest": "complete",
    "CompleteRequest": "complete", "LoadRequest": "load", "DeleteRequest": "del", "BeginRequest": "begin",
    "StaticBeginRequest": "sbegin", "EndRequest": "end", "CallbacksRequest": "callbacks", "StatsRequest": "stats",
    "GetScriptCommandRequest": "script",
}
_SKIP_PATHS = ("/jsii/", "/aws_cdk/", "/constructs/", "/cdk_nag/", "/publication/", "/typeguard/", "/functools.py")

kinds: Counter[str] = Counter()
sites: Counter[str] = Counter()
phases: dict[str, Counter[str]] = {}
_phase: list[str] = ["import"]


def _site() -> str:
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not any(part in name for part in _SKIP_PATHS):
            return f"{name}:{frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return "?"


def phase(name: str) -> None:
    """Attribute the following calls to ``name`` (e.g. ``construct`` before building, ``synth`` before
    ``app.synth()``)."""
    _phase[0] = name


def summary() -> dict[str, Any]:
    """The counts so far: ``calls`` (Python-started), per kind, per phase, and the top call sites."""
    return {
        "calls": sum(kinds[k] for k in PYTHON_STARTED),
        "callbacks": kinds["complete"],
        "loads": kinds["load"],
        "messages": sum(kinds.values()),
        "kinds": dict(sorted(kinds.items())),
        "phases": {name: {"calls": sum(c[k] for k in PYTHON_STARTED), "callbacks": c["complete"]}
                   for name, c in phases.items()},
        "sites": dict(sites.most_common()),
    }


def install(out: str | None = None, *, record_sites: bool = False) -> None:
    """Wrap jsii's message send (before ``aws_cdk`` is imported or after: the class is patched) and, if ``out`` is
    given, write :func:`summary` there as JSON when the process exits."""
    from jsii._kernel.providers import process

    original = process._NodeProcess.send
    if getattr(original, "__bench_counter__", False):
        return

    def send(self: Any, request: Any, response_type: Any) -> Any:
        kind = _KINDS.get(type(request).__name__, type(request).__name__)
        kinds[kind] += 1
        phases.setdefault(_phase[0], Counter())[kind] += 1
        if record_sites and kind in PYTHON_STARTED:
            sites[f"{kind} {_site()}"] += 1
        return original(self, request, response_type)

    send.__bench_counter__ = True  # type: ignore[attr-defined]
    process._NodeProcess.send = send  # type: ignore[method-assign]
    if out is not None:
        target = Path(out)
        atexit.register(lambda: target.write_text(json.dumps(summary(), indent=2) + "\n"))
