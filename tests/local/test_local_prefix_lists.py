"""Egress rules to prefix lists in the emulator, as AWS treats them: S3's AWS-managed list answers to its AWS id,
and a rule naming a prefix list the region does not have fails (``InvalidPrefixListID.NotFound``).

The model tests work against moto's real EC2 backend in a fresh account each (nothing of the session emulator
is touched); the stack tests create stacks in the session's emulator (its CloudFormation, with the emulator's
models, in the platform network's VPC) and delete what they create.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from local_deployment import Deployment
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import ec2_backends

from platform_constructs.local.models import ec2
from platform_constructs.local.models._prefix_lists import NOT_FOUND, known_prefix_lists
from platform_constructs.prefix_lists import DYNAMODB_PREFIX_LISTS, S3_PREFIX_LISTS

REGION = "us-east-1"
S3_LIST = S3_PREFIX_LISTS[REGION]
UNKNOWN = "pl-0123456789abcdef0"
_accounts = itertools.count(230000000000)


@pytest.fixture
def account() -> str:
    return str(next(_accounts))


def _cfn(**props: Any) -> dict[str, Any]:
    return {"Properties": props}


def _https(**destination: str) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, **destination}


def test_s3_and_dynamodb_lists_carry_their_aws_ids_and_names(account: str) -> None:
    backend = ec2_backends[account][REGION]
    lists = known_prefix_lists(backend)
    assert lists[S3_LIST].prefix_list_name == "com.amazonaws.us-east-1.s3"
    assert lists[S3_LIST].owner_id == "AWS"
    assert lists[S3_LIST].prefix_list_arn == f"arn:aws:ec2:{REGION}:AWS:prefix-list/{S3_LIST}"
    assert [pl.id for pl in backend.describe_managed_prefix_lists(prefix_list_ids=[S3_LIST])] == [S3_LIST]
    dynamodb = DYNAMODB_PREFIX_LISTS[REGION]
    assert (lists[dynamodb].prefix_list_name, lists[dynamodb].owner_id) == ("com.amazonaws.us-east-1.dynamodb", "AWS")
    assert known_prefix_lists(backend) is lists and len(lists) == len(backend.managed_prefix_lists)  # idempotent


def test_inline_egress_to_the_s3_list_is_authorized(account: str) -> None:
    vpc = ec2_backends[account][REGION].create_vpc("10.0.0.0/16")
    group = ec2.SecurityGroupWithEgress.create_from_cloudformation_json("g", _cfn(
        GroupDescription="d", VpcId=vpc.id, SecurityGroupEgress=[
            _https(CidrIp="10.0.0.0/16"), _https(DestinationPrefixListId=S3_LIST)]), account, REGION)
    targets = {(r.ip_protocol, r.ip_range.get("CidrIp"), r.prefix_list_id) for r in group.egress_rules}
    assert targets == {("tcp", "10.0.0.0/16", None), ("tcp", None, S3_LIST)}


def test_egress_resource_to_the_s3_list_is_authorized(account: str) -> None:
    vpc = ec2_backends[account][REGION].create_vpc("10.0.0.0/16")
    group = ec2.SecurityGroupWithEgress.create_from_cloudformation_json("g", _cfn(
        GroupDescription="d", VpcId=vpc.id, SecurityGroupEgress=[_https(CidrIp="10.0.0.0/16")]), account, REGION)
    rule = ec2.SecurityGroupEgress.create_from_cloudformation_json(
        "r", _cfn(GroupId=group.id, **_https(DestinationPrefixListId=S3_LIST)), account, REGION)
    assert {r.id: r.prefix_list_id for r in group.egress_rules}[rule.physical_resource_id] == S3_LIST


def test_egress_to_an_unknown_prefix_list_fails_as_in_aws(account: str) -> None:
    vpc = ec2_backends[account][REGION].create_vpc("10.0.0.0/16")
    with pytest.raises(EC2ClientError, match=f"The prefix list ID '{UNKNOWN}' does not exist") as inline:
        ec2.SecurityGroupWithEgress.create_from_cloudformation_json("g", _cfn(
            GroupDescription="d", VpcId=vpc.id, SecurityGroupEgress=[_https(DestinationPrefixListId=UNKNOWN)]),
            account, REGION)
    assert inline.value.code == NOT_FOUND
    assert not [g for g in ec2_backends[account][REGION].describe_security_groups()
                if g.description == "d" and g.vpc_id == vpc.id]  # the group is rolled back
    group = ec2.SecurityGroupWithEgress.create_from_cloudformation_json("h", _cfn(
        GroupDescription="d", VpcId=vpc.id, SecurityGroupEgress=[_https(CidrIp="10.0.0.0/16")]), account, REGION)
    with pytest.raises(EC2ClientError, match=UNKNOWN) as separate:
        ec2.SecurityGroupEgress.create_from_cloudformation_json(
            "r", _cfn(GroupId=group.id, **_https(DestinationPrefixListId=UNKNOWN)), account, REGION)
    assert separate.value.code == NOT_FOUND
    assert [r.prefix_list_id for r in group.egress_rules] == [None]  # nothing was authorized


def test_an_egress_rule_whose_group_went_first_deletes_cleanly(account: str) -> None:
    """moto's DeleteStack deletes in no dependency order; in AWS a deleted group's rules go with it."""
    backend = ec2_backends[account][REGION]
    vpc = backend.create_vpc("10.0.0.0/16")
    group = ec2.SecurityGroupWithEgress.create_from_cloudformation_json("g", _cfn(
        GroupDescription="d", VpcId=vpc.id, SecurityGroupEgress=[_https(CidrIp="10.0.0.0/16")]), account, REGION)
    props = _cfn(GroupId=group.id, **_https(DestinationPrefixListId=S3_LIST))
    rule = ec2.SecurityGroupEgress.create_from_cloudformation_json("r", props, account, REGION)
    backend.delete_security_group(group_id=group.id)
    ec2.SecurityGroupEgress.delete_from_cloudformation_json(rule.physical_resource_id, props, account, REGION)
    assert backend.get_security_group_by_name_or_id(group.id) is None


def test_another_region_s_s3_id_is_unknown_here(account: str) -> None:
    """Ids are regional: eu-north-1's S3 list is no prefix list of us-east-1."""
    vpc = ec2_backends[account][REGION].create_vpc("10.0.0.0/16")
    with pytest.raises(EC2ClientError, match=S3_PREFIX_LISTS["eu-north-1"]):
        ec2.SecurityGroupWithEgress.create_from_cloudformation_json("g", _cfn(
            GroupDescription="d", VpcId=vpc.id,
            SecurityGroupEgress=[_https(DestinationPrefixListId=S3_PREFIX_LISTS["eu-north-1"])]), account, REGION)


