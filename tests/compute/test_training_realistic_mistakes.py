"""Mistakes a data scientist makes with GpuTrainingCluster beyond the generated catalogue: each one
PlatformValidationError naming the argument, what was given and a fix that fits; what is right is accepted."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import GpuTrainingCluster
from platform_constructs.errors import PlatformValidationError
from platform_constructs.testing import new_app

MISTAKES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (label, arguments, the argument named, in the fix, in the reason)
    ("GPUs in quotes", {"max_gpus": "4"}, "max_gpus", "pass max_gpus=4 (an integer, without quotes)",
     "got the string '4'"),
    ("GPUs above the cap in quotes", {"max_gpus": "8"}, "max_gpus", "pass max_gpus=4 (an integer, without quotes)",
     "got the string '8'"),
    ("GPUs as a float", {"max_gpus": 4.0}, "max_gpus", "pass max_gpus=4 (an integer)", "got the float 4.0"),
    ("one node", {"nodes": 1}, "nodes", "pass nodes=2", "nodes must be from 2 to 1000, got 1"),
    ("too many nodes", {"nodes": 5000}, "nodes", "pass nodes=1000", "got 5000"),
    ("nodes in quotes", {"nodes": "2"}, "nodes", "pass nodes=2 (an integer, without quotes)", "got the string '2'"),
    ("one type as a string", {"instance_types": "g5.xlarge"}, "instance_types",
     "pass instance_types=['g5.xlarge'] (a list, even of one)", "got the string 'g5.xlarge'"),
    ("a SageMaker type name", {"instance_types": ["ml.g5.xlarge"]}, "instance_types",
     "pass 'g5.xlarge' (AWS Batch runs EC2 instance types", "in the platform catalog"),
    ("a CPU type", {"instance_types": ["m5.large"]}, "instance_types", "CPU jobs belong in a BatchComputeEnv",
     "GPU-bearing"),
    ("hours with a unit", {"max_job_hours": "8 hours"}, "max_job_hours",
     "pass max_job_hours=8 (a number, without quotes or unit)", "got the string '8 hours'"),
    ("negative hours", {"max_job_hours": -1}, "max_job_hours", "pass max_job_hours<=12", "got -1"),
    ("scratch in words", {"shared_scratch": "yes"}, "shared_scratch", "pass shared_scratch=True (a bool",
     "got the string 'yes'"),
    ("shares as pairs", {"team_shares": [("recs", 1.0)]}, "team_shares",
     "pass team_shares={'recs': 1.0} (a mapping, not a list)", "got the list"),
    ("an image by tag", {"image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311"},
     "image", "pytorch-training@sha256:<digest>", "pinned by digest"),
    ("a tag without a value", {"tags": {"Team": None}}, "tags['Team']", "pass tags={'Team': 'value'}", "got None"),
]


@pytest.mark.parametrize(("arguments", "argument", "fix", "reason"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_clean_error_with_the_fix_meant(arguments: dict[str, Any], argument: str, fix: str,
                                                           reason: str) -> None:
    stack = Stack(new_app({"env": "dev"}), "Train")
    with pytest.raises(PlatformValidationError) as info:
        GpuTrainingCluster(stack, "Cluster", **{"cost_center": "churn", **arguments})
    (problem,) = info.value.problems
    assert problem.argument == argument
    assert fix in problem.fix
    assert reason in f"{problem.reason} {problem.allowed}"


def test_a_tuple_of_types_is_a_list_of_types() -> None:
    cluster = GpuTrainingCluster(Stack(new_app({"env": "dev"}), "Train"), "Cluster", cost_center="churn",
                                 instance_types=("g5.xlarge",))
    assert [spec.name for spec in cluster.instance_specs] == ["g5.xlarge"]
