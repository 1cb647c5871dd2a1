"""PLAT-IAM2 over bare policy resources: actions on resources of their own type, references resolved."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.iam_resource_types import RULE

ECS = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ecs:", {"Ref": "AWS::Region"}, ":",
                         {"Ref": "AWS::AccountId"}]]}


BATCH = "arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}"


def managed_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}}


def arn(suffix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [ECS, suffix]]}


def test_container_instance_actions_on_container_instances_pass() -> None:
    policy = managed_policy({"Effect": "Allow", "Action": ["ecs:UpdateContainerInstancesState", "ecs:Poll"],
                             "Resource": arn(":container-instance/AWSBatch-*")})
    assert evaluate(RULE, policy) == []


def test_a_container_instance_action_on_a_cluster_is_reported() -> None:
    policy = managed_policy({"Effect": "Allow", "Resource": arn(":cluster/AWSBatch-*"),
                             "Action": ["ecs:RegisterContainerInstance", "ecs:UpdateContainerInstancesState"]})
    (found,) = evaluate(RULE, policy)
    assert found.finding == "Action::ecs:UpdateContainerInstancesState::container-instance"
    assert "container-instance" in found.message and "grants it nothing" in found.message


def test_references_resolve_to_their_resource_type() -> None:
    resources = {"Queue": {"Type": "AWS::Batch::JobQueue"}, "Bucket": {"Type": "AWS::S3::Bucket"},
                 "Key": {"Type": "AWS::KMS::Key"}}
    good = managed_policy(
        {"Effect": "Allow", "Action": "batch:SubmitJob",  # the job is a resource too (Service Authorization Ref.)
         "Resource": [{"Ref": "Queue"}, {"Fn::Sub": f"{BATCH}:job/*"}, {"Fn::Sub": f"{BATCH}:job-definition/x"}]},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Bucket.Arn}/team/*"}},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": ["Key", "Arn"]}})
    assert evaluate(RULE, good, template={"Resources": {"Resource": good, **resources}}) == []
    wrong = managed_policy(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::GetAtt": ["Bucket", "Arn"]}},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": ["Queue", "JobQueueArn"]}})
    found = evaluate(RULE, wrong, template={"Resources": {"Resource": wrong, **resources}})
    assert [v.finding for v in found] == ["Action::s3:GetObject::object", "Action::kms:Decrypt::key"]


def test_a_wildcard_is_reported_only_when_none_of_its_actions_applies() -> None:
    bucket = ["arn:aws:s3:::bucket"]  # s3:List* includes ListAllMyBuckets ("*") but also ListBucket (bucket)
    assert evaluate(RULE, managed_policy({"Effect": "Allow", "Action": "s3:List*", "Resource": bucket})) == []
    (found,) = evaluate(RULE, managed_policy({"Effect": "Allow", "Action": "ecr:GetAuthorization*",
                                              "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/x"}))
    assert found.finding == "Action::ecr:GetAuthorization*::*"  # it supports only "*"


def test_a_name_where_an_arn_belongs_is_an_invalid_arn() -> None:
    policy = managed_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Ref": "Bucket"}})
    found = evaluate(RULE, policy, template={"Resources": {"Resource": policy, "Bucket": {"Type": "AWS::S3::Bucket"}}})
    assert [v.finding for v in found] == ["Resource::bucket"]


def test_a_resource_that_cannot_be_resolved_is_unverifiable() -> None:
    policy = managed_policy({"Effect": "Allow", "Action": "s3:GetObject",
                             "Resource": {"Fn::Sub": "arn:aws:s3:::${BucketParam}/*"}})
    found = evaluate(RULE, policy, template={"Resources": {"Resource": policy},
                                             "Parameters": {"BucketParam": {"Type": "String"}}})
    assert len(found) == 1 and found[0].finding.startswith("Unverifiable::Resource::")  # type: ignore[union-attr]
    assert "parameter BucketParam" in found[0].message
