"""PLAT-SM2 over bare AWS::SageMaker::EndpointConfig resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.endpoint_config_encryption import RULE

KEY = {"Fn::GetAtt": ["Key", "Arn"]}


def config(**properties: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "KmsKeyId": KEY,
        "ProductionVariants": [{"VariantName": "main", "ModelName": "m", "InstanceType": "ml.m5.xlarge",
                                "InitialInstanceCount": 1}],
        "DataCaptureConfig": {
            "EnableCapture": True, "KmsKeyId": KEY, "InitialSamplingPercentage": 100,
            "DestinationS3Uri": "s3://bucket/capture",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        },
    }
    base.update(properties)
    return {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {k: v for k, v in base.items() if v is not None}}


def test_compliant_config_passes() -> None:
    assert evaluate(RULE, config()) == []


def test_raw_config_without_kms_or_capture_is_reported() -> None:
    found = evaluate(RULE, config(KmsKeyId=None, DataCaptureConfig=None))
    assert [v.location for v in found] == ["Properties.KmsKeyId", "Properties.DataCaptureConfig"]
    assert [v.finding for v in found] == ["volume-key", "capture"]


def test_capture_of_input_only_without_key_is_reported() -> None:
    capture = {"EnableCapture": False, "CaptureOptions": [{"CaptureMode": "Input"}]}
    found = evaluate(RULE, config(DataCaptureConfig=capture))
    assert [v.location.rsplit(".", 1)[1] for v in found] == ["EnableCapture", "KmsKeyId", "CaptureOptions"]
    assert [v.finding for v in found] == ["capture", "capture-key", "capture-modes"]
    assert "Output" in found[2].message


def test_capture_switched_off_with_a_cloudformation_string_is_reported() -> None:
    for spelling in ("False", "FALSE", "false"):
        found = evaluate(RULE, config(DataCaptureConfig={**config()["Properties"]["DataCaptureConfig"],
                                                         "EnableCapture": spelling}))
        assert [v.finding for v in found] == ["capture"], spelling


def test_serverless_config_is_still_reported() -> None:
    serverless = [{"VariantName": "main", "ModelName": "m",
                   "ServerlessConfig": {"MaxConcurrency": 5, "MemorySizeInMB": 2048}}]
    found = evaluate(RULE, config(KmsKeyId=None, DataCaptureConfig=None, ProductionVariants=serverless))
    assert len(found) == 2


def test_computed_capture_options_are_unverifiable() -> None:
    capture = {"EnableCapture": True, "KmsKeyId": KEY, "CaptureOptions": {"Ref": "Modes"}}
    found = evaluate(RULE, config(DataCaptureConfig=capture))
    assert len(found) == 1 and "cannot be verified" in found[0].message
