"""IAM policy statements as they appear in template JSON, and resource values as cdk-nag names them (pure).

Shared by the rules that read policy statements and by the premises of the decisions that acknowledge
findings on them. Only what the template says literally is read: an intrinsic in place of a statement list
or a statement is reported by the callers as unverifiable, never passed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

IDENTITY_POLICIES: dict[str, tuple[str, bool]] = {
    "AWS::IAM::Policy": ("PolicyDocument", False),
    "AWS::IAM::ManagedPolicy": ("PolicyDocument", False),
    "AWS::IAM::Role": ("Policies", True),
    "AWS::IAM::User": ("Policies", True),
    "AWS::IAM::Group": ("Policies", True),
}
"""Type -> (property holding identity policies, whether it is a list of ``{PolicyName, PolicyDocument}``)."""


@dataclass(frozen=True)
class Statement:
    """One statement of a policy document, where it is, and whether it could be read at all."""

    location: str
    body: Mapping[str, Any] | None
    """``None`` when the statement (or its document) is computed at deploy time."""

    def values(self, element: str) -> list[Any]:
        """The element's values as a list (a single value is a one-item list; absent: empty)."""
        return as_list(self.body.get(element)) if self.body is not None else []

    @property
    def allows(self) -> bool:
        return self.body is not None and self.body.get("Effect") == "Allow"

    @property
    def actions_text(self) -> str:
        """The statement's actions for a message (``every action`` when it names none)."""
        return ", ".join(map(str, self.values("Action"))) or "every action"


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


ACCOUNT_LIMITING_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceAccount", "aws:SourceOrgID",
    "aws:PrincipalArn"))
"""Condition keys (lower case) that limit a ``Principal: "*"`` statement to named accounts, an organisation or
named principals."""


def admits_everyone(principal: Any) -> bool:
    """``Principal: "*"`` or ``{"AWS": "*"}`` (alone or in a list): every AWS account's principals."""
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in as_list(principal.get("AWS"))


def limited_by(conditions: Any, keys: frozenset[str] = ACCOUNT_LIMITING_KEYS) -> bool:
    """A ``Condition`` block testing one of ``keys`` (lower case; condition keys are case-insensitive)."""
    return isinstance(conditions, Mapping) and any(
        isinstance(block, Mapping) and any(str(key).lower() in keys for key in block)
        for block in conditions.values())


def document_statements(document: Any, location: str) -> Iterator[Statement]:
    """The statements of one policy document (``None`` bodies where the template computes them)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            yield Statement(location, None)
            return
    if not isinstance(document, Mapping):
        yield Statement(location, None)
        return
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        yield Statement(f"{location}.Statement", None)
        return
    for index, statement in enumerate(statements):
        yield Statement(f"{location}.Statement[{index}]", statement if _literal_statement(statement) else None)


def open_to_everyone(document: Any, location: str,
                     keys: frozenset[str] = ACCOUNT_LIMITING_KEYS) -> Iterator[Statement]:
    """The statements of ``document`` that cannot be read (``body`` ``None``) or that allow every AWS account's
    principals (:func:`admits_everyone`) without a condition on one of ``keys`` (:func:`limited_by`)."""
    for statement in document_statements(document, location):
        if statement.body is None or (statement.allows and admits_everyone(statement.body.get("Principal"))
                                      and not limited_by(statement.body.get("Condition"), keys)):
            yield statement


def _literal_statement(statement: Any) -> bool:
    return isinstance(statement, Mapping) and not (len(statement) == 1 and next(iter(statement)).startswith("Fn::"))


def identity_statements(resource: Mapping[str, Any]) -> Iterator[Statement]:
    """Every identity-policy statement of an IAM policy, role, user or group resource."""
    spec = IDENTITY_POLICIES.get(str(resource.get("Type", "")))
    properties = resource.get("Properties", {})
    if spec is None or not isinstance(properties, Mapping):
        return
    name, each = spec
    value = properties.get(name)
    if value is None:
        return
    where = f"Properties.{name}"
    if not each:
        yield from document_statements(value, where)
        return
    if not isinstance(value, list):
        yield Statement(where, None)
        return
    for index, policy in enumerate(value):
        document = policy.get("PolicyDocument") if isinstance(policy, Mapping) else None
        yield from document_statements(document, f"{where}[{index}].PolicyDocument")


def nag_resource(value: object) -> str:
    """A CloudFormation value flattened the way cdk-nag names it in finding ids.

    ``{"Fn::GetAtt": ["Bucket", "Arn"]}`` -> ``<Bucket.Arn>``, ``{"Ref": "AWS::Partition"}`` ->
    ``<AWS::Partition>``, ``Fn::Join`` parts joined (cdk-nag's ``flattenCfnReference``).
    """
    flat: str
    if value is None:
        flat = ""
    elif isinstance(value, str):
        flat = value.replace("${", "<").replace("}", ">")
    elif isinstance(value, dict) and "Fn::Join" in value:
        delimiter, items = value["Fn::Join"]
        flat = str(delimiter).join(nag_resource(item) for item in items)
    elif isinstance(value, dict) and "Fn::Sub" in value:
        flat = nag_resource(value["Fn::Sub"])
    elif isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        resource, attribute = target if isinstance(target, list) else str(target).split(".", 1)
        flat = f"<{nag_resource(resource)}.{nag_resource(attribute)}>"
    elif isinstance(value, dict) and "Fn::ImportValue" in value:
        flat = nag_resource(value["Fn::ImportValue"])
    elif isinstance(value, dict) and "Ref" in value:
        flat = f"<{nag_resource(value['Ref'])}>"
    else:
        flat = json.dumps(value, separators=(",", ":"))
    return flat
