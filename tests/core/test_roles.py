"""The sealed PlatformRole (roles.py): the library's statements in ``Policy``, everyone else's in ``UserPolicy``,
decisions applied to the role covering only ``Policy``; and service principals limited to this account.

Which code adds a statement is read from the call stack: this test module is not the library, so its grants are
the user's. The library's own additions are simulated by running the same call as code of a module named
``platform_constructs.<name>`` (what every construct module is).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template
from constructs import Construct

from platform_constructs import BatchComputeEnv, GoldenImagePipeline, PlatformNetwork, SecureModelEndpoint
from platform_constructs.acknowledge import acknowledge
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.core import PlatformConstruct
from platform_constructs.roles import PlatformRole, added_by_library, platform_role, service_principal
from platform_constructs.testing import ComplianceError, new_app, synthesize


def as_library(code: str, **names: Any) -> None:
    """Run ``code`` as the library's own code would run (a frame of a ``platform_constructs`` module)."""
    exec(compile(code, "<platform_constructs.probe>", "exec"), {"__name__": "platform_constructs.probe", **names})


class Probe(PlatformConstruct):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, cost_center="roles-test")
        self.role = platform_role(self, "Role", assumed_by=service_principal(self, "sagemaker"),
                                  description="the probe")


def test_the_caller_decides_which_policy_a_statement_joins() -> None:
    assert added_by_library() is False  # this test module
    found: list[bool] = []
    as_library("found.append(added_by_library())", found=found, added_by_library=added_by_library)
    assert found == [True]


@pytest.fixture(scope="module")
def probe() -> Template:
    app = new_app()
    stack = Stack(app, "Roles")
    role = Probe(stack, "Probe").role
    statement = iam.PolicyStatement(sid="Unscopable", actions=["ecr:GetAuthorizationToken"], resources=["*"])
    as_library("role.add_to_principal_policy(statement)", role=role, statement=statement)
    acknowledge(role, "ecs-agent-unscoped-actions")
    topic = sns.Topic.from_topic_arn(stack, "Topic", "arn:aws:sns:eu-west-1:123456789012:alarms")
    topic.grant_publish(role)  # a user grant through a CDK grant method
    role.add_to_policy(iam.PolicyStatement(sid="UserStatement", actions=["sns:Publish"],
                                           resources=["arn:aws:sns:eu-west-1:123456789012:t"]))
    role.policy.add_statements(iam.PolicyStatement(sid="IntoTheSealedPolicy", actions=["sqs:SendMessage"],
                                                   resources=["arn:aws:sqs:eu-west-1:123456789012:q"]))
    return Template.from_stack(stack)


def test_library_statements_are_sealed_and_carry_the_decision(probe: Template) -> None:
    probe.has_resource("AWS::IAM::ManagedPolicy", {
        "Properties": {"Description": "Least-privilege permissions of the probe",
                       "PolicyDocument": {"Statement": [Match.object_like({"Sid": "Unscopable"})]}},
        "Metadata": {METADATA_KEY: [Match.object_like({"id": "AwsSolutions-IAM5[Resource::*]",
                                                       "decision": "ecs-agent-unscoped-actions"})]}})


def test_every_other_statement_lands_in_the_user_policy_without_any_acknowledgment(probe: Template) -> None:
    (user,) = probe.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {
        "Description": "Grants added to the role of the probe after construction"}}).values()
    sids = [statement.get("Sid") for statement in user["Properties"]["PolicyDocument"]["Statement"]]
    assert sids == [None, "UserStatement", "IntoTheSealedPolicy"]  # grant_read, add_to_policy, policy.add_statements
    assert "Metadata" not in user or METADATA_KEY not in user["Metadata"]
    probe.resource_count_is("AWS::IAM::ManagedPolicy", 2)


def test_a_role_without_library_statements_has_no_empty_sealed_policy() -> None:
    stack = Stack(new_app(), "Lazy")
    role = Probe(stack, "Probe").role
    role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["arn:aws:sns:eu-west-1:123456789012:t"]))
    Template.from_stack(stack).resource_count_is("AWS::IAM::ManagedPolicy", 1)


def test_service_principals_are_limited_to_this_account_and_the_service_s_resources() -> None:
    stack = Stack(new_app(), "Trust")
    role = PlatformRole(stack, "Role", assumed_by=service_principal(stack, "vpc-flow-logs"), description="flow logs")
    role.add_to_policy(iam.PolicyStatement(actions=["logs:PutLogEvents"],
                                           resources=["arn:aws:logs:eu-west-1:123456789012:log-group:g"]))
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                      "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", [
                          "arn:", {"Ref": "AWS::Partition"}, ":ec2:", {"Ref": "AWS::Region"}, ":",
                          {"Ref": "AWS::AccountId"}, ":vpc-flow-log/*"]]}}}}]}})
    with pytest.raises(ValueError, match=r"'lambda' is not one of the services documented to send"):
        service_principal(stack, "lambda")


WILDCARD = {"Action": "secretsmanager:GetSecretValue", "Effect": "Allow", "Resource": "*"}


@pytest.fixture(scope="module")
def widened() -> str:
    """Every construct's role, widened by a user after construction; the synth fails before any plugin runs."""
    app = new_app()
    endpoint = SecureModelEndpoint(Stack(app, "Serving"), "Endpoint", cost_center="team-a",
                                   model_data_url="s3://my-bucket/models/m.tar.gz")
    batch = BatchComputeEnv(Stack(app, "Batch"), "Batch", cost_center="recs")
    images_stack = Stack(app, "Images")
    PlatformNetwork(images_stack, "Network", publish_parameters=False)
    images = GoldenImagePipeline(images_stack, "Golden", cost_center="ml-platform", name="roles",
                                 runtime_requirements=[f"tenacity==8.3.0 --hash=sha256:{'0' * 64}"],
                                 lineages=["training-cpu"], publish_defaults=False)
    for role in (endpoint.role, batch.role, images.levels[0].role):
        role.add_to_principal_policy(iam.PolicyStatement.from_json(WILDCARD))
    with pytest.raises(ComplianceError) as info:
        synthesize(app)
    return str(info.value)


@pytest.mark.parametrize("path", ["Serving/Endpoint/ExecutionRole", "Batch/Batch/JobRole",
                                  "Images/Golden/TrainingCpu/Base/BuildRole"])
def test_a_wildcard_grant_on_any_construct_s_role_fails_synth_naming_the_role_and_the_statement(
        widened: str, path: str) -> None:
    assert f"[{path}] role {path}: a grant added to it after construction allows secretsmanager:GetSecretValue " \
           f'on "*"' in widened
    assert json.dumps(WILDCARD, sort_keys=True) in widened
