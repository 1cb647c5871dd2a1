"""PLAT-NET1: no security group sends anything to the whole internet (``0.0.0.0/0``, ``::/0``), on any port.

Platform workloads run in isolated subnets and reach AWS through the network's endpoints only: HTTPS to the VPC
CIDR and to S3's prefix list (:mod:`platform_constructs.egress`). An egress rule to the internet is how jobs,
builds and endpoints would reach another account's bucket or anything outside once a route appears, so the rule
holds for every security group of a template, ours or not:

* an ``AWS::EC2::SecurityGroup`` without inline ``SecurityGroupEgress`` keeps AWS's default rule, all traffic to
  ``0.0.0.0/0`` ("The default rule is removed only when you specify one or more egress rules", CloudFormation
  reference, ``AWS::EC2::SecurityGroup`` ``SecurityGroupEgress``; a separate ``AWS::EC2::SecurityGroupEgress``
  does not remove it);
* an inline entry or an ``AWS::EC2::SecurityGroupEgress`` with a CIDR of prefix length 0;
* a CIDR computed at deploy time is unverifiable, except the two the platform writes: a ``Ref`` to the template's
  SSM parameter of the network's published CIDR (``<network.ssm_prefix>/vpc-cidr``, which ``PlatformNetwork``
  writes from its VPC's block) and ``Fn::GetAtt <VPC>.CidrBlock`` of a VPC in the template; a VPC's IPv4 block
  is /16 to /28 (EC2 API Reference, ``CreateVpc``), never the internet.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, is_intrinsic, props

CIDR_KEYS = ("CidrIp", "CidrIpv6")
SSM_STRING = "AWS::SSM::Parameter::Value<String>"
CIDR_PARAMETER = "vpc-cidr"


def _is_internet(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:  # not a CIDR: CloudFormation refuses it, cfn-lint reports it
        return False


def _vpc_cidr(value: Mapping[str, Any], ctx: RuleContext) -> bool:
    """``value`` is the platform network's CIDR: its published SSM parameter, or a template VPC's block."""
    if "Ref" in value:
        parameter = ctx.template.get("Parameters", {}).get(value["Ref"])
        return isinstance(parameter, Mapping) and parameter.get("Type") == SSM_STRING and parameter.get(
            "Default") == f"{ctx.policy.network.ssm_prefix}/{CIDR_PARAMETER}"
    target = value.get("Fn::GetAtt")
    if isinstance(target, str):
        target = target.split(".", 1)
    if isinstance(target, list) and len(target) == 2 and target[1] == "CidrBlock":
        vpc = ctx.resource(str(target[0]))
        return vpc is not None and vpc.get("Type") == "AWS::EC2::VPC"
    return False


def _rule_violations(rule: Any, where: str, ctx: RuleContext) -> Iterator[Violation]:
    if not isinstance(rule, Mapping) or is_intrinsic(rule):
        yield Violation(where, "the egress rule is computed at deploy time and cannot be verified")
        return
    for key in CIDR_KEYS:
        cidr = rule.get(key)
        if cidr is None:
            continue
        if is_intrinsic(cidr):
            if not _vpc_cidr(cidr, ctx):
                yield Violation(f"{where}.{key}", f"{key} is computed at deploy time (an intrinsic function) and "
                                "cannot be verified: it may be the internet")
        elif isinstance(cidr, str) and _is_internet(cidr):
            yield Violation(f"{where}.{key}", f"egress to the whole internet ({key}: {cidr!r}, {_traffic(rule)})")


def _traffic(rule: Mapping[str, Any]) -> str:
    protocol = str(rule.get("IpProtocol"))
    if protocol == "-1":
        return "all traffic"
    return f"{protocol} {rule.get('FromPort')}-{rule.get('ToPort')}"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    properties = props(resource)
    if resource.get("Type") == "AWS::EC2::SecurityGroupEgress":
        yield from _rule_violations(properties, "Properties", ctx)
        return
    egress = properties.get("SecurityGroupEgress")
    if egress is None or egress == []:
        yield Violation("Properties.SecurityGroupEgress", "no egress rule is declared, so AWS keeps its default rule: "
                        "all traffic to 0.0.0.0/0")
    elif not isinstance(egress, list):
        yield Violation("Properties.SecurityGroupEgress", "the egress rules are computed at deploy time and cannot "
                        "be verified")
    else:
        for index, rule in enumerate(egress):
            yield from _rule_violations(rule, f"Properties.SecurityGroupEgress[{index}]", ctx)


RULE = Rule(
    id="PLAT-NET1",
    title="Security groups send nothing to the internet (0.0.0.0/0, ::/0)",
    fix="allow only what the workload reaches: HTTPS to the VPC CIDR (the interface endpoints) and to S3's prefix "
        "list (baseline.https_egress_to_aws); a group with no egress needs one placeholder rule "
        "(CDK: allow_all_outbound=False)",
    resource_types=("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupEgress"),
    check=check,
)
