"""Mistakes a platform engineer or data scientist makes with GoldenImagePipeline and add_project_image beyond the
generated catalogue: each one PlatformValidationError naming the argument, what was given and a fix that fits."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_events as events

from platform_constructs import GoldenImagePipeline
from platform_constructs.errors import PlatformValidationError
from platform_constructs.testing import new_app

HASH = "--hash=sha256:" + "0" * 64
LOCKED = [f"einops==0.8.0 {HASH}", f"tenacity==8.3.0 {HASH}"]
PROJECT_LOCK = [f"cachetools==5.3.3 {HASH}"]
REQUIRED: dict[str, Any] = {"cost_center": "ml-platform", "runtime_requirements": LOCKED, "publish_defaults": False}

PIPELINE_MISTAKES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (label, arguments, the argument named, in the fix, in the reason)
    ("one requirement as a string", {"runtime_requirements": f"einops==0.8.0 {HASH}"}, "runtime_requirements",
     f"pass a list: runtime_requirements=['einops==0.8.0 {HASH}']", "read as a file path"),
    ("requirements as a dict", {"runtime_requirements": {"einops": "0.8.0"}}, "runtime_requirements",
     "one lock-file line per requirement", "got the dict"),
    ("a missing lock file", {"runtime_requirements": "./no-such.lock"}, "runtime_requirements", "check the path",
     "names no readable lock file"),
    ("a Python version as a float", {"python_version": 3.11}, "python_version",
     "pass python_version='3.11' (a string, in quotes)", "got the float 3.11"),
    ("a Python patch version", {"python_version": "3.11.4"}, "python_version", "pass python_version='3.11'",
     "does not have the expected form"),
    ("a CUDA major version only", {"cuda_version": "12"}, "cuda_version", "pass cuda_version='12.1.1'",
     "does not have the expected form"),
    ("one lineage as a string", {"lineages": "training-gpu"}, "lineages",
     "pass lineages=['training-gpu'] (a list, even of one)", "got the string 'training-gpu'"),
    ("a lineage with an underscore", {"lineages": ["training_gpu"]}, "lineages[0]",
     "pass 'training-gpu' as lineages[0]", "must be one of"),
    ("a purpose as a string", {"default_for": "inference"}, "default_for",
     "pass default_for=['inference'] (a list, even of one)", "got the string 'inference'"),
    ("a purpose that is none", {"default_for": ["serving"]}, "default_for[0]", "remove 'serving'", "must be one of"),
    ("a Docker Hub base", {"base_image": "pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime"}, "base_image",
     "pass the full reference", "an image reference"),
    ("a schedule as an expression", {"base_schedule": "rate(7 days)"}, "base_schedule",
     "pass base_schedule=events.Schedule.expression('rate(7 days)')", "got the string 'rate(7 days)'"),
    ("Schedule.rate not called", {"runtime_schedule": events.Schedule.rate}, "runtime_schedule",
     "events.Schedule.expression(", "got a method object"),
    ("a capitalised name", {"name": "Golden"}, "name", "pass name='golden'", "uppercase"),
    ("a flag in quotes", {"publish_defaults": "False"}, "publish_defaults",
     "pass publish_defaults=False (a bool, without quotes)", "got the string 'False'"),
    ("endpoints as 0", {"create_endpoints": 0}, "create_endpoints",
     "pass create_endpoints=False (a bool, without quotes)", "got the integer 0"),
    ("CodeBuild's managed image", {"gpu_build_image": "aws/codebuild/standard:7.0"}, "gpu_build_image",
     "pass the full reference", "an image reference"),
]

PROJECT_MISTAKES: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("a capitalised name", {"name": "Churn"}, "name", "pass name='churn'", "uppercase"),
    ("a name with a space", {"name": "churn model"}, "name", "pass name='churn-model'", "spaces"),
    ("a name in a list", {"name": ["churn"]}, "name", "pass name='churn' (one string, not a list)", "got the list"),
    ("one requirement as a string", {"requirements": PROJECT_LOCK[0]}, "requirements",
     f"pass a list: requirements=['{PROJECT_LOCK[0]}']", "read as a file path"),
    ("requirements as a dict", {"requirements": {"cachetools": "5.3.3"}}, "requirements",
     "one lock-file line per requirement", "got the dict"),
    ("a base that is a public image", {"base": "pytorch:2.3"}, "base", "pass base=pipeline.runtime",
     "got the string 'pytorch:2.3'"),
]


@pytest.mark.parametrize(("arguments", "argument", "fix", "reason"), [m[1:] for m in PIPELINE_MISTAKES],
                         ids=[m[0] for m in PIPELINE_MISTAKES])
def test_each_pipeline_mistake_is_one_clean_error_with_the_fix_meant(arguments: dict[str, Any], argument: str,
                                                                    fix: str, reason: str) -> None:
    stack = Stack(new_app({"env": "dev"}), "Images")
    with pytest.raises(PlatformValidationError) as info:
        GoldenImagePipeline(stack, "Golden", **{**REQUIRED, **arguments})
    (problem,) = info.value.problems
    assert problem.argument == argument
    assert fix in problem.fix
    assert reason in f"{problem.reason} {problem.allowed}"


@pytest.fixture(scope="module")
def pipeline() -> GoldenImagePipeline:
    return GoldenImagePipeline(Stack(new_app({"env": "dev"}), "Images"), "Golden", **REQUIRED)


@pytest.mark.parametrize(("arguments", "argument", "fix", "reason"), [m[1:] for m in PROJECT_MISTAKES],
                         ids=[m[0] for m in PROJECT_MISTAKES])
def test_each_project_image_mistake_is_one_clean_error_with_the_fix_meant(
        pipeline: GoldenImagePipeline, arguments: dict[str, Any], argument: str, fix: str, reason: str) -> None:
    with pytest.raises(PlatformValidationError) as info:
        pipeline.add_project_image(**{"name": "churn", "requirements": PROJECT_LOCK, **arguments})
    (problem,) = info.value.problems
    assert problem.argument == argument
    assert fix in problem.fix
    assert reason in f"{problem.reason} {problem.allowed}"
    assert pipeline.projects == {}  # a refused project adds nothing


def test_a_tuple_of_lineages_is_a_list_of_lineages() -> None:
    pipeline = GoldenImagePipeline(Stack(new_app({"env": "dev"}), "Images"), "Golden",
                                   **{**REQUIRED, "lineages": ("training-gpu",)})
    assert [plan.lineage.key for plan in pipeline.settings.lineages] == ["training-gpu"]
