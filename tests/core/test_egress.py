"""Workload egress (egress.py) and S3's prefix lists (prefix_lists.py): HTTPS to the VPC CIDR and S3's prefix
list only; a stack whose region is known at synth gets the literal id, or one clear error where none is known.

One small platform construct is synthesized once in a stack with an explicit region (eu-west-1) with every
compliance check; the environment-agnostic form (the mapping) is in test_baseline.py.
"""

from __future__ import annotations

import re

import pytest
from aws_cdk import Environment, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template
from constructs import Construct

from platform_constructs import BatchComputeEnv, baseline
from platform_constructs.core import PlatformConstruct
from platform_constructs.egress import HTTPS_TO_DYNAMODB, HTTPS_TO_ENDPOINTS, HTTPS_TO_S3, MAP_IDS
from platform_constructs.errors import PlatformValidationError
from platform_constructs.prefix_lists import (
    DYNAMODB_PREFIX_LISTS,
    S3_PREFIX_LISTS,
    prefix_list_problem,
    s3_prefix_list_problem,
)
from platform_constructs.testing import new_app, synthesize

ACCOUNT = "111122223333"


class Workload(PlatformConstruct):
    """A workload security group with the platform's egress."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, cost_center="egress-test", project="egress")
        vpc = ec2.Vpc.from_vpc_attributes(self, "Vpc", vpc_id="vpc-12345678",
                                          availability_zones=[f"{Stack.of(self).region}a"])
        self.group = ec2.SecurityGroup(self, "Group", vpc=vpc, allow_all_outbound=False, description="workload")
        baseline.https_egress_to_aws(self.group, vpc_cidr="10.40.0.0/16", problems=self.problems)
        self.jobs = ec2.SecurityGroup(self, "Jobs", vpc=vpc, allow_all_outbound=False, description="jobs")
        baseline.https_egress_to_aws(self.jobs, vpc_cidr="10.40.0.0/16", problems=self.problems, dynamodb=True)


@pytest.fixture(scope="module")
def eu_west_1() -> Template:
    app = new_app({"env": "dev"})
    Workload(Stack(app, "Egress", env=Environment(account=ACCOUNT, region="eu-west-1")), "Workload")
    return Template.from_json(synthesize(app).template("Egress"))  # raises ComplianceError on any finding


def test_a_known_region_gets_the_literal_prefix_list_and_no_mapping(eu_west_1: Template) -> None:
    eu_west_1.has_resource_properties("AWS::EC2::SecurityGroup", {"GroupDescription": "workload",
                                                                  "SecurityGroupEgress": [{
        "CidrIp": "10.40.0.0/16", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "Description": HTTPS_TO_ENDPOINTS}]})
    rules = eu_west_1.find_resources("AWS::EC2::SecurityGroupEgress")
    to = sorted(("jobs" if r["Properties"]["GroupId"]["Fn::GetAtt"][0].startswith("WorkloadJobs") else "workload",
                 r["Properties"]["DestinationPrefixListId"], r["Properties"]["Description"]) for r in rules.values())
    assert to == [("jobs", "pl-6da54004", HTTPS_TO_S3), ("jobs", "pl-6fa54006", HTTPS_TO_DYNAMODB),
                  ("workload", "pl-6da54004", HTTPS_TO_S3)]  # S3 only, by default
    assert all(r["Properties"]["IpProtocol"] == "tcp" and r["Properties"]["FromPort"] == 443 == r["Properties"][
        "ToPort"] for r in rules.values())
    assert not set(MAP_IDS.values()) & set(eu_west_1.to_json().get("Mappings", {}))


def test_no_rule_reaches_the_internet(eu_west_1: Template) -> None:
    resources = eu_west_1.to_json()["Resources"].values()
    destinations = [rule.get("CidrIp") or rule.get("CidrIpv6") for r in resources
                    if r["Type"] == "AWS::EC2::SecurityGroup" for rule in r["Properties"]["SecurityGroupEgress"]]
    destinations += [r["Properties"].get("CidrIp") for r in resources if r["Type"] == "AWS::EC2::SecurityGroupEgress"]
    assert "0.0.0.0/0" not in destinations and "::/0" not in destinations


def test_a_region_without_a_known_prefix_list_fails_synth_with_one_clear_error() -> None:
    """Before: CDK's CfnMapping raised a jsii RuntimeError ("Mapping doesn't contain top-level key") for a literal
    region, and an environment-agnostic stack failed at deploy."""
    app = new_app({"env": "dev"})
    stack = Stack(app, "Cape", env=Environment(account=ACCOUNT, region="af-south-1"))
    with pytest.raises(PlatformValidationError, match=re.escape(
            "Cape/Batch: argument 'region' = 'af-south-1' is not allowed: the stack's region has no S3 prefix list "
            "known to the platform")) as raised:
        BatchComputeEnv(stack, "Batch", cost_center="recs")
    message = str(raised.value)
    assert "describe-managed-prefix-lists --region af-south-1" in message
    assert "Values=com.amazonaws.af-south-1.s3" in message


def test_the_tables_hold_well_formed_regional_ids_for_the_same_regions() -> None:
    for table in (S3_PREFIX_LISTS, DYNAMODB_PREFIX_LISTS):
        assert all(re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region) for region in table)
        assert all(re.fullmatch(r"pl-[0-9a-f]{8}", prefix) for prefix in table.values())
    assert set(S3_PREFIX_LISTS) == set(DYNAMODB_PREFIX_LISTS)  # a Batch stack deploys wherever an endpoint does
    assert all(S3_PREFIX_LISTS[r] != DYNAMODB_PREFIX_LISTS[r] for r in S3_PREFIX_LISTS)  # two lists per region
    assert DYNAMODB_PREFIX_LISTS["us-east-1"] == "pl-02cd2c6b"
    assert S3_PREFIX_LISTS["us-east-1"] == "pl-63a5400a"  # aws-cli's describe-prefix-lists example
    # ids are unique within a region only: S3 in ap-south-1 and in ap-northeast-2 (cloudformation-coverage-roadmap#453)
    assert S3_PREFIX_LISTS["ap-south-1"] == S3_PREFIX_LISTS["ap-northeast-2"] == "pl-78a54011"


def test_the_problem_names_every_known_region_and_the_command_that_finds_the_id() -> None:
    assert s3_prefix_list_problem("eu-west-1") is None
    problem = s3_prefix_list_problem("me-south-1")
    assert problem is not None
    allowed, fix = problem
    assert all(region in allowed for region in S3_PREFIX_LISTS)
    assert "--region me-south-1" in fix and "com.amazonaws.me-south-1.s3" in fix
    problem = prefix_list_problem("me-south-1", "dynamodb")
    assert problem is not None and "DYNAMODB_PREFIX_LISTS" in problem[1]
    assert "com.amazonaws.me-south-1.dynamodb" in problem[1]
