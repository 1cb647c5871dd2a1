"""PLAT-SM3 over bare AWS::SageMaker::EndpointConfig resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.endpoint_config_instance_types import RULE


def config(*variants: dict[str, Any], shadow: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"ProductionVariants": list(variants)}
    if shadow is not None:
        properties["ShadowProductionVariants"] = shadow
    return {"Type": "AWS::SageMaker::EndpointConfig", "Properties": properties}


def variant(instance_type: Any) -> dict[str, Any]:
    return {"VariantName": "v", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": instance_type}


def test_allowed_instance_type_passes_in_each_environment() -> None:
    assert evaluate(RULE, config(variant("ml.m5.xlarge")), env="dev") == []
    assert evaluate(RULE, config(variant("ml.g5.xlarge")), env="prod") == []


def test_type_outside_the_environment_is_reported() -> None:
    found = evaluate(RULE, config(variant("ml.g5.xlarge")), env="dev")
    assert [v.location for v in found] == ["Properties.ProductionVariants[0].InstanceType"]
    assert "ml.g5.xlarge is not allowed in dev" in found[0].message


def test_shadow_variants_are_checked_too() -> None:
    found = evaluate(RULE, config(variant("ml.m5.xlarge"), shadow=[variant("ml.p4d.24xlarge")]))
    assert [v.location for v in found] == ["Properties.ShadowProductionVariants[0].InstanceType"]


def test_serverless_variant_has_no_instance_type_and_passes() -> None:
    serverless = {"VariantName": "v", "ModelName": "m", "ServerlessConfig": {"MaxConcurrency": 1,
                                                                             "MemorySizeInMB": 1024}}
    assert evaluate(RULE, config(serverless)) == []


def test_variant_without_instance_type_or_serverless_config_is_reported() -> None:
    found = evaluate(RULE, config({"VariantName": "v", "ModelName": "m"}))
    assert "neither InstanceType nor ServerlessConfig" in found[0].message


def test_computed_instance_type_is_unverifiable() -> None:
    found = evaluate(RULE, config(variant({"Ref": "InstanceType"})))
    assert len(found) == 1 and "cannot be verified" in found[0].message
