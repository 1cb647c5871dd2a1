"""What a rule is: a pure function over one CloudFormation resource (its JSON), plus its metadata.

Rules see plain template JSON, so the same implementation runs at synth (inside the validation plugin)
and in CI over ``cdk.out`` or any CloudFormation template. Intrinsic functions (``Ref``,
``Fn::GetAtt``, ...) are treated as "set, value known at deploy time"; a rule that needs a literal
value and finds an intrinsic reports it as unverifiable instead of passing it silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from platform_constructs.compliance.exports import Exports
from platform_constructs.policy import EnvironmentPolicy, Policy

Resource = Mapping[str, Any]

METADATA_KEY = "platform:acknowledgments"
"""Template metadata key of a resource's acknowledgments: ``[{"id": rule id, "reason": text}, ...]``."""


@dataclass(frozen=True)
class RuleContext:
    """What a rule may consult besides the resource: the policy, the environment, the whole template, and what
    the templates checked with it export."""

    policy: Policy
    env: EnvironmentPolicy
    template: Mapping[str, Any]
    exports: Exports = field(default_factory=dict)
    account: str | None = None
    """The account the template is deployed to when it is known (a stack synthesized for an explicit environment:
    its cloud assembly's manifest, :mod:`platform_constructs.compliance.assembly`); ``None``: only the
    ``AWS::AccountId`` pseudo parameter stands for it."""
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """What several rules compute alike over this template, computed once per check (e.g. the IAM rules'
    analysis of a resource's policies, :func:`platform_constructs.compliance.iam.iam_findings`)."""

    def resource(self, logical_id: str) -> Resource | None:
        found = self.template.get("Resources", {}).get(logical_id)
        return found if isinstance(found, Mapping) else None


@dataclass(frozen=True)
class Violation:
    """One problem a rule found in a resource: the property path and what to do about it."""

    location: str
    message: str
    finding: str | None = None
    """The exact finding within the rule (a sub-check such as ``volume-key``, or what a rule over policy statements
    found, e.g. ``Action::s3:GetObject``), for rules whose findings are acknowledged one by one: its id is then
    ``RULE[finding]`` (cdk-nag's form), and only an acknowledgment of that id covers it, so an acknowledgment of
    one sub-check never hides another. ``None``: the finding's id is the rule id."""


def finding_id(rule_id: str, violation: Violation) -> str:
    """The id of the finding ``violation`` of rule ``rule_id``: ``RULE[finding]`` or the bare rule id."""
    return rule_id if violation.finding is None else f"{rule_id}[{violation.finding}]"


CheckFn = Callable[[str, Resource, RuleContext], Iterator[Violation]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    fix: str
    resource_types: tuple[str, ...]
    check: CheckFn
    """``check(logical_id, resource, ctx)`` yields a :class:`Violation` per problem (none: compliant)."""
    findings: tuple[str, ...] = ()
    """The sub-checks of a rule with several (each reported as ``RULE[finding]``); empty: every finding of the rule
    carries the bare rule id, or (rules over policy statements) names what it found."""

    def finding_ids(self) -> tuple[str, ...]:
        """The ids this rule's fixed sub-checks report (``RULE[finding]`` each), or the rule id."""
        return tuple(f"{self.id}[{f}]" for f in self.findings) or (self.id,)

    def applies_to(self, resource_type: str) -> bool:
        return "*" in self.resource_types or resource_type in self.resource_types


def props(resource: Resource) -> Mapping[str, Any]:
    value = resource.get("Properties", {})
    return value if isinstance(value, Mapping) else {}


def is_intrinsic(value: Any) -> bool:
    """True for ``{"Ref": ...}`` / ``{"Fn::...": ...}`` values resolved only at deploy time."""
    return isinstance(value, Mapping) and len(value) == 1 and (
        "Ref" in value or next(iter(value)).startswith("Fn::")
    )


TRUE_STRINGS = frozenset({"true", "True", "TRUE"})
FALSE_STRINGS = frozenset({"false", "False", "FALSE"})
"""The strings CloudFormation reads as booleans, as cfn-lint coerces them (``cfnlint.helpers.BOOLEAN_STRINGS_TRUE``
and ``BOOLEAN_STRINGS_FALSE``); any other spelling is not a boolean (cfn-lint E3012)."""


def as_bool(value: Any) -> bool | None:
    """``value`` read as CloudFormation reads a boolean: ``True``/``False`` for a JSON boolean or one of the
    strings above, ``None`` for anything else (absent, an intrinsic, another spelling, a number)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in TRUE_STRINGS:
        return True
    if isinstance(value, str) and value in FALSE_STRINGS:
        return False
    return None


def is_true(value: Any) -> bool:
    """A literal CloudFormation ``true`` (for checks that require a setting to be on)."""
    return as_bool(value) is True


def may_be_true(value: Any) -> bool:
    """Not a literal ``false`` and not absent (for checks that forbid a setting): anything CloudFormation could
    read as on, including spellings cfn-lint would reject, counts, so a check that forbids it fails closed.
    Intrinsics are for the caller to report as unverifiable first."""
    return value is not None and as_bool(value) is not False


def unverifiable(location: str, what: str, finding: str | None = None) -> Violation:
    """The standard finding for a value a rule needs literally but that is computed at deploy time."""
    return Violation(location, f"{what} is computed at deploy time (an intrinsic function) and cannot be verified",
                     finding)


def as_number(value: Any) -> float | None:
    """A literal number (CloudFormation also accepts numeric strings); ``None`` when not a literal number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def is_set(value: Any) -> bool:
    """Present and non-empty (an intrinsic counts as set: its value is known at deploy time)."""
    return value is not None and value not in ("", [], {})


def evaluate(rule: Rule, resource: Resource, *, env: str = "dev", policy: Policy | None = None,
             template: Mapping[str, Any] | None = None, logical_id: str = "Resource") -> list[Violation]:
    """Run one rule over one bare resource (for tests and for writing rules): its violations.

    ``template`` defaults to a template holding only ``resource``; ``policy`` to the packaged policy.
    """
    from platform_constructs.policy import load_policy

    chosen = policy if policy is not None else load_policy()
    whole = template if template is not None else {"Resources": {logical_id: resource}}
    ctx = RuleContext(policy=chosen, env=chosen.environment(env), template=whole)
    return list(rule.check(logical_id, resource, ctx))


def guarded(rule: Rule) -> Rule:
    """``rule`` with a check that fails closed: an exception inside it becomes a finding, never a pass.

    CDK treats a validation plugin that raises as a failed plugin without violations, and the CLI's
    ``cdk synth`` then still exits 0; a crashing rule must not turn the gate off.
    """
    check = rule.check

    def safe_check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
        try:
            yield from check(logical_id, resource, ctx)
        except Exception as exc:  # any bug in a rule: report, never pass silently
            yield Violation("", f"rule {rule.id} could not evaluate this resource ({type(exc).__name__}: {exc}); "
                                "it counts as non-compliant until the rule is fixed (tell the platform team)")

    return replace(rule, check=safe_check)
