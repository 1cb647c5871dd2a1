"""PLAT-TAG1: every taggable resource carries every required tag, each well-formed per policy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, is_intrinsic, props

# Resource types whose `Tags` property is a map instead of a list of {Key, Value}.
MAP_TAGGED = {"AWS::SSM::Parameter", "AWS::Batch::ComputeEnvironment", "AWS::Batch::JobQueue",
              "AWS::Batch::JobDefinition", "AWS::Batch::SchedulingPolicy", "AWS::ImageBuilder::Component",
              "AWS::ImageBuilder::ContainerRecipe", "AWS::ImageBuilder::ImagePipeline",
              "AWS::ImageBuilder::InfrastructureConfiguration", "AWS::ImageBuilder::DistributionConfiguration",
              "AWS::ImageBuilder::Image"}
# Taggable resource types the platform creates or that commonly appear beside it. Types not listed
# (e.g. IAM policies, bucket policies, alarms' dimensions) cannot carry tags in CloudFormation.
TAGGABLE = MAP_TAGGED | {
    "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::SNS::Topic", "AWS::Logs::LogGroup", "AWS::IAM::Role",
    "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::SecurityGroup",
    "AWS::EC2::VPCEndpoint", "AWS::EC2::FlowLog", "AWS::EC2::LaunchTemplate", "AWS::EC2::PlacementGroup",
    "AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint",
    "AWS::ECR::Repository", "AWS::CodeBuild::Project", "AWS::Events::Rule", "AWS::CloudWatch::Alarm",
    "AWS::Lambda::Function", "AWS::EFS::FileSystem", "AWS::FSx::FileSystem", "AWS::StepFunctions::StateMachine",
    "AWS::ImageBuilder::ImageRecipe",
}


def _tags(resource_type: str, properties: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = properties.get("FileSystemTags" if resource_type == "AWS::EFS::FileSystem" else "Tags")
    if resource_type == "AWS::EC2::LaunchTemplate":  # no Tags property: its own tags are a tag specification
        specs = properties.get("TagSpecifications")
        raw = next((s.get("Tags") for s in specs if isinstance(s, Mapping) and s.get("ResourceType") ==
                    "launch-template"), None) if isinstance(specs, list) else specs
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    if isinstance(raw, list) and all(isinstance(t, Mapping) and "Key" in t for t in raw):
        return {t["Key"]: t.get("Value") for t in raw}
    return None  # an intrinsic: unverifiable


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    resource_type = str(resource.get("Type", ""))
    tags = _tags(resource_type, props(resource))
    if tags is None:
        yield Violation("Properties.Tags", "tags are computed at deploy time and cannot be verified")
        return
    for rule in ctx.policy.tags:
        value = tags.get(rule.name)
        if value is None:
            yield Violation("Properties.Tags", f"missing required tag {rule.name} ({rule.expectation()})")
        elif is_intrinsic(value):
            continue  # a deploy-time value (e.g. a parameter) is accepted for tag values
        elif not isinstance(value, str) or not rule.accepts(value):
            yield Violation("Properties.Tags", f"tag {rule.name}={value!r} is malformed; expected {rule.expectation()}")


RULE = Rule(
    id="PLAT-TAG1",
    title="Taggable resources carry every required tag, well-formed",
    fix="create the resource through a platform construct, or add the tags listed in policies/platform.yaml",
    resource_types=tuple(sorted(TAGGABLE)),
    check=check,
)
