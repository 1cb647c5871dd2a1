"""Checks on the template for the types the emulator cannot create
(:data:`platform_constructs.local.models.TEMPLATE_ONLY`): each asserts the properties that matter, and each
check's source names the reason the emulator could not do it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.local.verify_base import Check, template_only

_CRON = re.compile(r"cron\(\S+ \S+ \S+ \S+ \S+ \S+\)")
"""A SageMaker schedule expression (``cron(0 * ? * * *)``)."""


@dataclass(frozen=True)
class Declared:
    """A resource of a type the emulator cannot create, as the template declares it."""

    stack: str
    logical_id: str
    resource_type: str
    properties: Mapping[str, Any]
    reason: str

    def check(self, name: str, passed: bool, detail: str) -> Check:
        return Check(self.stack, self.logical_id, self.resource_type, name, bool(passed), detail,
                     template_only(self.reason))


TemplateChecker = Callable[[Declared], list[Check]]


def _reference(value: Any) -> bool:
    """A ``Ref``/``Fn::GetAtt`` (a resource of the stack) or a literal ARN."""
    return (isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in {"Ref", "Fn::GetAtt"}) or \
        (isinstance(value, str) and value.startswith("arn:"))


def codeartifact_domain(res: Declared) -> list[Check]:
    name, key = res.properties.get("DomainName"), res.properties.get("EncryptionKey")
    return [res.check("named", bool(name), f"DomainName={name}"),
            res.check("encrypted with a customer key", _reference(key), f"EncryptionKey={key}")]


def codeartifact_repository(res: Declared) -> list[Check]:
    name, domain = res.properties.get("RepositoryName"), res.properties.get("DomainName")
    connections = res.properties.get("ExternalConnections", [])
    public_only = isinstance(connections, list) and all(isinstance(c, str) and c.startswith("public:")
                                                        for c in connections)
    return [res.check("in its domain", bool(name) and domain is not None, f"{name} in {domain}"),
            res.check("upstream", public_only, f"ExternalConnections={connections}")]


def codeartifact_package_group(res: Declared) -> list[Check]:
    pattern = res.properties.get("Pattern")
    restrictions = (res.properties.get("OriginConfiguration") or {}).get("Restrictions") or {}
    upstream = (restrictions.get("ExternalUpstream") or {}).get("RestrictionMode")
    return [res.check("in its domain", bool(pattern) and res.properties.get("DomainName") is not None,
                      f"{pattern} in {res.properties.get('DomainName')}"),
            res.check("external upstream decided", upstream in {"BLOCK", "ALLOW", "ALLOW_SPECIFIC_REPOSITORIES"},
                      f"ExternalUpstream={upstream}")]


def ecr_signing_configuration(res: Declared) -> list[Check]:
    rules = res.properties.get("Rules") or []
    signed = [r for r in rules if isinstance(r, Mapping) and _reference(r.get("SigningProfileArn"))]
    return [res.check("a signing profile per rule", bool(rules) and len(signed) == len(rules),
                      f"{len(signed)} of {len(rules)} rules name a signing profile")]


def placement_group(res: Declared) -> list[Check]:
    strategy = res.properties.get("Strategy")
    return [res.check("strategy", strategy in {"cluster", "spread", "partition"}, f"Strategy={strategy}")]


def cdk_metadata(res: Declared) -> list[Check]:
    return [res.check("declared", "Analytics" in res.properties, f"{len(res.properties)} properties")]


def monitoring_schedule(res: Declared) -> list[Check]:
    """The schedule names its job definition and type, on a cron schedule."""
    config = res.properties.get("MonitoringScheduleConfig", {})
    expression = (config.get("ScheduleConfig") or {}).get("ScheduleExpression")
    return [res.check("named", bool(res.properties.get("MonitoringScheduleName")),
                      f"MonitoringScheduleName={res.properties.get('MonitoringScheduleName')}"),
            res.check("job definition", bool(config.get("MonitoringJobDefinitionName"))
                      and config.get("MonitoringType") in {"DataQuality", "ModelQuality", "ModelBias",
                                                           "ModelExplainability"},
                      f"{config.get('MonitoringType')} {config.get('MonitoringJobDefinitionName')}"),
            res.check("schedule", isinstance(expression, str) and _CRON.fullmatch(expression) is not None,
                      f"ScheduleExpression={expression}")]


TEMPLATE_CHECKS: dict[str, TemplateChecker] = {
    "AWS::CodeArtifact::Domain": codeartifact_domain,
    "AWS::CodeArtifact::Repository": codeartifact_repository,
    "AWS::CodeArtifact::PackageGroup": codeartifact_package_group,
    "AWS::ECR::SigningConfiguration": ecr_signing_configuration,
    "AWS::EC2::PlacementGroup": placement_group,
    "AWS::CDK::Metadata": cdk_metadata,
    "AWS::SageMaker::MonitoringSchedule": monitoring_schedule,
}
"""Template-only type -> its checks (every type in ``TEMPLATE_ONLY`` has one; a test checks)."""
