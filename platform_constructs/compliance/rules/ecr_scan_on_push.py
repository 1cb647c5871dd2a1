"""PLAT-ECR1: an ECR repository scans every image on push."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    is_true,
    props,
    unverifiable,
)

WHERE = "Properties.ImageScanningConfiguration.ScanOnPush"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    config = props(resource).get("ImageScanningConfiguration")
    scan = config.get("ScanOnPush") if isinstance(config, Mapping) else config
    if is_intrinsic(scan):
        yield unverifiable(WHERE, "ScanOnPush")
    elif not is_true(scan):
        yield Violation(WHERE, f"ScanOnPush is {scan!r}; images must be scanned for vulnerabilities on push")


RULE = Rule(
    id="PLAT-ECR1",
    title="ECR repositories scan images on push",
    fix="set ImageScanningConfiguration: {ScanOnPush: true}",
    resource_types=("AWS::ECR::Repository",),
    check=check,
)
