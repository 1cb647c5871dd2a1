"""The platform rule pack: one rule per module, collected here in a fixed order."""

from __future__ import annotations

from platform_constructs.compliance.rules import required_tags
from platform_constructs.compliance.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = (
    required_tags.RULE,
)

__all__ = ["ALL_RULES", "Rule"]
