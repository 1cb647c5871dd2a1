"""PLAT-IAM5 over bare policy resources: '*' only where no resource-level permission exists."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.iam_resource_scope import RULE


def managed_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}}


def test_star_for_actions_without_resource_level_permissions_passes() -> None:
    actions = ["ecr:GetAuthorizationToken", "ec2:DescribeSubnets", "ecs:DiscoverPollEndpoint"]
    policy = managed_policy({"Effect": "Allow", "Resource": "*", "Action": actions})
    assert evaluate(RULE, policy) == []


def test_star_for_an_action_with_resource_level_permissions_is_reported() -> None:
    policy = managed_policy({"Effect": "Allow", "Resource": "*",
                             "Action": ["ec2:DescribeSubnets", "ec2:CreateNetworkInterface", "s3:GetObject"]})
    found = evaluate(RULE, policy)
    assert sorted(v.finding or "" for v in found) == ["Action::ec2:CreateNetworkInterface", "Action::s3:GetObject"]


def test_a_key_policy_star_is_the_key_itself() -> None:
    key = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*",
         "Resource": "*"}]}}}
    assert evaluate(RULE, key) == []


def test_a_bucket_policy_action_that_lets_objects_be_granted_is_reported() -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                 "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::b"}
    bucket_policy = {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": "b", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}}
    found = evaluate(RULE, bucket_policy)
    assert found and all((v.finding or "").startswith("RESOURCE_POLICY_PRIVILEGE_ESCALATION") for v in found)
