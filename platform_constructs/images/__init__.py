"""Golden images: the Level 0 → 1 → 2 pipeline, its dependency policy, and the one reading of image URIs.

* :class:`GoldenImagePipeline` (:mod:`.pipeline`) and :class:`ImageLevel` (:mod:`.level`): the construct.
* :func:`pipeline_settings` / :func:`project_settings` (:mod:`.settings`): its arguments validated, pure.
* :mod:`.lineages`: training and inference images, GPU and CPU, and which one serves which consumer, pure.
* :mod:`.dependencies`: the dependency policy (lock files with hashes, the base's pins, the allowed packages, no
  VCS/URL installs, no Level 1 redefinitions), pure.
* :mod:`.uri`: parsing, approving and turning image URIs into repository ARNs, pure; :mod:`.defaults` the CDK
  side (the default image of each purpose and instance type, the approval check every construct uses).

The names below load on first use: the pure modules import no ``aws_cdk`` (no Node process), and importing
this package does not import the construct modules until one of their names is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platform_constructs.images.defaults import default_image, is_approved_image
    from platform_constructs.images.level import ImageLevel
    from platform_constructs.images.lineages import LINEAGE_KEYS, LINEAGES, Lineage, lineage_for
    from platform_constructs.images.pipeline import GoldenImagePipeline
    from platform_constructs.images.schedules import DEFAULT_BASE_SCHEDULE, DEFAULT_RUNTIME_SCHEDULE
    from platform_constructs.images.settings import (
        PURPOSES,
        PipelineSettings,
        ProjectSettings,
        Purpose,
        SettingsWarning,
        pipeline_settings,
        project_settings,
    )
    from platform_constructs.images.uri import ImageProblem, ImageUri, image_problem, is_approved, parse_image_uri

_LAZY = {
    "DEFAULT_BASE_SCHEDULE": "platform_constructs.images.schedules",
    "DEFAULT_RUNTIME_SCHEDULE": "platform_constructs.images.schedules",
    "GoldenImagePipeline": "platform_constructs.images.pipeline",
    "ImageLevel": "platform_constructs.images.level",
    "ImageProblem": "platform_constructs.images.uri",
    "ImageUri": "platform_constructs.images.uri",
    "LINEAGES": "platform_constructs.images.lineages",
    "LINEAGE_KEYS": "platform_constructs.images.lineages",
    "Lineage": "platform_constructs.images.lineages",
    "PURPOSES": "platform_constructs.images.settings",
    "PipelineSettings": "platform_constructs.images.settings",
    "ProjectSettings": "platform_constructs.images.settings",
    "Purpose": "platform_constructs.images.settings",
    "SettingsWarning": "platform_constructs.images.settings",
    "default_image": "platform_constructs.images.defaults",
    "image_problem": "platform_constructs.images.uri",
    "is_approved": "platform_constructs.images.uri",
    "is_approved_image": "platform_constructs.images.defaults",
    "lineage_for": "platform_constructs.images.lineages",
    "parse_image_uri": "platform_constructs.images.uri",
    "pipeline_settings": "platform_constructs.images.settings",
    "project_settings": "platform_constructs.images.settings",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'platform_constructs.images' has no attribute {name!r}")


__all__ = [
    "DEFAULT_BASE_SCHEDULE",
    "DEFAULT_RUNTIME_SCHEDULE",
    "LINEAGES",
    "LINEAGE_KEYS",
    "PURPOSES",
    "GoldenImagePipeline",
    "ImageLevel",
    "ImageProblem",
    "ImageUri",
    "Lineage",
    "PipelineSettings",
    "ProjectSettings",
    "Purpose",
    "SettingsWarning",
    "default_image",
    "image_problem",
    "is_approved",
    "is_approved_image",
    "lineage_for",
    "parse_image_uri",
    "pipeline_settings",
    "project_settings",
]
