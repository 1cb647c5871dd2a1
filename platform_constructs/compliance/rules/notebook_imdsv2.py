"""PLAT-SM6: a SageMaker notebook instance accepts only IMDSv2.

Without ``InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}`` a notebook instance
answers IMDSv1 as well ("if no value is selected, then it defaults to IMDSv1. This means that both IMDSv1 and IMDSv2
are supported": SageMaker API Reference, InstanceMetadataServiceConfiguration), so a server-side request forgery in
anything the notebook runs can read the notebook role's credentials. checkov reports the same as CKV_AWS_371; no
cdk-nag pack or Control Tower rule does. A computed version is unverifiable.
"""

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

WHERE = "Properties.InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    config = props(resource).get("InstanceMetadataServiceConfiguration")
    if is_intrinsic(config):
        yield unverifiable("Properties.InstanceMetadataServiceConfiguration", "InstanceMetadataServiceConfiguration")
        return
    version = config.get("MinimumInstanceMetadataServiceVersion") if isinstance(config, Mapping) else None
    if is_intrinsic(version):
        yield unverifiable(WHERE, "MinimumInstanceMetadataServiceVersion")
    elif str(version) != "2":  # CloudFormation's String: a YAML 2 is the string "2"
        shown = "absent (IMDSv1 and IMDSv2)" if version is None else repr(version)
        yield Violation(WHERE, f"MinimumInstanceMetadataServiceVersion is {shown}: the notebook answers IMDSv1")


RULE = Rule(
    id="PLAT-SM6",
    title="SageMaker notebook instances accept only IMDSv2",
    fix='set InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}',
    resource_types=("AWS::SageMaker::NotebookInstance",),
    check=check,
)
