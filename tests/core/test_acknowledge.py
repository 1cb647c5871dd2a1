"""Applying the decision table (acknowledge.py): every application records the template metadata (id, reason,
decision, origin), the CDK acknowledgment cdk-nag reads and the app's record, on exactly the resources of the
decision's types; it suppresses exactly the findings it names; and the gate refuses what only looks like it.

One app, synthesized once: stack ``Acked`` holds raw resources under a platform construct with decisions applied,
stack ``Bare`` the same resources without, stack ``Table`` one resource per decision of the table, stack ``Forged``
the ways around the table (a policy widened after its acknowledgment, CDK's own acknowledgment API, a resource
added under an acknowledged construct). The synth fails; the validation report says which findings remained where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Acknowledgment as CdkAcknowledgment
from aws_cdk import CfnResource, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Match, Template
from constructs import Construct

from platform_constructs.acknowledge import acknowledge, acknowledge_resources, nag_resource
from platform_constructs.compliance.acknowledgments import ORIGIN_KEY
from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.core import PlatformConstruct, PlatformContext
from platform_constructs.testing import ComplianceError, new_app, synthesize

REPLICATION = DECISIONS["bucket-replication"]
NO_VPC = DECISIONS["sagemaker-serverless-no-vpc"]
TEAM_PREFIX = DECISIONS["batch-job-role-team-prefix"]
UNSCOPED = DECISIONS["ecs-agent-unscoped-actions"]


class Probe(PlatformConstruct):
    """A platform construct that owns raw resources, as the library's constructs own theirs."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, cost_center="acknowledge-test")


def placeholder_values(key: str) -> dict[str, Any]:
    return {name: f"arn:aws:s3:::bucket-{key}/{name}/*" for name in sorted(DECISIONS[key].placeholders)}


def private_bucket(scope: Construct, id: str) -> s3.CfnBucket:
    return s3.CfnBucket(
        scope, id, versioning_configuration=s3.CfnBucket.VersioningConfigurationProperty(status="Enabled"),
        public_access_block_configuration=s3.CfnBucket.PublicAccessBlockConfigurationProperty(
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True),
        bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(server_side_encryption_configuration=[
            s3.CfnBucket.ServerSideEncryptionRuleProperty(
                server_side_encryption_by_default=s3.CfnBucket.ServerSideEncryptionByDefaultProperty(
                    sse_algorithm="AES256"))]))


@dataclass(frozen=True)
class Synth:
    templates: dict[str, dict[str, Any]]
    findings: frozenset[tuple[str, str]]
    """(rule name, construct path) of every violation in the validation report."""
    descriptions: dict[tuple[str, str], str]
    """(rule name, construct path) -> the violation's description."""
    context: PlatformContext
    table: dict[str, CfnResource]
    """Decision key -> the resource of stack Table it was applied to."""


