"""The decision table itself (pure): every decision has a reason and premises, and names findings that exist.

A misspelt finding id acknowledges nothing and fails no check, so the ids are compared with the rules the
installed cdk-nag packs apply (read from cdk-nag's own jsii bundle), with AWS Control Tower's cfn-guard rules
(read from the rule files cdklabs-cdk-validator-cfnguard ships) and with our rule pack.
"""

from __future__ import annotations

import importlib.util
import re
import tarfile
from pathlib import Path

import pytest

from platform_constructs.compliance.decisions import DECISIONS, GUARD, Decision
from platform_constructs.compliance.iam.parliament_adapter import FINDING_ID as IAM_FINDING_ID
from platform_constructs.compliance.iam.parliament_adapter import RULE_IDS as IAM_RULE_IDS
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.guard_rules import rule_index

GATE_PACKS = ("AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")
"""The cdk-nag packs the gate installs: gate.NAG_PACKS, which test_compliance_gate.py pins to the same four."""
GRANULAR = re.compile(r"^AwsSolutions-IAM[45]\[(Resource|Action|Policy)::.+\]$")
"""cdk-nag reports IAM4/IAM5 per finding, ``<rule>[<finding>]``; no other rule id carries a suffix."""


def nag_rule_ids() -> frozenset[str]:
    """``<pack>-<rule>`` for every rule the installed cdk-nag packs apply (``NagPack.applyRule`` names a rule by
    its ``ruleSuffixOverride`` or else the rule function's name)."""
    spec = importlib.util.find_spec("cdk_nag")
    assert spec is not None and spec.origin is not None
    (bundle,) = (Path(spec.origin).parent / "_jsii").glob("cdk-nag@*.jsii.tgz")
    ids: set[str] = set()
    with tarfile.open(bundle) as tar:
        for member in tar.getmembers():
            if not (member.name.startswith("package/lib/packs/") and member.name.endswith(".js")):
                continue
            source = tar.extractfile(member)
            assert source is not None
            text = source.read().decode("utf-8")
            pack = re.search(r"this\.packName = '([^']+)'", text)
            assert pack is not None, member.name
            for call in text.split("this.applyRule({")[1:]:
                body = call.split("});")[0]
                override = re.search(r"ruleSuffixOverride: '([^']+)'", body)
                rule = re.search(r"\brule: (?:\w+\.)?(\w+),", body)
                assert override is not None or rule is not None, body[:200]
                ids.add(f"{pack[1]}-{override[1] if override else rule[1]}")  # type: ignore[index]
    return frozenset(ids)


NAG_RULES = nag_rule_ids()
GUARD_RULES = frozenset(re.findall(r"^rule ([a-z0-9_]+) when", Path(path).read_text(), re.MULTILINE)[0]
                        for path in rule_index())
"""The rule names of the Control Tower cfn-guard rules (each file's checked rule), as their findings name them."""
OUR_FINDINGS = frozenset(finding for rule in ALL_RULES for finding in rule.finding_ids())


def test_the_bundle_reading_finds_the_rules_of_every_pack() -> None:
    assert len(NAG_RULES) > 400
    assert {"AwsSolutions-S1", "AwsSolutions-IAM5", "HIPAA.Security-S3BucketReplicationEnabled",
            "NIST.800.53.R5-S3BucketLoggingEnabled", "PCI.DSS.321-S3DefaultEncryptionKMS"} <= NAG_RULES
    assert "AwsSolutions-S3BucketReplicationEnabled" not in NAG_RULES


def test_the_readers_find_the_rules_of_every_tool() -> None:
    assert len(GUARD_RULES) > 200 and "kms_create_grant_aws_service_check" in GUARD_RULES
    assert {"PLAT-SM2[volume-key]", "PLAT-SM1[vpc]", "PLAT-ROLE1"} <= OUR_FINDINGS


