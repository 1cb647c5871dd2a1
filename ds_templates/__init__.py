"""Ten-line stacks data scientists copy (``platform new KIND NAME`` writes a project from them).

Each module holds one stack class whose body is the whole of what a data scientist writes.
``EXAMPLE_STACKS`` maps the example app's stack ids to them.

The modules load on first use (``from ds_templates.endpoint import ModelEndpointStack`` imports the endpoint's
constructs only, not Batch's and training's: issue 19's profile found the endpoint stack paying for every other
template's imports).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_cdk import Stack

    from ds_templates.batch import BatchStack
    from ds_templates.endpoint import ModelEndpointStack
    from ds_templates.training import TrainingStack

    EXAMPLE_STACKS: dict[str, type[Stack]]

_STACKS = {
    "prod-rec-model": ("ds_templates.endpoint", "ModelEndpointStack"),
    "recs-batch": ("ds_templates.batch", "BatchStack"),
    "recs-training": ("ds_templates.training", "TrainingStack"),
}
"""The example app's stack ids -> (module, class), in the app's order."""

__all__ = ["EXAMPLE_STACKS", "BatchStack", "ModelEndpointStack", "TrainingStack"]


def __getattr__(name: str) -> Any:
    if name == "EXAMPLE_STACKS":
        stacks = {stack_id: getattr(importlib.import_module(module), cls)
                  for stack_id, (module, cls) in _STACKS.items()}
        globals()[name] = stacks
        return stacks
    for module, cls in _STACKS.values():
        if cls == name:
            return getattr(importlib.import_module(module), cls)
    raise AttributeError(f"module 'ds_templates' has no attribute {name!r}")
