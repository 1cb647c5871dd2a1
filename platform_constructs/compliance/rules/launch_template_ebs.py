"""PLAT-LT2: every EBS volume a launch template maps is encrypted with a KMS key.

Each ``LaunchTemplateData.BlockDeviceMappings[*].Ebs`` must set ``Encrypted: true`` and a ``KmsKeyId``.
Mappings without ``Ebs`` (instance store, ``NoDevice``) have no EBS volume to encrypt.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    is_set,
    is_true,
    props,
    unverifiable,
)

WHERE = "Properties.LaunchTemplateData.BlockDeviceMappings"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    data = props(resource).get("LaunchTemplateData")
    mappings = data.get("BlockDeviceMappings") if isinstance(data, Mapping) else data
    if mappings is None:
        return
    if not isinstance(mappings, list):
        yield unverifiable(WHERE, "BlockDeviceMappings")
        return
    for index, mapping in enumerate(mappings):
        where = f"{WHERE}[{index}].Ebs"
        ebs = mapping.get("Ebs") if isinstance(mapping, Mapping) else mapping
        if ebs is None:
            continue
        if not isinstance(ebs, Mapping):
            yield unverifiable(where, f"BlockDeviceMappings[{index}].Ebs")
            continue
        device = mapping.get("DeviceName", f"mapping {index}") if isinstance(mapping, Mapping) else index
        encrypted = ebs.get("Encrypted")
        if is_intrinsic(encrypted):
            yield unverifiable(f"{where}.Encrypted", "Encrypted")
        elif not is_true(encrypted):
            yield Violation(f"{where}.Encrypted", f"EBS volume {device} is not encrypted (Encrypted: {encrypted!r})")
        if not is_set(ebs.get("KmsKeyId")):
            yield Violation(f"{where}.KmsKeyId", f"EBS volume {device} has no KmsKeyId; use a customer-managed key")


RULE = Rule(
    id="PLAT-LT2",
    title="Launch template EBS volumes are encrypted with a KMS key",
    fix="set Encrypted: true and KmsKeyId on every BlockDeviceMappings[*].Ebs of the launch template",
    resource_types=("AWS::EC2::LaunchTemplate",),
    check=check,
)
