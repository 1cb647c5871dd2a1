"""Apps whose templates are snapshotted (``tests/test_snapshots.py``): logical ids are public API.

A renamed construct id replaces the deployed resource (a data scientist's endpoint, bucket or key), so
every construct, in each of its modes, is synthesized here and compared with the stored snapshot. Built
only from public names, so the apps survive a refactor of the package's internals unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import App, Stack

from platform_constructs import (
    BatchComputeEnv,
    GoldenImagePipeline,
    GpuTrainingCluster,
    ModelVariant,
    PlatformNetwork,
    SecureModelEndpoint,
)

ROOT = Path(__file__).resolve().parent.parent


def cli_context() -> dict[str, Any]:
    """The context ``cdk synth`` of the example app gets from ``cdk.json`` (its feature flags, as ``cdk init``
    writes them), without the environment: tests build the app as the CLI does."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    return {key: value for key, value in context.items() if key != "env"}


URL = "s3://my-bucket/models/rec-model.tar.gz"
PINNED = ["torch==2.3.0", "pandas==2.0.3", "numpy==1.26.4", "scikit-learn==1.3.0"]


def build_variants_app(app: App) -> App:
    """One stack per construct mode that the example app does not already cover."""
    ab = Stack(app, "snap-endpoint-ab")
    PlatformNetwork(ab, "Network", publish_parameters=False)
    SecureModelEndpoint(ab, "Endpoint", model_data_url=URL, cost_center="team-a", primary_weight=0.9,
                        variants=[ModelVariant("Challenger", model_data_url="s3://my-bucket/models/v2.tar.gz",
                                               weight=0.1, instance_type="ml.m5.xlarge")])
    SecureModelEndpoint(Stack(app, "snap-endpoint-serverless"), "Endpoint", model_data_url=URL,
                        cost_center="team-a", mode="serverless")
    SecureModelEndpoint(Stack(app, "snap-endpoint-async"), "Endpoint", model_data_url=URL,
                        cost_center="team-a", mode="async")
    BatchComputeEnv(Stack(app, "snap-batch-gpu"), "Batch", cost_center="recs", gpu=True,
                    instance_types=["g4dn.xlarge"])
    BatchComputeEnv(Stack(app, "snap-batch-fargate"), "Batch", cost_center="recs", fargate=True)
    GpuTrainingCluster(Stack(app, "snap-training-scratch"), "Train", cost_center="recs", shared_scratch=True)
    pipeline = GoldenImagePipeline(Stack(app, "snap-images"), "Golden", cost_center="ml-platform",
                                   runtime_requirements=PINNED, name="snap", publish_defaults=False,
                                   enhanced_scanning=False)
    pipeline.add_project_image("churn", requirements=["implicit==0.7.2"])
    if app.node.try_get_context("env") == "prod":  # EFA: only prod allows p4d.24xlarge
        GpuTrainingCluster(Stack(app, "snap-training-efa"), "Train", cost_center="recs",
                           instance_types=["p4d.24xlarge"], shared_scratch=True)
    return app
