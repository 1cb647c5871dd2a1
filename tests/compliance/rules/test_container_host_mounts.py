"""PLAT-BATCH4 over bare AWS Batch job definitions and ECS task definitions."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.container_host_mounts import RULE


def job(*paths: Any) -> dict[str, Any]:
    volumes = [{"Name": f"v{i}", "Host": {"SourcePath": p}} for i, p in enumerate(paths)]
    return {"Type": "AWS::Batch::JobDefinition", "Properties": {"Type": "container", "ContainerProperties": {
        "Image": "img", "Volumes": volumes,
        "MountPoints": [{"SourceVolume": f"v{i}", "ContainerPath": "/mnt"} for i in range(len(paths))]}}}


def test_ordinary_host_volumes_and_efs_pass() -> None:
    assert evaluate(RULE, job("/scratch", "/tmp/cache")) == []
    efs = {"Type": "AWS::Batch::JobDefinition", "Properties": {"ContainerProperties": {"Image": "img", "Volumes": [
        {"Name": "data", "EfsVolumeConfiguration": {"FileSystemId": "fs-1"}}]}}}
    assert evaluate(RULE, efs) == []


def test_the_docker_socket_and_the_directories_holding_it_are_reported() -> None:
    found = evaluate(RULE, job("/var/run/docker.sock", "/run/docker.sock", "/var/run/", "/", "/scratch"))
    assert [v.location.split(".Volumes")[1] for v in found] == [
        "[0].Host.SourcePath", "[1].Host.SourcePath", "[2].Host.SourcePath", "[3].Host.SourcePath"]
    assert "Docker socket" in found[0].message
    task = {"Type": "AWS::ECS::TaskDefinition", "Properties": {
        "Volumes": [{"Name": "docker", "Host": {"SourcePath": "/var/run/docker.sock"}}],
        "ContainerDefinitions": [{"Name": "a", "Image": "img"}, {"Name": "b", "Image": "img"}]}}
    assert [v.location for v in evaluate(RULE, task)] == ["Properties.Volumes[0].Host.SourcePath"]  # once per task


def test_computed_host_path_is_unverifiable() -> None:
    found = evaluate(RULE, job({"Ref": "HostPath"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
