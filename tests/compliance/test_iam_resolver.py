"""The ARN resolver: every return value in the table is a well-formed ARN of the type it claims, and
references, pseudo parameters and Fn::Join/Fn::Sub/Fn::Select/Fn::Split/Fn::FindInMap resolve to it."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from platform_constructs.compliance.exports import exported_values
from platform_constructs.compliance.iam.arns import RETURNS, Arn
from platform_constructs.compliance.iam.parliament_adapter import load_parliament
from platform_constructs.compliance.iam.resolve import Resolver, arn_verifiable

parliament = load_parliament()
CATALOGUE = {(s["prefix"], r["resource"]): r["arn"] for s in parliament.iam_definition for r in s["resources"]}
PARLIAMENT_LIMITS = {("AWS::DynamoDB::Table", "StreamArn"): "a stream label has colons, refused by parliament 1.6.4"}
"""Return values that are true to CloudFormation but that parliament's ARN matching refuses."""
ARN_VALUES = [(t, a, v) for t, r in RETURNS.items() for a, v in [(None, r.ref), *r.attributes.items()]
              if isinstance(v, Arn)]


def template(resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"Resources": resources, **sections}


@pytest.mark.parametrize(("resource_type", "attribute", "shape"), ARN_VALUES,
                         ids=[f"{t}.{a or 'Ref'}" for t, a, _ in ARN_VALUES])
def test_every_arn_in_the_table_is_valid_for_its_catalogue_resource_type(resource_type: str, attribute: str | None,
                                                                         shape: Arn) -> None:
    resolved = Resolver(template({"R": {"Type": resource_type, "Properties": {"DomainName": "dom"}}})).return_value(
        "R", attribute)
    assert resolved.known
    fmt = CATALOGUE[(shape.service, shape.resource)]  # the type exists in AWS's catalogue
    statement = importlib.import_module("parliament.statement")
    pattern = statement.get_arn_format(shape.resource, [{"resource": shape.resource, "arn": fmt}])
    valid = parliament.is_arn_strictly_valid(shape.resource, pattern, resolved.value)
    assert valid is ((resource_type, attribute) not in PARLIAMENT_LIMITS), (resolved.value, fmt)


@pytest.mark.parametrize(("resource_type", "properties", "attribute", "expected"), [
    ("AWS::S3::Bucket", {}, "Arn", "arn:aws:s3:::databucket"),
    ("AWS::S3::Bucket", {"BucketName": "my-data"}, None, "my-data"),
    ("AWS::KMS::Key", {}, "Arn", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ("AWS::KMS::Key", {}, None, "1234abcd-12ab-34cd-56ef-1234567890ab"),
    ("AWS::Batch::JobQueue", {"JobQueueName": "recs"}, None, "arn:aws:batch:us-east-1:123456789012:job-queue/recs"),
    ("AWS::Batch::JobDefinition", {}, None,
     "arn:aws:batch:us-east-1:123456789012:job-definition/databucket:1"),
    ("AWS::Logs::LogGroup", {"LogGroupName": "/aws/x"}, "Arn",
     "arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:*"),
    ("AWS::SNS::Topic", {}, None, "arn:aws:sns:us-east-1:123456789012:databucket"),
    ("AWS::ECR::Repository", {"RepositoryName": "platform/x/base"}, "Arn",
     "arn:aws:ecr:us-east-1:123456789012:repository/platform/x/base"),
    ("AWS::IAM::Role", {}, "Arn", "arn:aws:iam::123456789012:role/databucket"),
    ("AWS::SSM::Parameter", {"Name": "/platform/images/x"}, None, "/platform/images/x"),
    ("AWS::EC2::VPC", {}, "DefaultSecurityGroup", "sg-0123456789abcdef0"),
    ("AWS::SageMaker::Endpoint", {"EndpointName": "rec"}, None,
     "arn:aws:sagemaker:us-east-1:123456789012:endpoint/rec"),
])
def test_ref_and_getatt_follow_the_cloudformation_return_values(resource_type: str, properties: dict[str, Any],
                                                                attribute: str | None, expected: str) -> None:
    resolver = Resolver(template({"DataBucket": {"Type": resource_type, "Properties": properties}}))
    reference = {"Ref": "DataBucket"} if attribute is None else {"Fn::GetAtt": ["DataBucket", attribute]}
    assert resolver.resolve(reference).value == expected


def test_a_repository_arn_names_its_domain_through_the_domain_reference() -> None:
    resolver = Resolver(template({
        "Domain": {"Type": "AWS::CodeArtifact::Domain", "Properties": {"DomainName": "platform"}},
        "Repo": {"Type": "AWS::CodeArtifact::Repository",
                 "Properties": {"RepositoryName": "pypi", "DomainName": {"Fn::GetAtt": ["Domain", "Name"]}}},
    }))
    assert resolver.resolve({"Fn::GetAtt": ["Repo", "Arn"]}).value == \
        "arn:aws:codeartifact:us-east-1:123456789012:repository/platform/pypi"


def test_join_and_sub_substitute_pseudo_parameters_and_references() -> None:
    resolver = Resolver(template({"Bucket": {"Type": "AWS::S3::Bucket"}}))
    joined = resolver.resolve({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ecs:", {"Ref": "AWS::Region"},
                                                 ":", {"Ref": "AWS::AccountId"}, ":cluster/AWSBatch-*"]]})
    assert joined.value == "arn:aws:ecs:us-east-1:123456789012:cluster/AWSBatch-*" and joined.known
    sub = resolver.resolve({"Fn::Sub": ["${Bucket.Arn}/${Prefix}*-${!Literal}", {"Prefix": "team"}]})
    assert sub.value == "arn:aws:s3:::bucket/team*-${Literal}"
    assert resolver.resolve({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"}).value == "arn:aws:s3:::bucket"


def test_select_split_and_find_in_map_are_evaluated() -> None:
    resolver = Resolver(template({}, Mappings={"Accounts": {"images": {"id": "210987654321"}}}))
    assert resolver.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}).value == "b"
    assert resolver.resolve({"Fn::FindInMap": ["Accounts", "images", "id"]}).value == "210987654321"


