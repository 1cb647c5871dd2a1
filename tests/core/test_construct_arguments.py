"""Construct-typed arguments checked for what they must be before jsii sees them."""

from __future__ import annotations

import pytest
from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from platform_constructs.construct_arguments import expect_encrypted_bucket, expect_vpc
from platform_constructs.errors import Problems
from platform_constructs.testing import new_app


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(new_app(), "S")


def test_vpcs(stack: Stack) -> None:
    isolated = ec2.Vpc.from_vpc_attributes(stack, "Isolated", vpc_id="vpc-1", availability_zones=["a"],
                                           isolated_subnet_ids=["subnet-1"])
    public = ec2.Vpc(stack, "Public", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="p", subnet_type=ec2.SubnetType.PUBLIC)])
    problems = Problems("S/C")
    assert expect_vpc(problems, "vpc", isolated)
    assert not expect_vpc(problems, "vpc", "vpc-123")
    assert not expect_vpc(problems, "vpc", stack)
    assert not expect_vpc(problems, "vpc", public)
    assert [p.reason for p in problems.problems] == [
        "vpc must be an ec2.IVpc, got the string 'vpc-123'", "vpc must be an ec2.IVpc, got a Stack object",
        "vpc has no isolated subnets: the platform runs its workloads only in isolated subnets, reaching AWS through "
        "VPC endpoints"]
    assert problems.problems[2].value == "S/Public"


def test_buckets(stack: Stack) -> None:
    keyed = s3.Bucket(stack, "Keyed", encryption_key=kms.Key(stack, "Key"))
    problems = Problems("S/C")
    assert expect_encrypted_bucket(problems, "datastore_bucket", keyed)
    assert not expect_encrypted_bucket(problems, "datastore_bucket", s3.Bucket(stack, "Plain"))
    assert not expect_encrypted_bucket(problems, "datastore_bucket", "my-bucket")
    assert [p.reason for p in problems.problems] == [
        "datastore_bucket has no KMS key: the platform's data stays encrypted with keys it can grant",
        "datastore_bucket must be an s3.IBucket, got the string 'my-bucket'"]


@pytest.mark.parametrize("value", [{}, object(), {"vpc_id": "vpc-1"}, ["vpc-1"], 3, None])
def test_values_jsii_cannot_send_are_refused_not_sent(stack: Stack, value: object) -> None:
    """A dict or a plain object never reaches ``Construct.is_construct`` (jsii would raise instead of answering)."""
    problems = Problems("S/C")
    assert not expect_vpc(problems, "vpc", value)
    assert not expect_encrypted_bucket(problems, "datastore_bucket", value)
    assert [p.argument for p in problems.problems] == ["vpc", "datastore_bucket"]
    assert problems.problems[0].reason is not None and problems.problems[0].reason.startswith("vpc must be an ec2.IVpc")
