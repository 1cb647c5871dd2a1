"""What the endpoint checks of its scope before building: its name is its own in the app, its VPC is usable.

* Two endpoints with one name (in one account and region) would both synthesize and the second would fail mid-deploy
  ("already exists"); :func:`claim_name` makes it a synth error naming both construct paths.
* ``vpc`` must be an ``IVpc`` with isolated subnets (the endpoint runs only there); anything else would reach jsii
  as a type error or fail in ``select_subnets``.
"""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from platform_constructs.errors import Problems

_REGISTRY_ID = "PlatformEndpointNames"


class _EndpointNames(Construct):
    """An empty construct on the app root holding the endpoint names claimed in the app (like the platform
    context's holder)."""

    def __init__(self, root: Construct) -> None:
        super().__init__(root, _REGISTRY_ID)
        self.claimed: dict[tuple[str, str, str], str] = {}
        """(account, region, name) -> construct path of the endpoint that claimed it."""


def claim_name(endpoint: Construct, name: str, problems: Problems) -> None:
    """Record ``name`` for ``endpoint``; a name another endpoint of the app claimed in the same account and region
    (both deploy-time values compare equal) is a problem naming both."""
    root = endpoint.node.root
    registry = root.node.try_find_child(_REGISTRY_ID)
    if not isinstance(registry, _EndpointNames):
        registry = _EndpointNames(root)  # type: ignore[arg-type]  # the app root is a construct
    stack = Stack.of(endpoint)
    key = (stack.account, stack.region, name)
    other = registry.claimed.get(key)
    if other is not None and other != endpoint.node.path:
        problems.add("endpoint_name", name, f"a name no other endpoint in the app uses ({other!r} already has it; "
                     "SageMaker endpoint names are unique per account and region)",
                     f"pass endpoint_name='{name}-2' (or another name) to one of {other!r} and "
                     f"{endpoint.node.path!r}")
    elif not problems:
        registry.claimed[key] = endpoint.node.path
