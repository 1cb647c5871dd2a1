"""EC2 security-group egress, with moto's EC2 backend; placement groups, which moto's EC2 does not have.

* ``AWS::EC2::SecurityGroup`` replaces moto's own model, which ignores the ``SecurityGroupEgress`` property and
  keeps the default allow-all egress rule on every group (``moto/ec2/models/security_groups.py``:
  ``SecurityGroup.create_from_cloudformation_json`` reads only ``SecurityGroupIngress``). AWS: "When you
  specify a VPC security group, Amazon EC2 creates a default egress rule that allows egress traffic on all
  ports and IP protocols to any location. The default rule is removed only when you specify one or more
  egress rules" (CloudFormation reference, ``AWS::EC2::SecurityGroup`` ``SecurityGroupEgress``). This model
  lets moto create the group, then does exactly that with ``revoke_security_group_egress`` /
  ``authorize_security_group_egress``. It returns moto's group object (Ref and ``GroupId``: the group id).
* ``AWS::EC2::SecurityGroupEgress``: no moto model; this one calls ``authorize_security_group_egress``. Ref
  returns the rule id (the type's ``primaryIdentifier`` is the read-only ``Id``).
* Both refuse an egress rule to a prefix list the region does not have (``InvalidPrefixListID.NotFound``), and
  S3's AWS-managed list carries its AWS id (:mod:`._prefix_lists`); moto's own EC2 accepts any id.
* ``AWS::EC2::PlacementGroup``: moto's EC2 backend has no placement groups at all (no ``CreatePlacementGroup``
  or ``DescribePlacementGroups``), so the model creates nothing and only answers Ref and ``GroupName`` (the
  group's name, generated as CloudFormation does when absent) so that launch templates and compute
  environments that name it resolve. The type is in :data:`platform_constructs.local.models.TEMPLATE_ONLY`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.models.security_groups import SecurityGroup as MotoSecurityGroup

from platform_constructs.local.models._base import Model, properties
from platform_constructs.local.models._prefix_lists import check_prefix_lists


def _backend(account_id: str, region_name: str) -> EC2Backend:
    return ec2_backends[account_id][region_name]


def _authorize_egress(backend: EC2Backend, group_id: str, rule: Mapping[str, Any]) -> Any:
    """Authorize one egress rule as AWS does: a prefix list it names must exist in the region
    (:func:`~platform_constructs.local.models._prefix_lists.check_prefix_lists`). Returns the backend's result."""
    if rule.get("DestinationPrefixListId"):
        check_prefix_lists(backend, [str(rule["DestinationPrefixListId"])])
    return backend.authorize_security_group_egress(group_id, **_rule_arguments(rule))


def _rule_arguments(rule: Mapping[str, Any]) -> dict[str, Any]:
    """An egress rule (the resource's properties, or one ``SecurityGroupEgress`` entry) as the backend's
    ``authorize_security_group_egress`` arguments."""
    description = rule.get("Description")
    ip_ranges: list[dict[str, Any]] = []
    if rule.get("CidrIp"):
        ip_ranges.append({"CidrIp": rule["CidrIp"], **({"Description": description} if description else {})})
    if rule.get("CidrIpv6"):
        ip_ranges.append({"CidrIpv6": rule["CidrIpv6"], **({"Description": description} if description else {})})
    groups = [{"GroupId": rule["DestinationSecurityGroupId"]}] if rule.get("DestinationSecurityGroupId") else []
    prefixes = [{"PrefixListId": rule["DestinationPrefixListId"]}] if rule.get("DestinationPrefixListId") else []
    all_ports = str(rule["IpProtocol"]) == "-1"
    return {"ip_protocol": str(rule["IpProtocol"]),
            "from_port": None if all_ports else rule.get("FromPort"),
            "to_port": None if all_ports else rule.get("ToPort"),
            "ip_ranges": ip_ranges, "source_groups": groups, "prefix_list_ids": prefixes}


class SecurityGroupWithEgress(Model, CloudFormationModel):
    CFN_TYPE = "AWS::EC2::SecurityGroup"
    NAME_PROPERTY = "GroupName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> MotoSecurityGroup:
        group = MotoSecurityGroup.create_from_cloudformation_json(resource_name, cloudformation_json, account_id,
                                                                  region_name, **kwargs)
        egress = properties(cloudformation_json).get("SecurityGroupEgress") or []
        if egress:
            backend = _backend(account_id, region_name)
            backend.revoke_security_group_egress(group.id, "-1", None, None, [],  # type: ignore[arg-type]
                                                 security_rule_ids=[r.id for r in group.egress_rules])
            try:
                for rule in egress:
                    _authorize_egress(backend, group.id, rule)
            except Exception:  # the resource failed: CloudFormation rolls the group back, nothing is left
                backend.delete_security_group(group_id=group.id)
                raise
        return group

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> MotoSecurityGroup:
        # moto's own update: delete the group and create it again (under the new generated name)
        MotoSecurityGroup._delete_security_group_given_vpc_id(original_resource.name, original_resource.vpc_id,
                                                              account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        MotoSecurityGroup.delete_from_cloudformation_json(resource_name, cloudformation_json, account_id,
                                                          region_name)


class SecurityGroupEgress(Model, CloudFormationModel):
    CFN_TYPE = "AWS::EC2::SecurityGroupEgress"
    ATTRIBUTES = ("Id",)

    def __init__(self, group_id: str, rule_id: str) -> None:
        self.group_id = group_id
        self.rule_id = rule_id

    @property
    def physical_resource_id(self) -> str:
        return self.rule_id

    def attributes(self) -> Mapping[str, Any]:
        return {"Id": self.rule_id}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> SecurityGroupEgress:
        props = properties(cloudformation_json)
        rules, group = _authorize_egress(_backend(account_id, region_name), str(props["GroupId"]), props)
        return cls(group.id, rules[0].id)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> SecurityGroupEgress:
        # every property but Description is create-only: revoke and authorize again
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        group_id = str(properties(cloudformation_json)["GroupId"])
        cls(group_id, resource_name).delete(account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if backend.get_security_group_by_name_or_id(self.group_id) is None:
            # the group went first (moto's DeleteStack does not order deletions by dependency): its rules went with
            # it, as in AWS, where deleting a group deletes its rules
            return
        backend.revoke_security_group_egress(
            self.group_id, "-1", None, None, [], security_rule_ids=[self.rule_id])  # type: ignore[arg-type]


class PlacementGroup(Model, CloudFormationModel):
    CFN_TYPE = "AWS::EC2::PlacementGroup"
    ATTRIBUTES = ("GroupName",)

    def __init__(self, name: str, strategy: str | None) -> None:
        self.name = name
        self.strategy = strategy

    @property
    def physical_resource_id(self) -> str:
        return self.name

    def attributes(self) -> Mapping[str, Any]:
        return {"GroupName": self.name}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> PlacementGroup:
        return cls(resource_name, properties(cloudformation_json).get("Strategy"))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> PlacementGroup:
        # Strategy, SpreadLevel, PartitionCount and Tags are create-only: AWS replaces the group (new name)
        return cls(new_resource_name, properties(cloudformation_json).get("Strategy"))

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        """Nothing to delete: the emulator has no placement groups."""
