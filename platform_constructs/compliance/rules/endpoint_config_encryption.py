"""PLAT-SM2: a SageMaker endpoint config encrypts its storage and captures inputs and outputs, encrypted.

``AWS::SageMaker::EndpointConfig`` must set ``KmsKeyId`` and a ``DataCaptureConfig`` with
``EnableCapture: true``, its own ``KmsKeyId`` and ``CaptureOptions`` covering both ``Input`` and
``Output``. Each is its own finding, so that acknowledging one (SageMaker rejects a ``KmsKeyId`` for
instance types with local NVMe storage) never hides another (data capture off):

* ``PLAT-SM2[volume-key]``: no ``KmsKeyId`` for the ML storage volume;
* ``PLAT-SM2[capture]``: no ``DataCaptureConfig`` or ``EnableCapture`` not ``true``;
* ``PLAT-SM2[capture-key]``: captured payloads not KMS-encrypted;
* ``PLAT-SM2[capture-modes]``: not both ``Input`` and ``Output`` captured.

Serverless variants can use neither a volume key nor data capture (SageMaker rejects them); the rule still
reports them and the construct acknowledges those findings with their reasons, so the exception stays visible.
The sampling percentage is PLAT-SM5's.
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
VOLUME_KEY, CAPTURE, CAPTURE_KEY, CAPTURE_MODES_FINDING = "volume-key", "capture", "capture-key", "capture-modes"
WHERE = "Properties.DataCaptureConfig"


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
        yield Violation("Properties.KmsKeyId", "no KmsKeyId; the endpoint's storage volume must use a KMS key",
                        VOLUME_KEY)
    capture = properties.get("DataCaptureConfig")
    if is_intrinsic(capture):
        yield unverifiable(WHERE, "DataCaptureConfig", CAPTURE)
        return
    if not isinstance(capture, Mapping):
        yield Violation(WHERE, "no DataCaptureConfig; requests and responses must be captured for audit and "
                               "monitoring", CAPTURE)
        return
    enabled = capture.get("EnableCapture")
    if is_intrinsic(enabled):
        yield unverifiable(f"{WHERE}.EnableCapture", "EnableCapture", CAPTURE)
    elif not is_true(enabled):
        yield Violation(f"{WHERE}.EnableCapture", f"EnableCapture is {enabled!r}, expected true", CAPTURE)
    if not is_set(capture.get("KmsKeyId")):
        yield Violation(f"{WHERE}.KmsKeyId", "DataCaptureConfig has no KmsKeyId; captured payloads must be "
                                             "KMS-encrypted", CAPTURE_KEY)
    modes = _capture_modes(capture.get("CaptureOptions"))
    if modes is None:
        yield unverifiable(f"{WHERE}.CaptureOptions", "CaptureOptions", CAPTURE_MODES_FINDING)
    else:
        missing = [mode for mode in CAPTURE_MODES if mode not in modes]
        if missing:
            yield Violation(f"{WHERE}.CaptureOptions", f"CaptureOptions do not capture {' and '.join(missing)}; "
                                                       "capture both Input and Output", CAPTURE_MODES_FINDING)


RULE = Rule(
    id="PLAT-SM2",
    title="SageMaker endpoint configs use KMS and capture inputs and outputs (encrypted)",
    fix=("use SecureModelEndpoint, or set KmsKeyId and DataCaptureConfig (EnableCapture: true, KmsKeyId, "
         "CaptureOptions Input and Output)"),
    resource_types=("AWS::SageMaker::EndpointConfig",),
    check=check,
    findings=(VOLUME_KEY, CAPTURE, CAPTURE_KEY, CAPTURE_MODES_FINDING),
)
