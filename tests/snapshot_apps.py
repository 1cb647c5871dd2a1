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
    ApprovedModelPackage,
    BatchComputeEnv,
    DataQualityMonitoring,
    GoldenImagePipeline,
    GpuTrainingCluster,
    ModelQualityMonitoring,
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
MONITORING = DataQualityMonitoring(baseline_dataset="s3://my-bucket/datasets/train.csv")
MODEL_QUALITY = ModelQualityMonitoring(
    baseline_dataset="s3://my-bucket/datasets/validation-with-predictions.csv", ground_truth="s3://my-bucket/labels/",
    problem_type="BinaryClassification", inference_attribute="0", probability_attribute="1",
    ground_truth_attribute="label", schedule="daily")
LOCKED = ["einops==0.8.0 --hash=sha256:9572fb63046264a862693b0a87088af3bdc8c068fde03de63453cbbde245465f",
          "tenacity==8.3.0 --hash=sha256:3649f6443dbc0d9b01b9d8020a9c4ec7a1ff5f6f3c6c8a036ef371f573fe9185"]
"""Golden-image lock lines (real PyPI hashes, as in golden_images/runtime.lock)."""


PACKAGE_STACK, PACKAGE_GROUP = "snap-endpoint-package", "churn"
"""The endpoint serving a model registry group's latest Approved package (``model_package``)."""


def build_variants_app(app: App) -> App:
    """One stack per construct mode that the example app does not already cover.

    Every prod endpoint is monitored (the policy's ``environments.prod.monitoring_required``), and Model Monitor
    monitors real-time endpoints only: in prod the A/B endpoint is monitored and there is no serverless or
    asynchronous endpoint."""
    prod = app.node.try_get_context("env") == "prod"
    ab = Stack(app, "snap-endpoint-ab")
    PlatformNetwork(ab, "Network", publish_parameters=False)
    SecureModelEndpoint(ab, "Endpoint", model_data_url=URL, cost_center="team-a", primary_weight=0.9,
                        variants=[ModelVariant("Challenger", model_data_url="s3://my-bucket/models/v2.tar.gz",
                                               weight=0.1, instance_type="ml.m5.xlarge")],
                        monitoring=MONITORING if prod else None)
    if not prod:
        SecureModelEndpoint(Stack(app, "snap-endpoint-serverless"), "Endpoint", model_data_url=URL,
                            cost_center="team-a", mode="serverless")
        SecureModelEndpoint(Stack(app, "snap-endpoint-async"), "Endpoint", model_data_url=URL,
                            cost_center="team-a", mode="async")
    SecureModelEndpoint(Stack(app, "snap-endpoint-monitored"), "Endpoint", model_data_url=URL, cost_center="team-a",
                        monitoring=(MONITORING, MODEL_QUALITY))
    SecureModelEndpoint(Stack(app, PACKAGE_STACK), "Endpoint", model_package=ApprovedModelPackage(group=PACKAGE_GROUP),
                        cost_center="team-a", monitoring=MONITORING if prod else None)
    BatchComputeEnv(Stack(app, "snap-batch-gpu"), "Batch", cost_center="recs", gpu=True,
                    instance_types=["g4dn.xlarge"])
    BatchComputeEnv(Stack(app, "snap-batch-fargate"), "Batch", cost_center="recs", fargate=True)
    BatchComputeEnv(Stack(app, "snap-batch-fair-share"), "Batch", cost_center="recs", fair_share=True)
    GpuTrainingCluster(Stack(app, "snap-training-scratch"), "Train", cost_center="recs", shared_scratch=True)
    pipeline = GoldenImagePipeline(Stack(app, "snap-images"), "Golden", cost_center="ml-platform",
                                   runtime_requirements=LOCKED, name="snap", publish_defaults=False)
    pipeline.add_project_image("churn", requirements=[
        "cachetools==5.3.3 --hash=sha256:0abad1021d3f8325b2fc1d2e9c8b9c9d57b04c3932657a72465447332c24d945"])
    if app.node.try_get_context("env") == "prod":  # EFA-capable 4-GPU types (p4d's 2 nodes alone fill prod's 16)
        GpuTrainingCluster(Stack(app, "snap-training-efa"), "Train", cost_center="recs",
                           instance_types=["g4dn.12xlarge", "g5.12xlarge"], shared_scratch=True)
    return app
