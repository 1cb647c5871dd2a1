"""What an update (and a delete) of a stack does in the emulator, as CloudFormation does it: log groups and managed
policies update (moto's models only created them), stack deletion detaches policies and tolerates a policy whose
topic or bucket is already gone, and resources that reference a replaced one, or an SSM-typed parameter whose value
changed, are updated (``updates.py``).
Against moto's real backends, each test in an account of its own."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from moto.cloudformation import parsing
from moto.iam.models import iam_backends
from moto.logs.models import logs_backends
from moto.s3.models import s3_backends
from moto.sns.models import sns_backends

from platform_constructs.local import models
from platform_constructs.local.models import iam_policies, logs, s3, sns
from platform_constructs.local.models.updates import fetched_again, references, update_dependents

REGION = "us-east-1"
_accounts = itertools.count(320000000000)


@pytest.fixture
def account() -> str:
    return str(next(_accounts))


def _cfn(**props: Any) -> dict[str, Any]:
    return {"Properties": props}


def test_a_log_group_updates_in_place_and_a_new_name_replaces_it(account: str) -> None:
    backend = logs_backends[account][REGION]
    group = logs.LogGroup.create_from_cloudformation_json("/aws/x-1", _cfn(LogGroupName="/aws/x-1",
                                                                           RetentionInDays=30), account, REGION)
    same = logs.LogGroup.update_from_cloudformation_json(group, "g", _cfn(LogGroupName="/aws/x-1",
                                                                          RetentionInDays=90), account, REGION)
    assert same is group and backend.groups["/aws/x-1"].retention_in_days == 90
    new = logs.LogGroup.update_from_cloudformation_json(group, "g", _cfn(LogGroupName="/aws/x-2",
                                                                         RetentionInDays=90), account, REGION)
    assert new.name == "/aws/x-2" and set(backend.groups) == {"/aws/x-2"}


def _role(account: str, name: str) -> None:
    iam_backends[account]["aws"].create_role(name, json.dumps({"Version": "2012-10-17", "Statement": []}), "/",
                                              None, "", [], None)


def _document(action: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def test_a_managed_policy_updates_its_document_and_roles_and_deletes_detached(account: str) -> None:
    _role(account, "a")
    _role(account, "b")
    backend = iam_backends[account]["aws"]
    policy = iam_policies.ManagedPolicy.create_from_cloudformation_json(
        "p", _cfn(PolicyDocument=_document("s3:GetObject"), Roles=["a"]), account, REGION)
    for action in ("s3:PutObject", "s3:ListBucket", "kms:Decrypt", "kms:Encrypt", "sns:Publish"):  # > 5 versions
        updated = iam_policies.ManagedPolicy.update_from_cloudformation_json(
            policy, "p", _cfn(PolicyDocument=_document(action), Roles=["b"]), account, REGION)
    assert updated.arn == policy.arn  # updated in place, as CloudFormation does
    default = next(v for v in backend.list_policy_versions(policy.arn) if v.is_default)
    assert json.loads(default.document)["Statement"][0]["Action"] == "sns:Publish"
    assert policy.arn in backend.get_role("b").managed_policies and not backend.get_role("a").managed_policies
    iam_policies.ManagedPolicy.delete_from_cloudformation_json(policy.arn, {}, account, REGION)
    assert policy.arn not in backend.managed_policies
    backend.delete_role("b")  # nothing attached any more: the role can go (a stack delete no longer fails)


def test_deleting_a_policy_whose_topic_or_bucket_is_gone_succeeds(account: str) -> None:
    topic = sns_backends[account][REGION].create_topic("t")
    sns.TopicPolicy.create_from_cloudformation_json("tp", _cfn(Topics=[topic.arn], PolicyDocument=_document(
        "sns:Publish")), account, REGION)
    sns_backends[account][REGION].delete_topic(topic.arn)
    sns.TopicPolicy.delete_from_cloudformation_json("tp", _cfn(Topics=[topic.arn]), account, REGION)
    s3.BucketPolicy.delete_from_cloudformation_json("no-such-bucket", {}, account, REGION)
    assert "no-such-bucket" not in s3_backends[account]["aws"].buckets


def test_references_are_refs_getatts_and_subs() -> None:
    value = {"A": {"Ref": "Config"}, "B": [{"Fn::GetAtt": ["Model", "ModelName"]}, {"Fn::GetAtt": "Key.Arn"}],
             "C": {"Fn::Sub": ["${Bucket.Arn}/x/${Var}", {"Var": {"Ref": "Topic"}}]},
             "D": {"Fn::Sub": "${AWS::Region}"}}  # a pseudo parameter is no resource
    assert set(references(value)) == {"Config", "Model", "Key", "Bucket", "Var", "Topic"}


class _Resource:
    def __init__(self, physical_id: str) -> None:
        self.physical_resource_id = physical_id


def test_an_update_reaches_what_references_a_replaced_resource() -> None:
    """moto compares template text: the endpoint of a replaced configuration (its text unchanged) is updated
    too, and what references the endpoint if that was replaced in turn; unrelated or already updated ones are not."""
    resources: dict[str, dict[str, Any]] = {
        "Config": {"Properties": {"X": 2}}, "Endpoint": {"Properties": {"C": {"Ref": "Config"}}},
        "Target": {"Properties": {"R": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}}},
        "Alarm": {"Properties": {"D": {"Ref": "Config"}}}, "Other": {"Properties": {"Y": 1}}}
    parsed: dict[str, Any] = {"Config": _Resource("config-2"), "Endpoint": _Resource("ep"),
                              "Target": _Resource("t"), "Alarm": _Resource("a"), "Other": _Resource("o")}
    calls: list[str] = []

    def update(name: str, resource_json: dict[str, Any]) -> Any:
        calls.append(name)
        return _Resource("ep-2" if name == "Endpoint" else name.lower())

    before = {"Config": "config-1", "Endpoint": "ep", "Target": "target", "Alarm": "a", "Other": "o"}
    updated = update_dependents(resources, parsed, changed={"Config"}, touched={"Config", "Alarm"}, before=before,
                                update=update)
    assert updated == calls == ["Endpoint", "Target"]
    assert parsed["Endpoint"].physical_resource_id == "ep-2" and parsed["Other"].physical_resource_id == "o"


def test_ssm_typed_parameters_whose_value_changed_are_fetched_again() -> None:
    """CloudFormation fetches SSM parameter types on every update: those whose value changed count as changed
    (moto compared only their input, the parameter's name); plain parameters and unchanged values do not."""
    parameters = {"Url": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/registry/churn/url"},
                  "Arn": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/registry/churn/arn"},
                  "Subnets": {"Type": "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>", "Default": "/n"},
                  "Plain": {"Type": "String", "Default": "x"}}
    before = {"Url": "s3://m/v1.tar.gz", "Arn": "arn:p/1", "Subnets": ["s-1"], "Plain": "x"}
    after = {"Url": "s3://m/v2.tar.gz", "Arn": "arn:p/1", "Subnets": ["s-1", "s-2"], "Plain": "y"}
    assert fetched_again(parameters, before, after) == {"Url", "Subnets"}
    assert fetched_again(parameters, before, before) == set()


def test_register_installs_the_update_once() -> None:
    models.register()
    wrapped = parsing.ResourceMap.update
    models.register()
    assert parsing.ResourceMap.update is wrapped and wrapped._platform_updates_dependents  # type: ignore[attr-defined]
