"""Applying the library's decisions (:mod:`platform_constructs.compliance.decisions`) to constructs.

A decision applies to the CloudFormation resources of its types under the construct it is called on (the
construct itself when it is one), never to a construct's ancestors or to resources added later: a decision
applied to a :class:`~platform_constructs.baseline.PlatformRole` covers only the role's sealed policy, never
the policy that takes grants added after construction. For each resource, applying it does four things:

* ``Validations.of(resource).acknowledge(...)`` for each finding id (cdk-nag 3 API: CDK records the id in the
  resource's ``aws:cdk:acknowledged-rules`` metadata, which cdk-nag 3.0.2's ``NagPack.isAcknowledged`` and the
  Control Tower cfn-guard plugin read);
* records it in the resource's template metadata (``platform:acknowledgments``: id, reason, decision), with the
  platform construct that made it (``platform:construct``), which the gate and ``platform-check`` verify
  against the decision table and the decision's premises
  (:mod:`platform_constructs.compliance.acknowledgments`);
* appends it to the app's record that the synth report lists.
"""

from __future__ import annotations

import sys
from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from types import FrameType
from typing import Protocol, runtime_checkable

from aws_cdk import Acknowledgment as CdkAcknowledgment
from aws_cdk import CfnResource, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from platform_constructs.compliance.acknowledgments import ORIGIN_KEY
from platform_constructs.compliance.decisions import DECISIONS, Decision
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.compliance.statements import nag_resource
from platform_constructs.core import PlatformConstruct, PlatformContext, ancestors

__all__ = ["AcknowledgmentScope", "acknowledge", "acknowledge_resources", "nag_resource", "platform_origin"]


@runtime_checkable
class AcknowledgmentScope(Protocol):
    """A construct that says which of its children a decision applied to it covers (``PlatformRole``: its
    sealed policy only)."""

    @abstractmethod
    def acknowledgment_scope(self) -> IConstruct: ...


def acknowledge(construct: IConstruct, decision_key: str, *, owner: IConstruct | None = None, **values: str) -> None:
    """Apply the library decision ``decision_key`` to the resources of ``construct``.

    ``values`` fill the placeholders of a decision whose finding ids name a resource (e.g. ``{resource}``), so
    that each acknowledgment covers exactly one finding; they must name exactly the decision's placeholders.
    ``owner`` is the platform construct the resources belong to when they are not under one (the stack's
    access-log bucket, CDK's provider singletons); otherwise it is the nearest platform construct above
    ``construct``, or the one whose method is applying the decision (a grant to a caller's role). An unknown
    decision, a placeholder mismatch, a construct without a resource of the decision's types or without a
    platform construct behind it is a bug in the library and raises (``KeyError`` / ``ValueError``) before
    anything is recorded.
    """
    _apply(construct, decision_key, [values], owner)


def acknowledge_grant(grantee: object, decision_key: str) -> None:
    """Apply a decision to the policy resource a grant wrote its statement into: a ``PlatformRole``'s managed
    policy, or the ``DefaultPolicy`` of a role, user or group of this app. Nothing for a grantee outside the
    app (an imported role), whose policy the grant does not change."""
    holder = getattr(grantee, "policy", None)  # baseline.PlatformRole
    if not isinstance(holder, (iam.ManagedPolicy, iam.Policy)) and isinstance(grantee, Construct):
        holder = grantee.node.try_find_child("DefaultPolicy")
    if isinstance(holder, (iam.ManagedPolicy, iam.Policy)):
        acknowledge(holder, decision_key)


def acknowledge_resources(construct: IConstruct, decision_key: str, resources: Iterable[str], *,
                          owner: IConstruct | None = None) -> None:
    """Apply a decision whose rule ids name a resource (``...[Resource::{resource}]``) once per resource.

    ``resources`` are the policy's resource values (ARNs, possibly with tokens); each is resolved in the
    construct's stack and flattened the way cdk-nag names it (:func:`nag_resource`), so each acknowledgment
    covers exactly one finding, never a whole rule. ``owner``: as for :func:`acknowledge` (pass
    :func:`platform_origin`'s answer, read at construction, when the decision is applied later, at synth).
    """
    values = list(resources)
    if not values:
        return
    stack = Stack.of(construct)
    owner = _origin(construct, owner)
    resolved = stack.resolve(values)  # one call for all of them
    _apply(construct, decision_key, [{"resource": nag_resource(value)} for value in resolved], owner)


@dataclass
class _Record:
    """What applying decisions to one resource needs, looked up once per resource and kept on its Python object
    (jsii keeps one per construct): its path, its ``Validations``, its ``platform:acknowledgments`` list (the
    context's) and the ``platform:construct`` origin last written. Applying a decision then costs a call or two
    into Node, not the six to ten per finding id it cost (issue 19's profile)."""

    path: str
    validations: Validations
    entries: list[dict[str, str]]
    origin: dict[str, str] | None = None


