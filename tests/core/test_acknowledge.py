"""Applying the decision table (acknowledge.py): every application records the template metadata, the CDK
acknowledgment cdk-nag reads and the app's record; and it suppresses exactly the findings it names.

One app, synthesized once: stack ``Acked`` holds raw resources with decisions applied, stack ``Bare`` the same
resources without, stack ``Table`` one placeholder resource per decision of the table. The synth fails (the
raw resources have other findings); the validation report says which findings remained where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import CfnResource, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Match, Template

from platform_constructs.acknowledge import acknowledge, acknowledge_resources, nag_resource
from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.core import PlatformContext
from platform_constructs.testing import ComplianceError, new_app, synthesize

REPLICATION = DECISIONS["bucket-replication"]
NO_VPC = DECISIONS["sagemaker-serverless-no-vpc"]
TEAM_PREFIX = DECISIONS["batch-job-role-team-prefix"]


def placeholder_values(key: str) -> dict[str, str]:
    return {name: f"arn:aws:s3:::bucket-{key}/{name}/*" for name in sorted(DECISIONS[key].placeholders)}


@dataclass(frozen=True)
class Synth:
    templates: dict[str, dict[str, Any]]
    findings: frozenset[tuple[str, str]]
    """(rule name, construct path) of every violation in the validation report."""
    context: PlatformContext
    table: dict[str, CfnResource]
    """Decision key -> the resource of stack Table it was applied to."""


@pytest.fixture(scope="module")
def synth() -> Synth:
    app = new_app()
    for name in ("Acked", "Bare"):
        stack = Stack(app, name)
        bucket = s3.CfnBucket(stack, "Bucket")
        model = sagemaker.CfnModel(
            stack, "Model", execution_role_arn="arn:aws:iam::123456789012:role/model",
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/model:1"))
        team, other = bucket.attr_arn + "/team/*", bucket.attr_arn + "/other/*"
        policy = iam.ManagedPolicy(stack, "Policy", statements=[
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[team, other])])
        if name == "Acked":
            acknowledge(bucket, "bucket-replication")
            acknowledge(model, "sagemaker-serverless-no-vpc")
            acknowledge_resources(policy, "batch-job-role-team-prefix", [team])  # not `other`
    table_stack = Stack(app, "Table")
    table = {}
    for key in DECISIONS:
        resource = CfnResource(table_stack, f"For{key.title().replace('-', '')}",
                               type="AWS::CloudFormation::WaitConditionHandle")
        acknowledge(resource, key, **placeholder_values(key))
        table[key] = resource
    with pytest.raises(ComplianceError):
        synthesize(app)
    outdir = Path(app.outdir)
    report = json.loads((outdir / "validation-report.json").read_text())
    findings = frozenset(
        (violation["ruleName"], construct["constructPath"])
        for plugin in report["pluginReports"] for violation in plugin["violations"]
        for construct in violation["violatingConstructs"])
    templates = {name: json.loads((outdir / f"{name}.template.json").read_text())
                 for name in ("Acked", "Bare", "Table")}
    return Synth(templates, findings, PlatformContext.of(app), table)


def test_the_acknowledged_findings_are_gone_and_remain_where_not_acknowledged(synth: Synth) -> None:
    for rule_id in REPLICATION.rule_ids:
        assert (rule_id, "Bare/Bucket") in synth.findings
        assert (rule_id, "Acked/Bucket") not in synth.findings
    assert ("PLAT-SM1", "Bare/Model") in synth.findings  # a platform rule, honoured through the metadata
    assert ("PLAT-SM1", "Acked/Model") not in synth.findings


def test_a_placeholder_acknowledgment_covers_exactly_one_finding(synth: Synth) -> None:
    """The token resource is resolved and flattened the way cdk-nag names it (<Bucket.Arn>/team/*)."""
    team = "AwsSolutions-IAM5[Resource::<Bucket.Arn>/team/*]"
    other = "AwsSolutions-IAM5[Resource::<Bucket.Arn>/other/*]"
    assert (team, "Bare/Policy/Resource") in synth.findings
    assert (team, "Acked/Policy/Resource") not in synth.findings
    assert (other, "Acked/Policy/Resource") in synth.findings  # the other wildcard stays a finding


def test_the_metadata_names_each_finding_with_its_reason(synth: Synth) -> None:
    acked, bare = Template.from_json(synth.templates["Acked"]), Template.from_json(synth.templates["Bare"])
    acked.has_resource("AWS::S3::Bucket", {"Metadata": {METADATA_KEY: [
        {"id": rule_id, "reason": REPLICATION.reason} for rule_id in REPLICATION.rule_ids]}})
    acked.has_resource("AWS::IAM::ManagedPolicy", {"Metadata": {METADATA_KEY: [
        {"id": "AwsSolutions-IAM5[Resource::<Bucket.Arn>/team/*]", "reason": TEAM_PREFIX.reason}]}})
    unacknowledged = Match.not_(Match.object_like({"Metadata": {METADATA_KEY: Match.any_value()}}))
    for resource_type in ("AWS::S3::Bucket", "AWS::SageMaker::Model", "AWS::IAM::ManagedPolicy"):
        bare.all_resources(resource_type, unacknowledged)


@pytest.mark.parametrize("key", sorted(DECISIONS))
def test_every_decision_records_metadata_the_cdk_acknowledgment_and_the_app_record(synth: Synth, key: str) -> None:
    decision, resource = DECISIONS[key], synth.table[key]
    ids = decision.finding_ids(**placeholder_values(key))
    assert not any(re.search(r"\{\w+\}", rule_id) for rule_id in ids)  # every placeholder filled
    for value in placeholder_values(key).values():
        assert any(value in rule_id for rule_id in ids)
    logical_id = Stack.of(resource).get_logical_id(resource)
    metadata = synth.templates["Table"]["Resources"][logical_id]["Metadata"][METADATA_KEY]
    assert metadata == [{"id": rule_id, "reason": decision.reason} for rule_id in ids]
    # cdk-nag 3.0.2 (NagPack.isAcknowledged) reads these entries, ids with CDK's "Annotation::" prefix stripped
    cdk = {re.sub(r"^annotation::", "", rule_id, flags=re.IGNORECASE): reason
           for entry in resource.node.metadata if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
           for rule_id, reason in entry.data.items()}
    assert cdk == dict.fromkeys(ids, decision.reason)
    recorded = [(rule_id, reason) for path, rule_id, reason in synth.context.acknowledgments
                if path == resource.node.path]
    assert recorded == [(rule_id, decision.reason) for rule_id in ids]


def test_the_app_record_lists_every_application_in_order(synth: Synth) -> None:
    acked = [entry for entry in synth.context.acknowledgments if entry[0].startswith("Acked/")]
    assert acked == [
        *(("Acked/Bucket", rule_id, REPLICATION.reason) for rule_id in REPLICATION.rule_ids),
        ("Acked/Model", "PLAT-SM1", NO_VPC.reason),
        ("Acked/Policy", "AwsSolutions-IAM5[Resource::<Bucket.Arn>/team/*]", TEAM_PREFIX.reason),
    ]


@pytest.mark.parametrize(("key", "values", "error", "message"), [
    ("batch-job-role-team-prefix", {}, ValueError,
     r"acknowledge\('batch-job-role-team-prefix'\) on S/R: expected values for the placeholders \(resource\), "
     r"got: none"),
    ("bucket-replication", {"resource": "x"}, ValueError,
     r"acknowledge\('bucket-replication'\) on S/R: expected values for the placeholders \(none\), got: resource"),
    ("bucket-replicaton", {}, KeyError, r"no decision 'bucket-replicaton' in platform_constructs/compliance/"),
])
def test_a_wrong_application_is_refused_before_anything_is_recorded(
        key: str, values: dict[str, str], error: type[Exception], message: str) -> None:
    stack = Stack(new_app(), "S")
    resource = s3.CfnBucket(stack, "R")
    with pytest.raises(error, match=message):
        acknowledge(resource, key, **values)
    assert PlatformContext.of(stack).acknowledgments == []
    assert resource.get_metadata(METADATA_KEY) is None
    assert not [e for e in resource.node.metadata if e.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY]


@pytest.mark.parametrize(("value", "flat"), [
    ({"Fn::GetAtt": ["Bucket", "Arn"]}, "<Bucket.Arn>"),
    ({"Ref": "AWS::Partition"}, "<AWS::Partition>"),
    ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b/", {"Fn::GetAtt": ["B", "Arn"]}, "/*"]]},
     "arn:<AWS::Partition>:s3:::b/<B.Arn>/*"),
    ({"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/platform/*"},
     "arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/platform/*"),
    ({"Fn::ImportValue": "Shared-BucketArn"}, "Shared-BucketArn"),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/*"),
    (None, ""),
    ({"Fn::Select": [0, ["a"]]}, '{"Fn::Select":[0,["a"]]}'),
])
def test_resource_values_are_flattened_the_way_cdk_nag_names_them(value: object, flat: str) -> None:
    assert nag_resource(value) == flat
