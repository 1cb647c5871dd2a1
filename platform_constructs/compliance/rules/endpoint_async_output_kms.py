"""PLAT-SM4: an asynchronous SageMaker endpoint encrypts the results it writes to S3 with a KMS key.

An ``AWS::SageMaker::EndpointConfig`` with ``AsyncInferenceConfig`` writes every response (and every failure)
to ``OutputConfig.S3OutputPath``; without ``OutputConfig.KmsKeyId`` SageMaker writes them with the bucket's
default encryption only, outside the endpoint's key (CreateEndpointConfig API reference,
``AsyncInferenceOutputConfig.KmsKeyId``).
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
    props,
    unverifiable,
)

WHERE = "Properties.AsyncInferenceConfig.OutputConfig"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    config = props(resource).get("AsyncInferenceConfig")
    if config is None:
        return
    if not isinstance(config, Mapping):
        yield unverifiable("Properties.AsyncInferenceConfig", "AsyncInferenceConfig")
        return
    output = config.get("OutputConfig")
    if is_intrinsic(output):
        yield unverifiable(WHERE, "OutputConfig")
    elif not isinstance(output, Mapping) or not is_set(output.get("KmsKeyId")):
        yield Violation(f"{WHERE}.KmsKeyId", "asynchronous inference results are written to S3 without a KMS key "
                                             "(no OutputConfig.KmsKeyId)")


RULE = Rule(
    id="PLAT-SM4",
    title="Asynchronous SageMaker endpoints encrypt their S3 results with KMS",
    fix="use SecureModelEndpoint(mode='async'), or set AsyncInferenceConfig.OutputConfig.KmsKeyId",
    resource_types=("AWS::SageMaker::EndpointConfig",),
    check=check,
)
