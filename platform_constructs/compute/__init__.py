"""AWS Batch compute: :class:`BatchComputeEnv` (CPU/GPU/Fargate jobs, Metaflow ``@batch``) and
:class:`GpuTrainingCluster` (GPU training with hard GPU and hour budgets), on one base
(:mod:`~platform_constructs.compute.base`).

One resource family per module: ``plan/`` (pure: arguments + policy -> frozen settings and the capacity/GPU
plan; ``common``, ``batch``, ``training``), ``checks`` (pure synth-time re-verification), ``iam``,
``launch_template``, ``queue`` (compute environments, job queues, scheduling policy), ``job_definition``,
``monitoring``, ``metaflow`` and ``scratch``.

The constructs load on first use (they import ``aws_cdk``, which starts a Node process), so the pure modules
import without jsii.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platform_constructs.compute.batch import BatchComputeEnv
    from platform_constructs.compute.training import GpuTrainingCluster

_LAZY = {
    "BatchComputeEnv": "platform_constructs.compute.batch",
    "GpuTrainingCluster": "platform_constructs.compute.training",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'platform_constructs.compute' has no attribute {name!r}")


__all__ = ["BatchComputeEnv", "GpuTrainingCluster"]
