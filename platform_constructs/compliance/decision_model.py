"""What a decision is: the finding ids it covers, the resource types it applies to, its reason and its premises.

The decisions themselves are in :mod:`platform_constructs.compliance.decisions` (resources) and
:mod:`platform_constructs.compliance.policy_decisions` (IAM and key policies). Pure data, no ``aws_cdk``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Formatter

from platform_constructs.compliance.premises import Premise

GUARD = "cdk-validator-cfnguard::"
"""Prefix of the acknowledgment ids of AWS Control Tower's cfn-guard rules (``cdklabs-cdk-validator-cfnguard``)."""
NAG_COMPLIANCE_PACKS = ("HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")


def packs(rule: str, which: tuple[str, ...] = NAG_COMPLIANCE_PACKS) -> tuple[str, ...]:
    """The ids of cdk-nag rule ``rule`` in the compliance packs ``which`` (they share rule names)."""
    return tuple(f"{pack}-{rule}" for pack in which)


@dataclass(frozen=True)
class Decision:
    """One acknowledgment decision: the finding ids it covers, where it may apply, why, and what must hold."""

    rule_ids: tuple[str, ...]
    """cdk-nag, cfn-guard or platform rule ids; ``{name}`` placeholders (e.g. ``[Resource::{resource}]``) are
    filled per application so that each acknowledgment covers exactly one finding."""
    reason: str
    resource_types: tuple[str, ...]
    """The CloudFormation types of the resources the decision is applied to (and honoured on)."""
    premises: tuple[Premise, ...] = ()
    """What must be true of the resource for the reason to be true; verified wherever the decision is honoured."""

    @property
    def placeholders(self) -> frozenset[str]:
        """The names of the ``{name}`` placeholders in :attr:`rule_ids`."""
        return frozenset(field for rule_id in self.rule_ids
                         for _, field, _, _ in Formatter().parse(rule_id) if field is not None)

    def finding_ids(self, **values: str) -> tuple[str, ...]:
        """:attr:`rule_ids` with their placeholders filled; ``values`` must name exactly :attr:`placeholders`
        (a missing value would acknowledge the literal ``{name}`` id, an extra one would be ignored)."""
        if set(values) != self.placeholders:
            expected = ", ".join(sorted(self.placeholders)) or "none"
            given = ", ".join(sorted(values)) or "none"
            raise ValueError(f"expected values for the placeholders ({expected}), got: {given}")
        return tuple(rule_id.format(**values) for rule_id in self.rule_ids) if values else self.rule_ids

    def match(self, finding_id: str) -> dict[str, str] | None:
        """The placeholder values under which ``finding_id`` is one of this decision's ids (``{}`` for a literal
        id), or ``None`` when the decision does not cover it."""
        for rule_id in self.rule_ids:
            pattern = "".join(re.escape(literal) + (f"(?P<{field}>.+)" if field else "")
                              for literal, field, _, _ in Formatter().parse(rule_id))
            found = re.fullmatch(pattern, finding_id)
            if found:
                return found.groupdict()
        return None
