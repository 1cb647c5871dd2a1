"""PlatformNetwork: isolated-only VPC, flow logs, closed default SG, endpoints with data-perimeter policies,
published ids; resolve_network."""

from __future__ import annotations

import dataclasses

import pytest
from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match, Template

from platform_constructs import PlatformNetwork, PlatformValidationError
from platform_constructs.compliance.acknowledgments import ORIGIN_KEY
from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.compliance.statements import nag_resource
from platform_constructs.network import (
    AWS_OWNED_READS,
    INTERFACE_ENDPOINTS,
    WITHOUT_ENDPOINT_POLICY,
    endpoint_policy_statements,
    resolve_network,
    resource_accounts,
)
from platform_constructs.policy import NetworkPolicy, load_policy
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


def test_the_default_group_s_closing_and_its_provider_carry_their_decisions(dev: Template) -> None:
    """cdk-nag sees the restriction only on the Vpc construct, and CDK's provider only as a typed function in a
    template (platform-check): both are decided, on the network's behalf."""
    origin = {"type": "PlatformNetwork", "path": "Net/Network"}
    dev.has_resource("AWS::EC2::VPC", {"Metadata": {METADATA_KEY: Match.array_with([Match.object_like(
        {"decision": "vpc-default-security-group-restricted"})]), ORIGIN_KEY: origin}})
    dev.has_resource("AWS::Lambda::Function", {"Metadata": {METADATA_KEY: Match.array_with([Match.object_like(
        {"id": "cdk-validator-cfnguard::lambda_inside_vpc_check"})]), ORIGIN_KEY: origin}})
    dev.has_resource("AWS::IAM::Role", {"Properties": {"ManagedPolicyArns": Match.any_value()}, "Metadata": {
        METADATA_KEY: Match.array_with([Match.object_like({"decision": "default-security-group-provider-role"})]),
        ORIGIN_KEY: origin}})


