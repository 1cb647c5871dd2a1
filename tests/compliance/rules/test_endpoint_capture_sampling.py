"""PLAT-SM5 over bare AWS::SageMaker::EndpointConfig resources with data capture."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.endpoint_capture_sampling import RULE


def config(percentage: Any) -> dict[str, Any]:
    capture = {"EnableCapture": True, "InitialSamplingPercentage": percentage, "DestinationS3Uri": "s3://b/c",
               "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
    return {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"DataCaptureConfig": capture}}


def test_any_share_of_requests_from_one_percent_passes() -> None:
    for percentage in (1, 20, 100, "50"):
        assert evaluate(RULE, config(percentage)) == [], percentage
    assert evaluate(RULE, {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {}}) == []  # PLAT-SM2's finding


def test_capture_that_samples_nothing_is_reported() -> None:
    for percentage in (0, "0", 0.5, None):
        found = evaluate(RULE, config(percentage))
        assert [v.location for v in found] == ["Properties.DataCaptureConfig.InitialSamplingPercentage"], percentage
        assert "captures no request" in found[0].message


def test_computed_percentage_is_unverifiable() -> None:
    found = evaluate(RULE, config({"Ref": "Sampling"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
