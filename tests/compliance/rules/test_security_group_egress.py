"""PLAT-NET1 over bare AWS::EC2::SecurityGroup and AWS::EC2::SecurityGroupEgress resources."""

from __future__ import annotations

from typing import Any

import pytest

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.security_group_egress import RULE

CIDR_PARAMETER = {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/platform/network/vpc-cidr"}
VPC = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.40.0.0/16"}}


def group(*egress: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g", "VpcId": "vpc-1",
                                                              "SecurityGroupEgress": list(egress)}}


def https(**destination: Any) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, **destination}


def separate(**destination: Any) -> dict[str, Any]:
    return {"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {"GroupId": "sg-1", **https(**destination)}}


def with_template(resource: dict[str, Any], **extra: Any) -> list[Any]:
    template = {"Parameters": {"Cidr": CIDR_PARAMETER, "Other": {"Type": "String", "Default": "0.0.0.0/0"}},
                "Resources": {"Resource": resource, "Vpc": VPC}, **extra}
    return evaluate(RULE, resource, template=template)


def test_https_to_the_vpc_and_s3_passes() -> None:
    assert evaluate(RULE, group(https(CidrIp="10.40.0.0/16"), https(DestinationPrefixListId="pl-63a5400a"))) == []
    assert evaluate(RULE, separate(DestinationPrefixListId="pl-63a5400a")) == []
    assert evaluate(RULE, separate(DestinationSecurityGroupId="sg-2")) == []
    closed = {"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}
    assert evaluate(RULE, group(closed)) == []  # CDK's placeholder for a group with no egress


def test_the_platform_network_s_cidr_at_deploy_time_passes() -> None:
    assert with_template(group(https(CidrIp={"Ref": "Cidr"}))) == []
    assert with_template(group(https(CidrIp={"Fn::GetAtt": ["Vpc", "CidrBlock"]}))) == []
    assert with_template(separate(CidrIp={"Fn::GetAtt": "Vpc.CidrBlock"})) == []


@pytest.mark.parametrize("rule", [
    https(CidrIp="0.0.0.0/0"),
    {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"},
    {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "CidrIp": "0.0.0.0/0"},
    https(CidrIpv6="::/0"),
    https(CidrIpv6="0:0::/0"),
    https(CidrIp="10.0.0.0/0"),  # prefix length 0 is every address, whatever the host bits
])
def test_egress_to_the_internet_is_reported_on_any_port(rule: dict[str, Any]) -> None:
    found = evaluate(RULE, group(https(CidrIp="10.40.0.0/16"), rule))
    assert [v.location for v in found] == [
        f"Properties.SecurityGroupEgress[1].{'CidrIpv6' if 'CidrIpv6' in rule else 'CidrIp'}"]
    assert "whole internet" in found[0].message
    found = evaluate(RULE, {"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {"GroupId": "sg-1", **rule}})
    assert len(found) == 1 and found[0].location.startswith("Properties.Cidr")


def test_a_group_without_egress_keeps_aws_s_allow_all_rule() -> None:
    bare = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g", "VpcId": "vpc-1"}}
    found = evaluate(RULE, bare)
    assert [v.location for v in found] == ["Properties.SecurityGroupEgress"] and "default rule" in found[0].message
    assert len(evaluate(RULE, group())) == 1  # an empty list declares nothing either


def test_other_computed_cidrs_are_unverifiable() -> None:
    for cidr in ({"Ref": "Other"}, {"Fn::ImportValue": "cidr"}, {"Fn::GetAtt": ["Resource", "CidrBlock"]}):
        found = with_template(group(https(CidrIp=cidr)))
        assert len(found) == 1 and "cannot be verified" in found[0].message, cidr
    found = with_template(group({"Fn::If": ["Open", https(CidrIp="0.0.0.0/0"), {"Ref": "AWS::NoValue"}]}))
    assert len(found) == 1 and "computed at deploy time" in found[0].message
    computed = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupEgress": {"Ref": "Rules"}}}
    assert "cannot be verified" in evaluate(RULE, computed)[0].message


def test_a_cidr_parameter_under_another_prefix_is_not_the_network_s() -> None:
    template = {"Parameters": {"Cidr": {**CIDR_PARAMETER, "Default": "/someone/else/vpc-cidr"}},
                "Resources": {}}
    resource = group(https(CidrIp={"Ref": "Cidr"}))
    assert len(evaluate(RULE, resource, template={**template, "Resources": {"Resource": resource}})) == 1
