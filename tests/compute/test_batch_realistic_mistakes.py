"""Mistakes a data scientist makes with BatchComputeEnv beyond the generated catalogue: each one
PlatformValidationError naming the argument, what was given and a fix that fits; what is right is accepted."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import BatchComputeEnv
from platform_constructs.errors import PlatformValidationError
from platform_constructs.testing import new_app

DIGEST = "sha256:" + "a" * 64

MISTAKES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (label, arguments, the argument named, in the fix, in the reason)
    ("hours with a unit", {"max_job_hours": "6h"}, "max_job_hours",
     "pass max_job_hours=6 (a number, without quotes or unit)", "got the string '6h'"),
    ("hours above the cap, with a unit", {"max_job_hours": "24h"}, "max_job_hours",
     "pass max_job_hours=12 (a number, without quotes or unit; 24 is not", "got the string '24h'"),
    ("vCPUs in quotes", {"max_vcpus": "64"}, "max_vcpus", "pass max_vcpus=64 (an integer, without quotes)",
     "got the string '64'"),
    ("one comma-separated string of types", {"instance_types": "m5.large, m5.xlarge"}, "instance_types",
     "pass instance_types=['m5.large', 'm5.xlarge'] (a list, even of one)", "got the string"),
    ("a SageMaker type name", {"instance_types": ["ml.m5.large"]}, "instance_types",
     "pass 'm5.large' (AWS Batch runs EC2 instance types", "in the platform catalog"),
    ("a set of types", {"instance_types": {"m5.large"}}, "instance_types", "pass instance_types=['m5.large'] (a list)",
     "got the set"),
    ("the datastore's S3 URL as the prefix", {"data_prefix": "s3://churn-data/recs/"}, "data_prefix",
     "pass data_prefix='recs/'", "it is an S3 URL"),
    ("a prefix without its '/'", {"data_prefix": "recs"}, "data_prefix", "pass data_prefix='recs/'",
     "no trailing '/'"),
    ("a prefix with a leading '/'", {"data_prefix": "/recs/"}, "data_prefix", "pass data_prefix='recs/'",
     "starts with '/'"),
    ("an uppercase prefix", {"data_prefix": "Recs/"}, "data_prefix", "pass data_prefix='recs/'", "uppercase"),
    ("a public image", {"image": "python:3.11"}, "image", "pass the full reference", "an image reference"),
    ("a region-less ECR URI", {"image": f"123456789012.dkr.ecr.amazonaws.com/platform/batch@{DIGEST}"}, "image",
     f"pass 123456789012.dkr.ecr.<region>.amazonaws.com/platform/batch@{DIGEST}", "this registry host has no region"),
    ("a weight in quotes", {"team_shares": {"recs": "1"}}, "team_shares",
     "pass team_shares={'recs': 1} (a number, without quotes)", "team_shares['recs'] must be a number, got the string"),
    ("shares as a list of names", {"team_shares": ["recs", "search"]}, "team_shares",
     "pass team_shares={'recs': 1.0, 'search': 2.0}", "got the list"),
    ("a flag in words", {"spot": "no"}, "spot", "pass spot=False (a bool, without quotes)", "got the string 'no'"),
    ("gpu as 1", {"gpu": 1}, "gpu", "pass gpu=True (a bool, without quotes)", "got the integer 1"),
    ("a tag that is a number", {"tags": {"Team": 3}}, "tags['Team']", "pass tags={'Team': '3'}", "got the integer 3"),
    ("a VPC id", {"vpc": "vpc-0123456789abcdef0"}, "vpc", "ec2.Vpc.from_lookup", "got the string 'vpc-0123"),
    ("a bucket name", {"datastore_bucket": "churn-data"}, "datastore_bucket", "s3.Bucket.from_bucket_attributes",
     "got the string 'churn-data'"),
]


@pytest.mark.parametrize(("arguments", "argument", "fix", "reason"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_clean_error_with_the_fix_meant(arguments: dict[str, Any], argument: str, fix: str,
                                                           reason: str) -> None:
    stack = Stack(new_app({"env": "dev"}), "Churn")
    with pytest.raises(PlatformValidationError) as info:
        BatchComputeEnv(stack, "Batch", **{"cost_center": "churn", **arguments})
    (problem,) = info.value.problems
    assert problem.argument == argument
    assert fix in problem.fix
    assert reason in f"{problem.reason} {problem.allowed}"


def test_a_tuple_of_types_is_a_list_of_types() -> None:
    batch = BatchComputeEnv(Stack(new_app({"env": "dev"}), "Churn"), "Batch", cost_center="churn",
                            instance_types=("m5.large",))
    assert [spec.name for spec in batch.instance_specs] == ["m5.large"]