def test_no_value_drops_the_element() -> None:
    resolved = Resolver(template({})).resolve(["s3:GetObject", {"Ref": "AWS::NoValue"}])
    assert resolved.value == ["s3:GetObject"] and resolved.known


@pytest.mark.parametrize(("value", "reason"), [
    ({"Ref": "ImageAccount"}, "parameter ImageAccount"),
    ({"Fn::ImportValue": "shared-bucket-arn"}, "exported by a stack not checked with this one"),
    ({"Fn::If": ["IsProd", "a", "b"]}, "Fn::If"),
    ({"Fn::GetAtt": ["Widget", "Arn"]}, "AWS::Foo::Widget Widget is not in the resolver's table"),
    ({"Fn::GetAtt": ["Bucket", "WebsiteURL"]}, "attribute WebsiteURL of AWS::S3::Bucket"),
    ({"Ref": "Missing"}, "Missing is not a resource of this template"),
])
def test_what_cannot_be_resolved_is_unknown_with_its_reason(value: Any, reason: str) -> None:
    resolver = Resolver(template({"Widget": {"Type": "AWS::Foo::Widget"}, "Bucket": {"Type": "AWS::S3::Bucket"}},
                                 Parameters={"ImageAccount": {"Type": "String"}}))
    resolved = resolver.resolve(value)
    assert not resolved.known and reason in (resolved.unknown or "")
    assert not arn_verifiable(resolved)


def test_an_unknown_part_after_a_literal_resource_type_is_still_an_arn_of_that_type() -> None:
    resolver = Resolver(template({}, Parameters={"Subnet": {"Type": "AWS::EC2::Subnet::Id"},
                                                 "Bucket": {"Type": "String"}}))
    subnet = resolver.resolve({"Fn::Join": ["", ["arn:aws:ec2:us-east-1:123456789012:subnet/", {"Ref": "Subnet"}]]})
    assert not subnet.known and arn_verifiable(subnet)
    assert subnet.value == "arn:aws:ec2:us-east-1:123456789012:subnet/example"
    bucket = resolver.resolve({"Fn::Sub": "arn:aws:s3:::${Bucket}"})  # a bucket or an object: not verifiable
    assert not bucket.known and not arn_verifiable(bucket)


def test_an_import_is_resolved_in_the_template_that_exports_it() -> None:
    producer = template({"Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "platform/base"}},
                         "Approved": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/platform/images/base"}}},
                        Outputs={"RepoArn": {"Value": {"Fn::GetAtt": ["Repo", "Arn"]},
                                             "Export": {"Name": "Images:ExportsOutputFnGetAttRepoArn"}},
                                 "Param": {"Value": {"Ref": "Approved"},
                                           "Export": {"Name": "Images:ExportsOutputRefApproved"}}})
    resolver = Resolver(template({}), exported_values([producer]))
    assert resolver.resolve({"Fn::ImportValue": "Images:ExportsOutputFnGetAttRepoArn"}).value == \
        "arn:aws:ecr:us-east-1:123456789012:repository/platform/base"
    parameter = resolver.resolve({"Fn::Join": ["", ["arn:aws:ssm:us-east-1:123456789012:parameter",
                                                    {"Fn::ImportValue": "Images:ExportsOutputRefApproved"}]]})
    assert parameter.known and parameter.value == "arn:aws:ssm:us-east-1:123456789012:parameter/platform/images/base"
