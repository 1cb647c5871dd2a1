"""Applying the library's decisions (:mod:`platform_constructs.compliance.decisions`) to constructs.

Applying one does three things: ``Validations.of(construct).acknowledge(...)`` for each finding id (cdk-nag 3
API: CDK records the id in the construct's ``aws:cdk:acknowledged-rules`` metadata, and cdk-nag 3.0.2's
``NagPack.isAcknowledged`` skips a finding whose id is recorded on its resource or any ancestor), records it in
the template metadata of the construct's resource (``platform:acknowledgments``, read by the platform rule pack
at synth and by ``platform-check``), and appends it to the app's record that the synth report lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from aws_cdk import Acknowledgment as CdkAcknowledgment
from aws_cdk import CfnResource, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.core import PlatformContext


def acknowledge(construct: IConstruct, decision_key: str, **values: str) -> None:
    """Apply the library decision ``decision_key`` to ``construct`` (and its children).

    ``values`` fill the placeholders of a decision whose finding ids name a resource (e.g. ``{resource}``), so
    that each acknowledgment covers exactly one finding; they must name exactly the decision's placeholders.
    An unknown decision or a placeholder mismatch is a bug in the library and raises (``KeyError`` /
    ``ValueError``) before anything is recorded.
    """
    decision = DECISIONS.get(decision_key)
    if decision is None:
        raise KeyError(f"acknowledge: no decision {decision_key!r} in platform_constructs/compliance/decisions.py")
    try:
        rule_ids = decision.finding_ids(**values)
    except ValueError as exc:
        raise ValueError(f"acknowledge({decision_key!r}) on {construct.node.path}: {exc}") from None
    validations = Validations.of(construct)
    ctx = PlatformContext.of(construct)
    for rule_id in rule_ids:
        validations.acknowledge(CdkAcknowledgment(id=rule_id, reason=decision.reason))
        ctx.acknowledgments.append((construct.node.path, rule_id, decision.reason))
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if isinstance(resource, CfnResource):
        recorded = ctx.metadata_acknowledgments.setdefault(resource.node.path, [])
        recorded.extend({"id": rule_id, "reason": decision.reason} for rule_id in rule_ids)
        resource.add_metadata(METADATA_KEY, recorded)


def acknowledge_grant(grantee: object, decision_key: str) -> None:
    """Apply a decision to the policy resource a grant wrote its statement into: a ``PlatformRole``'s managed
    policy, or the ``DefaultPolicy`` of a role, user or group of this app. Nothing for a grantee outside the
    app (an imported role), whose policy the grant does not change."""
    holder = getattr(grantee, "policy", None)  # baseline.PlatformRole
    if not isinstance(holder, (iam.ManagedPolicy, iam.Policy)) and isinstance(grantee, Construct):
        holder = grantee.node.try_find_child("DefaultPolicy")
    if isinstance(holder, (iam.ManagedPolicy, iam.Policy)):
        acknowledge(holder, decision_key)


def acknowledge_resources(construct: IConstruct, decision_key: str, resources: Iterable[str]) -> None:
    """Apply a decision whose rule ids name a resource (``...[Resource::{resource}]``) once per resource.

    ``resources`` are the policy's resource values (ARNs, possibly with tokens); each is resolved in the
    construct's stack and flattened the way cdk-nag names it (:func:`nag_resource`), so each acknowledgment
    covers exactly one finding, never a whole rule.
    """
    stack = Stack.of(construct)
    for resource in resources:
        acknowledge(construct, decision_key, resource=nag_resource(stack.resolve(resource)))


def nag_resource(value: object) -> str:
    """A resolved CloudFormation value flattened the way cdk-nag names it in finding ids.

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
        resource, attribute = value["Fn::GetAtt"]
        flat = f"<{nag_resource(resource)}.{nag_resource(attribute)}>"
    elif isinstance(value, dict) and "Fn::ImportValue" in value:
        flat = nag_resource(value["Fn::ImportValue"])
    elif isinstance(value, dict) and "Ref" in value:
        flat = f"<{nag_resource(value['Ref'])}>"
    else:
        flat = json.dumps(value, separators=(",", ":"))
    return flat
