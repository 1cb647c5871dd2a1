"""guard_run.py: the Control Tower rules in processes of their own give the report the package's plugin gives.

The reference is ``cdklabs-cdk-validator-cfnguard``'s ``CfnGuardValidator`` itself, called through jsii as the gate
called it before: one cfn-guard process over all templates, given every Control Tower rule file (its default)
or, for the whole example app, the rule files that name a resource type of the templates (what the gate gave it).
Templates: the example app's (every platform construct), a non-compliant one (a raw unencrypted bucket, a KMS key
without rotation, a security group open to the internet) and one with a top-level key shaped like a cfn-guard
hook's input, for which every rule file runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsii
import pytest
from aws_cdk import App, IPolicyValidationContextBeta1
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator
from constructs import IConstruct

from platform_constructs.guard_rules import rule_index, rules_dir, rules_for_template
from platform_constructs.guard_run import MAX_BUFFER, GuardRun
from platform_constructs.testing import SynthResult

NON_COMPLIANT = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "RawBucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "RawKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": False}},
        "OpenGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "open", "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}},
    },
}
HOOK_SHAPED = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}}},
               "AWS::S3::Bucket": {"resourceProperties": {}}}
"""Not a template section: the rule files' hook rules (``is_cfn_hook``) read such a key."""


@jsii.implements(IPolicyValidationContextBeta1)
class _Context:
    """What CDK hands a plugin (the package's plugin reads the template paths only)."""

    def __init__(self, paths: Sequence[str]) -> None:
        self._paths = list(paths)
        self._app = App()

    @property
    def template_paths(self) -> list[str]:
        return self._paths

    @property
    def app_construct(self) -> IConstruct:
        return self._app


def package_report(paths: Sequence[str], rules: Sequence[str] | None = None) -> dict[str, Any]:
    """The package plugin's report over ``paths`` in one call (every Control Tower rule file unless ``rules``)."""
    plugin = CfnGuardValidator(max_buffer=MAX_BUFFER) if rules is None else CfnGuardValidator(
        control_tower_rules_enabled=False, rules=list(rules), max_buffer=MAX_BUFFER)
    report = plugin.validate(_Context(paths))
    return {"success": report.success, "violations": [{
        "ruleName": v.rule_name, "description": v.description, "fix": v.fix, "ruleMetadata": v.rule_metadata,
        "violatingResources": [{"locations": list(r.locations), "resourceLogicalId": r.resource_logical_id,
                                "templatePath": r.template_path} for r in v.violating_resources]}
        for v in report.violations]}


def ours(paths: Sequence[str], *, workers: int = 2) -> dict[str, Any]:
    report = GuardRun(workers=workers).report(paths)
    return {"success": report["success"], "violations": [
        {key: v.get(key) for key in ("ruleName", "description", "fix", "ruleMetadata", "violatingResources")}
        for v in report["violations"]]}


def naming_rules(paths: Sequence[str]) -> list[str]:
    """The rule files that name a resource type of the templates (the gate's selection before guarded types)."""
    present = {r["Type"] for path in paths for r in json.loads(Path(path).read_text())["Resources"].values()}
    selected = []
    for path in rule_index():
        named = set(re.findall(r"""["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']""", Path(path).read_text()))
        if not named or named & present:
            selected.append(path)
    return selected


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("guard")
    paths = {}
    for name, template in (("non-compliant", NON_COMPLIANT), ("hook-shaped", HOOK_SHAPED)):
        path = directory / f"{name}.template.json"
        path.write_text(json.dumps(template))
        paths[name] = str(path)
    return paths


def test_the_example_app_gets_the_findings_the_package_plugin_reported(example_app: SynthResult) -> None:
    paths = sorted(str(p) for p in example_app.outdir.glob("*.template.json"))
    assert len(paths) >= 5
    expected = package_report(paths, naming_rules(paths))
    assert ours(paths) == expected
    assert expected["violations"], "the example app acknowledges Control Tower findings: there are some to compare"


def test_with_every_control_tower_rule_the_findings_are_the_same(
        example_app: SynthResult, written: dict[str, str]) -> None:
    paths = [str(example_app.template_path("prod-rec-model")), written["non-compliant"], written["hook-shaped"]]
    expected = package_report(paths)
    assert ours(paths) == expected and ours(paths, workers=1) == expected  # a share per worker, or all in one
    assert expected["success"] is False
    rules = {v["ruleName"] for v in expected["violations"]
             if v["violatingResources"][0]["templatePath"] == written["non-compliant"]}
    assert {"s3_bucket_logging_enabled_check", "kms_key_rotation_enabled_check"} <= rules


def test_a_hook_shaped_template_gets_every_rule_file_and_a_plain_one_those_of_its_types() -> None:
    assert len(rules_for_template(HOOK_SHAPED)) == len(rule_index()) == len(list(rules_dir().rglob("*.guard")))
    plain = rules_for_template({"Resources": HOOK_SHAPED["Resources"]})
    assert 0 < len(plain) < 20 and all("/s3/" in path for path in plain)


def test_a_clean_template_set_succeeds_and_a_template_no_rule_applies_to_runs_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.template.json"
    empty.write_text(json.dumps({"Resources": {"Wait": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}))
    assert rules_for_template(json.loads(empty.read_text())) == []
    assert GuardRun().report([str(empty)]) == {"success": True, "violations": []}


def test_a_failure_to_start_is_raised_by_the_report_not_by_the_start(
        written: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform rule pack starts the run: a cfn-guard that cannot start must fail the Control Tower rules'
    plugin (which reports), never the rule pack's."""
    monkeypatch.setenv("JSII_NODE", str(Path(written["non-compliant"]).parent / "no-such-node"))
    run = GuardRun()
    run.start([written["non-compliant"]])
    with pytest.raises(FileNotFoundError, match="no-such-node"):
        run.report([written["non-compliant"]])
