"""The IAM rules in the synth gate and in platform-check, and the acceptance: nothing unacknowledged on the
example app (every environment) and the snapshot apps."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from platform_constructs import PlatformNetwork
from platform_constructs.cli.check import main
from platform_constructs.compliance.acknowledgments import ORIGIN_KEY
from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.policy import load_policy
from platform_constructs.testing import ComplianceError, new_app, synthesize

SNAPSHOTS = Path(__file__).resolve().parent.parent / "__snapshots__" / "test_snapshots"
_SNAPSHOT = re.compile(r"test_templates_match_their_snapshots\[(\w+)\]\[\w+-(.+)\]\.json")
EXAMPLE_STACKS = {"platform-network", "platform-images", "prod-rec-model", "recs-batch", "recs-training"}
WRONG_TYPE_ID = "PLAT-IAM2[Action::ecs:UpdateContainerInstancesState::container-instance]"
WRONG_TYPE = {"Effect": "Allow", "Action": "ecs:UpdateContainerInstancesState",
              "Resource": "arn:aws:ecs:us-east-1:123456789012:cluster/AWSBatch-*"}


def snapshot_templates() -> list[tuple[str, str, dict[str, Any]]]:
    """(env, stack, template) of every snapshot: the example app and the variants, as tests/test_snapshots.py
    keeps them equal to what synth produces (only asset hashes are normalised)."""
    found = []
    for path in sorted(SNAPSHOTS.glob("test_templates_match_their_snapshots*.json")):
        match = _SNAPSHOT.fullmatch(path.name)
        assert match is not None, path.name
        found.append((match[1], match[2], json.loads(path.read_text(encoding="utf-8"))))
    return found


def test_example_and_snapshot_apps_have_no_unacknowledged_iam_finding_in_any_environment() -> None:
    policy = load_policy()
    templates = snapshot_templates()
    for env in ("dev", "staging", "prod"):  # the example app and the variant apps, in every environment
        stacks = {stack for e, stack, _ in templates if e == env}
        assert stacks >= EXAMPLE_STACKS and len({s for s in stacks if s.startswith("snap-")}) >= 7, env
    reasons = [(re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(rule_id))), d.reason)  # {placeholder}: any value
               for d in DECISIONS.values() for rule_id in d.rule_ids]
    acknowledged = 0
    for env, stack, template in templates:
        findings = [f for f in check_template(template, policy, policy.environment(env))
                    if f.rule_id.startswith("PLAT-IAM")]
        assert unacknowledged(findings) == [], (env, stack)
        for finding in findings:  # each one by a library decision, with the decision's own reason
            assert any(pattern.fullmatch(finding.rule_id) and finding.acknowledged_reason == reason
                       for pattern, reason in reasons), (env, stack, finding)
            acknowledged += 1
    assert acknowledged  # the accepted exceptions are visible, not silent


def test_a_raw_policy_with_an_action_on_the_wrong_resource_type_fails_synth() -> None:
    app = new_app()
    stack = Stack(app, "Net")
    PlatformNetwork(stack, "Network")
    iam.CfnManagedPolicy(stack, "RawPolicy", policy_document={"Version": "2012-10-17", "Statement": [WRONG_TYPE]})
    with pytest.raises(ComplianceError) as info:
        synthesize(app)
    assert f"{WRONG_TYPE_ID} at Net/RawPolicy" in str(info.value)
    assert "Net/Network" not in str(info.value)


VPC = {"Fn::Join": ["", ["arn:aws:ec2:eu-west-1:111122223333:vpc/", {"Ref": "VpcId"}]]}
ENI, SUBNETS = ("arn:aws:ec2:eu-west-1:111122223333:network-interface/*", "arn:aws:ec2:eu-west-1:111122223333:subnet/*")
IN_VPC = [({"ArnEqualsIfExists": {"ec2:Vpc": VPC}}, "ec2:CreateNetworkInterface", [ENI, SUBNETS]),
          ({"ArnEquals": {"ec2:Vpc": VPC}}, "ec2:DeleteNetworkInterface", [ENI])]
NETWORK_INTERFACES = [{"Effect": "Allow", "Action": action, "Resource": resources, "Condition": condition}
                      for condition, action, resources in IN_VPC]
"""A golden-image build role's network-interface statements, in a VPC whose id is a deploy-time parameter."""
CREATE, DELETE = (f"PLAT-IAM3[Unverifiable::Condition::{json.dumps(c, separators=(',', ':'), sort_keys=True)}]"
                  for c, _, _ in IN_VPC)
