"""PLAT-LT2: every EBS volume a launch template maps is encrypted with a KMS key, its root volume included.

Each ``LaunchTemplateData.BlockDeviceMappings[*].Ebs`` must set ``Encrypted: true`` and a ``KmsKeyId``.
Mappings without ``Ebs`` (instance store, ``NoDevice``) have no EBS volume to encrypt. A launch template
that maps no EBS volume at all leaves the root volume to the AMI's own block-device mapping, which is
unencrypted unless the account happens to turn on EBS encryption by default: that is a finding too.

Findings: ``PLAT-LT2[encrypted]``, ``PLAT-LT2[key]`` and ``PLAT-LT2[mappings]`` (no EBS mapping).
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
ENCRYPTED, KEY, MAPPINGS = "encrypted", "key", "mappings"
NO_MAPPING = ("maps no EBS volume: the root volume comes from the AMI's block-device mapping, unencrypted unless "
              "the account turns on EBS encryption by default; map the root device with Encrypted: true and a KmsKeyId")


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    data = props(resource).get("LaunchTemplateData")
    mappings = data.get("BlockDeviceMappings") if isinstance(data, Mapping) else data
    if is_intrinsic(mappings):
        yield unverifiable(WHERE, "BlockDeviceMappings", MAPPINGS)
        return
    if not isinstance(mappings, list):
        yield Violation(WHERE, f"no BlockDeviceMappings: the launch template {NO_MAPPING}", MAPPINGS)
        return
    ebs_volumes = 0
    for index, mapping in enumerate(mappings):
        where = f"{WHERE}[{index}].Ebs"
        ebs = mapping.get("Ebs") if isinstance(mapping, Mapping) else mapping
        if ebs is None:
            continue
        ebs_volumes += 1
        if not isinstance(ebs, Mapping):
            yield unverifiable(where, f"BlockDeviceMappings[{index}].Ebs", ENCRYPTED)
            continue
        device = mapping.get("DeviceName", f"mapping {index}") if isinstance(mapping, Mapping) else index
        encrypted = ebs.get("Encrypted")
        if is_intrinsic(encrypted):
            yield unverifiable(f"{where}.Encrypted", "Encrypted", ENCRYPTED)
        elif not is_true(encrypted):
            yield Violation(f"{where}.Encrypted", f"EBS volume {device} is not encrypted (Encrypted: {encrypted!r})",
                            ENCRYPTED)
        if not is_set(ebs.get("KmsKeyId")):
            yield Violation(f"{where}.KmsKeyId", f"EBS volume {device} has no KmsKeyId; use a customer-managed key",
                            KEY)
    if ebs_volumes == 0:
        yield Violation(WHERE, f"the launch template {NO_MAPPING}", MAPPINGS)


RULE = Rule(
    id="PLAT-LT2",
    title="Launch template EBS volumes, the root volume included, are encrypted with a KMS key",
    fix=("map the root device (and every other EBS volume) in BlockDeviceMappings with Ebs: Encrypted: true and "
         "KmsKeyId"),
    resource_types=("AWS::EC2::LaunchTemplate",),
    check=check,
    findings=(ENCRYPTED, KEY, MAPPINGS),
)
