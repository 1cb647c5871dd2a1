"""Network resources read back with boto3: VPC, subnets, security groups and their egress rules (as declared, none
to the internet, prefix lists that exist), VPC endpoints, flow logs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from platform_constructs.describe.model import FACTS_KEY
from platform_constructs.local.emulator import Emulator
from platform_constructs.local.verify_base import Check, Checker, Deployed, check, literal
from platform_constructs.local.verify_resolve import unresolved_in

Rule = tuple[str, Any, Any, str]
"""(protocol, from port, to port, destination: CIDR or security group id)"""


def check_vpc(em: Emulator, res: Deployed) -> list[Check]:
    vpc = em.client("ec2").describe_vpcs(VpcIds=[res.physical_id])["Vpcs"][0]
    want = res.properties.get("CidrBlock")
    return [check(res, "cidr", not literal(want) or vpc["CidrBlock"] == want, f"CidrBlock={vpc['CidrBlock']}")]


def check_subnet(em: Emulator, res: Deployed) -> list[Check]:
    subnet = em.client("ec2").describe_subnets(SubnetIds=[res.physical_id])["Subnets"][0]
    public = subnet.get("MapPublicIpOnLaunch", False)
    return [check(res, "exists", True, f"{subnet['SubnetId']} in {subnet['VpcId']}"),
            check(res, "no public IPs", not public or res.properties.get("MapPublicIpOnLaunch") is True,
                  f"MapPublicIpOnLaunch={public}")]


def _group(em: Emulator, group_id: str) -> Mapping[str, Any] | None:
    groups = em.client("ec2").describe_security_groups(Filters=[{"Name": "group-id", "Values": [group_id]}])[
        "SecurityGroups"]
    return groups[0] if groups else None


def _ports(protocol: str, from_port: Any, to_port: Any) -> tuple[Any, Any]:
    return (None, None) if protocol == "-1" else (int(from_port), int(to_port))


def group_rules(group: Mapping[str, Any], key: str = "IpPermissionsEgress") -> set[Rule]:
    """The group's egress (or, with ``key="IpPermissions"``, ingress) rules as the emulator reports them."""
    rules: set[Rule] = set()
    for permission in group.get(key, []):
        protocol = str(permission.get("IpProtocol"))
        ports = _ports(protocol, permission.get("FromPort"), permission.get("ToPort"))
        targets = [r.get("CidrIp") for r in permission.get("IpRanges", [])]
        targets += [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges", [])]
        targets += [p.get("GroupId") for p in permission.get("UserIdGroupPairs", [])]
        targets += [p.get("PrefixListId") for p in permission.get("PrefixListIds", [])]
        rules |= {(protocol, *ports, str(target)) for target in targets}
    return rules


def declared_rule(rule: Mapping[str, Any]) -> Rule:
    """A rule of the template (inline entry, ``AWS::EC2::SecurityGroupEgress`` or ``...Ingress``), resolved."""
    protocol = str(rule["IpProtocol"])
    target = rule.get("CidrIp") or rule.get("CidrIpv6") or rule.get("DestinationSecurityGroupId") or \
        rule.get("DestinationPrefixListId") or rule.get("SourceSecurityGroupId") or rule.get("SourcePrefixListId")
    return (protocol, *_ports(protocol, rule.get("FromPort"), rule.get("ToPort")), str(target))


ALLOW_ALL: Rule = ("-1", None, None, "0.0.0.0/0")
INTERNET = frozenset({"0.0.0.0/0", "::/0"})
"""Destinations that are the whole internet: no group a platform construct made may send anything there (workloads
reach AWS through the network's endpoints only, :mod:`platform_constructs.egress`)."""


def _prefix_list_checks(em: Emulator, res: Deployed, got: set[Rule]) -> list[Check]:
    """Each prefix list the group's egress names exists in the region (the deploy would have failed otherwise:
    the emulator's models refuse unknown ids, as AWS does) and is named, e.g. ``com.amazonaws.us-east-1.s3``."""
    ids = sorted({rule[3] for rule in got if rule[3].startswith("pl-")})
    if not ids:
        return []
    found = {pl["PrefixListId"]: pl.get("PrefixListName") for pl in em.client("ec2").describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-id", "Values": ids}])["PrefixLists"]}
    return [check(res, "egress prefix lists exist", set(ids) <= set(found),
                  ", ".join(f"{i}={found.get(i, 'missing')}" for i in ids))]


def check_security_group(em: Emulator, res: Deployed) -> list[Check]:
    group = _group(em, res.physical_id)
    if group is None:
        return [check(res, "exists", False, f"security group {res.physical_id} not found")]
    open_world = [p for p in group.get("IpPermissions", []) if any(
        r.get("CidrIp") == "0.0.0.0/0" for r in p.get("IpRanges", []))]
    checks = [check(res, "exists", True, f"{group['GroupId']} in {group.get('VpcId')}"),
              check(res, "no ingress from 0.0.0.0/0", not open_world, f"{len(group.get('IpPermissions', []))} rules")]
    inline = res.value("SecurityGroupEgress", default=[])
    got = group_rules(group)
    missing_ref = unresolved_in(inline)
    if missing_ref is not None:
        return [*checks, check(res, "egress as declared", False, f"not resolvable with boto3: {missing_ref}")]
    declared = {declared_rule(r) for r in inline}
    if declared:
        # AWS removes the default allow-all rule when the template declares egress rules
        missing = declared - got
        checks.append(check(res, "egress as declared", not missing,
                            f"{len(declared)} inline rule(s)" + (f"; missing {sorted(map(str, missing))}"
                                                                 if missing else "")))
    checks.append(check(res, "no unrequested allow-all egress", ALLOW_ALL not in got or ALLOW_ALL in declared
                        or not declared, f"{len(got)} egress rule(s)"
                        + (" incl. allow-all (AWS's default: no egress declared)" if ALLOW_ALL in got and not declared
                           else "")))
    if _made_by_platform(res):
        internet = sorted(map(str, (rule for rule in got if rule[3] in INTERNET)))
        checks.append(check(res, "no egress to the internet", not internet,
                            f"to {', '.join(internet)}" if internet else f"{len(got)} egress rule(s), none to "
                            "0.0.0.0/0 or ::/0"))
    return [*checks, *_prefix_list_checks(em, res, got)]


def _made_by_platform(res: Deployed) -> bool:
    """The group is a platform construct's (its logical id in the template's ``platform:constructs``): a workload
    group whose egress the library limits. Other templates' groups are judged by ``platform-check`` (PLAT-NET1);
    here they are only compared with what they declare."""
    entries = res.resolver.template.get("Metadata", {}).get(FACTS_KEY, [])
    return any(res.logical_id in entry.get("resources", []) for entry in entries if isinstance(entry, Mapping))


def _check_rule(em: Emulator, res: Deployed, key: str) -> list[Check]:
    rule = res.value()
    missing_ref = unresolved_in(rule)
    if missing_ref is not None:
        return [check(res, "rule on its group", False, f"not resolvable with boto3: {missing_ref}")]
    group = _group(em, str(rule["GroupId"]))
    if group is None:
        return [check(res, "rule on its group", False, f"security group {rule['GroupId']} not found")]
    want = declared_rule(rule)
    return [check(res, "rule on its group", want in group_rules(group, key), f"{want} on {rule['GroupId']}")]


def check_security_group_egress(em: Emulator, res: Deployed) -> list[Check]:
    return _check_rule(em, res, "IpPermissionsEgress")


def check_security_group_ingress(em: Emulator, res: Deployed) -> list[Check]:
    return _check_rule(em, res, "IpPermissions")


def check_vpc_endpoint(em: Emulator, res: Deployed) -> list[Check]:
    endpoint = em.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[res.physical_id])["VpcEndpoints"][0]
    checks = [check(res, "exists", True, endpoint["ServiceName"])]
    if res.properties.get("PrivateDnsEnabled") is True:
        checks.append(check(res, "private DNS", endpoint.get("PrivateDnsEnabled") is True,
                            f"PrivateDnsEnabled={endpoint.get('PrivateDnsEnabled')}"))
    return checks


def check_flow_log(em: Emulator, res: Deployed) -> list[Check]:
    logs = em.client("ec2").describe_flow_logs(FlowLogIds=[res.physical_id])["FlowLogs"]
    return [check(res, "exists", bool(logs), f"traffic={logs[0].get('TrafficType') if logs else None}")]


CHECKS: dict[str, Checker] = {
    "AWS::EC2::VPC": check_vpc,
    "AWS::EC2::Subnet": check_subnet,
    "AWS::EC2::SecurityGroup": check_security_group,
    "AWS::EC2::SecurityGroupEgress": check_security_group_egress,
    "AWS::EC2::SecurityGroupIngress": check_security_group_ingress,
    "AWS::EC2::VPCEndpoint": check_vpc_endpoint,
    "AWS::EC2::FlowLog": check_flow_log,
}
