"""PLAT-SM3: the instance types of a SageMaker endpoint config are allowed in the environment.

Every production (and shadow) variant's ``InstanceType`` must be one of the environment's
``sagemaker_instance_types`` in the policy. Serverless variants have no instance type and pass.
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

VARIANT_KEYS = ("ProductionVariants", "ShadowProductionVariants")


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    properties = props(resource)
    allowed = ctx.env.sagemaker_instance_types
    for key in VARIANT_KEYS:
        variants = properties.get(key)
        if variants is None:
            continue
        if not isinstance(variants, list):
            yield unverifiable(f"Properties.{key}", key)
            continue
        for index, variant in enumerate(variants):
            where = f"Properties.{key}[{index}]"
            if not isinstance(variant, Mapping):
                yield unverifiable(where, f"{key}[{index}]")
                continue
            instance_type = variant.get("InstanceType")
            if instance_type is None:
                if "ServerlessConfig" not in variant:
                    yield Violation(where, "variant has neither InstanceType nor ServerlessConfig")
            elif is_intrinsic(instance_type) or not isinstance(instance_type, str):
                yield unverifiable(f"{where}.InstanceType", "InstanceType")
            elif instance_type not in allowed:
                yield Violation(f"{where}.InstanceType",
                                f"instance type {instance_type} is not allowed in {ctx.env.name}; "
                                f"allowed: {', '.join(allowed)}")


RULE = Rule(
    id="PLAT-SM3",
    title="SageMaker endpoint instance types are allowed by the environment's policy",
    fix="choose an instance type from the environment's sagemaker_instance_types in the policy file",
    resource_types=("AWS::SageMaker::EndpointConfig",),
    check=check,
)