def test_endpoints_for_ml_services(dev: Template) -> None:
    dev.resource_count_is("AWS::EC2::VPCEndpoint", len(INTERFACE_ENDPOINTS) + 2)  # + the S3 and DynamoDB gateways
    for service in ("sagemaker.api", "sagemaker.runtime", "ecr.api", "ecr.dkr", "logs", "monitoring", "sts", "kms",
                    "batch", "ecs", "ecs-agent", "ecs-telemetry"):
        dev.has_resource_properties("AWS::EC2::VPCEndpoint", {
            "VpcEndpointType": "Interface", "PrivateDnsEnabled": True,
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{service}"]]}})
    for gateway in ("s3", "dynamodb"):  # DynamoDB: the Batch jobs' Metaflow foreach table
        dev.has_resource_properties("AWS::EC2::VPCEndpoint", {
            "VpcEndpointType": "Gateway",
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{gateway}"]]}})
    dev.resource_count_is("AWS::EC2::SecurityGroup", 1)
    dev.has_resource_properties("AWS::EC2::SecurityGroup", {"SecurityGroupIngress": [
        {"CidrIp": POLICY.network.cidr, "Description": "HTTPS from the VPC", "FromPort": 443, "IpProtocol": "tcp",
         "ToPort": 443}]})


FRAMEWORK_ACCOUNTS = sorted({a for regions in POLICY.framework_accounts.values() for a in regions.values()}
                            - {"763104351884"})
"""The accounts hosting SageMaker's framework images in any region (registries.framework_accounts), besides the
Deep Learning Containers' 763104351884 that registries.approved names."""
PERIMETER = {"Sid": "OnlyResourcesOfAllowedAccounts", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
             "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceAccount": [
                 {"Ref": "AWS::AccountId"}, "763104351884", *FRAMEWORK_ACCOUNTS]}}}


def test_every_endpoint_that_takes_a_policy_reaches_only_the_allowed_accounts(dev: Template) -> None:
    """The deploying account, the approved registries' (the Deep Learning Containers' 763104351884) and the
    framework images' accounts (an endpoint serving framework='sklearn' pulls from SageMaker's account)."""
    assert len(FRAMEWORK_ACCOUNTS) > 10 and all(len(a) == 12 and a.isdigit() for a in FRAMEWORK_ACCOUNTS)
    endpoints = dev.find_resources("AWS::EC2::VPCEndpoint")
    with_policy = {k: v for k, v in endpoints.items() if "PolicyDocument" in v["Properties"]}
    assert len(with_policy) == len(INTERFACE_ENDPOINTS) + 2 - len(WITHOUT_ENDPOINT_POLICY)
    for endpoint in with_policy.values():
        assert endpoint["Properties"]["PolicyDocument"]["Statement"][0] == PERIMETER
    without = sorted(v["Properties"]["ServiceName"]["Fn::Join"][1][2] for k, v in endpoints.items()
                     if k not in with_policy)
    assert without == [".ecs-agent", ".ecs-telemetry"]  # ECS accepts no policy there (see network.py)


def test_the_s3_gateway_also_reads_the_aws_owned_image_layer_and_package_buckets(dev: Template) -> None:
    gateways = dev.find_resources("AWS::EC2::VPCEndpoint", {"Properties": {"VpcEndpointType": "Gateway"}})
    (gateway,) = [g for g in gateways.values() if g["Properties"]["ServiceName"]["Fn::Join"][1][2] == ".s3"]
    perimeter, aws_owned = gateway["Properties"]["PolicyDocument"]["Statement"]
    assert perimeter == PERIMETER
    assert {k: v for k, v in aws_owned.items() if k != "Resource"} == {
        "Sid": "ReadAwsOwnedBuckets", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject"}
    assert [nag_resource(r) for r in aws_owned["Resource"]] == [
        "arn:<AWS::Partition>:s3:::prod-<AWS::Region>-starport-layer-bucket/*",  # ECR's image layers
        "arn:<AWS::Partition>:s3:::amazonlinux.<AWS::Region>.amazonaws.com/*",
        "arn:<AWS::Partition>:s3:::amazonlinux-2-repos-<AWS::Region>/*",
        "arn:<AWS::Partition>:s3:::al2023-repos-<AWS::Region>-de612dc2/*"]
    assert len(AWS_OWNED_READS) == 4
    (dynamodb,) = [g for g in gateways.values() if g["Properties"]["ServiceName"]["Fn::Join"][1][2] == ".dynamodb"]
    assert dynamodb["Properties"]["PolicyDocument"]["Statement"] == [PERIMETER]  # this account's tables only


def test_the_policy_names_more_accounts_and_the_organisation() -> None:
    policy = dataclasses.replace(POLICY, network=dataclasses.replace(
        POLICY.network, resource_accounts=("111122223333",), resource_org_id="o-abcdefghij"))
    stack = Stack(new_app(), "Perimeter")
    assert stack.resolve(resource_accounts(stack, policy)) == [{"Ref": "AWS::AccountId"}, "763104351884",
                                                                *FRAMEWORK_ACCOUNTS, "111122223333"]
    images = dataclasses.replace(policy, image_accounts=("444455556666",), framework_accounts={})
    assert stack.resolve(resource_accounts(stack, images)) == [{"Ref": "AWS::AccountId"}, "763104351884",
                                                                "444455556666", "111122223333"]
    statements = [stack.resolve(s.to_statement_json()) for s in endpoint_policy_statements(stack, policy)]
    assert statements[1] == {"Sid": "OnlyResourcesOfTheOrganisation", "Effect": "Allow", "Principal": {"AWS": "*"},
                             "Action": "*", "Resource": "*",
                             "Condition": {"StringEquals": {"aws:ResourceOrgID": "o-abcdefghij"}}}
    assert isinstance(policy.network, NetworkPolicy)


def test_publishes_ids_to_ssm(dev: Template) -> None:
    prefix = POLICY.network.ssm_prefix
    dev.resource_count_is("AWS::SSM::Parameter", 3)
    dev.has_resource_properties("AWS::SSM::Parameter", {"Name": f"{prefix}/vpc-cidr", "Type": "String",
                                                        "Value": {"Fn::GetAtt": [VPC, "CidrBlock"]}})
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
            {"Principal": {"Service": "vpc-flow-logs.amazonaws.com"},  # this account's flow logs only
             "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                           "ArnLike": {"aws:SourceArn": Match.any_value()}}})]},
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
    before = {c.node.id for c in elsewhere.node.children}
    assert not any("vpc-cidr" in name for name in before)  # the CIDR's parameter only once a construct asks
    assert elsewhere.resolve(first.cidr)["Ref"].startswith("SsmParameterValueplatformnetworkvpccidr")
    parameters = Template.from_stack(elsewhere).to_json()["Parameters"].values()
    assert sorted((p["Type"], p["Default"]) for p in parameters if p["Default"].startswith(prefix)) == [
        ("AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>", f"{prefix}/isolated-subnet-ids"),
        ("AWS::SSM::Parameter::Value<String>", f"{prefix}/vpc-cidr"),
        ("AWS::SSM::Parameter::Value<String>", f"{prefix}/vpc-id")]
    assert with_network.resolve(resolve_network(with_network, None).cidr)["Fn::GetAtt"][1] == "CidrBlock"
