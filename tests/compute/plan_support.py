"""Helpers for the pure plan tests: a PlanContext like a construct's, without jsii."""

from __future__ import annotations

from platform_constructs.compute.plan import PlanContext
from platform_constructs.images import uri
from platform_constructs.policy import Policy, load_policy

POLICY = load_policy()
REGION = "eu-west-1"


def context(env_name: str, *, purpose: str = "batch", team: str = "recs", policy: Policy = POLICY) -> PlanContext:
    """The context a construct in ``env_name`` builds: its team, the policy's approved default image for
    ``purpose`` in ``REGION``, and the policy's registry approval."""
    image = getattr(policy.images, purpose).replace("{region}", REGION)
    return PlanContext(policy=policy, env=policy.environment(env_name), team=team, default_image=image,
                       image_approved=lambda candidate: uri.is_approved(candidate, policy.approved_registries))
