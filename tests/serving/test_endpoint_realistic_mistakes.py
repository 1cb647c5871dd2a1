"""A dozen and more mistakes a data scientist makes with SecureModelEndpoint, beyond the generated catalogue:
each one PlatformValidationError naming the argument, what was given and a fix that fits (the value meant)."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import SecureModelEndpoint
from platform_constructs.errors import PlatformValidationError
from platform_constructs.serving.variants import ModelVariant
from platform_constructs.testing import new_app

URL = "s3://churn-models/model.tar.gz"
DIGEST = "sha256:" + "a" * 64

MISTAKES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (label, arguments, the argument named, in the fix, in what is said about the value)
    ("no scheme", {"model_data_url": "churn-models/model.tar.gz"}, "model_data_url",
     f"pass model_data_url='{URL}'", "s3://bucket/key"),
    ("uppercase scheme", {"model_data_url": "S3://churn-models/model.tar.gz"}, "model_data_url",
     f"pass model_data_url='{URL}'", "s3://bucket/key"),
    ("the console's HTTPS URL", {"model_data_url": "https://churn-models.s3.us-east-1.amazonaws.com/v1/model.tar.gz"},
     "model_data_url", "pass model_data_url='s3://churn-models/v1/model.tar.gz'", "s3://bucket/key"),
    ("a trailing space", {"model_data_url": URL + " "}, "model_data_url", f"pass model_data_url='{URL}'",
     "s3://"),
    ("a list of one URL", {"model_data_url": [URL]}, "model_data_url",
     f"pass model_data_url='{URL}' (one string, not a list)", "got the list"),
    ("a pickle", {"model_data_url": "s3://churn-models/model.pkl"}, "model_data_url", "tar -czf model.tar.gz",
     "gzipped tar archive"),
    ("an allowed EC2 name", {"instance_type": "g4dn.xlarge"}, "instance_type",
     "pass instance_type='ml.g4dn.xlarge' (SageMaker's name for the EC2 type 'g4dn.xlarge')",
     "SageMaker instance type"),
    ("an EC2 name the environment lacks", {"instance_type": "g5.xlarge"}, "instance_type",
     "pass instance_type='ml.g4dn.xlarge' ('g5.xlarge' is an EC2 name; SageMaker's is 'ml.g5.xlarge', which dev "
     "does not allow)", "SageMaker instance type"),
    ("a trailing space in the type", {"instance_type": "ml.m5.xlarge "}, "instance_type",
     "pass instance_type='ml.m5.xlarge'", "SageMaker instance type"),
    ("a region-less ECR URI", {"image": f"123456789012.dkr.ecr.amazonaws.com/platform/serve@{DIGEST}"}, "image",
     f"pass 123456789012.dkr.ecr.<region>.amazonaws.com/platform/serve@{DIGEST}", "has no region"),
    ("an image by tag", {"image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311"},
     "image", "pytorch-inference@sha256:<digest>", "pinned by digest"),
    ("a capacity in quotes", {"min_capacity": "1"}, "min_capacity", "pass min_capacity=1", "got the string '1'"),
    ("a sampling fraction", {"data_capture_sampling_percent": 0.5}, "data_capture_sampling_percent",
     "pass data_capture_sampling_percent=50", "got the float 0.5"),
    ("a sampling percentage with '%'", {"data_capture_sampling_percent": "10%"}, "data_capture_sampling_percent",
     "pass data_capture_sampling_percent=10", "got the string '10%'"),
    ("a latency with its unit", {"alarm_p99_latency_ms": "500ms"}, "alarm_p99_latency_ms",
     "pass alarm_p99_latency_ms=500", "got the string '500ms'"),
    ("a tag that is a number", {"tags": {"Team": 3}}, "tags['Team']", "pass tags={'Team': '3'}",
     "got the integer 3"),
    ("tags as a string", {"tags": "Team=recs"}, "tags", "pass tags={'Team': 'recs'}", "got the string 'Team=recs'"),
    ("a capitalised mode", {"mode": "Serverless"}, "mode", "pass mode='serverless'", "one of"),
    ("one variant, not a list", {"variants": ModelVariant(name="challenger", model_data_url=URL)}, "variants",
     "pass variants=[ModelVariant(", "got a ModelVariant object"),
    ("a flag in quotes", {"sleep": "false"}, "sleep", "pass sleep=False", "got the string 'false'"),
    ("a cost centre with spaces", {"cost_center": "Product Recs"}, "cost_center", "pass cost_center='product-recs'",
     "does not fit"),
]


@pytest.mark.parametrize(("arguments", "argument", "fix", "said"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_clean_error_with_the_fix_meant(arguments: dict[str, Any], argument: str, fix: str,
                                                           said: str) -> None:
    stack = Stack(new_app({"env": "dev"}), "Churn")
    with pytest.raises(PlatformValidationError) as info:
        SecureModelEndpoint(stack, "Model", **{"model_data_url": URL, "cost_center": "churn", **arguments})
    (problem,) = info.value.problems
    assert problem.argument == argument
    assert fix in problem.fix
    assert said in f"{problem.reason} {problem.allowed}"
