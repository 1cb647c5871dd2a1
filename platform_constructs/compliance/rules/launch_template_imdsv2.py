"""PLAT-LT1: a launch template requires IMDSv2 with a hop limit of 1.

``AWS::EC2::LaunchTemplate`` ``LaunchTemplateData.MetadataOptions`` must set ``HttpTokens: required``
(no IMDSv1 credential theft through SSRF) and ``HttpPutResponseHopLimit: 1`` (containers on the host
cannot reach the instance role's credentials). cdk-nag follows launch templates only when they are
attached to instances or auto-scaling groups, so one used by AWS Batch is checked only here.

Findings: ``PLAT-LT1[http-tokens]`` and ``PLAT-LT1[hop-limit]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    as_number,
    is_intrinsic,
    props,
    unverifiable,
)

WHERE = "Properties.LaunchTemplateData.MetadataOptions"
TOKENS, HOPS = "http-tokens", "hop-limit"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    data = props(resource).get("LaunchTemplateData")
    options = data.get("MetadataOptions") if isinstance(data, Mapping) else data
    if is_intrinsic(options):
        yield unverifiable(WHERE, "MetadataOptions", TOKENS)
        return
    if not isinstance(options, Mapping):
        yield Violation(WHERE, "no MetadataOptions: IMDSv1 stays enabled; set HttpTokens: required", TOKENS)
        yield Violation(WHERE, "no MetadataOptions: the default hop limit applies; set HttpPutResponseHopLimit: 1",
                        HOPS)
        return
    tokens = options.get("HttpTokens")
    if is_intrinsic(tokens):
        yield unverifiable(f"{WHERE}.HttpTokens", "HttpTokens", TOKENS)
    elif tokens != "required":
        yield Violation(f"{WHERE}.HttpTokens", f"HttpTokens is {tokens!r}; IMDSv2 must be required ('required')",
                        TOKENS)
    hops = options.get("HttpPutResponseHopLimit")
    if is_intrinsic(hops):
        yield unverifiable(f"{WHERE}.HttpPutResponseHopLimit", "HttpPutResponseHopLimit", HOPS)
    elif as_number(hops) != 1:
        yield Violation(f"{WHERE}.HttpPutResponseHopLimit",
                        f"HttpPutResponseHopLimit is {hops!r}; expected 1 so containers cannot reach the instance role",
                        HOPS)


RULE = Rule(
    id="PLAT-LT1",
    title="Launch templates require IMDSv2 with a hop limit of 1",
    fix="set LaunchTemplateData.MetadataOptions: HttpTokens: required, HttpPutResponseHopLimit: 1",
    resource_types=("AWS::EC2::LaunchTemplate",),
    findings=(TOKENS, HOPS),
    check=check,
)