@pytest.fixture(scope="module")
def synth() -> Synth:
    app = new_app()
    for name in ("Acked", "Bare"):
        probe = Probe(Stack(app, name), "P")
        bucket = private_bucket(probe, "Bucket")
        model = sagemaker.CfnModel(
            probe, "Model", execution_role_arn="arn:aws:iam::123456789012:role/model",
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/model:1"))
        sagemaker.CfnEndpointConfig(probe, "Serverless", production_variants=[  # what the serverless premise needs
            sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name="main", model_name=model.attr_model_name,
                serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
                    max_concurrency=1, memory_size_in_mb=2048))])
        team, other = bucket.attr_arn + "/team/*", bucket.attr_arn + "/other/*"
        policy = iam.ManagedPolicy(probe, "Policy", statements=[
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[team, other])])
        if name == "Acked":
            acknowledge(bucket, "bucket-replication")
            acknowledge(model, "sagemaker-serverless-no-vpc")
            acknowledge_resources(policy, "batch-job-role-team-prefix", [team])  # not `other`
    table_probe = Probe(Stack(app, "Table"), "P")
    table = {}
    for key, decision in DECISIONS.items():
        resource = CfnResource(table_probe, f"For{key.title().replace('-', '')}", type=decision.resource_types[0])
        acknowledge(resource, key, **placeholder_values(key))
        table[key] = resource
    forged = Probe(Stack(app, "Forged"), "P")
    widened = iam.ManagedPolicy(forged, "Widened", statements=[iam.PolicyStatement(
        actions=["ecr:GetAuthorizationToken"], resources=["*"])])
    acknowledge(widened, "ecs-agent-unscoped-actions")
    cfn_widened = widened.node.default_child
    assert isinstance(cfn_widened, CfnResource)  # an escape hatch after the acknowledgment
    cfn_widened.add_property_override("PolicyDocument.Statement.1", {
        "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
    by_hand = s3.CfnBucket(forged, "ByHand")
    Validations.of(by_hand).acknowledge(CdkAcknowledgment(id="AwsSolutions-S1", reason="we do not need logs"))
    acknowledged = s3.Bucket(forged, "Acknowledged", versioned=True, enforce_ssl=True,
                             block_public_access=s3.BlockPublicAccess.BLOCK_ALL)
    acknowledge(acknowledged, "bucket-replication")
    s3.CfnBucket(acknowledged, "Underneath").apply_removal_policy(RemovalPolicy.DESTROY)  # added later, underneath
    with pytest.raises(ComplianceError) as info:
        synthesize(app)
    outdir = Path(app.outdir)
    assert (outdir / "validation-report.json").is_file(), str(info.value)
    report = json.loads((outdir / "validation-report.json").read_text())
    violations = [violation for plugin in report["pluginReports"] for violation in plugin["violations"]]
    findings = frozenset((v["ruleName"], c["constructPath"]) for v in violations for c in v["violatingConstructs"])
    descriptions = {(v["ruleName"], c["constructPath"]): v.get("description", "")
                    for v in violations for c in v["violatingConstructs"]}
    templates = {name: json.loads((outdir / f"{name}.template.json").read_text())
                 for name in ("Acked", "Bare", "Table", "Forged")}
    return Synth(templates, findings, descriptions, PlatformContext.of(app), table)


def test_the_acknowledged_findings_are_gone_and_remain_where_not_acknowledged(synth: Synth) -> None:
    for rule_id in REPLICATION.rule_ids:
        assert (rule_id, "Bare/P/Bucket") in synth.findings
        assert (rule_id, "Acked/P/Bucket") not in synth.findings
    for finding in ("PLAT-SM1[isolation]", "PLAT-SM1[vpc]"):  # platform rules, honoured through the metadata
        assert (finding, "Bare/P/Model") in synth.findings
        assert (finding, "Acked/P/Model") not in synth.findings


def test_a_placeholder_acknowledgment_covers_exactly_one_finding(synth: Synth) -> None:
    """The token resource is resolved and flattened the way cdk-nag names it (<Bucket.Arn>/team/*)."""
    team = "AwsSolutions-IAM5[Resource::<PBucket0D6D4C3F.Arn>/team/*]"
    other = "AwsSolutions-IAM5[Resource::<PBucket0D6D4C3F.Arn>/other/*]"
    flat = {name for name, _ in synth.findings}
    assert any(re.fullmatch(r"AwsSolutions-IAM5\[Resource::<PBucket[0-9A-F]{8}\.Arn>/team/\*\]", n) for n in flat)
    acked_team = {n for n, path in synth.findings if path == "Acked/P/Policy/Resource" and "/team/*" in n}
    acked_other = {n for n, path in synth.findings if path == "Acked/P/Policy/Resource" and "/other/*" in n}
    assert acked_team == set() and len(acked_other) == 1  # the other wildcard stays a finding
    assert team != other


def test_the_metadata_names_each_finding_with_its_reason_its_decision_and_the_construct(synth: Synth) -> None:
    acked, bare = Template.from_json(synth.templates["Acked"]), Template.from_json(synth.templates["Bare"])
    origin = {"type": "Probe", "path": "Acked/P"}
    acked.has_resource("AWS::S3::Bucket", {"Metadata": {METADATA_KEY: [
        {"id": rule_id, "reason": REPLICATION.reason, "decision": "bucket-replication"}
        for rule_id in REPLICATION.rule_ids], ORIGIN_KEY: origin}})
    acked.has_resource("AWS::IAM::ManagedPolicy", {"Metadata": {METADATA_KEY: [
        {"id": Match.string_like_regexp(r"^AwsSolutions-IAM5\[Resource::<PBucket[0-9A-F]{8}\.Arn>/team/\*\]$"),
         "reason": TEAM_PREFIX.reason, "decision": "batch-job-role-team-prefix"}], ORIGIN_KEY: origin}})
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
    metadata = synth.templates["Table"]["Resources"][logical_id]["Metadata"]
    assert metadata[METADATA_KEY] == [{"id": rule_id, "reason": decision.reason, "decision": key} for rule_id in ids]
    assert metadata[ORIGIN_KEY] == {"type": "Probe", "path": "Table/P"}
    # cdk-nag 3.0.2 (NagPack.isAcknowledged) reads these entries, ids with CDK's "Annotation::" prefix stripped
    cdk = {re.sub(r"^annotation::", "", rule_id, flags=re.IGNORECASE): reason
           for entry in resource.node.metadata if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
           for rule_id, reason in entry.data.items()}
    assert cdk == dict.fromkeys(ids, decision.reason)
    recorded = [(rule_id, reason) for path, rule_id, reason in synth.context.acknowledgments
                if path == resource.node.path]
    assert recorded == [(rule_id, decision.reason) for rule_id in ids]


def test_the_app_record_lists_every_application_in_order(synth: Synth) -> None:
    acked = [(path, rule_id) for path, rule_id, _ in synth.context.acknowledgments if path.startswith("Acked/")]
    assert acked[:4] == [("Acked/P/Bucket", rule_id) for rule_id in REPLICATION.rule_ids] + [
        ("Acked/P/Model", "PLAT-SM1[isolation]")]
    assert acked[5][0] == "Acked/P/Policy/Resource" and "/team/*" in acked[5][1]


def test_a_policy_widened_after_its_acknowledgment_fails_the_premise(synth: Synth) -> None:
    """cdk-nag honours the CDK acknowledgment; the premise (only the decided actions on '*') fails the synth."""
    assert ("AwsSolutions-IAM5[Resource::*]", "Forged/P/Widened/Resource") not in synth.findings
    assert ("PLAT-ACK1[premise]", "Forged/P/Widened/Resource") in synth.findings
    description = synth.descriptions[("PLAT-ACK1[premise]", "Forged/P/Widened/Resource")]
    assert "'secretsmanager:GetSecretValue' on '*'" in description
    assert UNSCOPED.premises[0].text in description


def test_an_acknowledgment_made_with_cdk_s_api_fails_the_synth(synth: Synth) -> None:
    assert ("PLAT-ACK2", "Forged/P/ByHand") in synth.findings
    assert "Forged/P/ByHand: AwsSolutions-S1" in synth.descriptions[("PLAT-ACK2", "Forged/P/ByHand")]


def test_a_resource_added_under_an_acknowledged_construct_inherits_nothing(synth: Synth) -> None:
    for rule_id in REPLICATION.rule_ids:
        assert (rule_id, "Forged/P/Acknowledged/Resource") not in synth.findings
        assert (rule_id, "Forged/P/Acknowledged/Underneath") in synth.findings


@pytest.mark.parametrize(("key", "values", "error", "message"), [
    ("batch-job-role-team-prefix", {}, ValueError,
     r"acknowledge\('batch-job-role-team-prefix'\) on S/P/R: expected values for the placeholders \(resource\), "
     r"got: none"),
    ("bucket-replication", {"resource": "x"}, ValueError,
     r"acknowledge\('bucket-replication'\) on S/P/R: expected values for the placeholders \(none\), got: resource"),
    ("bucket-replicaton", {}, KeyError, r"no decision 'bucket-replicaton' in platform_constructs/compliance/"),
    ("scratch-not-backed-up", {}, ValueError,
     r"on S/P/R: no resource of the decision's types \(AWS::EFS::FileSystem\) there"),
])
def test_a_wrong_application_is_refused_before_anything_is_recorded(
        key: str, values: dict[str, Any], error: type[Exception], message: str) -> None:
    stack = Stack(new_app(), "S")
    resource = s3.CfnBucket(Probe(stack, "P"), "R")
    with pytest.raises(error, match=message):
        acknowledge(resource, key, **values)
    assert PlatformContext.of(stack).acknowledgments == []
    assert resource.get_metadata(METADATA_KEY) is None
    assert not [e for e in resource.node.metadata if e.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY]


def test_a_resource_no_platform_construct_made_is_refused() -> None:
    stack = Stack(new_app(), "S")
    PlatformContext.of(stack)
    with pytest.raises(ValueError, match=r"on S/Raw: no platform construct made it; pass owner="):
        acknowledge(s3.CfnBucket(stack, "Raw"), "bucket-replication")


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
