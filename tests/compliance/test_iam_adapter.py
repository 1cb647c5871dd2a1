"""The parliament adapter: every parliament issue belongs to a rule, and findings are acknowledged one by one."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from platform_constructs.compliance.acknowledgments import ORIGIN_KEY
from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.compliance.iam.parliament_adapter import (
    FINDING_ID,
    GAP_RULES,
    ISSUE_RULES,
    RULE_IDS,
    expansions,
    load_parliament,
)
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.policy import load_policy

POLICY = load_policy()


def test_every_issue_parliament_reports_is_attributed_to_one_of_our_rules() -> None:
    assert set(load_parliament().config) == set(ISSUE_RULES)  # its core issues (config.yaml), none dropped
    iam_rules = {rule.id for rule in ALL_RULES if rule.id.startswith("PLAT-IAM")}
    assert set(ISSUE_RULES.values()) | set(GAP_RULES.values()) == iam_rules == set(RULE_IDS)


def test_parliament_loads_without_pkg_resources_and_leaves_sys_modules_as_it_was() -> None:
    """setuptools 82 removed pkg_resources, which parliament 1.6.4 imports (duo-labs/parliament#247)."""
    script = ("import sys; sys.modules['pkg_resources'] = None\n"  # what `import pkg_resources` sees without it
              "from platform_constructs.compliance.iam.parliament_adapter import condition_key_type, expansions\n"
              "assert expansions('ecs:Poll') == {'ecs:Poll'} and condition_key_type('aws:SourceArn') == 'Arn'\n"
              "assert sys.modules['pkg_resources'] is None\n")
    done = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_prefetch_loads_parliament_in_a_thread_beside_a_check_that_needs_it_at_once() -> None:
    """The gate's prefetch and a first check racing for parliament: one import, sys.modules as it was."""
    script = ("import sys, threading; sys.modules['pkg_resources'] = None\n"
              "from platform_constructs.compliance.iam import parliament_adapter as adapter\n"
              "adapter.prefetch()\n"
              "(loader,) = [t for t in threading.enumerate() if t.name == 'platform-parliament-prefetch']\n"
              "assert adapter.expansions('ecs:Poll') == {'ecs:Poll'}  # in this thread, at once\n"
              "loader.join()\n"
              "assert adapter.load_parliament() is sys.modules['parliament']\n"
              "assert sys.modules['pkg_resources'] is None\n"
              "adapter.prefetch()  # loaded: no second thread\n"
              "assert not [t for t in threading.enumerate() if t.name == 'platform-parliament-prefetch']\n")
    done = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_wildcard_expands_through_the_catalogue() -> None:
    assert {"s3:ListBucket", "s3:ListAllMyBuckets"} <= expansions("s3:List*")
    assert expansions("s3:NoSuchAction") == frozenset()


DEPLOY_TIME_VPC = "codebuild-vpc-deploy-time"
DECISION = DECISIONS[DEPLOY_TIME_VPC]
VPC = {"Fn::Join": ["", ["arn:aws:ec2:eu-west-1:111122223333:vpc/", {"Ref": "VpcId"}]]}
ENI, SUBNETS = ("arn:aws:ec2:eu-west-1:111122223333:network-interface/*", "arn:aws:ec2:eu-west-1:111122223333:subnet/*")
CREATE_IN_VPC, DELETE_IN_VPC = {"ArnEqualsIfExists": {"ec2:Vpc": VPC}}, {"ArnEquals": {"ec2:Vpc": VPC}}
"""A build role's two network-interface conditions on a VPC whose id is a deploy-time parameter."""


def unverifiable(condition: dict[str, Any]) -> str:
    return f"PLAT-IAM3[Unverifiable::Condition::{json.dumps(condition, separators=(',', ':'), sort_keys=True)}]"


def policy_template(acknowledged: list[str], *, decision: str = DEPLOY_TIME_VPC) -> dict[str, Any]:
    """A policy as a platform construct writes it, with the library's acknowledgment of ``acknowledged``."""
    statements = [{"Effect": "Allow", "Action": "ec2:CreateNetworkInterface", "Resource": [ENI, SUBNETS],
                   "Condition": CREATE_IN_VPC},
                  {"Effect": "Allow", "Action": "ec2:DeleteNetworkInterface", "Resource": ENI,
                   "Condition": DELETE_IN_VPC}]
    return {"Parameters": {"VpcId": {"Type": "AWS::SSM::Parameter::Value<String>",
                                     "Default": "/platform/network/vpc-id"}},
            "Resources": {"Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": {METADATA_KEY: [{"id": rule_id, "reason": DECISION.reason, "decision": decision}
                                            for rule_id in acknowledged],
                             ORIGIN_KEY: {"type": "GoldenImagePipeline", "path": "stack/Images"}},
                "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}}}


def iam_findings(template: dict[str, Any]) -> list[Any]:
    return [f for f in check_template(template, POLICY, POLICY.environment("dev")) if f.rule_id.startswith("PLAT-IAM")]


def test_each_finding_has_its_own_id_and_only_that_id_acknowledges_it() -> None:
    found = iam_findings(policy_template([]))
    assert all(FINDING_ID.match(f.rule_id) for f in found)
    create, delete = unverifiable(CREATE_IN_VPC), unverifiable(DELETE_IN_VPC)
    assert sorted(f.rule_id for f in found) == sorted([create, delete])
    assert len(unacknowledged(iam_findings(policy_template(["PLAT-IAM3"])))) == 2  # the rule id alone covers none
    partly = iam_findings(policy_template([create]))
    assert [f.rule_id for f in unacknowledged(partly)] == [delete]
    # the same entry under a decision that does not cover the id acknowledges nothing
    assert len(unacknowledged(iam_findings(policy_template([create], decision="batch-submit-job-resources")))) == 2
