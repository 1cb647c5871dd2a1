"""PLAT-SM2: a SageMaker endpoint config encrypts its storage and captures inputs and outputs, encrypted.

``AWS::SageMaker::EndpointConfig`` must set ``KmsKeyId`` and a ``DataCaptureConfig`` with
``EnableCapture: true``, its own ``KmsKeyId`` and ``CaptureOptions`` covering both ``Input`` and
``Output``. Serverless variants cannot use either (SageMaker rejects them); the rule still reports them
and the construct acknowledges PLAT-SM2 with its reason, so the exception stays visible.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    is_intrinsic,
    is_set,
    is_true,
    props,
    unverifiable,
)

CAPTURE_MODES = ("Input", "Output")


def _capture_modes(options: object) -> set[str] | None:
    """The literal capture modes, or ``None`` when any part is computed at deploy time."""
    if not isinstance(options, list):
        return None if is_intrinsic(options) else set()
    modes: set[str] = set()
    for option in options:
        mode = option.get("CaptureMode") if isinstance(option, Mapping) else option
        if not isinstance(mode, str):
            return None
        modes.add(mode)
    return modes


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    properties = props(resource)
    if not is_set(properties.get("KmsKeyId")):
        yield Violation("Properties.KmsKeyId", "no KmsKeyId; the endpoint's storage volume must use a KMS key")
    capture = properties.get("DataCaptureConfig")
    if is_intrinsic(capture):
        yield unverifiable("Properties.DataCaptureConfig", "DataCaptureConfig")
        return
    if not isinstance(capture, Mapping):
        yield Violation("Properties.DataCaptureConfig",
                        "no DataCaptureConfig; requests and responses must be captured for audit and monitoring")
        return
    enabled = capture.get("EnableCapture")
    if is_intrinsic(enabled):
        yield unverifiable("Properties.DataCaptureConfig.EnableCapture", "EnableCapture")
    elif not is_true(enabled):
        yield Violation("Properties.DataCaptureConfig.EnableCapture", f"EnableCapture is {enabled!r}, expected true")
    if not is_set(capture.get("KmsKeyId")):
        yield Violation("Properties.DataCaptureConfig.KmsKeyId",
                        "DataCaptureConfig has no KmsKeyId; captured payloads must be KMS-encrypted")
    modes = _capture_modes(capture.get("CaptureOptions"))
    if modes is None:
        yield unverifiable("Properties.DataCaptureConfig.CaptureOptions", "CaptureOptions")
    else:
        missing = [mode for mode in CAPTURE_MODES if mode not in modes]
        if missing:
            yield Violation("Properties.DataCaptureConfig.CaptureOptions",
                            f"CaptureOptions do not capture {' and '.join(missing)}; capture both Input and Output")


RULE = Rule(
    id="PLAT-SM2",
    title="SageMaker endpoint configs use KMS and capture inputs and outputs (encrypted)",
    fix=("use SecureModelEndpoint, or set KmsKeyId and DataCaptureConfig (EnableCapture: true, KmsKeyId, "
         "CaptureOptions Input and Output); serverless variants cannot: acknowledge PLAT-SM2 with a reason"),
    resource_types=("AWS::SageMaker::EndpointConfig",),
    check=check,
)