def _apply(construct: IConstruct, decision_key: str, values: list[dict[str, str]], owner: IConstruct | None) -> None:
    """:func:`acknowledge` of ``decision_key`` once per item of ``values`` (placeholder values), in their order:
    every item checked before anything is recorded, then one acknowledgment call per resource for them all."""
    decision = DECISIONS.get(decision_key)
    if decision is None:
        raise KeyError(f"acknowledge: no decision {decision_key!r} in platform_constructs/compliance/decisions.py")
    rule_ids: list[str] = []
    for value in values:
        try:
            rule_ids.extend(decision.finding_ids(**value))
        except ValueError as exc:
            raise ValueError(f"acknowledge({decision_key!r}) on {construct.node.path}: {exc}") from None
    targets = _targets(construct, decision)
    if not targets:
        raise ValueError(f"acknowledge({decision_key!r}) on {construct.node.path}: no resource of the decision's "
                         f"types ({', '.join(decision.resource_types)}) there")
    made_by = _origin(construct, owner)
    if made_by is None:
        raise ValueError(f"acknowledge({decision_key!r}) on {construct.node.path}: no platform construct made it; "
                         "pass owner=")
    ctx = PlatformContext.of(construct)
    origin = {"type": type(made_by).__name__, "path": _path(made_by)}
    for resource in targets:
        record = _record(resource, ctx)
        new: list[str] = []
        for rule_id in rule_ids:
            entry = {"id": rule_id, "reason": decision.reason, "decision": decision_key}
            if entry in record.entries:  # applied again (e.g. one grant per image level): recorded once
                continue
            ctx.acknowledgments.append((record.path, rule_id, decision.reason))
            record.entries.append(entry)
            new.append(rule_id)
        if new:
            record.validations.acknowledge(*(CdkAcknowledgment(id=rule_id, reason=decision.reason)
                                             for rule_id in new))
            resource.add_metadata(METADATA_KEY, record.entries)
        if record.origin != origin:
            resource.add_metadata(ORIGIN_KEY, origin)
            record.origin = origin


_RECORD_ATTRIBUTE = "_platform_acknowledgment_record"


def _record(resource: CfnResource, ctx: PlatformContext) -> _Record:
    found = vars(resource).get(_RECORD_ATTRIBUTE)
    if isinstance(found, _Record):
        return found
    path = _path(resource)
    made = _Record(path, Validations.of(resource), ctx.metadata_acknowledgments.setdefault(path, []))
    vars(resource)[_RECORD_ATTRIBUTE] = made
    return made


def _path(construct: IConstruct) -> str:
    """``construct.node.path``, looked up once (a construct never moves)."""
    found = vars(construct).get(_PATH_ATTRIBUTE)
    if isinstance(found, str):
        return found
    path: str = construct.node.path
    vars(construct)[_PATH_ATTRIBUTE] = path
    return path


_PATH_ATTRIBUTE = "_platform_path"
_TYPE_ATTRIBUTE = "_platform_cfn_type"


def _cfn_type(resource: CfnResource) -> str:
    """``resource.cfn_resource_type``, looked up once (it is fixed at construction)."""
    found = vars(resource).get(_TYPE_ATTRIBUTE)
    if isinstance(found, str):
        return found
    kind: str = resource.cfn_resource_type
    vars(resource)[_TYPE_ATTRIBUTE] = kind
    return kind


def _targets(construct: IConstruct, decision: Decision) -> list[CfnResource]:
    scope = construct.acknowledgment_scope() if isinstance(construct, AcknowledgmentScope) else construct
    candidates = [scope, *scope.node.find_all()] if not isinstance(scope, CfnResource) else [scope]
    found: list[CfnResource] = []
    for candidate in candidates:
        if isinstance(candidate, CfnResource) and _cfn_type(candidate) in decision.resource_types \
                and candidate not in found:
            found.append(candidate)
    return found


def platform_origin(construct: IConstruct) -> IConstruct | None:
    """The platform construct behind ``construct`` now: the nearest one above it, or the one whose method is
    running (``None`` outside both)."""
    return _origin(construct, None)


def _origin(construct: IConstruct, owner: IConstruct | None) -> IConstruct | None:
    """The platform construct behind ``construct``: ``owner``, the nearest one above it, or the one running."""
    if owner is not None:
        return owner
    above = next((c for c in reversed(ancestors(construct)) if isinstance(c, PlatformConstruct)), None)
    if above is not None:
        return above
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, PlatformConstruct):
            return candidate
        frame = frame.f_back
    return None
