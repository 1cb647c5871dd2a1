"""The automatic gate (gate.py): a plain App() with one platform construct runs all packs, once per app, nested
stacks included.

A clean synth's validation report lists no plugin at all (CDK lists only plugins that report a violation),
so which plugins ran, and how often, is read from an app that fails on purpose: a raw bucket that every pack
flags, beside platform constructs in two stacks (each asks for the app's context, which installs the gate),
and a raw, non-isolated SageMaker model inside a nested stack.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Acknowledgment, NestedStack, Stack, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker

from platform_constructs import PlatformNetwork
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.gate import FOREIGN_ACKNOWLEDGMENT, GUARD_PLUGIN, NAG_PACKS, PLUGIN_NAME, PlatformRulesPlugin
from platform_constructs.policy import load_policy
from platform_constructs.testing import ComplianceError, new_app, synthesize

PACKS = ("AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321", "cdk-validator-cfnguard",
         "platform-rules")


@dataclass(frozen=True)
class Failed:
    message: str
    report: dict[str, Any]

    def paths(self, plugin: str) -> set[str]:
        return {construct["constructPath"] for report in self.report["pluginReports"]
                if report["pluginName"] == plugin
                for violation in report["violations"] for construct in violation["violatingConstructs"]}


@pytest.fixture(scope="module")
def failed() -> Failed:
    app = new_app()
    stack = Stack(app, "Net")
    PlatformNetwork(stack, "Network")
    PlatformNetwork(Stack(app, "Other"), "Network", cidr="10.41.0.0/16", publish_parameters=False)
    s3.CfnBucket(stack, "RawBucket")  # no encryption, no logging, no tags
    nested = NestedStack(Stack(app, "Parent"), "Models")
    sagemaker.CfnModel(nested, "RawModel", execution_role_arn="arn:aws:iam::123456789012:role/model",
                       primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                           image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/model:1"))
    with pytest.raises(ComplianceError) as info:
        synthesize(app)
    return Failed(str(info.value), json.loads((Path(app.outdir) / "validation-report.json").read_text()))


def test_plain_app_with_platform_construct_synthesizes_clean_and_the_gate_ran(
        capsys: pytest.CaptureFixture[str]) -> None:
    app = new_app()
    PlatformNetwork(Stack(app, "Net"), "Network")
    report = json.loads((synthesize(app).outdir / "validation-report.json").read_text())
    # no plugin reported a violation; a plugin whose findings were all acknowledged is listed with them
    assert [(r["pluginName"], r["violations"]) for r in report["pluginReports"]] in (
        [], [("cdk-validator-cfnguard", [])])
    err = capsys.readouterr().err  # printed by the synth report (synth_report.py) while the plugins ran
    assert "1 template(s) in dev (policy default, sha256 " in err and f"checked with {', '.join(PACKS)};" in err


def test_a_raw_resource_beside_platform_constructs_fails_synth_in_every_pack(failed: Failed) -> None:
    for rule in ("AwsSolutions-S1", "HIPAA.Security-S3BucketLoggingEnabled", "NIST.800.53.R5-S3BucketLoggingEnabled",
                 "PCI.DSS.321-S3BucketLoggingEnabled", "s3_bucket_logging_enabled_check", "PLAT-TAG1"):
        assert f"{rule} at Net/RawBucket" in failed.message, rule
    raw = {"Parent/Models/RawModel", "Parent/Models.NestedStack/Models.NestedStackResource"}  # untagged, raw too
    for plugin in PACKS:  # the platform constructs themselves stay clean
        assert failed.paths(plugin) - raw == {"Net/RawBucket"}, plugin


def test_a_raw_model_in_a_nested_stack_fails_synth(failed: Failed) -> None:
    """CDK hands plugins only the top-level templates; the platform rules read the nested ones too."""
    assert {"PLAT-SM1[isolation]", "PLAT-SM1[vpc]"} <= {
        v["ruleName"] for plugin in failed.report["pluginReports"] if plugin["pluginName"] == PLUGIN_NAME
        for v in plugin["violations"] if any(c["constructPath"] == "Parent/Models/RawModel"
                                             for c in v["violatingConstructs"])}


def test_the_gate_is_installed_once_per_app(failed: Failed) -> None:
    """Each plugin reports once: a second installation would report every finding twice (measured when the
    gate was installed twice by hand: every plugin name appeared twice in the report)."""
    names = Counter(report["pluginName"] for report in failed.report["pluginReports"])
    assert names == Counter(PACKS)


def test_an_acknowledgment_made_on_the_app_with_cdk_s_api_fails_synth() -> None:
    """The app root is outside every stack, so its acknowledgments are not in the assembly's stack metadata that the
    gate reads first (test_acknowledge.py forges one inside a stack): it asks the construct tree for those."""
    app = new_app()
    PlatformNetwork(Stack(app, "Net"), "Network")
    Validations.of(app).acknowledge(Acknowledgment(id="AwsSolutions-SMG4", reason="by hand"))
    with pytest.raises(ComplianceError, match=f"{FOREIGN_ACKNOWLEDGMENT} at Net/Network"):
        synthesize(app)


def test_the_gate_names_its_packs_and_rules() -> None:
    assert (*NAG_PACKS, GUARD_PLUGIN, PLUGIN_NAME) == PACKS
    policy = load_policy()
    plugin = PlatformRulesPlugin(policy, policy.environment("dev"), [])
    assert plugin.name == PLUGIN_NAME
    assert plugin.rule_ids == [*(rule.id for rule in ALL_RULES), FOREIGN_ACKNOWLEDGMENT]
