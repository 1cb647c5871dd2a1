"""PLAT-SM5: a SageMaker endpoint that captures data captures some of it.

``DataCaptureConfig.InitialSamplingPercentage`` is the share of requests captured (0-100, CreateEndpointConfig
API reference); 0 turns capture on while capturing nothing, so audit and model monitoring see no traffic.
Whether capture is on at all is PLAT-SM2's finding; this rule applies where a ``DataCaptureConfig`` exists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    as_number,
    is_intrinsic,
    props,
    unverifiable,
)

WHERE = "Properties.DataCaptureConfig.InitialSamplingPercentage"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    capture = props(resource).get("DataCaptureConfig")
    if not isinstance(capture, Mapping):
        return  # absent (PLAT-SM2[capture]) or computed (reported there as unverifiable)
    percentage = capture.get("InitialSamplingPercentage")
    if is_intrinsic(percentage):
        yield unverifiable(WHERE, "InitialSamplingPercentage")
    elif (value := as_number(percentage)) is None or value < 1:
        yield Violation(WHERE, f"InitialSamplingPercentage is {percentage!r}: data capture is on but captures no "
                               "request; sample at least 1 percent")


RULE = Rule(
    id="PLAT-SM5",
    title="SageMaker data capture samples at least 1 percent of requests",
    fix="set DataCaptureConfig.InitialSamplingPercentage between 1 and 100 (SecureModelEndpoint defaults to 100)",
    resource_types=("AWS::SageMaker::EndpointConfig",),
    check=check,
)
