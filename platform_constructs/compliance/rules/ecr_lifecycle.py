"""PLAT-ECR4: an ECR repository has a lifecycle policy (old, unscanned images do not pile up)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, is_set, props

WHERE = "Properties.LifecyclePolicy.LifecyclePolicyText"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    policy = props(resource).get("LifecyclePolicy")
    text = policy.get("LifecyclePolicyText") if isinstance(policy, Mapping) else policy
    if not is_set(text):
        yield Violation(WHERE, "no lifecycle policy; untagged and old images are never expired")


RULE = Rule(
    id="PLAT-ECR4",
    title="ECR repositories have a lifecycle policy",
    fix="set LifecyclePolicy.LifecyclePolicyText (e.g. expire untagged images after 14 days)",
    resource_types=("AWS::ECR::Repository",),
    check=check,
)
