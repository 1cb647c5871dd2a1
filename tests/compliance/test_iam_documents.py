"""Which policy documents a resource carries, and what a resource policy's statements apply to."""

from __future__ import annotations

import json
from typing import Any

from platform_constructs.compliance.iam.documents import policy_documents
from platform_constructs.compliance.iam.parliament_adapter import condition_key_type
from platform_constructs.compliance.iam.resolve import Resolver

ALLOW_ROOT = {"Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}}


def documents(logical_id: str, resource: dict[str, Any], **others: Any) -> list[Any]:
    resolver = Resolver({"Resources": {logical_id: resource, **others}})
    return list(policy_documents(logical_id, resource, resolver, condition_key_type))


def test_a_trust_policy_is_about_the_role_itself() -> None:
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": "exec", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}]}}
    trust, inline = documents("Role", role)
    assert (trust.location, trust.kind) == ("Properties.AssumeRolePolicyDocument", "trust")
    assert trust.document["Statement"][0]["Resource"] == ["arn:aws:iam::123456789012:role/exec"]
    assert (inline.location, inline.kind) == ("Properties.Policies[0].PolicyDocument", "identity")
    assert inline.document["Statement"][0]["Resource"] == ["arn:aws:s3:::b/*"]


def test_a_key_policy_star_means_this_key() -> None:
    key = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [
        {**ALLOW_ROOT, "Action": "kms:*", "Resource": "*"}]}}}
    (policy,) = documents("Key", key)
    assert policy.document["Statement"][0]["Resource"] == [
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    assert policy.document["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}


def test_a_repository_policy_without_resource_is_about_the_repository_and_may_be_a_string() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [{**ALLOW_ROOT, "Action": "ecr:BatchGetImage"}]})
    repo = {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "platform/base",
                                                           "RepositoryPolicyText": text}}
    (policy,) = documents("Repo", repo)
    repository = "arn:aws:ecr:us-east-1:123456789012:repository/platform/base"
    assert policy.document["Statement"][0]["Resource"] == [repository]


def test_a_bucket_policy_is_checked_as_written() -> None:
    bucket_policy = {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "B"}, "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                                                "Resource": [{"Fn::GetAtt": ["B", "Arn"]}, "*"]}]}}}
    (policy,) = documents("Policy", bucket_policy, B={"Type": "AWS::S3::Bucket"})
    assert policy.document["Statement"][0]["Resource"] == ["arn:aws:s3:::b", "*"]


def test_unresolvable_values_become_gaps_of_their_element() -> None:
    statement = {"Effect": "Allow", "Action": [{"Ref": "ActionParam"}, "s3:GetObject"],
                 "Resource": {"Fn::ImportValue": "bucket-arn"},
                 "Condition": {"ArnLike": {"aws:SourceArn": {"Ref": "ActionParam"}},
                               "StringEquals": {"aws:SourceVpc": {"Ref": "ActionParam"}}}}
    managed = {"Type": "AWS::IAM::ManagedPolicy",
               "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}}
    resolver = Resolver({"Resources": {"P": managed}, "Parameters": {"ActionParam": {"Type": "String"}}})
    (policy,) = policy_documents("P", managed, resolver, condition_key_type)
    assert sorted(g.element for g in policy.gaps) == ["Action", "Condition", "Resource"]  # aws:SourceVpc: a String
    assert policy.unverified_resources == frozenset({0})
    assert policy.document is not None and policy.document["Statement"][0]["Action"] == ["s3:GetObject"]


def test_a_document_computed_at_deploy_time_is_one_gap() -> None:
    managed = {"Type": "AWS::IAM::ManagedPolicy",
               "Properties": {"PolicyDocument": {"Fn::If": ["IsProd", {"Statement": []}, {"Statement": []}]}}}
    (policy,) = documents("P", managed)
    assert policy.document is None
    assert [(g.element, g.statement) for g in policy.gaps] == [("Document", None)]


def test_types_without_policies_have_none() -> None:
    assert documents("Bucket", {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "x"}}) == []
