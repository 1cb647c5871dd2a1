"""Every IAM policy document a resource carries, prepared for parliament: resolved, with its gaps listed.

Identity policies (``AWS::IAM::ManagedPolicy``, ``AWS::IAM::Policy``, inline ``Policies`` of roles, users
and groups) name their resources. Resource policies are attached to a resource; where their statements
omit ``Resource`` or write ``"*"`` for "this resource", the resource's own ARN is put in its place, so the
actions are checked against the resource they really apply to:

* a role's trust policy (``AssumeRolePolicyDocument``) has no ``Resource``: it is the role;
* a KMS key policy's ``"*"`` "means this KMS key" (AWS KMS Developer Guide, "Key policies in AWS KMS");
* an EFS file system policy, a CodeArtifact domain or repository policy, an ECR repository policy
  (``RepositoryPolicyText``, no ``Resource`` element) and a Secrets Manager resource policy apply to
  their one resource likewise;
* S3 bucket, SNS topic, SQS queue, VPC endpoint, CloudWatch Logs and SageMaker model package group resource
  policies name their resources explicitly and are checked as written.

A value the resolver cannot verify (see :mod:`.resolve`) becomes a :class:`Gap`; the checks that need it
report it as unverifiable instead of checking an invented value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.compliance.iam.arns import ACCOUNT, PARTITION
from platform_constructs.compliance.iam.resolve import Resolved, Resolver, arn_verifiable

IDENTITY, TRUST, RESOURCE = "identity", "trust", "resource"


@dataclass(frozen=True)
class PolicySpec:
    """Where a type keeps a policy document, and what a statement without a scoped resource applies to."""

    property: str
    kind: str
    each: bool = False
    """The property is a list of ``{PolicyName, PolicyDocument}`` (inline policies)."""
    subject: tuple[str, str] | None = None
    """``("attribute", name)``: this resource's own return value; ``("property", name)``: a property's value."""


_SELF_ARN = ("attribute", "Arn")

POLICY_SPECS: dict[str, tuple[PolicySpec, ...]] = {
    "AWS::IAM::Policy": (PolicySpec("PolicyDocument", IDENTITY),),
    "AWS::IAM::ManagedPolicy": (PolicySpec("PolicyDocument", IDENTITY),),
    "AWS::IAM::Role": (PolicySpec("AssumeRolePolicyDocument", TRUST, subject=_SELF_ARN),
                       PolicySpec("Policies", IDENTITY, each=True)),
    "AWS::IAM::User": (PolicySpec("Policies", IDENTITY, each=True),),
    "AWS::IAM::Group": (PolicySpec("Policies", IDENTITY, each=True),),
    "AWS::KMS::Key": (PolicySpec("KeyPolicy", RESOURCE, subject=_SELF_ARN),),
    "AWS::EFS::FileSystem": (PolicySpec("FileSystemPolicy", RESOURCE, subject=_SELF_ARN),),
    "AWS::ECR::Repository": (PolicySpec("RepositoryPolicyText", RESOURCE, subject=_SELF_ARN),),
    "AWS::CodeArtifact::Domain": (PolicySpec("PermissionsPolicyDocument", RESOURCE, subject=_SELF_ARN),),
    "AWS::CodeArtifact::Repository": (PolicySpec("PermissionsPolicyDocument", RESOURCE, subject=_SELF_ARN),),
    "AWS::SecretsManager::ResourcePolicy": (PolicySpec("ResourcePolicy", RESOURCE, subject=("property", "SecretId")),),
    "AWS::S3::BucketPolicy": (PolicySpec("PolicyDocument", RESOURCE),),
    "AWS::SNS::TopicPolicy": (PolicySpec("PolicyDocument", RESOURCE),),
    "AWS::SQS::QueuePolicy": (PolicySpec("PolicyDocument", RESOURCE),),
    "AWS::EC2::VPCEndpoint": (PolicySpec("PolicyDocument", RESOURCE),),
    "AWS::Logs::ResourcePolicy": (PolicySpec("PolicyDocument", RESOURCE),),
    "AWS::ECR::RegistryPolicy": (PolicySpec("PolicyText", RESOURCE),),
    "AWS::SageMaker::ModelPackageGroup": (PolicySpec("ModelPackageGroupPolicy", RESOURCE),),
}
POLICY_TYPES = tuple(POLICY_SPECS)

_PRINCIPAL_FILL = f"arn:{PARTITION}:iam::{ACCOUNT}:root"
TYPED_EXAMPLES = {"Arn": f"arn:{PARTITION}:iam::{ACCOUNT}:root", "Bool": "true", "Date": "2024-01-01T00:00:00Z",
                  "Number": "1", "Ip": "10.0.0.0/16", "Binary": "QUJD"}
"""A value of each checked condition-key type, standing in for one that cannot be resolved (reported as a gap)."""


@dataclass(frozen=True)
class Gap:
    """A value of a statement that could not be resolved for checking."""

    statement: int | None
    element: str
    """``Action``, ``Resource``, ``Principal``, ``Condition`` or ``Document``."""
    value: str
    reason: str


@dataclass(frozen=True)
class PreparedDocument:
    location: str
    kind: str
    document: Mapping[str, Any] | None
    """Resolved and ready for parliament; ``None`` when the document itself could not be read."""
    gaps: tuple[Gap, ...]
    literal_actions: tuple[tuple[str, ...], ...]
    """Per statement, the actions exactly as written (to tell a wildcard's expansions from a named action)."""
    unverified_resources: frozenset[int]
    """Statements whose resources include an unverifiable value (resource findings are unverifiable there)."""


KeyType = Callable[[str], str | None]
"""A condition key -> its documented type (``String``, ``Arn``, ...), ``None`` when unknown."""


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _Preparer:
    def __init__(self, resolver: Resolver, subject: str | None, key_type: KeyType) -> None:
        self.resolver = resolver
        self.subject = subject
        self.key_type = key_type
        self.gaps: list[Gap] = []
        self.unverified: set[int] = set()

    def gap(self, index: int | None, element: str, raw: Any, reason: str) -> None:
        self.gaps.append(Gap(index, element, _shown(raw), reason))

    def statement(self, index: int, raw: Any) -> tuple[Any, tuple[str, ...]]:
        if not isinstance(raw, Mapping):
            return raw, ()
        out: dict[str, Any] = {}
        literal: tuple[str, ...] = ()
        for element, value in raw.items():
            if element in ("Action", "NotAction"):
                out[element] = self.actions(index, element, value)
                literal = tuple(a for a in out[element] if isinstance(a, str))
            elif element in ("Resource", "NotResource"):
                out[element] = self.resources(index, element, value)
            elif element in ("Principal", "NotPrincipal"):
                out[element] = self.principal(index, value)
            elif element == "Condition":
                out[element] = self.condition(index, value)
            else:
                resolved = self.resolver.resolve(value)
                if not resolved.known:
                    self.gap(index, element, value, resolved.unknown or "")
                out[element] = resolved.value
        if self.subject is not None and "Resource" not in out and "NotResource" not in out:
            out["Resource"] = [self.subject]  # a trust or repository policy: the statement is about this resource
        return out, literal

    def actions(self, index: int, element: str, value: Any) -> list[Any]:
        kept: list[Any] = []
        for raw in _listed(value):
            resolved = self.resolver.resolve(raw)
            if resolved.known:
                kept.extend(_listed(resolved.value))
            else:
                self.gap(index, element, raw, resolved.unknown or "")
        return kept

    def resources(self, index: int, element: str, value: Any) -> list[Any]:
        kept: list[Any] = []
        for raw in _listed(value):
            resolved = self.resolver.resolve(raw)
            items = _listed(resolved.value) if resolved.known else [resolved.value]
            if resolved.known or arn_verifiable(resolved):
                kept.extend(self.subject if item == "*" and self.subject is not None else item for item in items)
            else:
                self.gap(index, element, raw, resolved.unknown or "")
                self.unverified.add(index)
                kept.append("*")
        return kept

    def principal(self, index: int, value: Any) -> Any:
        if not isinstance(value, Mapping):
            resolved = self.resolver.resolve(value)
            return resolved.value
        out: dict[str, Any] = {}
        for kind, raw in value.items():
            values: list[Any] = []
            for item in _listed(raw):
                resolved = self.resolver.resolve(item)
                if resolved.known:
                    values.extend(_listed(resolved.value))
                else:
                    self.gap(index, "Principal", item, resolved.unknown or "")
                    values.append(_PRINCIPAL_FILL if kind == "AWS" else resolved.value)
            out[str(kind)] = values if isinstance(raw, list) else values[0] if len(values) == 1 else values
        return out

    def condition(self, index: int, value: Any) -> Any:
        if not isinstance(value, Mapping) or not all(isinstance(keys, Mapping) for keys in value.values()):
            resolved = self.resolver.resolve(value)
            if not resolved.known:
                self.gap(index, "Condition", value, resolved.unknown or "")
            return resolved.value
        out: dict[str, Any] = {}
        for operator, keys in value.items():
            block: dict[str, Any] = {}
            for key, raw in keys.items():
                key_type = self.key_type(str(key))
                values = []
                for item in _listed(raw):
                    resolved = self.resolver.resolve(item)
                    # a String key's value is not checked by anything: its content cannot be "unverified";
                    # any other is reported, and a value of the key's type stands in for it
                    if not resolved.known and key_type not in ("String", None):
                        self.gap(index, "Condition", {operator: {key: item}}, resolved.unknown or "")
                        values.append(TYPED_EXAMPLES.get(key_type, resolved.value))
                    else:
                        values.extend(_listed(resolved.value) if isinstance(raw, list) else [resolved.value])
                block[str(key)] = values if isinstance(raw, list) else values[0] if values else raw
            out[str(operator)] = block
        return out


def _document(raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, str):
        try:
            return json.loads(raw), None
        except json.JSONDecodeError as exc:
            return None, f"the policy is a string that is not JSON ({exc})"
    return raw, None


def prepare(location: str, kind: str, raw: Any, *, resolver: Resolver, subject: str | None,
            key_type: KeyType) -> PreparedDocument:
    """One policy document, resolved: see the module docstring."""
    preparer = _Preparer(resolver, subject, key_type)
    document, problem = _document(raw)
    resolved = resolver.resolve(document) if problem is None else None
    if resolved is not None and isinstance(document, Mapping) and len(document) == 1 and not resolved.known \
            and next(iter(document)).startswith("Fn::"):
        problem = resolved.unknown  # the whole document is computed at deploy time
    if problem is not None or not isinstance(document, Mapping):
        preparer.gap(None, "Document", raw, problem or "the policy document is not a JSON object")
        return PreparedDocument(location, kind, None, tuple(preparer.gaps), (), frozenset())
    out: dict[str, Any] = {}
    literal: list[tuple[str, ...]] = []
    for element, value in document.items():
        if element == "Statement":
            statements = []
            for index, statement in enumerate(_listed(value)):
                prepared, actions = preparer.statement(index, statement)
                statements.append(prepared)
                literal.append(actions)
            out[element] = statements
        else:
            out[element] = resolver.resolve(value).value
    return PreparedDocument(location, kind, out, tuple(preparer.gaps), tuple(literal), frozenset(preparer.unverified))


def _subject(spec: PolicySpec, logical_id: str, resource: Mapping[str, Any], resolver: Resolver) -> str | None:
    if spec.subject is None:
        return None
    source, name = spec.subject
    if source == "attribute":
        found: Resolved = resolver.return_value(logical_id, name)
    else:
        properties = resource.get("Properties", {})
        found = resolver.resolve(properties.get(name) if isinstance(properties, Mapping) else None)
    return found.value if found.known and isinstance(found.value, str) else None


def policy_documents(logical_id: str, resource: Mapping[str, Any], resolver: Resolver,
                     key_type: KeyType) -> Iterator[PreparedDocument]:
    """Every policy document of ``resource`` (none for types that carry no policy)."""
    properties = resource.get("Properties", {})
    if not isinstance(properties, Mapping):
        return
    for spec in POLICY_SPECS.get(str(resource.get("Type", "")), ()):
        raw = properties.get(spec.property)
        if raw is None:
            continue
        subject = _subject(spec, logical_id, resource, resolver)
        where = f"Properties.{spec.property}"
        if spec.each:
            for index, inline in enumerate(_listed(raw)):
                document = inline.get("PolicyDocument") if isinstance(inline, Mapping) else inline
                yield prepare(f"{where}[{index}].PolicyDocument", spec.kind, document, resolver=resolver,
                              subject=subject, key_type=key_type)
        else:
            yield prepare(where, spec.kind, raw, resolver=resolver, subject=subject, key_type=key_type)
