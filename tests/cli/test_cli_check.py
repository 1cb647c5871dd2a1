"""`platform-check` over real synthesized templates (the example app) and raw insecure resources beside them:
the platform rules, cfn-lint, cdk-nag's four packs and the Control Tower cfn-guard rules in one run, findings
merged per resource and tagged with their tools, acknowledged only by the library's decisions."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.cli.check import main
from platform_constructs.testing import SynthResult

NETWORK = "platform-network"


def write(path: Path, template: dict[str, Any]) -> Path:
    path.write_text(json.dumps(template, indent=1))
    return path


@pytest.fixture(scope="module")
def network_template(example_app: SynthResult) -> dict[str, Any]:
    return example_app.template(NETWORK)


def with_resources(template: dict[str, Any], **resources: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(template)
    result["Resources"].update(resources)
    return result


RAW_ENDPOINT_CONFIG = {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {
    "ProductionVariants": [{"VariantName": "main", "ModelName": "m", "InstanceType": "ml.m5.xlarge",
                            "InitialInstanceCount": 1}]}}
RAW_BUCKET = {"Type": "AWS::S3::Bucket", "Properties": {}}
RAW_LAUNCH_TEMPLATE = {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
    "ImageId": "ami-12345678", "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}],
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 100}}]}}}


def test_example_app_cdk_out_passes_and_reports_parse(example_app: SynthResult, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    junit, sarif = tmp_path / "report.xml", tmp_path / "report.sarif"
    assert main([str(example_app.outdir), "--junit", str(junit), "--sarif", str(sarif)]) == 0
    err = capsys.readouterr().err
    assert "checks: platform-rules, cfn-lint, cdk-nag, cfn-guard" in err
    assert f"{NETWORK}.template.json: " in err and "0 finding(s)" in err
    assert "passed: 0 unacknowledged finding(s)" in err
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert len(suites) == len(example_app.templates)
    assert all(suite.get("failures") == "0" for suite in suites)
    report = json.loads(sarif.read_text())
    assert report["version"] == "2.1.0"
    assert all("suppressions" in result for result in report["runs"][0]["results"])  # only acknowledged ones


def test_raw_endpoint_config_and_untagged_bucket_beside_constructs_fail(
        network_template: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = write(tmp_path / "stack.template.json",
                     with_resources(network_template, RawConfig=RAW_ENDPOINT_CONFIG, RawBucket=RAW_BUCKET))
    junit, sarif = tmp_path / "report.xml", tmp_path / "report.sarif"
    assert main([str(template), "--junit", str(junit), "--sarif", str(sarif)]) == 1
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()[2:]]
    assert ["RawConfig", "platform-rules:PLAT-SM2[volume-key]"] in [row[1:3] for row in rows]
    assert ["RawConfig", "platform-rules:PLAT-SM2[capture]"] in [row[1:3] for row in rows]
    assert ["RawBucket", "platform-rules:PLAT-TAG1"] in [row[1:3] for row in rows]
    assert {row[1] for row in rows} == {"RawConfig", "RawBucket"}  # the network's own resources stay clean
    logging = next(row for row in rows if row[1] == "RawBucket" and "S1" in row[2])
    assert logging[2:4] == ["cdk-nag:AwsSolutions-S1", "(+4)"] and logging[4] == "cdk-nag,cfn-guard"  # one finding
    failures = [case for case in ET.parse(junit).getroot().iter("testcase") if case.find("failure") is not None]
    assert {case.get("name") for case in failures} >= {"platform-rules:PLAT-SM2[volume-key] RawConfig",
                                                        "platform-rules:PLAT-TAG1 RawBucket"}
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    sm2 = next(r for r in results if r["ruleId"] == "platform-rules/PLAT-SM2[volume-key]")
    line = sm2["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert '"RawConfig"' in template.read_text().splitlines()[line - 1]


def test_raw_insecure_launch_template_fails_our_pack(network_template: dict[str, Any], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    raw = with_resources(network_template, RawLaunchTemplate=RAW_LAUNCH_TEMPLATE)
    template = write(tmp_path / "lt.template.json", raw)
    assert main([str(template), "--no-cfn-lint", "--no-cdk-nag", "--no-cfn-guard"]) == 1
    rules = {line.split()[2] for line in capsys.readouterr().out.splitlines()[2:]}
    assert {"platform-rules:PLAT-LT1[http-tokens]", "platform-rules:PLAT-LT2[encrypted]",
            "platform-rules:PLAT-LT3"} <= rules


RAW_OPEN_GROUP = {"Type": "AWS::EC2::SecurityGroup", "Properties": {
    "GroupDescription": "jobs", "VpcId": {"Ref": "NetworkVpc7FB7348F"},
    "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}}


def test_raw_group_with_egress_to_the_internet_fails_our_pack(network_template: dict[str, Any], tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Neither cfn-lint, the four cdk-nag packs nor the Control Tower rules flag HTTPS egress to 0.0.0.0/0 (measured
    with every tool on: only PLAT-TAG1 was reported before PLAT-NET1); the network's own groups pass PLAT-NET1."""
    raw = with_resources(network_template, RawOpenGroup=RAW_OPEN_GROUP)
    template = write(tmp_path / "sg.template.json", raw)
    assert main([str(template), "--no-cfn-lint", "--no-cdk-nag", "--no-cfn-guard"]) == 1
    findings = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert {(f[1], f[2]) for f in findings if len(f) > 2 and f[2] == "platform-rules:PLAT-NET1"} == {
        ("RawOpenGroup", "platform-rules:PLAT-NET1")}


