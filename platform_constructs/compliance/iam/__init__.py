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
                 exports: Exports | None = None) -> list[IamFinding]:
    """The findings of IAM rule ``rule_id`` in the policies of one resource, each once (``exports``: what the
    templates checked with this one export, for its ``Fn::ImportValue``)."""
    resolver = Resolver(template, exports)
    found: dict[tuple[str, str], IamFinding] = {}
    for document in policy_documents(logical_id, resource, resolver, condition_key_type):
        for finding in analyse(document):
            if finding.rule == rule_id:
                found.setdefault((finding.key, finding.location), finding)
    return list(found.values())


__all__ = ["POLICY_TYPES", "IamFinding", "iam_findings"]
