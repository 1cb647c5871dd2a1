"""The verification's pure parts: resolving template values, the template-only checks, policy and rule
comparisons, and the per-stack report line. (What boto3 reads back is in ``test_local_deploy*.py``.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from platform_constructs.local.adapter import AdaptedAssembly
from platform_constructs.local.deploy import DeployResult, StackResult
from platform_constructs.local.emulator import ACCOUNT, REGION, Emulator
from platform_constructs.local.models import TEMPLATE_ONLY
from platform_constructs.local.report import stack_table, summary
from platform_constructs.local.verify_base import Check
from platform_constructs.local.verify_data import denies_insecure_transport
from platform_constructs.local.verify_network import declared_rule, group_rules
from platform_constructs.local.verify_resolve import Resolver, Unresolved, unresolved_in
from platform_constructs.local.verify_template import TEMPLATE_CHECKS, Declared

TEMPLATE: dict[str, Any] = {
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}, "Queue": {"Type": "AWS::SQS::Queue"}},
}
PHYSICAL = {"Topic": "arn:aws:sns:us-east-1:123456789012:t", "Queue": "https://q"}


@pytest.fixture
def resolver() -> Resolver:
    """A resolver over a fixed template and physical ids (its cases need no emulator call)."""
    return Resolver(Emulator(port=1), "st", TEMPLATE, PHYSICAL)


@pytest.mark.parametrize(("node", "expected"), [
    ({"Ref": "Topic"}, PHYSICAL["Topic"]),
    ({"Ref": "AWS::AccountId"}, ACCOUNT),
    ({"Ref": "AWS::StackName"}, "st"),
    ({"Ref": "Env"}, "dev"),
    ({"Fn::GetAtt": ["Topic", "TopicArn"]}, PHYSICAL["Topic"]),
    ({"Fn::Join": ["-", [{"Ref": "Env"}, {"Ref": "AWS::Region"}]]}, f"dev-{REGION}"),
    ({"Fn::Select": [1, {"Fn::Split": [":", {"Ref": "Topic"}]}]}, "aws"),
    ({"Fn::Sub": "${Env}/${AWS::Region}/${!Literal}"}, f"dev/{REGION}/${{Literal}}"),
    ({"Fn::Sub": ["${X}-${Topic.TopicArn}", {"X": {"Ref": "Env"}}]}, f"dev-{PHYSICAL['Topic']}"),
    ([{"Ref": "Env"}, {"K": {"Ref": "Queue"}}], ["dev", {"K": "https://q"}]),
])
def test_resolver_evaluates_what_boto3_can_answer(resolver: Resolver, node: Any, expected: Any) -> None:
    assert resolver.resolve(node) == expected


@pytest.mark.parametrize(("node", "what"), [
    ({"Fn::GetAtt": ["Queue", "Arn"]}, "Fn::GetAtt Queue.Arn"),
    ({"Ref": "Missing"}, "Ref Missing"),
    ({"Fn::ImportValue": "x"}, "Fn::ImportValue"),
    ({"Fn::Join": ["", ["a", {"Ref": "Missing"}]]}, "Ref Missing"),
    ({"Fn::Sub": "${Missing}"}, "Ref Missing"),
])
def test_resolver_says_what_it_could_not_resolve(resolver: Resolver, node: Any, what: str) -> None:
    value = resolver.resolve(node)
    assert unresolved_in(value) == Unresolved(what)


def test_every_template_only_type_is_checked_on_the_template_with_its_reason() -> None:
    assert set(TEMPLATE_CHECKS) == set(TEMPLATE_ONLY)
    good: dict[str, dict[str, Any]] = {
        "AWS::CodeArtifact::Domain": {"DomainName": "d", "EncryptionKey": {"Fn::GetAtt": ["K", "Arn"]}},
        "AWS::CodeArtifact::Repository": {"RepositoryName": "pypi", "DomainName": "d",
                                          "ExternalConnections": ["public:pypi"]},
        "AWS::EC2::PlacementGroup": {"Strategy": "cluster"},
        "AWS::CDK::Metadata": {"Analytics": "v2:deflate64:..."}}
    for resource_type, props in good.items():
        checks = TEMPLATE_CHECKS[resource_type](Declared("st", "R", resource_type, props, TEMPLATE_ONLY[resource_type]))
        assert checks and all(c.passed for c in checks), resource_type
        assert all(c.source == f"template ({TEMPLATE_ONLY[resource_type]})" for c in checks)


@pytest.mark.parametrize(("resource_type", "props", "failing"), [
    ("AWS::CodeArtifact::Domain", {"DomainName": "d"}, "encrypted with a customer key"),
    ("AWS::CodeArtifact::Repository", {"RepositoryName": "r", "DomainName": "d",
                                       "ExternalConnections": ["pypi"]}, "upstream"),
    ("AWS::EC2::PlacementGroup", {"Strategy": "clustered"}, "strategy"),
])
def test_template_only_checks_fail_on_what_matters(resource_type: str, props: dict[str, Any], failing: str) -> None:
    checks = TEMPLATE_CHECKS[resource_type](Declared("st", "R", resource_type, props, "reason"))
    assert [c.name for c in checks if not c.passed] == [failing]


def test_denies_insecure_transport_needs_the_bucket_and_its_objects() -> None:
    deny = {"Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}
    wanted = {"arn:aws:s3:::b", "arn:aws:s3:::b/*"}
    assert denies_insecure_transport({"Statement": [deny]}, wanted)
    assert not denies_insecure_transport({"Statement": [{**deny, "Resource": "arn:aws:s3:::b/*"}]}, wanted)
    assert not denies_insecure_transport({"Statement": [{**deny, "Effect": "Allow"}]}, wanted)
    assert not denies_insecure_transport({"Statement": [{**deny, "Action": "s3:GetObject"}]}, wanted)


def test_declared_and_reported_rules_compare_equal() -> None:
    group = {"IpPermissionsEgress": [
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1"}]},
        {"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86, "IpRanges": [{"CidrIp": "255.255.255.255/32"}]}]}
    assert group_rules(group) == {declared_rule({"IpProtocol": "-1", "DestinationSecurityGroupId": "sg-1"}),
                                  declared_rule({"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86,
                                                 "CidrIp": "255.255.255.255/32"})}


def _result(tmp_path: Path, **stack: Any) -> DeployResult:
    checks = [Check("st", "R", "AWS::X::Y", "created", True, "x")]
    return DeployResult(assembly=tmp_path, adapted=AdaptedAssembly(directory=tmp_path),
                        stacks=[StackResult("st", 3, checks, 1.0, **stack)])


def test_one_line_per_stack_with_created_template_only_and_runtime_columns(tmp_path: Path) -> None:
    before = stack_table(_result(tmp_path, created=2, template_only={"AWS::EC2::PlacementGroup": 1}))
    header, line, *legend = before
    assert header.split()[:6] == ["stack", "resources", "created", "dropped", "runtime", "ok"]
    assert line.split()[:6] == ["st", "3", "2", "0", "-", "-"]  # no runtime checks ran yet
    assert "1 x EC2::PlacementGroup [a]" in line
    assert any(TEMPLATE_ONLY["AWS::EC2::PlacementGroup"] in row for row in legend)
    after = stack_table(_result(tmp_path, created=3, runtime_allowed=12, runtime_denied=4))
    assert after[1].split()[:6] == ["st", "3", "3", "0", "12", "4"]


def test_emulator_log_is_reported_and_fails_the_deploy(tmp_path: Path) -> None:
    result = _result(tmp_path, created=3)
    assert result.ok
    result.emulator_log = ["moto warning: No Moto CloudFormation support for AWS::Imaginary::Thing"]
    assert not result.ok
    assert "AWS::Imaginary::Thing" in summary(result)