def test_only_the_library_s_own_acknowledgments_count_for_every_tool(
        example_app: SynthResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The endpoint's NVMe-free config is acknowledged by nothing; the access-log bucket's decisions, copied onto
    a raw bucket with a forged origin, are refused there (its premises fail: no log delivery policy), for cdk-nag
    and cfn-guard alike, and a forged reason counts for nothing."""
    template = example_app.template("prod-rec-model")
    (logs_id,) = (k for k, v in template["Resources"].items() if k.startswith("PlatformAccessLogs")
                  and v["Type"] == "AWS::S3::Bucket")
    copied = copy.deepcopy(template["Resources"][logs_id])
    copied["Properties"].pop("Tags")
    forged = copy.deepcopy(template["Resources"][logs_id])
    for entry in forged["Metadata"]["platform:acknowledgments"]:
        entry["reason"] = "we promise"
    path = write(tmp_path / "copied.template.json", with_resources(template, CopiedLogs=copied, Forged=forged))
    assert main([str(path), "--no-cfn-lint", "--show-acknowledged"]) == 1
    captured = capsys.readouterr()
    rows = [line.split() for line in captured.out.splitlines() if line.startswith("copied.template.json")]
    copied_rules = {row[2] for row in rows if row[1] == "CopiedLogs"}
    assert {"cdk-nag:AwsSolutions-S1", "platform-rules:PLAT-TAG1"} <= copied_rules
    assert "platform-rules:PLAT-ACK1[premise]" in copied_rules  # and why: its premise fails there
    assert "platform-rules:PLAT-ACK1[reason]" in {row[2] for row in rows if row[1] == "Forged"}
    assert "[acknowledgment refused: AwsSolutions-S1: decision 'access-log-bucket-not-logged' holds only if" in \
        captured.out
    assert {row[1] for row in rows} >= {"CopiedLogs", "Forged"}
    assert {row[1] for row in rows} <= {"CopiedLogs", "Forged"}  # the stack's own resources stay acknowledged
    assert f"acknowledged cfn-guard:cdk-validator-cfnguard::s3_bucket_logging_enabled_check on " \
           f"copied.template.json/{logs_id}" in captured.out


def test_cfn_lint_findings_are_reported_and_yaml_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    yaml_template = tmp_path / "t.yaml"
    yaml_template.write_text(
        "Parameters:\n  Name: {Type: String}\n"
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Name\n"
        "      NotAProperty: 1\n")
    assert main([str(yaml_template)]) == 1
    out = capsys.readouterr().out
    assert "cfn-lint:E3002" in out and "NotAProperty" in out
    assert "platform-rules:PLAT-TAG1" in out


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 2
    assert "no *.template.json in this directory" in capsys.readouterr().err
    template = write(tmp_path / "x.template.json", {"Resources": {}})
    assert main([str(template), "--env", "qa"]) == 2
    assert "environment 'qa'" in capsys.readouterr().err


def test_checkov_missing_is_said_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without checkov
    template = write(tmp_path / "x.template.json", {"Resources": {}})
    assert main([str(template), "--checkov"]) == 2
    assert "checkov is not installed" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("checkov") is None, reason="checkov is not installed (pip install checkov)")
def test_checkov_findings_are_reported(network_template: dict[str, Any], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    template = write(tmp_path / "s.template.json", with_resources(network_template, RawBucket=RAW_BUCKET))
    assert main([str(template), "--checkov", "--no-cfn-lint", "--no-cdk-nag", "--no-cfn-guard"]) == 1
    out = capsys.readouterr().out
    assert any(line.split()[1] == "RawBucket" and line.split()[2].startswith("checkov:CKV_AWS_")
               for line in out.splitlines()[2:])


@pytest.mark.slow
def test_console_script_exit_code(example_app: SynthResult, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "platform-check"
    # one clean template: the whole example app is checked in-process above
    ok = subprocess.run([str(script), str(example_app.template_path(NETWORK))], capture_output=True, text=True,
                        check=False)
    assert ok.returncode == 0, ok.stderr
    bad = write(tmp_path / "bad.template.json", {"Resources": {"RawBucket": RAW_BUCKET}})
    failed = subprocess.run([str(script), str(bad)], capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and "PLAT-TAG1" in failed.stdout


def test_checkov_that_fails_is_a_usage_error_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "checkov"  # an executable that fails the way a broken checkov install does
    broken.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named checkov' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    template = write(tmp_path / "x.template.json", {"Resources": {}})
    assert main([str(template), "--checkov", "--no-cfn-lint"]) == 2
    assert "--checkov: checkov failed (exit 3): ModuleNotFoundError" in capsys.readouterr().err
