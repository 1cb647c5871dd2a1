"""Every construct's runtime-call table, run against a local deploy, and the summary of what they did."""


from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.compute.runtime_calls import TABLES as COMPUTE
from platform_constructs.images.runtime_calls import TABLES as IMAGES
from platform_constructs.local.emulator import Emulator
from platform_constructs.local.runtime.runner import CallResult, Runner
from platform_constructs.network_runtime_calls import TABLES as NETWORK
from platform_constructs.runtime_calls import RuntimeTable
from platform_constructs.serving.runtime_calls import TABLES as SERVING

TABLES: tuple[RuntimeTable, ...] = (*NETWORK, *IMAGES, *SERVING, *COMPUTE)
"""Every construct's table (the golden images' first: their builds publish the images the others pull)."""


def run(emulator: Emulator, templates: Mapping[str, Mapping[str, Any]],
        tables: Sequence[RuntimeTable] = TABLES) -> list[CallResult]:
    """Every declared call of ``tables`` in the deployed ``templates`` (synthesized, not adapted; deploy order)."""
    return Runner(emulator, templates).run(tables)


def run_on_deployment(emulator: Emulator, assembly: Path, stacks: Sequence[str]) -> dict[str, list[CallResult]]:
    """Every table on the deployed ``stacks`` of the synthesized ``assembly``: stack -> its calls' results."""
    templates = {s: json.loads((assembly / f"{s}.template.json").read_text(encoding="utf-8"))
                 for s in stacks if (assembly / f"{s}.template.json").exists()}
    results = run(emulator, templates)
    return {s: [r for r in results if r.stack == s] for s in stacks}


@dataclass(frozen=True)
class Tally:
    allowed: int
    """Declared calls that were allowed (of ``allow_declared``)."""
    allow_declared: int
    denied: int
    """Declared negative calls that were denied (of ``deny_declared``)."""
    deny_declared: int


def tally(results: Sequence[CallResult]) -> Tally:
    allow = [r for r in results if r.expect == "allow"]
    deny = [r for r in results if r.expect == "deny"]
    return Tally(allowed=sum(r.outcome == "allowed" for r in allow), allow_declared=len(allow),
                 denied=sum(r.outcome == "denied" for r in deny), deny_declared=len(deny))


def report_lines(results: Sequence[CallResult]) -> list[str]:
    """The summary's runtime section: calls decided on the template, known gaps, calls that misbehaved."""
    lines: list[str] = []
    on_template = sum(r.source.startswith("template") for r in results)
    if on_template:
        lines.append(f"({on_template} of {len(results)} runtime calls decided on the template: the emulator cannot "
                     "evaluate them; README, 'Deploying locally')")
    gaps = [r for r in results if r.ok and not r.behaved]
    if gaps:
        lines.append("\nKnown gaps (runtime calls that behave the wrong way until their issue is fixed):")
        lines += [f"  {r}" for r in gaps]
    failed = [r for r in results if not r.ok]
    if failed:
        lines.append("\nRuntime calls that did not behave as declared:")
        lines += [f"  {r}" for r in failed]
    return lines
