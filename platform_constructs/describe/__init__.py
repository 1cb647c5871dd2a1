"""What was built, how to use it, what it costs — read from synthesized templates (pure: no ``aws_cdk``).

* :mod:`.model`: :func:`read_stack` — a template's resources grouped by platform construct and read as endpoints,
  Batch compute, golden images and networks, plus what must be deployed first;
* :mod:`.cost`: the estimated monthly cost range at the policy's ``prices:``;
* :mod:`.render`: the text of ``platform describe cdk.out`` and the one line per stack printed at synth;
* :func:`read_assembly`: every stack of a cloud assembly directory.
"""

from __future__ import annotations

import json
from pathlib import Path

from platform_constructs.describe.cost import Cost, by_cost_center, construct_cost, cost_range, stack_cost
from platform_constructs.describe.model import StackSummary, read_stack
from platform_constructs.describe.render import describe_all, describe_stack, one_line

__all__ = [
    "Cost",
    "StackSummary",
    "by_cost_center",
    "construct_cost",
    "cost_range",
    "describe_all",
    "describe_stack",
    "one_line",
    "read_assembly",
    "read_stack",
    "stack_cost",
]


def read_assembly(directory: str | Path) -> list[StackSummary]:
    """Every ``*.template.json`` of a cloud assembly (nested assemblies included, asset folders left out)."""
    root = Path(directory)
    summaries = []
    for path in sorted(root.rglob("*.template.json")):
        if any(part.startswith("asset.") for part in path.relative_to(root).parts):
            continue
        template = json.loads(path.read_text(encoding="utf-8"))
        summaries.append(read_stack(path.name.removesuffix(".template.json"), template))
    return summaries
