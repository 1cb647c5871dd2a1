"""PLAT-ROLE3: a role trusted by a service that names its caller is trusted only on this account's behalf.

When a service assumes a role for a resource, any customer of that service could name the role in their own
resource (the "confused deputy": IAM User Guide, "The confused deputy problem"). The services below send
``aws:SourceAccount`` and ``aws:SourceArn`` with the role assumption (each service's "cross-service confused deputy
prevention" documentation; the VPC User Guide for flow logs), so their trust statements must test one of them
(or ``aws:SourceOrgID`` / ``aws:SourceOrgPaths``). The list is the one the library's own trusts use
(:data:`platform_constructs.roles.CONFUSED_DEPUTY_SOURCES`, kept equal by a test); a service not on it is not read.
No cdk-nag pack, Control Tower rule or checkov check reports this. A trust policy computed at deploy time is
unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, props, unverifiable
from platform_constructs.compliance.statements import as_list, document_statements, limited_by, nag_resource

SERVICES = ("codebuild", "events", "sagemaker", "vpc-flow-logs")
"""Services documented to send ``aws:SourceAccount``/``aws:SourceArn`` when they assume a role."""
SOURCE_KEYS = frozenset(k.lower() for k in ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID",
                                            "aws:SourceOrgPaths"))
WHERE = "Properties.AssumeRolePolicyDocument"
_SUFFIXES = ("amazonaws.com", "amazonaws.com.cn", "<AWS::URLSuffix>")


def _services(principal: object) -> list[str]:
    if not isinstance(principal, Mapping):
        return []
    names = [nag_resource(s) for s in as_list(principal.get("Service"))]  # e.g. sagemaker.<AWS::URLSuffix>
    return [s for s in names if s.split(".", 1)[0] in SERVICES and s.split(".", 1)[-1] in _SUFFIXES]


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    document = props(resource).get("AssumeRolePolicyDocument")
    if document is None:
        return  # cfn-lint reports the missing required property
    for statement in document_statements(document, WHERE):
        if statement.body is None:
            yield unverifiable(statement.location, "the trust policy statement")
            continue
        services = _services(statement.body.get("Principal")) if statement.allows else []
        if services and not limited_by(statement.body.get("Condition"), SOURCE_KEYS):
            yield Violation(statement.location, f"trusts {', '.join(services)} without an aws:SourceAccount or "
                                                "aws:SourceArn condition: another account's resource could use "
                                                "the role")


RULE = Rule(
    id="PLAT-ROLE3",
    title="Service trusts carry the confused-deputy conditions their services send",
    fix=("add Condition: {StringEquals: {aws:SourceAccount: <account>}, ArnLike: {aws:SourceArn: <the resources "
         "that use the role>}} to the trust statement (platform_constructs.roles.service_principal does)"),
    resource_types=("AWS::IAM::Role",),
    check=check,
)
