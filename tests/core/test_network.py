"""PlatformNetwork: isolated-only VPC, flow logs, closed default SG, endpoints, published ids; resolve_network."""

from __future__ import annotations

import pytest
from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match, Template

from platform_constructs import PlatformNetwork, PlatformValidationError
from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.network import INTERFACE_ENDPOINTS, resolve_network
from platform_constructs.policy import load_policy
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

POLICY = load_policy()
VPC = Match.string_like_regexp("^NetworkVpc[0-9A-F]{8}$")


def _synth(env: str) -> SynthResult:
    app = new_app({"env": env})
    PlatformNetwork(Stack(app, "Net"), "Network")
    return synthesize(app)  # raises ComplianceError on any unacknowledged finding


@pytest.fixture(scope="module")
def dev_synth() -> SynthResult:
    return _synth("dev")


@pytest.fixture(scope="module")
def dev(dev_synth: SynthResult) -> Template:
    return Template.from_json(dev_synth.template("Net"))


@pytest.fixture(scope="module")
def prod() -> Template:
    return Template.from_json(_synth("prod").template("Net"))


def test_synthesizes_with_zero_findings_and_cfn_lint_clean(dev_synth: SynthResult) -> None:
    assert cfn_lint(dev_synth.template_path("Net")) == []
    assert unacknowledged(check_template(dev_synth.template("Net"), POLICY, POLICY.environment("dev"))) == []


def test_only_isolated_subnets_no_internet_path(dev: Template) -> None:
    dev.resource_count_is("AWS::EC2::InternetGateway", 0)
    dev.resource_count_is("AWS::EC2::NatGateway", 0)
    dev.resource_count_is("AWS::EC2::Subnet", POLICY.network.max_azs)
    dev.all_resources_properties("AWS::EC2::Subnet", {
        "MapPublicIpOnLaunch": False,
        "Tags": Match.array_with([{"Key": "aws-cdk:subnet-type", "Value": "Isolated"}]),
    })
    dev.has_resource_properties("AWS::EC2::VPC", {"CidrBlock": POLICY.network.cidr, "EnableDnsSupport": True,
                                                  "EnableDnsHostnames": True})


def test_flow_logs_to_encrypted_log_group_with_retention(dev: Template) -> None:
    dev.has_resource_properties("AWS::EC2::FlowLog", {
        "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": {"Ref": Match.string_like_regexp("^NetworkFlowLogs")}})
    dev.resource_count_is("AWS::Logs::LogGroup", 1)
    dev.has_resource_properties("AWS::Logs::LogGroup", {
        "RetentionInDays": POLICY.environment("dev").log_retention_days,
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^NetworkFlowLogKey"), "Arn"]}})
    dev.resource_count_is("AWS::KMS::Key", 1)
    dev.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_default_security_group_is_closed(dev: Template) -> None:
    dev.has_resource_properties("Custom::VpcRestrictDefaultSG", {
        "DefaultSecurityGroupId": {"Fn::GetAtt": [VPC, "DefaultSecurityGroup"]}})


def test_endpoints_for_ml_services(dev: Template) -> None:
    dev.resource_count_is("AWS::EC2::VPCEndpoint", len(INTERFACE_ENDPOINTS) + 1)  # + the S3 gateway
    for service in ("sagemaker.api", "sagemaker.runtime", "ecr.api", "ecr.dkr", "logs", "monitoring", "sts", "kms",
                    "batch", "ecs", "ecs-agent", "ecs-telemetry"):
        dev.has_resource_properties("AWS::EC2::VPCEndpoint", {
            "VpcEndpointType": "Interface", "PrivateDnsEnabled": True,
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{service}"]]}})
    dev.has_resource_properties("AWS::EC2::VPCEndpoint", {
        "VpcEndpointType": "Gateway",
        "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]}})
    dev.resource_count_is("AWS::EC2::SecurityGroup", 1)
    dev.has_resource_properties("AWS::EC2::SecurityGroup", {"SecurityGroupIngress": [
        {"CidrIp": POLICY.network.cidr, "Description": "HTTPS from the VPC", "FromPort": 443, "IpProtocol": "tcp",
         "ToPort": 443}]})


def test_publishes_ids_to_ssm(dev: Template) -> None:
    prefix = POLICY.network.ssm_prefix
    dev.resource_count_is("AWS::SSM::Parameter", 2)
    dev.has_resource_properties("AWS::SSM::Parameter", {"Name": f"{prefix}/vpc-id", "Type": "String",
                                                        "Value": {"Ref": VPC}})
    dev.has_resource_properties("AWS::SSM::Parameter", {"Name": f"{prefix}/isolated-subnet-ids", "Type": "StringList"})
    dev.has_output("*", {"Value": {"Ref": VPC}})


def test_no_inline_or_aws_managed_policies_on_our_roles(dev: Template) -> None:
    dev.resource_count_is("AWS::IAM::Policy", 0)
    # The flow-log role's permissions live in its own customer-managed policy; the only AWS-managed policy in
    # the template is on CDK's own custom-resource provider role (Custom::VpcRestrictDefaultSG).
    dev.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [Match.object_like(
            {"Principal": {"Service": "vpc-flow-logs.amazonaws.com"}})]},
        "ManagedPolicyArns": Match.absent()})
    dev.has_resource_properties("AWS::IAM::ManagedPolicy", {
        "Roles": [{"Ref": Match.string_like_regexp("^NetworkFlowLogRole")}]})


@pytest.mark.parametrize("resource_type", ["AWS::KMS::Key", "AWS::Logs::LogGroup"])
def test_prod_retains_key_and_log_group_dev_destroys(dev: Template, prod: Template, resource_type: str) -> None:
    prod.all_resources(resource_type, {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
    dev.all_resources(resource_type, {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"})


def test_bad_arguments_are_reported_together() -> None:
    app = new_app()
    with pytest.raises(PlatformValidationError) as info:
        PlatformNetwork(Stack(app, "Net"), "Network", cidr="10.0.0.0/8", max_azs=0, cost_center="Bad Center")
    assert [p.argument for p in info.value.problems] == ["cost_center", "max_azs", "cidr"]
    assert "Net/Network: argument 'cidr' = '10.0.0.0/8'" in str(info.value)


def test_resolve_network_prefers_an_explicit_vpc_then_the_stack_network_then_ssm() -> None:
    app = new_app()
    with_network = Stack(app, "WithNetwork")
    network = PlatformNetwork(with_network, "Network", publish_parameters=False)
    assert resolve_network(with_network, None).vpc is network.vpc
    explicit = ec2.Vpc(Stack(new_app(), "Explicit"), "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    assert resolve_network(with_network, explicit).vpc is explicit
    elsewhere = Stack(new_app(), "Elsewhere")  # no network in the stack: the ids published to SSM
    first, second = resolve_network(elsewhere, None), resolve_network(elsewhere, None)
    assert first.vpc.node.path == second.vpc.node.path == "Elsewhere/PlatformNetworkRef"  # imported once per stack
    prefix = POLICY.network.ssm_prefix
    parameters = Template.from_stack(elsewhere).to_json()["Parameters"].values()
    assert sorted((p["Type"], p["Default"]) for p in parameters if p["Default"].startswith(prefix)) == [
        ("AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>", f"{prefix}/isolated-subnet-ids"),
        ("AWS::SSM::Parameter::Value<String>", f"{prefix}/vpc-id")]
