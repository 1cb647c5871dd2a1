"""PLAT-ECR1 over bare AWS::ECR::Repository resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.ecr_scan_on_push import RULE


def repository(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::ECR::Repository", "Properties": properties}


def test_scan_on_push_passes() -> None:
    assert evaluate(RULE, repository(ImageScanningConfiguration={"ScanOnPush": True})) == []


def test_missing_or_disabled_scanning_is_reported() -> None:
    assert "must be scanned" in evaluate(RULE, repository())[0].message
    assert len(evaluate(RULE, repository(ImageScanningConfiguration={"ScanOnPush": False}))) == 1


def test_computed_scan_flag_is_unverifiable() -> None:
    found = evaluate(RULE, repository(ImageScanningConfiguration={"ScanOnPush": {"Ref": "Scan"}}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
