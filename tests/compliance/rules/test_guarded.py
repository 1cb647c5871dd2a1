"""A rule that raises fails closed: its exception becomes a finding (CDK would let a crashed plugin pass)."""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.engine import check_template
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, guarded
from platform_constructs.policy import load_policy


def broken(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield Violation("Properties.A", "first problem")
    raise KeyError("Subnets")


def test_exception_becomes_a_finding_after_the_ones_already_found() -> None:
    rule = guarded(Rule("PLAT-X1", "broken", "fix it", ("AWS::S3::Bucket",), broken))
    policy = load_policy()
    findings = check_template({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}, policy, policy.environment("dev"),
                              rules=[rule])
    assert [f.message for f in findings] == [
        "first problem",
        "rule PLAT-X1 could not evaluate this resource (KeyError: 'Subnets'); it counts as non-compliant until "
        "the rule is fixed (tell the platform team)",
    ]


def test_every_shipped_rule_is_guarded() -> None:
    assert all(rule.check.__name__ == "safe_check" for rule in ALL_RULES)
