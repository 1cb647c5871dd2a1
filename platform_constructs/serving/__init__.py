"""Serving: :class:`SecureModelEndpoint` and :class:`ModelVariant`.

One resource family per module: ``settings`` (pure validation and defaults, with ``checks``, ``arguments``,
``variants``, ``frameworks``, ``deployment`` and ``notices``), ``iam`` (execution role), ``containers`` (image URIs),
``resources`` (models, endpoint configuration, endpoint), ``alarms``, ``autoscaling``, ``dashboard``, ``monitoring``
(the metric factory) and ``names`` (what the endpoint checks of its scope); ``endpoint`` composes them. The
construct loads on first use (it imports ``aws_cdk``, which starts a Node process), so
``platform_constructs.serving.settings`` stays importable without one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from platform_constructs.serving.variants import ModelVariant

if TYPE_CHECKING:
    from platform_constructs.serving.endpoint import SecureModelEndpoint

__all__ = ["ModelVariant", "SecureModelEndpoint"]


def __getattr__(name: str) -> Any:
    if name == "SecureModelEndpoint":
        return importlib.import_module("platform_constructs.serving.endpoint").SecureModelEndpoint
    raise AttributeError(f"module 'platform_constructs.serving' has no attribute {name!r}")
