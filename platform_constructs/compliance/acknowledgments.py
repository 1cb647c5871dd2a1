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
    "image-build-privileged": Decision(
        rule_ids=("AwsSolutions-CB3",),
        reason=(
            "Golden image builds run `docker build`/`docker run`, which need the Docker daemon of "
            "CodeBuild's privileged mode. The builds run in the isolated platform network (endpoints only, "
            "no internet route), build only FROM the approved base by digest, install only from the "
            "platform's package index, and every image passes the smoke test and the ECR scan gate before "
            "it is approved."
        ),
    ),
    "image-build-service-wildcards": Decision(
        rule_ids=(
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]",
        ),
        reason=(
            "Actions that IAM only authorises on Resource '*': ecr:GetAuthorizationToken (registry login), "
            "sts:GetServiceBearerToken (conditioned on sts:AWSServiceName=codeartifact.amazonaws.com) and "
            "the ec2 network-interface actions CodeBuild needs to run in a VPC (Describe*, Create/Delete "
            "NetworkInterface); ec2:CreateNetworkInterfacePermission is limited to this account's and "
            "region's network interfaces and conditioned on ec2:AuthorizedService=codebuild.amazonaws.com. "
            "Every repository, parameter, key and log permission is scoped to its ARN."
        ),
    ),
    "image-build-no-source-repository": Decision(
        rule_ids=(
            "HIPAA.Security-CodeBuildProjectSourceRepoUrl",
            "PCI.DSS.321-CodeBuildProjectSourceRepoUrl",
        ),
        reason=(
            "The project has no source repository (source type NO_SOURCE: the rendered build context is "
            "embedded in its buildspec), so there are no repository credentials for OAuth to protect; the "
            "rule reports every CodeBuild project without an OAuth source, whatever its source type."
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
