"""PLAT-SM1 over bare AWS::SageMaker::Model resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.sagemaker_model_isolation import RULE


def model(**properties: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ExecutionRoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
        "EnableNetworkIsolation": True,
        "VpcConfig": {"Subnets": [{"Ref": "SubnetA"}], "SecurityGroupIds": [{"Fn::GetAtt": ["Sg", "GroupId"]}]},
    }
    base.update(properties)
    return {"Type": "AWS::SageMaker::Model", "Properties": {k: v for k, v in base.items() if v is not None}}


def test_compliant_model_passes() -> None:
    assert evaluate(RULE, model()) == []


def test_subnets_from_an_ssm_parameter_are_set() -> None:
    vpc = {"Subnets": {"Fn::Split": [",", {"Ref": "SubnetsParam"}]}, "SecurityGroupIds": [{"Ref": "Sg"}]}
    assert evaluate(RULE, model(VpcConfig=vpc)) == []


def test_model_without_isolation_or_vpc_is_reported() -> None:
    found = evaluate(RULE, model(EnableNetworkIsolation=None, VpcConfig=None))
    assert [v.location for v in found] == ["Properties.EnableNetworkIsolation", "Properties.VpcConfig"]
    assert [v.finding for v in found] == ["isolation", "vpc"]  # PLAT-SM1[isolation], PLAT-SM1[vpc]
    assert "network-isolated" in found[0].message


def test_isolation_spelt_as_a_cloudformation_string_counts() -> None:
    assert evaluate(RULE, model(EnableNetworkIsolation="TRUE")) == []
    assert [v.finding for v in evaluate(RULE, model(EnableNetworkIsolation="False"))] == ["isolation"]


def test_vpc_config_without_security_groups_is_reported() -> None:
    found = evaluate(RULE, model(VpcConfig={"Subnets": ["subnet-1"], "SecurityGroupIds": []}))
    assert [(v.location, v.message) for v in found] == [
        ("Properties.VpcConfig.SecurityGroupIds", "VpcConfig has no SecurityGroupIds")]


def test_isolation_from_an_intrinsic_is_unverifiable() -> None:
    found = evaluate(RULE, model(EnableNetworkIsolation={"Ref": "Isolate"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