@pytest.mark.parametrize("key", sorted(DECISIONS))
def test_every_finding_id_names_a_rule_of_a_gate_pack_or_of_ours(key: str) -> None:
    decision = DECISIONS[key]
    assert decision.rule_ids and len(set(decision.rule_ids)) == len(decision.rule_ids)
    for rule_id in decision.rule_ids:
        if rule_id.split("[", 1)[0] in IAM_RULE_IDS:  # the IAM rules name what they found
            assert IAM_FINDING_ID.match(rule_id), rule_id
            continue
        if rule_id.startswith("PLAT-"):
            assert rule_id in OUR_FINDINGS, f"{rule_id}: no such finding of our rule pack"
            assert not rule_id.startswith("PLAT-ACK"), f"{rule_id}: acknowledgments of acknowledgments are refused"
            continue
        if rule_id.startswith(GUARD):
            assert rule_id.removeprefix(GUARD) in GUARD_RULES, f"{rule_id}: no such Control Tower rule"
            continue
        base = rule_id.split("[", 1)[0]
        assert base in NAG_RULES, f"{rule_id}: no such cdk-nag rule"
        assert base.split("-", 1)[0] in GATE_PACKS, f"{rule_id}: the gate does not run this pack"
        assert base == rule_id or GRANULAR.match(rule_id), f"{rule_id}: only IAM4/IAM5 findings are granular"


@pytest.mark.parametrize("key", sorted(DECISIONS))
def test_every_decision_says_where_it_applies_and_what_must_hold(key: str) -> None:
    decision = DECISIONS[key]
    assert decision.resource_types and all(t.startswith("AWS::") for t in decision.resource_types)
    assert decision.premises, f"{key}: a decision without a premise could be copied onto any resource"
    assert all(premise.text for premise in decision.premises)


def test_a_finding_id_is_matched_against_the_decision_s_patterns() -> None:
    decision = DECISIONS["batch-job-role-team-prefix"]
    assert decision.match("AwsSolutions-IAM5[Resource::<Bucket.Arn>/recs/*]") == {"resource": "<Bucket.Arn>/recs/*"}
    assert decision.match("AwsSolutions-IAM5[Action::s3:*]") is None
    assert DECISIONS["bucket-replication"].match("HIPAA.Security-S3BucketReplicationEnabled") == {}
    assert DECISIONS["bucket-replication"].match("HIPAA.Security-S3BucketReplicationEnabledX") is None


@pytest.mark.parametrize("key", sorted(DECISIONS))
def test_every_reason_is_a_written_explanation(key: str) -> None:
    reason = DECISIONS[key].reason
    assert len(reason) >= 80 and reason.endswith("."), reason
    assert "  " not in reason and "{" not in reason


def test_placeholders_are_read_from_the_ids_and_filled_exactly() -> None:
    decision = Decision(rule_ids=("AwsSolutions-IAM5[Resource::{resource}]", "PLAT-X1"), reason="r",
                        resource_types=("AWS::IAM::Policy",))
    assert decision.placeholders == frozenset({"resource"})
    assert decision.finding_ids(resource="arn:aws:s3:::b/*") == ("AwsSolutions-IAM5[Resource::arn:aws:s3:::b/*]",
                                                                  "PLAT-X1")
    with pytest.raises(ValueError, match=r"placeholders \(resource\), got: none"):
        decision.finding_ids()
    with pytest.raises(ValueError, match=r"placeholders \(resource\), got: resource, typo"):
        decision.finding_ids(resource="a", typo="b")
    plain = Decision(rule_ids=("AwsSolutions-S1",), reason="r", resource_types=("AWS::S3::Bucket",))
    assert (plain.placeholders, plain.finding_ids()) == (frozenset(), ("AwsSolutions-S1",))


def test_placeholder_decisions_name_one_resource_each() -> None:
    with_placeholders = {key: d.placeholders for key, d in DECISIONS.items() if d.placeholders}
    assert with_placeholders  # the granular IAM5 decisions
    assert set(with_placeholders.values()) == {frozenset({"resource"})}

