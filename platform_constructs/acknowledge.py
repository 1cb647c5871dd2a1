"""Applying the library's decisions (:mod:`platform_constructs.compliance.decisions`) to constructs.

Applying one does three things: ``Validations.of(construct).acknowledge(...)`` for each finding id
(cdk-nag 3 API), records it in the template metadata of the construct's resource
(``platform:acknowledgments``, read by ``platform-check``), and appends it to the app's record that the
synth report lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from aws_cdk import Acknowledgment as CdkAcknowledgment
from aws_cdk import CfnResource, Stack, Validations
from constructs import IConstruct

from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.rules.base import METADATA_KEY
from platform_constructs.core import PlatformContext


def acknowledge(construct: IConstruct, decision_key: str, **values: str) -> None:
    """Apply the library decision ``decision_key`` to ``construct`` (and its children).

    ``values`` fill the placeholders of a decision whose finding ids name a resource (e.g. ``{resource}``), so
    that each acknowledgment covers exactly one finding.
    """
    decision = DECISIONS[decision_key]
    validations = Validations.of(construct)
    ctx = PlatformContext.of(construct)
    rule_ids = tuple(r.format(**values) for r in decision.rule_ids) if values else decision.rule_ids
    for rule_id in rule_ids:
        validations.acknowledge(CdkAcknowledgment(id=rule_id, reason=decision.reason))
        ctx.acknowledgments.append((construct.node.path, rule_id, decision.reason))
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if isinstance(resource, CfnResource):
        recorded = ctx.metadata_acknowledgments.setdefault(resource.node.path, [])
        recorded.extend({"id": rule_id, "reason": decision.reason} for rule_id in rule_ids)
        resource.add_metadata(METADATA_KEY, recorded)


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
