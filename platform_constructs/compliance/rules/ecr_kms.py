"""PLAT-ECR3: an ECR repository encrypts images with KMS (``KMS`` or dual-layer ``KMS_DSSE``), not AES256."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    props,
    unverifiable,
)

WHERE = "Properties.EncryptionConfiguration.EncryptionType"
KMS_TYPES = ("KMS", "KMS_DSSE")


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    config = props(resource).get("EncryptionConfiguration")
    encryption = config.get("EncryptionType") if isinstance(config, Mapping) else config
    if is_intrinsic(encryption):
        yield unverifiable(WHERE, "EncryptionType")
    elif encryption not in KMS_TYPES:
        shown = "not set (default AES256)" if encryption is None else repr(encryption)
        yield Violation(WHERE, f"EncryptionType is {shown}; images must be encrypted with KMS")


RULE = Rule(
    id="PLAT-ECR3",
    title="ECR repositories encrypt images with KMS",
    fix="set EncryptionConfiguration: {EncryptionType: KMS, KmsKey: <key arn>}",
    resource_types=("AWS::ECR::Repository",),
    check=check,
)
