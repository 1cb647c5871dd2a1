"""PLAT-BATCH6 over bare Fargate job definitions and ECS services."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.container_public_ip import RULE


def fargate(assign: Any) -> dict[str, Any]:
    return {"Type": "AWS::Batch::JobDefinition", "Properties": {"PlatformCapabilities": ["FARGATE"],
            "ContainerProperties": {"Image": "img", "NetworkConfiguration": {"AssignPublicIp": assign}}}}


def test_private_tasks_pass() -> None:
    assert evaluate(RULE, fargate("DISABLED")) == []
    assert evaluate(RULE, {"Type": "AWS::Batch::JobDefinition", "Properties": {"ContainerProperties": {}}}) == []


def test_public_ips_are_reported_however_spelt() -> None:
    for spelling in ("ENABLED", "enabled"):
        assert [v.location for v in evaluate(RULE, fargate(spelling))] == [
            "Properties.ContainerProperties.NetworkConfiguration.AssignPublicIp"], spelling
    service = {"Type": "AWS::ECS::Service", "Properties": {"NetworkConfiguration": {
        "AwsvpcConfiguration": {"AssignPublicIp": "ENABLED", "Subnets": ["subnet-1"]}}}}
    assert len(evaluate(RULE, service)) == 1


def test_computed_assignment_is_unverifiable() -> None:
    found = evaluate(RULE, fargate({"Ref": "Public"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
