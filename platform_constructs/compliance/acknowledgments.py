"""Every acknowledgment the library makes, each decided once here with its written reason.

A construct calls :func:`acknowledge` with a decision's key; the decision lists the exact finding ids
it covers (cdk-nag ids such as ``AwsSolutions-IAM5[Resource::*]`` and our own rule ids). Applying one
does three things: ``Validations.of(construct).acknowledge(...)`` for each id (cdk-nag 3 API), records
it in the template metadata of the construct's resource (``platform:acknowledgments``, read by
``platform-check``), and appends it to the app's record that the synth report lists.

There is no blanket switch: a decision applies to the construct it is called on and its children.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Acknowledgment as CdkAcknowledgment
from aws_cdk import CfnResource, Validations
from constructs import IConstruct

METADATA_KEY = "platform:acknowledgments"


@dataclass(frozen=True)
class Decision:
    rule_ids: tuple[str, ...]
    reason: str


DECISIONS: dict[str, Decision] = {
    "bucket-replication": Decision(
        rule_ids=(
            "HIPAA.Security-S3BucketReplicationEnabled",
            "NIST.800.53.R5-S3BucketReplicationEnabled",
            "PCI.DSS.321-S3BucketReplicationEnabled",
        ),
        reason=(
            "Cross-region replication needs a destination region and account that the organisation "
            "chooses centrally; the bucket is versioned, KMS-encrypted and retained in prod, and a "
            "same-region replica would add no durability over S3's own."
        ),
    ),
    "access-log-bucket-not-logged": Decision(
        rule_ids=(
            "AwsSolutions-S1",
            "HIPAA.Security-S3BucketLoggingEnabled",
            "NIST.800.53.R5-S3BucketLoggingEnabled",
            "PCI.DSS.321-S3BucketLoggingEnabled",
        ),
        reason=(
            "This is the server-access-log destination bucket; logging it to itself would recurse and "
            "logging it elsewhere only moves the problem."
        ),
    ),
    "access-log-bucket-sse-s3": Decision(
        rule_ids=(
            "HIPAA.Security-S3DefaultEncryptionKMS",
            "NIST.800.53.R5-S3DefaultEncryptionKMS",
            "PCI.DSS.321-S3DefaultEncryptionKMS",
        ),
        reason=(
            "S3 server access log delivery supports only SSE-S3 on the destination bucket; access logs "
            "hold request metadata, not data."
        ),
    ),
    "sagemaker-role-unscopable-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "A SageMaker execution role needs ecr:GetAuthorizationToken, cloudwatch:PutMetricData (limited by a "
            "cloudwatch:namespace condition) and the EC2 network-interface actions that attach a model to its VPC; "
            "none of these supports resource-level permissions (IAM service authorization reference)."
        ),
    ),
    "sagemaker-role-object-prefixes": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "SageMaker writes data-capture and asynchronous-inference results under keys it generates (endpoint, "
            "variant, date, request id) and reads asynchronous inputs under keys callers choose per request; each "
            "grant is limited to one prefix of this endpoint's own bucket."
        ),
    ),
    "sagemaker-role-approved-repositories": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "The model image is a deploy-time value (e.g. from the golden image pipeline), so its repository is "
            "not known at synth; image pulls are limited to the repositories under the policy's approved registries."
        ),
    ),
    "sagemaker-instance-store-volume": Decision(
        rule_ids=(
            "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
            "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
            "PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured",
            "PLAT-SM2",
        ),
        reason=(
            "The variant's instance type has local NVMe instance storage, which the Nitro system encrypts in "
            "hardware (XTS-AES-256); SageMaker rejects a KmsKeyId for such endpoint configurations "
            "(CreateEndpointConfig API reference). Data capture stays on and KMS-encrypted with the endpoint's key."
        ),
    ),
    "sagemaker-serverless-volume-key": Decision(
        rule_ids=(
            "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
            "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
            "PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured",
        ),
        reason=(
            "A serverless endpoint has no ML instance storage volume for a KmsKeyId to encrypt, and SageMaker "
            "rejects a KmsKeyId on a serverless endpoint configuration; the caller chose serverless mode explicitly."
        ),
    ),
    "sagemaker-serverless-no-vpc": Decision(
        rule_ids=("PLAT-SM1",),
        reason=(
            "Serverless inference supports neither VPC configuration nor network isolation (SageMaker serverless "
            "inference feature exclusions); the caller chose serverless mode explicitly."
        ),
    ),
    "sagemaker-serverless-no-data-capture": Decision(
        rule_ids=("PLAT-SM2",),
        reason=(
            "Serverless inference does not support data capture (SageMaker serverless inference feature "
            "exclusions); the caller chose serverless mode explicitly."
        ),
    ),
}


def acknowledge(construct: IConstruct, decision_key: str) -> None:
    """Apply the library decision ``decision_key`` to ``construct`` (and its children)."""
    from platform_constructs.core import PlatformContext

    decision = DECISIONS[decision_key]
    validations = Validations.of(construct)
    ctx = PlatformContext.of(construct)
    for rule_id in decision.rule_ids:
        validations.acknowledge(CdkAcknowledgment(id=rule_id, reason=decision.reason))
        ctx.acknowledgments.append((construct.node.path, rule_id, decision.reason))
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if isinstance(resource, CfnResource):
        recorded = ctx.metadata_acknowledgments.setdefault(resource.node.path, [])
        recorded.extend({"id": rule_id, "reason": decision.reason} for rule_id in decision.rule_ids)
        resource.add_metadata(METADATA_KEY, recorded)


def acknowledge_resources(construct: IConstruct, decision_key: str, resources: list[str]) -> None:
    """Apply a decision whose rule ids name a resource (``...[Resource::{resource}]``) once per resource.

    ``resources`` are the flattened forms cdk-nag reports (see :func:`nag_resource`), so each
    acknowledgment covers exactly one finding, never a whole rule.
    """
    from platform_constructs.core import PlatformContext

    decision = DECISIONS[decision_key]
    validations = Validations.of(construct)
    ctx = PlatformContext.of(construct)
    resource_node = construct if isinstance(construct, CfnResource) else construct.node.default_child
    for resource in resources:
        for template in decision.rule_ids:
            rule_id = template.replace("{resource}", resource)
            validations.acknowledge(CdkAcknowledgment(id=rule_id, reason=decision.reason))
            ctx.acknowledgments.append((construct.node.path, rule_id, decision.reason))
            if isinstance(resource_node, CfnResource):
                recorded = ctx.metadata_acknowledgments.setdefault(resource_node.node.path, [])
                recorded.append({"id": rule_id, "reason": decision.reason})
                resource_node.add_metadata(METADATA_KEY, recorded)


def nag_resource(value: object) -> str:
    """A resolved CloudFormation value flattened the way cdk-nag names it in finding ids.

    ``{"Fn::GetAtt": ["Bucket", "Arn"]}`` -> ``<Bucket.Arn>``, ``{"Ref": "AWS::Partition"}`` ->
    ``<AWS::Partition>``, ``Fn::Join`` parts joined (cdk-nag's ``flattenCfnReference``).
    """
    import json

    flat: str
    if value is None:
        flat = ""
    elif isinstance(value, str):
        flat = value.replace("${", "<").replace("}", ">")
    elif isinstance(value, dict) and "Fn::Join" in value:
        delimiter, items = value["Fn::Join"]
        flat = str(delimiter).join(nag_resource(item) for item in items)
    elif isinstance(value, dict) and "Fn::Sub" in value:
        flat = nag_resource(value["Fn::Sub"])
    elif isinstance(value, dict) and "Fn::GetAtt" in value:
        resource, attribute = value["Fn::GetAtt"]
        flat = f"<{nag_resource(resource)}.{nag_resource(attribute)}>"
    elif isinstance(value, dict) and "Fn::ImportValue" in value:
        flat = nag_resource(value["Fn::ImportValue"])
    elif isinstance(value, dict) and "Ref" in value:
        flat = f"<{nag_resource(value['Ref'])}>"
    else:
        flat = json.dumps(value, separators=(",", ":"))
    return flat