WILDCARDS = [f"AwsSolutions-IAM5[Resource::{r}]" for r in (ENI, SUBNETS)]  # cdk-nag's, decided by the library


def library_entries(finding_ids: list[str], decision: str) -> list[dict[str, str]]:
    return [{"id": finding_id, "reason": DECISIONS[decision].reason, "decision": decision}
            for finding_id in finding_ids]


@pytest.mark.parametrize(("entries", "exit_code", "unacknowledged_ids"), [
    ([], 1, [CREATE, DELETE, *WILDCARDS]),
    ([{"id": "PLAT-IAM3", "reason": "decided"}], 1, [CREATE, DELETE, *WILDCARDS]),
    ([{"id": CREATE, "reason": "decided"}, {"id": DELETE, "reason": "decided"}], 1, [CREATE, DELETE, *WILDCARDS]),
    (library_entries([CREATE], "codebuild-vpc-deploy-time")
     + library_entries(WILDCARDS, "codebuild-vpc-network-interfaces"), 1, [DELETE]),
    (library_entries([CREATE, DELETE], "codebuild-vpc-deploy-time")
     + library_entries(WILDCARDS, "codebuild-vpc-network-interfaces"), 0, []),
])
def test_platform_check_reports_it_unless_that_exact_finding_is_acknowledged_by_the_library(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], entries: list[dict[str, str]], exit_code: int,
        unacknowledged_ids: list[str]) -> None:
    template = {"Parameters": {"VpcId": {"Type": "AWS::SSM::Parameter::Value<String>",
                                         "Default": "/platform/network/vpc-id"}},
                "Resources": {"Policy": {
                    "Type": "AWS::IAM::ManagedPolicy",
                    "Metadata": {METADATA_KEY: entries,
                                 ORIGIN_KEY: {"type": "GoldenImagePipeline", "path": "stack/Images"}},
                    "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": NETWORK_INTERFACES}}}}}
    path = tmp_path / "raw.template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    assert main([str(path), "--no-cfn-lint"]) == exit_code
    output = capsys.readouterr().out  # the table lists the unacknowledged findings: TEMPLATE RESOURCE TOOL:RULE ...
    shown = [line.split()[2].split(":", 1)[1] for line in output.splitlines() if line.startswith("raw.template")]
    assert sorted(s for s in shown if not s.startswith("PLAT-ACK1")) == sorted(unacknowledged_ids), output
    forged = any("decision" not in entry for entry in entries)
    assert any(s.startswith("PLAT-ACK1") for s in shown) == forged, output  # entries that are no library decision


def test_platform_check_reads_an_import_in_the_template_that_exports_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    producer = {"Resources": {"Repo": {"Type": "AWS::ECR::Repository",
                                       "Properties": {"RepositoryName": "platform/base"}}},
                "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Repo", "Arn"]},
                                    "Export": {"Name": "Images:ExportsOutputFnGetAttRepoArn"}}}}
    pull = {"Effect": "Allow", "Action": "ecr:BatchGetImage",
            "Resource": {"Fn::ImportValue": "Images:ExportsOutputFnGetAttRepoArn"}}
    consumer = {"Resources": {"Pull": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [pull]}}}}}
    paths = []
    for name, template in (("images", producer), ("consumer", consumer)):
        paths.append(tmp_path / f"{name}.template.json")
        paths[-1].write_text(json.dumps(template), encoding="utf-8")
    main([str(p) for p in paths] + ["--no-cfn-lint"])  # checked together: the import is the repository's ARN
    assert "consumer.template.json: 1 resources, 0 finding(s)" in capsys.readouterr().err
    assert main([str(paths[1]), "--no-cfn-lint"]) == 1  # alone: the import cannot be read
    output = capsys.readouterr()
    assert "consumer.template.json: 1 resources, 1 finding(s)" in output.err
    assert "Unverifiable::Resource" in output.out and "cannot be verified: Fn::ImportValue" in output.out
