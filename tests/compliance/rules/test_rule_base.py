"""What every rule shares (rules/base.py): booleans read as CloudFormation reads them, and finding ids."""

from __future__ import annotations

import pytest
from cfnlint.helpers import BOOLEAN_STRINGS_FALSE, BOOLEAN_STRINGS_TRUE

from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.compliance.rules.base import (
    FALSE_STRINGS,
    TRUE_STRINGS,
    Violation,
    as_bool,
    finding_id,
    is_true,
    may_be_true,
)


def test_the_boolean_strings_are_cfn_lints() -> None:
    """The pinned cfn-lint's coercions (cfnlint.helpers), so a rule and cfn-lint never disagree."""
    assert TRUE_STRINGS == BOOLEAN_STRINGS_TRUE
    assert FALSE_STRINGS == BOOLEAN_STRINGS_FALSE


@pytest.mark.parametrize(("value", "read"), [
    (True, True), ("true", True), ("True", True), ("TRUE", True),
    (False, False), ("false", False), ("False", False), ("FALSE", False),
    ("tRuE", None), ("yes", None), (1, None), (0, None), (None, None), ({"Ref": "Flag"}, None),
])
def test_values_are_read_as_cloudformation_reads_booleans(value: object, read: bool | None) -> None:
    assert as_bool(value) is read
    assert is_true(value) is (read is True)


def test_a_forbidden_setting_fails_closed_on_anything_not_false() -> None:
    assert [may_be_true(v) for v in (None, False, "False", "FALSE")] == [False] * 4
    assert [may_be_true(v) for v in (True, "TRUE", "tRuE", "yes", 1)] == [True] * 5


def test_a_finding_of_a_sub_check_has_its_own_id() -> None:
    assert finding_id("PLAT-SM2", Violation("Properties.KmsKeyId", "m", "volume-key")) == "PLAT-SM2[volume-key]"
    assert finding_id("PLAT-SM4", Violation("Properties.X", "m")) == "PLAT-SM4"


def test_rule_ids_are_unique_and_sub_checks_are_declared_once() -> None:
    ids = [rule.id for rule in ALL_RULES]
    assert len(ids) == len(set(ids))
    for rule in ALL_RULES:
        assert len(set(rule.findings)) == len(rule.findings), rule.id
        assert rule.finding_ids() == (tuple(f"{rule.id}[{f}]" for f in rule.findings) or (rule.id,))
