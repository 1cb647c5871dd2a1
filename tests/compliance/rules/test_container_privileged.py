"""PLAT-BATCH3 over bare AWS Batch job definitions and ECS task definitions."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.container_privileged import RULE

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/job@sha256:" + "a" * 64


def job(**container: Any) -> dict[str, Any]:
    return {"Type": "AWS::Batch::JobDefinition",
            "Properties": {"Type": "container", "ContainerProperties": {"Image": IMAGE, **container}}}


def test_unprivileged_containers_pass() -> None:
    assert evaluate(RULE, job()) == []
    assert evaluate(RULE, job(Privileged=False)) == []
    assert evaluate(RULE, job(Privileged="FALSE")) == []


def test_privileged_containers_are_reported_in_every_place_a_job_keeps_them() -> None:
    assert [v.location for v in evaluate(RULE, job(Privileged=True))] == [
        "Properties.ContainerProperties.Privileged"]
    multi_node = {"Type": "AWS::Batch::JobDefinition", "Properties": {"Type": "multinode", "NodeProperties": {
        "NumNodes": 2, "MainNode": 0, "NodeRangeProperties": [
            {"TargetNodes": "0:", "Container": {"Image": IMAGE, "Privileged": "True"}}]}}}
    assert [v.location for v in evaluate(RULE, multi_node)] == [
        "Properties.NodeProperties.NodeRangeProperties[0].Container.Privileged"]
    ecs = {"Type": "AWS::Batch::JobDefinition", "Properties": {"Type": "container", "EcsProperties": {
        "TaskProperties": [{"Containers": [{"Image": IMAGE}, {"Image": IMAGE, "Privileged": "tRuE"}]}]}}}
    assert [v.location for v in evaluate(RULE, ecs)] == [
        "Properties.EcsProperties.TaskProperties[0].Containers[1].Privileged"]
    task = {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
        {"Name": "app", "Image": IMAGE, "Privileged": "TRUE"}]}}
    assert [v.location for v in evaluate(RULE, task)] == ["Properties.ContainerDefinitions[0].Privileged"]


def test_computed_privilege_is_unverifiable() -> None:
    found = evaluate(RULE, job(Privileged={"Ref": "Privileged"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
