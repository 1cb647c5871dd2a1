"""PLAT-BATCH4: no AWS Batch job or ECS task mounts the Docker socket or the host's root into a container.

A container that can reach ``/var/run/docker.sock`` controls the host's Docker daemon: it can start a
privileged container and escape. Reported for every host volume (``Volumes[*].Host.SourcePath``) of a job or
task whose path is the socket or one of the directories holding it (``/``, ``/var``, ``/var/run``, ``/run``),
and for a host path computed at deploy time (unverifiable).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_constructs.compliance.containers import CONTAINER_TYPES, containers
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, is_intrinsic, unverifiable

DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
DANGEROUS = frozenset({*DOCKER_SOCKETS, "/", "/var", "/var/run", "/run"})


def _host_path(volume: Any) -> Any:
    host = volume.get("Host") if isinstance(volume, Mapping) else None
    return host.get("SourcePath") if isinstance(host, Mapping) else None


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    seen: set[str] = set()
    for container in containers(resource):
        if container.volumes_location in seen:
            continue
        seen.add(container.volumes_location)
        for index, volume in enumerate(container.volumes):
            path = _host_path(volume)
            where = f"{container.volumes_location}[{index}].Host.SourcePath"
            if is_intrinsic(path):
                yield unverifiable(where, "a host volume's SourcePath")
            elif isinstance(path, str) and path.rstrip("/") in {p.rstrip("/") for p in DANGEROUS} | {""}:
                yield Violation(where, f"host path {path!r} gives the container the Docker socket "
                                       f"({DOCKER_SOCKETS[0]}): control of the host")


RULE = Rule(
    id="PLAT-BATCH4",
    title="Batch jobs and ECS tasks mount neither the Docker socket nor the host's system directories",
    fix=("remove the host volume; build images in the golden image pipeline (CodeBuild), not inside jobs, and "
         "share data through the datastore bucket or an EFS access point"),
    resource_types=CONTAINER_TYPES,
    check=check,
)
