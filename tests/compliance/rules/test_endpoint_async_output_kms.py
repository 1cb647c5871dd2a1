"""PLAT-SM4 over bare AWS::SageMaker::EndpointConfig resources with asynchronous inference."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.endpoint_async_output_kms import RULE

KEY = {"Fn::GetAtt": ["Key", "Arn"]}


def config(output: Any) -> dict[str, Any]:
    async_config = {"ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4}, "OutputConfig": output}
    return {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"AsyncInferenceConfig": async_config}}


def test_async_results_encrypted_with_the_endpoint_key_pass() -> None:
    assert evaluate(RULE, config({"S3OutputPath": "s3://b/async-output/", "KmsKeyId": KEY})) == []
    assert evaluate(RULE, {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {}}) == []  # not async


def test_async_results_without_a_key_are_reported() -> None:
    found = evaluate(RULE, config({"S3OutputPath": "s3://b/async-output/"}))
    assert [v.location for v in found] == ["Properties.AsyncInferenceConfig.OutputConfig.KmsKeyId"]
    assert "without a KMS key" in found[0].message


def test_computed_output_config_is_unverifiable() -> None:
    found = evaluate(RULE, config({"Fn::If": ["Prod", {"KmsKeyId": KEY}, {}]}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
