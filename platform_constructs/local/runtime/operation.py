"""The shape of one runtime call's request: :class:`Args` (the call's target as deployed, the admin's clients,
the run's state) and :class:`Operation` (how an IAM action is made with boto3)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from platform_constructs.local.iam import Request

_IMAGE = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
                    r"(?P<repository>[a-z0-9._/-]+?)(?::(?P<tag>[\w.-]+))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$")
COUNTER = itertools.count(1)
"""Unique suffixes (tags, log streams) within the process."""


class TargetError(ValueError):
    """A call's target cannot be made into a request (e.g. an image that is not an ECR image URI)."""


@dataclass
class Args:
    """A call's target as deployed, where it runs, the admin's clients (for fixtures) and the run's state."""

    target: Mapping[str, str]
    arns: Mapping[str, str]
    """The ARN of each target that is a resource of the construct (symbolic when the emulator did not create it)."""
    partition: str
    region: str
    account: str
    admin: Callable[[str], Any]
    state: dict[str, Any] = field(default_factory=dict)

    def request(self, params: Mapping[str, Any]) -> Request:
        return Request(self.partition, self.region, self.account, params)

    @property
    def repository(self) -> tuple[str, str, str | None]:
        """(registry account, repository name, tag or digest) of the ``repository`` or ``image`` target."""
        if "repository" in self.target:
            return self.account, self.target["repository"], None
        image = self.target["image"]
        match = _IMAGE.match(image)
        if match is None:
            raise TargetError(f"the image {image!r} is not an ECR image URI (no approved image published yet?)")
        return match["account"], match["repository"], match["digest"] or match["tag"]

    def pushed(self, repository: str) -> str | None:
        digest = self.state.get(f"digest:{repository}")
        return str(digest) if digest is not None else None


@dataclass(frozen=True)
class Operation:
    client: str
    method: str | None
    params: Callable[[Args], dict[str, Any]]
    resource: Callable[[Args], str]
    prepare: Callable[[Args], None] | None = None
    record: Callable[[Args, Any], None] | None = None
    """Keeps what a later call needs from the response (a pushed digest, a container instance)."""


def star(_: Args) -> str:
    """The resource of actions without resource-level permissions."""
    return "*"
