"""Which acknowledgments count (compliance/acknowledgments.py) and PLAT-ACK1, over bare template JSON.

An entry counts only as the library writes it: its id, a decision covering that id, the decision's reason, the
construct that made the resource, a resource type of the decision, and the decision's premises holding.
"""

from __future__ import annotations

import copy
from typing import Any

from platform_constructs.compliance.acknowledgments import ORIGIN_KEY, entries, verdict
from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.engine import check_template
from platform_constructs.compliance.rules.acknowledged_decisions import RULE
from platform_constructs.compliance.rules.base import METADATA_KEY, RuleContext, evaluate
from platform_constructs.policy import load_policy

POLICY = load_policy()
NVME = DECISIONS["sagemaker-instance-store-volume"]
ORIGIN = {"type": "SecureModelEndpoint", "path": "stack/Endpoint"}


def endpoint_config(instance_type: str = "ml.g4dn.xlarge", *, capture: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {"ProductionVariants": [
        {"VariantName": "main", "ModelName": "m", "InstanceType": instance_type, "InitialInstanceCount": 1}]}
    if capture:
        properties["DataCaptureConfig"] = {
            "EnableCapture": True, "KmsKeyId": "key", "InitialSamplingPercentage": 100, "DestinationS3Uri": "s3://b",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
    return {"Type": "AWS::SageMaker::EndpointConfig", "Properties": properties,
            "Metadata": {METADATA_KEY: [{"id": rule_id, "reason": NVME.reason,
                                         "decision": "sagemaker-instance-store-volume"} for rule_id in NVME.rule_ids],
                         ORIGIN_KEY: dict(ORIGIN)}}


def judge(resource: dict[str, Any], finding: str) -> Any:
    template = {"Resources": {"Config": resource}}
    ctx = RuleContext(POLICY, POLICY.environment("dev"), template)
    return verdict(finding, "Config", resource, ctx)


def test_the_library_s_own_acknowledgment_counts() -> None:
    judged = judge(endpoint_config(), "PLAT-SM2[volume-key]")
    assert judged.acknowledged and judged.reason == NVME.reason
    findings = check_template({"Resources": {"Config": endpoint_config()}}, POLICY, POLICY.environment("dev"))
    assert [(f.rule_id, f.acknowledged) for f in findings if f.rule_id.startswith("PLAT-SM")] == [
        ("PLAT-SM2[volume-key]", True)]


def test_a_copied_acknowledgment_of_one_sub_check_never_hides_another() -> None:
    """The NVMe decision covers the volume key only: data capture switched off stays a finding."""
    findings = check_template({"Resources": {"Config": endpoint_config(capture=False)}}, POLICY,
                              POLICY.environment("dev"))
    assert [(f.rule_id, f.acknowledged) for f in findings if f.rule_id.startswith("PLAT-SM2")] == [
        ("PLAT-SM2[volume-key]", True), ("PLAT-SM2[capture]", False)]


def test_a_forged_reason_an_unknown_decision_and_a_missing_origin_count_for_nothing() -> None:
    forged = endpoint_config()
    forged["Metadata"][METADATA_KEY][-1]["reason"] = "trust me, the volume is encrypted"
    assert not judge(forged, "PLAT-SM2[volume-key]").acknowledged
    assert "the reason is not decision" in judge(forged, "PLAT-SM2[volume-key]").refused[0]
    unknown = endpoint_config()
    unknown["Metadata"][METADATA_KEY][-1]["decision"] = "my-own-decision"
    assert not judge(unknown, "PLAT-SM2[volume-key]").acknowledged
    legacy = endpoint_config()  # the old form: id and reason only
    legacy["Metadata"][METADATA_KEY] = [{"id": "PLAT-SM2[volume-key]", "reason": NVME.reason}]
    assert not judge(legacy, "PLAT-SM2[volume-key]").acknowledged
    raw = endpoint_config()
    del raw["Metadata"][ORIGIN_KEY]
    assert "does not show which platform construct made it" in judge(raw, "PLAT-SM2[volume-key]").refused[0]


def test_an_acknowledgment_copied_onto_a_resource_where_its_premise_is_false_counts_for_nothing() -> None:
    """The NVMe decision on an ml.m5 endpoint config (which can take a KmsKeyId): forging it is pointless."""
    judged = judge(endpoint_config("ml.m5.xlarge"), "PLAT-SM2[volume-key]")
    assert not judged.acknowledged
    assert "local NVMe instance storage" in judged.refused[0]


def test_an_id_the_decision_does_not_cover_counts_for_nothing() -> None:
    widened = endpoint_config()
    widened["Metadata"][METADATA_KEY].append(
        {"id": "PLAT-SM2[capture]", "reason": NVME.reason, "decision": "sagemaker-instance-store-volume"})
    assert not judge(widened, "PLAT-SM2[capture]").acknowledged
    assert "does not cover this finding id" in judge(widened, "PLAT-SM2[capture]").refused[0]


def test_plat_ack1_reports_every_entry_that_is_not_the_library_s() -> None:
    assert evaluate(RULE, endpoint_config()) == []
    bad = endpoint_config("ml.m5.xlarge")
    bad["Metadata"][METADATA_KEY][0]["reason"] = "forged"
    bad["Metadata"][METADATA_KEY].append({"id": "AwsSolutions-S1", "reason": "x"})
    found = evaluate(RULE, bad)
    assert {v.finding for v in found} == {"reason", "premise", "decision"}
    assert {v.location for v in found} == {f"Metadata.{METADATA_KEY}"}
    wrong_type = copy.deepcopy(endpoint_config())
    wrong_type["Type"] = "AWS::SageMaker::Model"
    assert {v.finding for v in evaluate(RULE, wrong_type)} == {"type"}


def test_entries_are_read_even_when_malformed() -> None:
    resource = {"Metadata": {METADATA_KEY: [{"id": "A"}, "junk", {"id": 3}, {"id": "B", "reason": 7}]}}
    assert [(e.id, e.reason, e.decision) for e in entries(resource)] == [("A", "", None), ("B", "", None)]