def _vpc(deployment: Deployment) -> str:
    """The session's platform network VPC (its published SSM parameter)."""
    ssm = deployment.target.emulator.client("ssm")
    return str(ssm.get_parameter(Name="/platform/network/vpc-id")["Parameter"]["Value"])


def _stack(vpc: str, prefix_list: str) -> str:
    """A group with HTTPS to the VPC (inline) and to ``prefix_list`` (a rule resource, as CDK writes it)."""
    return json.dumps({"Resources": {
        "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "workload", "VpcId": vpc, "SecurityGroupEgress": [_https(CidrIp="10.40.0.0/16")]}},
        "ToS3": {"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["Group", "GroupId"]}, **_https(DestinationPrefixListId=prefix_list)}}}})


@pytest.mark.deploy
@pytest.mark.xdist_group("deploy")
def test_a_stack_with_egress_to_the_s3_list_deploys(local_deployment: Deployment) -> None:
    em = local_deployment.target.emulator
    cfn = em.client("cloudformation")
    cfn.create_stack(StackName="prefix-list-known", TemplateBody=_stack(_vpc(local_deployment), S3_LIST))
    try:
        assert cfn.describe_stacks(StackName="prefix-list-known")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        (group,) = [r["PhysicalResourceId"] for r in cfn.describe_stack_resources(
            StackName="prefix-list-known")["StackResources"] if r["ResourceType"] == "AWS::EC2::SecurityGroup"]
        (described,) = em.client("ec2").describe_security_groups(GroupIds=[group])["SecurityGroups"]
        assert [pl["PrefixListId"] for p in described["IpPermissionsEgress"]
                for pl in p.get("PrefixListIds", [])] == [S3_LIST]
    finally:
        cfn.delete_stack(StackName="prefix-list-known")


@pytest.mark.deploy
@pytest.mark.xdist_group("deploy")
@pytest.mark.filterwarnings("ignore:Exception\\(EC2ClientError\\) with code InvalidPrefixListID:UserWarning")
def test_a_stack_with_egress_to_an_unknown_prefix_list_fails(local_deployment: Deployment) -> None:
    """AWS fails the group's creation and rolls it back; moto's CloudFormation creates resources inside
    CreateStack, so the model's error is CreateStack's, and the model deletes the group it could not complete."""
    em = local_deployment.target.emulator
    vpc = _vpc(local_deployment)
    template = json.dumps({"Resources": {"Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "unknown prefix list", "VpcId": vpc,
        "SecurityGroupEgress": [_https(CidrIp="10.40.0.0/16"), _https(DestinationPrefixListId=UNKNOWN)]}}}})
    with pytest.raises(ClientError, match=NOT_FOUND.replace(".", r"\.")) as failed:
        em.client("cloudformation").create_stack(StackName="prefix-list-unknown", TemplateBody=template)
    assert UNKNOWN in str(failed.value)
    groups = em.client("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "SecurityGroups"]
    assert not [g for g in groups if g["Description"] == "unknown prefix list"]  # rolled back, as AWS does
