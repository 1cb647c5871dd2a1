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
    "ecs-agent-unscoped-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "The ECS agent on AWS Batch instances (and Fargate's image pull) needs ecs:DiscoverPollEndpoint and "
            "ecr:GetAuthorizationToken, which support no resource-level permissions (AWS Service Authorization "
            "Reference: no resource types), so their statement can only name '*'; it holds no other action."
        ),
    ),
    "batch-managed-ecs-clusters": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "AWS Batch creates the ECS cluster of each managed compute environment with a generated name "
            "(AWSBatch-<environment>-<uuid>), known only after deploy; the ECS agent's register/poll/state-change "
            "actions are limited to clusters and container instances named AWSBatch-* in this account and region."
        ),
    ),
    "approved-registry-pulls": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "Instances pull job images only from the policy's approved registry prefixes (registries.approved); "
            "a prefix covers many repositories, so the pull actions (read-only) name the prefix's repositories."
        ),
    ),
    "batch-job-role-team-prefix": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "Jobs read and write objects under their team's prefix of the datastore bucket; object ARNs under a "
            "prefix can only be expressed with a trailing wildcard. Listing is limited to the same prefix and "
            "the key may be used only through S3."
        ),
    ),
    "multi-node-cluster-traffic": Decision(
        rule_ids=(
            "HIPAA.Security-EC2RestrictedCommonPorts",
            "NIST.800.53.R5-EC2RestrictedCommonPorts",
            "PCI.DSS.321-EC2RestrictedCommonPorts",
        ),
        reason=(
            "Nodes of a multi-node parallel training job exchange NCCL/EFA traffic on any port (EFA requires its "
            "security group to allow all traffic from and to itself, AWS EFA user guide); the only ingress rule's "
            "source is the group itself, never an address range, and the subnets are isolated."
        ),
    ),
    "scratch-not-backed-up": Decision(
        rule_ids=("HIPAA.Security-EFSInBackupPlan", "NIST.800.53.R5-EFSInBackupPlan"),
        reason=(
            "The shared scratch file system holds only intermediate data of running training jobs (checkpoints "
            "and results go to the versioned datastore bucket); it is deleted with the stack by design, so a "
            "backup plan would only keep copies of throw-away data."
        ),
    ),
}


def acknowledge(construct: IConstruct, decision_key: str, **values: str) -> None:
    """Apply the library decision ``decision_key`` to ``construct`` (and its children).

    ``values`` fill the placeholders of a decision whose finding ids name a resource (e.g. ``{resource}``), so
    that each acknowledgment covers exactly one finding.
    """
    from platform_constructs.core import PlatformContext

    decision = DECISIONS[decision_key]
    validations = Validations.of(construct)
    ctx = PlatformContext.of(construct)
    rule_ids = tuple(r.format(**values) for r in decision.rule_ids) if values else decision.rule_ids
    for rule_id in rule_ids:
        validations.acknowledge(CdkAcknowledgment(id=rule_id, reason=decision.reason))
        ctx.acknowledgments.append((construct.node.path, rule_id, decision.reason))
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if isinstance(resource, CfnResource):
        recorded = ctx.metadata_acknowledgments.setdefault(resource.node.path, [])
        recorded.extend({"id": rule_id, "reason": decision.reason} for rule_id in rule_ids)
        resource.add_metadata(METADATA_KEY, recorded)
