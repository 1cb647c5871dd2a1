"""``platform-check`` over a cloud assembly synthesized for an explicit environment: ``{account}`` in the policy's
approved registries is the stack's own account (the manifest's ``aws://ACCOUNT/REGION``) or a listed
``registries.accounts`` one, so the library's ``approved-registry-pulls`` acknowledgment of pulls from another
account's ``platform/`` repositories counts for nothing (issue 17: "Any account is 'approved'")."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.cli.check import EXIT_FINDINGS, main
from platform_constructs.compliance.acknowledgments import ORIGIN_KEY
from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.policy_decisions import PULLS
from platform_constructs.compliance.rules.base import METADATA_KEY

pytestmark = pytest.mark.xdist_group("insecure-catalogue")  # shares the worker's jsii runtime with the catalogue

OWN, FOREIGN = "111122223333", "999999999999"
DECISION = "approved-registry-pulls"


def pull_policy(account: str) -> dict[str, Any]:
    """A Batch construct's pull policy as the library writes it, pulls from ``account``'s platform/ repositories."""
    repositories = f"arn:aws:ecr:eu-west-1:{account}:repository/platform/*"
    return {"Type": "AWS::IAM::ManagedPolicy",
            "Metadata": {METADATA_KEY: [{"id": f"AwsSolutions-IAM5[Resource::{repositories}]", "decision": DECISION,
                                         "reason": DECISIONS[DECISION].reason}],
                         ORIGIN_KEY: {"type": "BatchComputeEnv", "path": "recs-batch/Batch"}},
            "Properties": {"Description": "Least-privilege permissions of the Batch instances",
                           "Path": "/", "Roles": ["recs-batch-instance"],
                           "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                               {"Effect": "Allow", "Action": list(PULLS), "Resource": repositories}]}}}


def cloud_assembly(directory: Path) -> Path:
    directory.mkdir()
    artifacts = {}
    for name, account in (("own", OWN), ("foreign", FOREIGN)):
        (directory / f"{name}.template.json").write_text(json.dumps({"Resources": {
            "PullPolicy": pull_policy(account)}}))
        artifacts[name] = {"type": "aws:cloudformation:stack", "environment": f"aws://{OWN}/eu-west-1",
                           "properties": {"templateFile": f"{name}.template.json"}}
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    return directory


def test_pulls_from_the_stack_s_own_account_are_acknowledged_and_from_a_foreign_one_refused(tmp_path: Path) -> None:
    out = cloud_assembly(tmp_path / "cdk.out")
    junit = tmp_path / "report.xml"
    assert main([str(out), "--no-cfn-guard", "--show-acknowledged", "--junit", str(junit)]) == EXIT_FINDINGS
    cases = {(Path(str(suite.get("name"))).stem, str(case.get("name"))): case
             for suite in ET.parse(junit).getroot().iter("testsuite") for case in suite.iter("testcase")}
    own = cases[("own.template", f"cdk-nag:AwsSolutions-IAM5[Resource::arn:aws:ecr:eu-west-1:{OWN}:repository/"
                                 "platform/*] PullPolicy")]
    assert own.find("skipped") is not None and own.find("failure") is None
    foreign = cases[("foreign.template", f"cdk-nag:AwsSolutions-IAM5[Resource::arn:aws:ecr:eu-west-1:{FOREIGN}:"
                                         "repository/platform/*] PullPolicy")]
    failure = foreign.find("failure")
    assert failure is not None and f"{{account}} is the deploying account: {OWN}" in str(failure.get("message"))
