"""The automatic gate (gate.py): a plain App() with one platform construct runs all packs, once per app.

A clean synth's validation report lists no plugin at all (CDK lists only plugins that report a violation),
so which plugins ran, and how often, is read from an app that fails on purpose: a raw bucket that every pack
flags, beside platform constructs in two stacks (each asks for the app's context, which installs the gate).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_s3 as s3

from platform_constructs import PlatformNetwork
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.gate import NAG_PACKS, PLUGIN_NAME, PlatformRulesPlugin
from platform_constructs.policy import load_policy
from platform_constructs.testing import ComplianceError, new_app, synthesize

PACKS = ("AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321", "platform-rules")


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
    with pytest.raises(ComplianceError) as info:
        synthesize(app)
    return Failed(str(info.value), json.loads((Path(app.outdir) / "validation-report.json").read_text()))


def test_plain_app_with_platform_construct_synthesizes_clean_and_the_gate_ran(
        capsys: pytest.CaptureFixture[str]) -> None:
    app = new_app()
    PlatformNetwork(Stack(app, "Net"), "Network")
    report = json.loads((synthesize(app).outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []  # no plugin reported a violation
    err = capsys.readouterr().err  # printed by the synth report (synth_report.py) while the plugins ran
    assert "1 template(s) in dev (policy default, sha256 " in err and f"checked with {', '.join(PACKS)};" in err


def test_a_raw_resource_beside_platform_constructs_fails_synth_in_every_pack(failed: Failed) -> None:
    for rule in ("AwsSolutions-S1", "HIPAA.Security-S3BucketLoggingEnabled", "NIST.800.53.R5-S3BucketLoggingEnabled",
                 "PCI.DSS.321-S3BucketLoggingEnabled", "PLAT-TAG1"):
        assert f"{rule} at Net/RawBucket" in failed.message, rule
    for plugin in PACKS:
        assert failed.paths(plugin) == {"Net/RawBucket"}, plugin  # the platform constructs themselves stay clean


def test_the_gate_is_installed_once_per_app(failed: Failed) -> None:
    """Each plugin reports once: a second installation would report every finding twice (measured when the
    gate was installed twice by hand: every plugin name appeared twice in the report)."""
    names = Counter(report["pluginName"] for report in failed.report["pluginReports"])
    assert names == Counter(PACKS)


def test_the_gate_names_its_packs_and_rules() -> None:
    assert (*NAG_PACKS, PLUGIN_NAME) == PACKS
    policy = load_policy()
    plugin = PlatformRulesPlugin(policy, policy.environment("dev"), [])
    assert plugin.name == PLUGIN_NAME
    assert plugin.rule_ids == [rule.id for rule in ALL_RULES]
