"""PLAT-ECR3 over bare AWS::ECR::Repository resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.ecr_kms import RULE


def repository(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::ECR::Repository", "Properties": properties}


def test_kms_encryption_passes() -> None:
    key = {"Fn::GetAtt": ["Key", "Arn"]}
    assert evaluate(RULE, repository(EncryptionConfiguration={"EncryptionType": "KMS", "KmsKey": key})) == []
    assert evaluate(RULE, repository(EncryptionConfiguration={"EncryptionType": "KMS_DSSE"})) == []


def test_default_and_aes256_encryption_are_reported() -> None:
    assert "default AES256" in evaluate(RULE, repository())[0].message
    assert len(evaluate(RULE, repository(EncryptionConfiguration={"EncryptionType": "AES256"}))) == 1


def test_computed_encryption_type_is_unverifiable() -> None:
    found = evaluate(RULE, repository(EncryptionConfiguration={"EncryptionType": {"Ref": "Enc"}}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
