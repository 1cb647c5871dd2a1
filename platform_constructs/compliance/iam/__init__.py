"""IAM correctness without an account: every policy a template carries, resolved and checked by parliament.

:func:`iam_findings` is what the rules PLAT-IAM1..5 (``compliance/rules/iam_*.py``) share: it reads every
policy document of one resource (:mod:`.documents`), resolves references and pseudo parameters to
well-formed example ARNs of the right resource type (:mod:`.resolve`, :mod:`.arns`), runs parliament over
each (:mod:`.parliament_adapter`) and attributes each finding to one rule. Pure: no ``aws_cdk`` import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from platform_constructs.compliance.exports import Exports
from platform_constructs.compliance.iam.documents import POLICY_TYPES, policy_documents
from platform_constructs.compliance.iam.parliament_adapter import IamFinding, analyse, condition_key_type
from platform_constructs.compliance.iam.resolve import Resolver


def iam_findings(rule_id: str, logical_id: str, resource: Mapping[str, Any], template: Mapping[str, Any],
                 exports: Exports | None = None, *, memo: dict[Any, Any] | None = None) -> list[IamFinding]:
    """The findings of IAM rule ``rule_id`` in the policies of one resource, each once (``exports``: what the
    templates checked with this one export, for its ``Fn::ImportValue``).

    The five IAM rules share one analysis of the resource: with ``memo`` (the check's
    :attr:`~platform_constructs.compliance.rules.base.RuleContext.memo`) it is made once per resource and check,
    not once per rule (issue 19's profile: resolving the documents five times was 80% of the rule pack)."""
    key = ("iam_findings", logical_id)
    by_rule: dict[str, list[IamFinding]] | None = None if memo is None else memo.get(key)
    if by_rule is None:
        resolver = Resolver(template, exports)
        found: dict[tuple[str, str, str], IamFinding] = {}
        for document in policy_documents(logical_id, resource, resolver, condition_key_type):
            for finding in analyse(document):
                found.setdefault((finding.rule, finding.key, finding.location), finding)
        by_rule = {}
        for finding in found.values():
            by_rule.setdefault(finding.rule, []).append(finding)
        if memo is not None:
            memo[key] = by_rule
    return list(by_rule.get(rule_id, []))


__all__ = ["POLICY_TYPES", "IamFinding", "iam_findings"]
