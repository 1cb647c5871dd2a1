"""The automatic gate: a plain App() with one platform construct runs all packs; raw resources fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import Stack
from aws_cdk import aws_s3 as s3

from platform_constructs import PlatformNetwork
from platform_constructs.testing import ComplianceError, new_app, synthesize

PACKS = {"AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321", "platform-rules"}


def test_plain_app_with_platform_construct_synthesizes_clean() -> None:
    app = new_app()
    PlatformNetwork(Stack(app, "Net"), "Network")
    report = json.loads((synthesize(app).outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []  # no plugin reported a violation


def test_noncompliant_raw_resource_beside_platform_construct_fails_synth_in_every_pack() -> None:
    app = new_app()
    stack = Stack(app, "Net")
    PlatformNetwork(stack, "Network")
    s3.CfnBucket(stack, "RawBucket")  # no encryption, no logging, no tags
    with pytest.raises(ComplianceError) as info:
        synthesize(app)
    message = str(info.value)
    for rule in ("AwsSolutions-S1", "HIPAA.Security-S3BucketLoggingEnabled", "NIST.800.53.R5-S3BucketLoggingEnabled",
                 "PCI.DSS.321-S3BucketLoggingEnabled", "PLAT-TAG1"):
        assert f"{rule} at Net/RawBucket" in message, rule
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    assert {plugin["pluginName"] for plugin in report["pluginReports"]} == PACKS
    assert "Net/Network" not in message  # the platform construct itself stays clean


def test_gate_is_installed_once_per_app() -> None:
    app = new_app()
    stack = Stack(app, "Net")
    PlatformNetwork(stack, "A")
    PlatformNetwork(Stack(app, "Other"), "B", cidr="10.41.0.0/16", publish_parameters=False)
    report = json.loads((synthesize(app).outdir / "validation-report.json").read_text())
    names = [plugin["pluginName"] for plugin in report["pluginReports"]]
    assert len(names) == len(set(names))
