"""The premises of the decisions (premises.py, service_premises.py): each holds on what the library builds and
fails on the resource a copied acknowledgment would hide something on."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from platform_constructs.compliance import policy_premises as pp
from platform_constructs.compliance import premises as p
from platform_constructs.compliance import service_premises as sp
from platform_constructs.compliance.premises import Premise, Subject
from platform_constructs.compliance.rules.base import RuleContext
from platform_constructs.policy import load_policy

POLICY = load_policy()
BUCKET_ARN = {"Fn::GetAtt": ["Data", "Arn"]}


def holds(premise: Premise, subject: dict[str, Any], *, others: dict[str, Any] | None = None,
          env: str = "dev", **values: str) -> list[str]:
    template = {"Resources": {"Subject": subject, **(others or {})}}
    return premise.check(Subject("Subject", subject, RuleContext(POLICY, POLICY.environment(env), template), values))


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": list(statements)}}}


def test_only_the_decided_actions_on_any_resource() -> None:
    premise = p.only_these_on_any_resource(("ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"),
                                           conditioned={"cloudwatch:PutMetricData": "cloudwatch:namespace"})
    sealed = policy({"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
                     "Condition": {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}},
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/model.tar.gz"})
    assert holds(premise, sealed) == []
    widened = policy(*sealed["Properties"]["PolicyDocument"]["Statement"],
                     {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": "*"},
                     {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
                     {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"})
    problems = holds(premise, widened)
    assert len(problems) == 3
    assert "'secretsmanager:GetSecretValue' on '*'" in problems[0]
    assert "without a cloudwatch:namespace condition" in problems[1]
    assert "NotAction" in problems[2]
    assert "computed at deploy time" in holds(premise, policy({"Fn::If": ["C", {}, {}]}))[0]


def test_a_scoped_resource_and_what_is_granted_on_it() -> None:
    premise = p.scoped_resource(r"<[A-Za-z0-9]+\.Arn>/[a-z-]+/\*", ("s3:PutObject",))
    objects = {"Fn::Join": ["", [BUCKET_ARN, "/data-capture/*"]]}
    grant = policy({"Effect": "Allow", "Action": "s3:PutObject", "Resource": objects})
    assert holds(premise, grant, resource="<Data.Arn>/data-capture/*") == []
    assert "not of the form" in holds(premise, grant, resource="*")[0]
    more = policy({"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": objects})
    assert "s3:DeleteObject" in holds(premise, more, resource="<Data.Arn>/data-capture/*")[0]
    assert "no statement of the policy names" in holds(premise, policy(), resource="<Data.Arn>/data-capture/*")[0]


def test_approved_repositories_come_from_the_policy() -> None:
    patterns = p.approved_repository_patterns(POLICY.approved_registries, account="111122223333")
    assert len(patterns) == 2
    for approved in ("arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/platform/*",
                     "arn:aws:ecr:eu-west-1:111122223333:repository/platform/*",  # a stack with an explicit env
                     "arn:<AWS::Partition>:ecr:<AWS::Region>:763104351884:repository/*"):
        assert sum(bool(re.fullmatch(pattern, approved)) for pattern in patterns) == 1, approved
    for other in ("arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*",  # not only platform/
                  "arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/platformx/*",
                  "arn:<AWS::Partition>:ecr:<AWS::Region>:763104351884:repository/x*"):
        assert not any(re.fullmatch(pattern, other) for pattern in patterns), other
    assert holds(p.APPROVED_REPOSITORIES, policy(),
                 resource="arn:<AWS::Partition>:ecr:<AWS::Region>:763104351884:repository/*") == []
    assert holds(p.APPROVED_REPOSITORIES, policy(),
                 resource="arn:<AWS::Partition>:ecr:<AWS::Region>:999999999999:repository/*") != []


def test_account_in_an_approved_registry_is_the_deploying_account_or_a_listed_one() -> None:
    """``{account}`` is the template's own account (its literal one when the stack has an explicit environment, else
    the AWS::AccountId pseudo parameter) or one of registries.accounts, as the constructs decide at synth
    (images/uri.py): never any 12 digits."""
    own, central, foreign = "111122223333", "444455556666", "999999999999"
    listed = dataclasses.replace(POLICY, image_accounts=(central,))

    def pulls(account: str | None, policy: Any = POLICY, arn_account: str = own) -> list[str]:
        resource = f"arn:aws:ecr:eu-west-1:{arn_account}:repository/platform/*"
        template = {"Resources": {"Subject": policy_subject}}
        ctx = RuleContext(policy, policy.environment("dev"), template, account=account)
        return p.APPROVED_REPOSITORIES.check(Subject("Subject", policy_subject, ctx, {"resource": resource}))

    policy_subject = policy()
    assert pulls(own) == []  # the stack's own explicit account
    assert pulls(own, listed, arn_account=central) == []  # the policy's central images account
    assert pulls(None, listed, arn_account=central) == []  # ... also for an environment-agnostic stack
    refused = pulls(own, arn_account=foreign)
    assert refused and "999999999999" in refused[0] and "deploying account: 111122223333" in refused[0]
    assert pulls(None) != []  # environment-agnostic: a literal account is not the deploying one
    assert pulls(central, arn_account=foreign) != [] and pulls(foreign, listed, arn_account=own) != []
    agnostic = p.approved_repository_patterns(POLICY.approved_registries)
    assert not any(re.fullmatch(pattern, f"arn:aws:ecr:eu-west-1:{foreign}:repository/platform/*")
                   for pattern in agnostic)


def bucket(**properties: Any) -> dict[str, Any]:
    base = {"VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": dict.fromkeys(("BlockPublicAcls", "BlockPublicPolicy",
                                                             "IgnorePublicAcls", "RestrictPublicBuckets"), True),
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "LifecycleConfiguration": {"Rules": [{"Status": "Enabled",
                                                  "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]}}
    base.update(properties)
    return {"Type": "AWS::S3::Bucket", "Properties": {k: v for k, v in base.items() if v is not None}}


LOG_POLICY = {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Subject"}, "PolicyDocument": {
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                   "Resource": "*"}]}}}


def test_bucket_premises() -> None:
    assert holds(p.VERSIONED_PRIVATE_BUCKET, bucket()) == []
    assert len(holds(p.VERSIONED_PRIVATE_BUCKET, bucket(VersioningConfiguration=None,
                                                        PublicAccessBlockConfiguration=None))) == 2
    assert holds(p.VERSIONS_EXPIRE, bucket()) == []
    assert "noncurrent versions" in holds(p.VERSIONS_EXPIRE, bucket(LifecycleConfiguration=None))[0]
    assert holds(p.LOG_DESTINATION, bucket(), others={"Policy": LOG_POLICY}) == []
    assert "not a server-access-log destination" in holds(p.LOG_DESTINATION, bucket())[0]
    assert holds(p.SSE_S3_LOG_DESTINATION, bucket(), others={"Policy": LOG_POLICY}) == []
    kms = bucket(BucketEncryption={"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    assert "not SSE-S3" in holds(p.SSE_S3_LOG_DESTINATION, kms, others={"Policy": LOG_POLICY})[0]


def config(*variants: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"ProductionVariants": list(variants)}}


SERVERLESS = {"VariantName": "a", "ModelName": {"Fn::GetAtt": ["Subject", "ModelName"]},
              "ServerlessConfig": {"MaxConcurrency": 1, "MemorySizeInMB": 2048}}


def test_sagemaker_premises() -> None:
    assert holds(sp.INSTANCE_STORE, config({"InstanceType": "ml.g4dn.xlarge"}, {"InstanceType": "ml.m5.large"})) == []
    assert holds(sp.INSTANCE_STORE, config({"InstanceType": "ml.m5.large"})) != []
    assert holds(sp.SERVERLESS_CONFIG, config(SERVERLESS)) == []
    assert holds(sp.SERVERLESS_CONFIG, config(SERVERLESS, {"InstanceType": "ml.m5.large"})) != []
    model = {"Type": "AWS::SageMaker::Model", "Properties": {}}
    assert holds(sp.SERVERLESS_MODEL, model, others={"Config": config(SERVERLESS)}) == []
    on_instances = {**SERVERLESS, "InstanceType": "ml.m5.large"}
    assert "on instances" in holds(sp.SERVERLESS_MODEL, model, others={"Config": config(on_instances)})[0]
    assert "no endpoint configuration" in holds(sp.SERVERLESS_MODEL, model)[0]


def test_security_group_premise() -> None:
    itself = {"Fn::GetAtt": ["Subject", "GroupId"]}
    group: dict[str, Any] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [
        {"IpProtocol": "-1", "SourceSecurityGroupId": itself}]}}
    assert holds(sp.SELF_REFERENCING_GROUP, group) == []
    group["Properties"]["SecurityGroupIngress"].append({"IpProtocol": "-1", "CidrIp": "10.0.0.0/8"})
    assert "admits a source other than" in holds(sp.SELF_REFERENCING_GROUP, group)[0]
    egress: dict[str, Any] = {"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
        "GroupId": {"Fn::GetAtt": ["Group", "GroupId"]}, "DestinationSecurityGroupId": {
            "Fn::GetAtt": ["Group", "GroupId"]}, "IpProtocol": "-1"}}
    assert holds(sp.SELF_REFERENCING_GROUP, egress) == []
    egress["Properties"]["DestinationSecurityGroupId"] = {"Fn::GetAtt": ["Other", "GroupId"]}
    assert holds(sp.SELF_REFERENCING_GROUP, egress) != []


@pytest.mark.parametrize(("premise", "good", "bad"), [
    (sp.ISOLATED_BUILD, {"VpcConfig": {"Subnets": ["s"], "SecurityGroupIds": ["g"]}, "Source": {"Type": "NO_SOURCE"}},
     {"Source": {"Type": "GITHUB"}}),
    (sp.NO_SOURCE, {"Source": {"Type": "NO_SOURCE"}}, {"Source": {"Type": "CODECOMMIT"}}),
])
def test_codebuild_premises(premise: Premise, good: dict[str, Any], bad: dict[str, Any]) -> None:
    assert holds(premise, {"Type": "AWS::CodeBuild::Project", "Properties": good}) == []
    assert holds(premise, {"Type": "AWS::CodeBuild::Project", "Properties": bad}) != []


def test_scratch_and_retention_premises() -> None:
    through_access_point = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/job"},
                            "Action": "elasticfilesystem:ClientMount", "Resource": "*", "Condition": {
                                "ArnLike": {"elasticfilesystem:AccessPointArn": "arn:aws:elasticfilesystem:*"}}}
    scratch: dict[str, Any] = {"Type": "AWS::EFS::FileSystem", "Properties": {
        "Encrypted": "true", "KmsKeyId": "key", "FileSystemPolicy": {"Statement": [through_access_point]}}}
    point = {"Type": "AWS::EFS::AccessPoint", "Properties": {"FileSystemId": {"Ref": "Subject"}}}
    assert holds(sp.SCRATCH_FILE_SYSTEM, scratch, others={"Point": point}) == []
    assert "no access point" in holds(sp.SCRATCH_FILE_SYSTEM, scratch)[0]
    anyone = {**through_access_point, "Condition": {}}
    scratch["Properties"]["FileSystemPolicy"]["Statement"].append(anyone)
    scratch["Properties"]["Encrypted"] = False
    assert len(holds(sp.SCRATCH_FILE_SYSTEM, scratch, others={"Point": point})) == 2  # unencrypted, open mounts
    group = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30, "KmsKeyId": "key"}}
    assert holds(sp.ENVIRONMENT_RETENTION, group) == []
    assert "not the 90 days" in holds(sp.ENVIRONMENT_RETENTION, group, env="staging")[0]
    assert "not KMS-encrypted" in holds(sp.ENVIRONMENT_RETENTION, {"Type": "AWS::Logs::LogGroup", "Properties": {
        "RetentionInDays": 30}})[0]


def test_default_security_group_premises() -> None:
    vpc = {"Type": "AWS::EC2::VPC", "Properties": {}}
    custom: dict[str, Any] = {"Type": "Custom::VpcRestrictDefaultSG", "Properties": {
        "ServiceToken": {"Fn::GetAtt": ["Handler", "Arn"]},
        "DefaultSecurityGroupId": {"Fn::GetAtt": ["Subject", "DefaultSecurityGroup"]}}}
    assert holds(sp.DEFAULT_GROUP_RESTRICTED, vpc, others={"Restrict": custom}) == []
    assert holds(sp.DEFAULT_GROUP_RESTRICTED, vpc) != []
    function = {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}}
    serving = {**custom, "Properties": {**custom["Properties"], "ServiceToken": {"Fn::GetAtt": ["Subject", "Arn"]}}}
    assert holds(sp.DEFAULT_GROUP_PROVIDER, function, others={"Restrict": serving}) == []
    assert holds(sp.DEFAULT_GROUP_PROVIDER, function) != []
    role: dict[str, Any] = {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
        "Policies": [{"PolicyName": "Inline", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": ["ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"],
             "Resource": "arn"}]}}]}}
    handler = {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Subject", "Arn"]}}}
    assert holds(sp.DEFAULT_GROUP_PROVIDER, role, others={"Handler": handler, "Restrict": custom}) == []
    role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"].append("ec2:*")
    assert "grants more than" in holds(sp.DEFAULT_GROUP_PROVIDER, role, others={"Handler": handler,
                                                                                "Restrict": custom})[0]


def test_a_scoped_resource_limited_by_a_condition() -> None:
    premise = p.scoped_resource(r"arn:aws:ec2:[a-z0-9-]+:\d{12}:network-interface/\*",
                                ("ec2:DeleteNetworkInterface",), condition="ec2:Vpc")
    interfaces = "arn:aws:ec2:eu-west-1:111122223333:network-interface/*"
    limited = {"Effect": "Allow", "Action": "ec2:DeleteNetworkInterface", "Resource": interfaces,
               "Condition": {"ArnEquals": {"ec2:Vpc": "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1"}}}
    assert holds(premise, policy(limited), resource=interfaces) == []
    anywhere = {**limited, "Condition": {}}
    assert "without a ec2:Vpc condition" in holds(premise, policy(anywhere), resource=interfaces)[0]
    either = p.scoped_resource(r"arn:aws:ec2:[a-z0-9-]+:\d{12}:network-interface/\*",
                               ("ec2:DeleteNetworkInterface", "ec2:CreateNetworkInterfacePermission"),
                               condition=("ec2:Vpc", "ec2:AuthorizedService"))
    shared = {"Effect": "Allow", "Action": "ec2:CreateNetworkInterfacePermission", "Resource": interfaces,
              "Condition": {"StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"}}}
    assert holds(either, policy(limited, shared), resource=interfaces) == []
    assert "without a ec2:Vpc or ec2:AuthorizedService" in holds(either, policy(anywhere), resource=interfaces)[0]


def test_an_action_granted_only_on_the_template_s_resources() -> None:
    premise = p.granted_on_template_resources(("ecr:DescribeImageSigningStatus",), ("AWS::ECR::Repository",))
    own = {"Effect": "Allow", "Action": ["ecr:PutImage", "ecr:DescribeImageSigningStatus"],
           "Resource": {"Fn::GetAtt": ["Repo", "Arn"]}}
    repository = {"Repo": {"Type": "AWS::ECR::Repository", "Properties": {}}}
    assert holds(premise, policy(own), others=repository) == []
    foreign = {**own, "Resource": "arn:aws:ecr:eu-west-1:999999999999:repository/other"}
    assert "names resources other than" in holds(premise, policy(own, foreign), others=repository)[0]
    assert "no statement of the policy grants" in holds(premise, policy(), others=repository)[0]


def test_image_and_parameter_premises() -> None:
    image = f"111122223333.dkr.ecr.eu-west-1.amazonaws.com/platform/codebuild-gpu@sha256:{'b' * 64}"
    project: dict[str, Any] = {"Type": "AWS::CodeBuild::Project", "Properties": {"Environment": {
        "Image": image, "ImagePullCredentialsType": "SERVICE_ROLE"}}}
    assert holds(sp.DIGEST_PINNED_BUILD_IMAGE, project) == []
    project["Properties"]["Environment"] = {"Image": "nvidia/cuda:latest", "ImagePullCredentialsType": "CODEBUILD"}
    assert len(holds(sp.DIGEST_PINNED_BUILD_IMAGE, project)) == 2
    parameter: dict[str, Any] = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "pending"}}
    assert holds(sp.CONSTANT_PARAMETER, parameter) == []
    parameter["Properties"].update(Value={"Ref": "Input"}, Tags={"Team": "a"})
    assert len(holds(sp.CONSTANT_PARAMETER, parameter)) == 3  # Value and Tags computed/present, Tags present


def test_the_deploy_time_vpc_condition_premise() -> None:
    condition = {"ArnEquals": {"ec2:Vpc": {"Fn::Join": ["", ["arn:aws:ec2:eu-west-1:1:vpc/", {"Ref": "VpcId"}]]}}}
    statement = {"Effect": "Allow", "Action": "ec2:DeleteNetworkInterface", "Resource": "*", "Condition": condition}
    as_id = json.dumps(condition, separators=(",", ":"), sort_keys=True)
    assert holds(pp.VPC_CONDITION, policy(statement), resource=as_id) == []
    wider = {"StringLike": {"aws:PrincipalArn": "*"}}
    assert "tests more than ec2:Vpc" in holds(pp.VPC_CONDITION, policy(statement), resource=json.dumps(wider))[0]
    assert "no statement" in holds(pp.VPC_CONDITION, policy(), resource=as_id)[0]


def test_submit_premise_follows_imports_and_metaflow_definitions() -> None:
    metaflow = "arn:aws:batch:eu-west-1:111122223333:job-definition/metaflow_*"
    submit = {"Effect": "Allow", "Action": "batch:SubmitJob",
              "Resource": [{"Fn::ImportValue": "Batch:ExportsOutputRefQueue"}, metaflow]}
    exporter = {"Resources": {"Queue": {"Type": "AWS::Batch::JobQueue", "Properties": {}}}}
    subject = policy(submit)
    template = {"Resources": {"Subject": subject}}
    ctx = RuleContext(POLICY, POLICY.environment("dev"), template,
                      exports={"Batch:ExportsOutputRefQueue": (exporter, {"Ref": "Queue"})})
    assert pp.SUBMIT_TO_QUEUES_ONLY.check(Subject("Subject", subject, ctx, {})) == []
    anything = policy({**submit, "Action": ["batch:SubmitJob", "batch:CancelJob"], "Resource": "*"})
    assert len(holds(pp.SUBMIT_TO_QUEUES_ONLY, anything)) == 2


def test_the_expiring_table_premise() -> None:
    table: dict[str, Any] = {"Type": "AWS::DynamoDB::Table", "Properties": {
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": "true"},
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": "key"}}}
    assert holds(sp.RECOVERABLE_EXPIRING_TABLE, table) == []
    assert len(holds(sp.RECOVERABLE_EXPIRING_TABLE, {"Type": "AWS::DynamoDB::Table", "Properties": {}})) == 3


def test_objects_of_a_bucket_of_this_template_or_of_the_one_exporting_it() -> None:
    premise = p.bucket_objects(("s3:GetObject",))
    bucket = {"Data": {"Type": "AWS::S3::Bucket", "Properties": {}}}
    objects = {"Fn::Join": ["", [BUCKET_ARN, "/recs/*"]]}
    read = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": objects})
    assert holds(premise, read, others=bucket, resource="<Data.Arn>/recs/*") == []
    assert "not an S3 bucket" in holds(premise, read, others={"Data": {"Type": "AWS::SQS::Queue"}},
                                        resource="<Data.Arn>/recs/*")[0]
    export = "Batch:ExportsOutputFnGetAttData1234Arn5678"
    imported = policy({"Effect": "Allow", "Action": "s3:GetObject",
                       "Resource": {"Fn::Join": ["", [{"Fn::ImportValue": export}, "/recs/*"]]}})
    template = {"Resources": {"Subject": imported}}
    ctx = RuleContext(POLICY, POLICY.environment("dev"), template,
                      exports={export: ({"Resources": bucket}, BUCKET_ARN)})
    assert premise.check(Subject("Subject", imported, ctx, {"resource": f"{export}/recs/*"})) == []
    alone = holds(premise, imported, resource=f"{export}/recs/*")
    assert alone and "cannot be verified" in alone[-1]


def test_the_published_artifact_premise() -> None:
    url = {"Ref": "PublishedUrl"}
    arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::",
                             {"Fn::Select": [1, {"Fn::Split": ["s3://", url]}]}]]}
    read = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": [arn]})
    as_id = json.dumps(arn, separators=(",", ":"), sort_keys=True)
    parameters = {"PublishedUrl": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/models/churn/url"}}
    template = {"Parameters": parameters, "Resources": {"Subject": read}}
    ctx = RuleContext(POLICY, POLICY.environment("dev"), template)
    assert pp.PUBLISHED_ARTIFACT.check(Subject("Subject", read, ctx, {"resource": as_id})) == []
    wider = policy({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": [arn]})
    assert "grants more than s3:GetObject" in pp.PUBLISHED_ARTIFACT.check(
        Subject("Subject", wider, RuleContext(POLICY, POLICY.environment("dev"), {"Parameters": parameters,
                                                                                  "Resources": {"Subject": wider}}),
                {"resource": as_id}))[0]
    assert "not the S3 object ARN" in holds(pp.PUBLISHED_ARTIFACT, read, resource=as_id)[0]  # no such parameter
    assert "not the S3 object ARN" in holds(pp.PUBLISHED_ARTIFACT, read, resource=json.dumps("arn:aws:s3:::b/*"))[0]
