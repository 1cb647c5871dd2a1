"""What ``platform-check`` reports: one :class:`Result` per finding of any tool, grouped per template.

A result is acknowledged only by the library's own acknowledgment of exactly its id on its resource, for every
tool alike (:func:`mark_acknowledged`, :mod:`platform_constructs.compliance.acknowledgments`): an entry of
``platform:acknowledgments`` naming a decision of the decision table that covers the id, with the decision's
reason, on a resource made by a platform construct, whose premises hold. Findings of several tools (or of
cdk-nag's three compliance packs, which share rule names) on the same resource are merged into one
:class:`Finding` tagged with every tool that found it (:func:`deduplicate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from platform_constructs.compliance.acknowledgments import verdict
from platform_constructs.compliance.rules.base import RuleContext

NAG_COMPLIANCE_PACKS = ("HIPAA.Security-", "NIST.800.53.R5-", "PCI.DSS.321-")
GUARD = "cdk-validator-cfnguard::"
SAME_CHECK: dict[str, str] = {
    **dict.fromkeys(("AwsSolutions-S1", "S3BucketLoggingEnabled", f"{GUARD}s3_bucket_logging_enabled_check",
                     "CKV_AWS_18"), "S3 server access logging"),
    **dict.fromkeys(("S3DefaultEncryptionKMS", f"{GUARD}s3_bucket_default_encryption_kms_check", "CKV_AWS_145"),
                    "S3 default encryption with KMS"),
    **dict.fromkeys(("AwsSolutions-S10", "S3BucketSSLRequestsOnly", f"{GUARD}s3_bucket_policy_ssl_requests_only_check"),
                    "S3 TLS-only access"),
    **dict.fromkeys(("S3BucketVersioningEnabled", f"{GUARD}s3_bucket_versioning_enabled_check", "CKV_AWS_21"),
                    "S3 versioning"),
    **dict.fromkeys(("LambdaInsideVPC", f"{GUARD}lambda_inside_vpc_check", "CKV_AWS_117"), "Lambda in a VPC"),
    **dict.fromkeys(("CloudWatchLogGroupEncrypted", f"{GUARD}cloudwatch_log_group_encrypted_check",
                     "CKV_AWS_158"), "log group KMS encryption"),
    **dict.fromkeys(("PLAT-LT1[http-tokens]", f"{GUARD}ec2_launch_template_imdsv2_check", "CKV_AWS_79"),
                    "launch template IMDSv2"),
    **dict.fromkeys(("PLAT-LT1[hop-limit]", f"{GUARD}ec2_launch_template_token_hop_limit_check"),
                    "launch template metadata hop limit"),
    **dict.fromkeys(("PLAT-ECR4", f"{GUARD}ecr_private_lifecycle_policy_configured_check"), "ECR lifecycle policy"),
    **dict.fromkeys(("PLAT-ECR1", f"{GUARD}ecr_private_image_scanning_enabled_check", "CKV_AWS_163"),
                    "ECR scan on push"),
    **dict.fromkeys(("PLAT-ECR2", f"{GUARD}ecr_private_tag_immutability_enabled_check", "CKV_AWS_51"),
                    "ECR immutable tags"),
}
"""Checks of one property that several tools make under their own ids (after the compliance packs' prefixes are
removed): reported as one finding tagged with every tool and id."""


@dataclass(frozen=True)
class Result:
    """One finding of any tool, tied to a template (and a resource when the tool names one)."""

    template: Path
    tool: str
    rule_id: str
    severity: str
    message: str
    logical_id: str | None = None
    resource_type: str | None = None
    location: str | None = None
    line: int | None = None
    help: str = ""
    acknowledged_reason: str | None = None
    refused: tuple[str, ...] = ()
    """Why acknowledgments of this finding in the template did not count (empty: there were none)."""

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_reason is not None


@dataclass(frozen=True)
class Finding:
    """One problem of one resource, with every tool and rule id that reported it."""

    results: tuple[Result, ...]

    @property
    def first(self) -> Result:
        return self.results[0]

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.tool for r in self.results))

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.rule_id for r in self.results))

    @property
    def acknowledged(self) -> bool:
        """Acknowledged only when every tool's finding is."""
        return all(r.acknowledged for r in self.results)


@dataclass(frozen=True)
class TemplateReport:
    path: Path
    resources: int
    results: tuple[Result, ...]
    seconds: float

    @property
    def findings(self) -> list[Finding]:
        return deduplicate(self.results)


def source_line(node: Any) -> int | None:
    """The 1-based line of a node decoded by cfn-lint (``None`` when it carries no position)."""
    mark = getattr(node, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


def mark_acknowledged(results: Iterable[Result], template: Mapping[str, Any], ctx: RuleContext) -> list[Result]:
    """Mark results the library's decisions acknowledge on their resources (see the module docstring)."""
    resources = template.get("Resources", {})
    marked: list[Result] = []
    for result in results:
        resource = resources.get(result.logical_id) if result.logical_id else None
        if isinstance(resource, Mapping):
            judged = verdict(result.rule_id, str(result.logical_id), resource, ctx)
            resource_type = result.resource_type or str(resource.get("Type", ""))
            marked.append(replace(result, acknowledged_reason=judged.reason, refused=judged.refused,
                                  resource_type=resource_type, line=result.line or source_line(resource)))
        else:
            marked.append(result)
    return marked


def _same_check(rule_id: str) -> str:
    """cdk-nag's HIPAA, NIST and PCI packs name a shared rule the same (``<pack>-S3BucketLoggingEnabled``); other
    tools' ids of the same check are in :data:`SAME_CHECK`."""
    for pack in NAG_COMPLIANCE_PACKS:
        if rule_id.startswith(pack):
            rule_id = rule_id.removeprefix(pack)
            break
    return SAME_CHECK.get(rule_id, rule_id)


def deduplicate(results: Iterable[Result]) -> list[Finding]:
    """One finding per resource and check: identical reports of one tool merged, and the compliance packs'
    copies of one rule merged, in order of first appearance."""
    groups: dict[tuple[str | None, str, str | None], list[Result]] = {}
    for result in results:
        key = (result.logical_id, _same_check(result.rule_id), result.location if result.tool != "cdk-nag" else None)
        if result not in groups.setdefault(key, []):
            groups[key].append(result)
    return [Finding(tuple(group)) for group in groups.values()]
