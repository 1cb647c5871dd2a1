"""The container definitions of AWS Batch job definitions and ECS task definitions, as template JSON (pure).

Shared by the rules about containers (privileged mode, host mounts, plaintext secrets, public IPs). An AWS
Batch job definition keeps its container in one of three places (CloudFormation ``AWS::Batch::JobDefinition``):
``ContainerProperties`` (single-node), ``NodeProperties.NodeRangeProperties[*].Container`` (multi-node) and
``EcsProperties.TaskProperties[*].Containers[*]``; an ECS task definition in ``ContainerDefinitions[*]``. Each
is yielded with its location; a part computed at deploy time is yielded as ``None`` for the caller to report.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

CONTAINER_TYPES = ("AWS::Batch::JobDefinition", "AWS::ECS::TaskDefinition")


@dataclass(frozen=True)
class Container:
    location: str
    body: Mapping[str, Any] | None
    volumes: list[Any]
    """The volumes of the job or task the container belongs to (``Volumes``)."""
    volumes_location: str


def props(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    value = resource.get("Properties", {})
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None


def containers(resource: Mapping[str, Any]) -> Iterator[Container]:
    properties = props(resource)
    if resource.get("Type") == "AWS::ECS::TaskDefinition":
        volumes = _items(properties.get("Volumes")) or []
        definitions = properties.get("ContainerDefinitions")
        for index, body in enumerate(_items(definitions) or ([] if definitions is None else [None])):
            yield Container(f"Properties.ContainerDefinitions[{index}]",
                            body if isinstance(body, Mapping) else None, volumes, "Properties.Volumes")
        return
    single = properties.get("ContainerProperties")
    if single is not None:
        yield Container("Properties.ContainerProperties", single if isinstance(single, Mapping) else None,
                        (_items(single.get("Volumes")) or []) if isinstance(single, Mapping) else [],
                        "Properties.ContainerProperties.Volumes")
    nodes = properties.get("NodeProperties")
    ranges = nodes.get("NodeRangeProperties") if isinstance(nodes, Mapping) else nodes
    for index, node in enumerate(_items(ranges) or ([] if ranges is None else [None])):
        where = f"Properties.NodeProperties.NodeRangeProperties[{index}].Container"
        if not isinstance(node, Mapping):
            yield Container(where, None, [], where)
        elif "Container" in node:
            body = node["Container"]
            volumes = (_items(body.get("Volumes")) or []) if isinstance(body, Mapping) else []
            yield Container(where, body if isinstance(body, Mapping) else None, volumes, f"{where}.Volumes")
    ecs = properties.get("EcsProperties")
    tasks = ecs.get("TaskProperties") if isinstance(ecs, Mapping) else ecs
    for task_index, task in enumerate(_items(tasks) or ([] if tasks is None else [None])):
        where = f"Properties.EcsProperties.TaskProperties[{task_index}]"
        if not isinstance(task, Mapping):
            yield Container(where, None, [], where)
            continue
        volumes = _items(task.get("Volumes")) or []
        for index, body in enumerate(_items(task.get("Containers")) or []):
            yield Container(f"{where}.Containers[{index}]", body if isinstance(body, Mapping) else None, volumes,
                            f"{where}.Volumes")


def network_configurations(resource: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Where a job definition or ECS service says whether its tasks get a public IP: (location, the value)."""
    properties = props(resource)
    if resource.get("Type") == "AWS::ECS::Service":
        config = properties.get("NetworkConfiguration")
        vpc = config.get("AwsvpcConfiguration") if isinstance(config, Mapping) else None
        if isinstance(vpc, Mapping):
            yield "Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp", vpc.get("AssignPublicIp")
        return
    single = properties.get("ContainerProperties")
    if isinstance(single, Mapping) and isinstance(single.get("NetworkConfiguration"), Mapping):
        yield ("Properties.ContainerProperties.NetworkConfiguration.AssignPublicIp",
               single["NetworkConfiguration"].get("AssignPublicIp"))
    ecs = properties.get("EcsProperties")
    tasks = (_items(ecs.get("TaskProperties")) or []) if isinstance(ecs, Mapping) else []
    for index, task in enumerate(tasks):
        if isinstance(task, Mapping) and isinstance(task.get("NetworkConfiguration"), Mapping):
            yield (f"Properties.EcsProperties.TaskProperties[{index}].NetworkConfiguration.AssignPublicIp",
                   task["NetworkConfiguration"].get("AssignPublicIp"))
