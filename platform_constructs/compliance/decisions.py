"""The decision table: every acknowledgment the library makes, each decided once here with its reason.

A decision lists the exact finding ids it covers (cdk-nag ids such as ``AwsSolutions-IAM5[Resource::*]``,
AWS Control Tower's cfn-guard ids ``cdk-validator-cfnguard::<rule>`` and our own rule ids), the resource
types it may be applied to, the written reason and the premises that make the reason true. This module is
pure data (no ``aws_cdk``): constructs apply a decision with :func:`platform_constructs.acknowledge.acknowledge`,
which writes the decision, its ids and its reason into the template metadata of the resources it applies to.

The synth-time gate and ``platform-check`` honour such an acknowledgment only as the library made it
(:mod:`platform_constructs.compliance.acknowledgments`): the id, the decision and its reason as written here,
on a resource of the decision's types that a platform construct made, whose premises hold.

There is no blanket switch: a decision applies to the resources of the construct it is called on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Formatter

from platform_constructs.compliance import premises as p
from platform_constructs.compliance import service_premises as sp
from platform_constructs.compliance.premises import Premise

GUARD = "cdk-validator-cfnguard::"
"""Prefix of the acknowledgment ids of AWS Control Tower's cfn-guard rules (``cdklabs-cdk-validator-cfnguard``)."""
NAG_COMPLIANCE_PACKS = ("HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")


def packs(rule: str, which: tuple[str, ...] = NAG_COMPLIANCE_PACKS) -> tuple[str, ...]:
    """The ids of cdk-nag rule ``rule`` in the compliance packs ``which`` (they share rule names)."""
    return tuple(f"{pack}-{rule}" for pack in which)


@dataclass(frozen=True)
class Decision:
    """One acknowledgment decision: the finding ids it covers, where it may apply, why, and what must hold."""

    rule_ids: tuple[str, ...]
    """cdk-nag, cfn-guard or platform rule ids; ``{name}`` placeholders (e.g. ``[Resource::{resource}]``) are
    filled per application so that each acknowledgment covers exactly one finding."""
    reason: str
    resource_types: tuple[str, ...]
    """The CloudFormation types of the resources the decision is applied to (and honoured on)."""
    premises: tuple[Premise, ...] = ()
    """What must be true of the resource for the reason to be true; verified wherever the decision is honoured."""

    @property
    def placeholders(self) -> frozenset[str]:
        """The names of the ``{name}`` placeholders in :attr:`rule_ids`."""
        return frozenset(field for rule_id in self.rule_ids
                         for _, field, _, _ in Formatter().parse(rule_id) if field is not None)

    def finding_ids(self, **values: str) -> tuple[str, ...]:
        """:attr:`rule_ids` with their placeholders filled; ``values`` must name exactly :attr:`placeholders`
        (a missing value would acknowledge the literal ``{name}`` id, an extra one would be ignored)."""
        if set(values) != self.placeholders:
            expected = ", ".join(sorted(self.placeholders)) or "none"
            given = ", ".join(sorted(values)) or "none"
            raise ValueError(f"expected values for the placeholders ({expected}), got: {given}")
        return tuple(rule_id.format(**values) for rule_id in self.rule_ids) if values else self.rule_ids

    def match(self, finding_id: str) -> dict[str, str] | None:
        """The placeholder values under which ``finding_id`` is one of this decision's ids (``{}`` for a literal
        id), or ``None`` when the decision does not cover it."""
        for rule_id in self.rule_ids:
            pattern = "".join(re.escape(literal) + (f"(?P<{field}>.+)" if field else "")
                              for literal, field, _, _ in Formatter().parse(rule_id))
            found = re.fullmatch(pattern, finding_id)
            if found:
                return found.groupdict()
        return None


S3 = ("AWS::S3::Bucket",)
POLICIES = ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")
NAG_KMS = packs("SageMakerEndpointConfigurationKMSKeyConfigured")
PULLS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
OBJECT_PREFIX = r"<[A-Za-z0-9]+\.Arn>/[A-Za-z0-9._/-]*\*"
"""An object ARN pattern under one prefix of a bucket of the same template (``<Bucket.Arn>/prefix/*``)."""
SAGEMAKER_VPC = ("ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                 "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
                 "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs")
CODEBUILD_VPC = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                 "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions", "ec2:DescribeVpcs")
ENI_ARN = "arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*"

DECISIONS: dict[str, Decision] = {
    "bucket-replication": Decision(
        rule_ids=packs("S3BucketReplicationEnabled"),
        reason=(
            "Cross-region replication needs a destination region and account that the organisation "
            "chooses centrally; the bucket is versioned, encrypted, blocks public access and is retained in "
            "prod, and a same-region replica would add no durability over S3's own."
        ),
        resource_types=S3, premises=(p.VERSIONED_PRIVATE_BUCKET,),
    ),
    "bucket-no-object-lock": Decision(
        rule_ids=(f"{GUARD}s3_bucket_object_lock_enabled_check",),
        reason=(
            "Object Lock makes object versions immutable for a retention period (write once, read many). These "
            "buckets hold working data (data capture, job data, access logs) that lifecycle rules expire after the "
            "environment's retention; versioning keeps overwritten and deleted objects until a lifecycle rule "
            "expires old versions, and prod buckets are retained when their stack is deleted."
        ),
        resource_types=S3, premises=(p.VERSIONS_EXPIRE,),
    ),
    "access-log-bucket-not-logged": Decision(
        rule_ids=("AwsSolutions-S1", *packs("S3BucketLoggingEnabled"), f"{GUARD}s3_bucket_logging_enabled_check"),
        reason=(
            "This is the server-access-log destination bucket; logging it to itself would recurse and "
            "logging it elsewhere only moves the problem."
        ),
        resource_types=S3, premises=(p.LOG_DESTINATION,),
    ),
    "access-log-bucket-sse-s3": Decision(
        rule_ids=(*packs("S3DefaultEncryptionKMS"), f"{GUARD}s3_bucket_default_encryption_kms_check"),
        reason=(
            "S3 server access log delivery supports only SSE-S3 on the destination bucket; access logs "
            "hold request metadata, not data."
        ),
        resource_types=S3, premises=(p.SSE_S3_LOG_DESTINATION,),
    ),
    "sagemaker-role-unscopable-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "A SageMaker execution role needs ecr:GetAuthorizationToken, cloudwatch:PutMetricData (limited by a "
            "cloudwatch:namespace condition) and the EC2 network-interface actions that attach a model to its VPC; "
            "none of these supports resource-level permissions (IAM service authorization reference)."
        ),
        resource_types=POLICIES,
        premises=(p.only_these_on_any_resource(("ecr:GetAuthorizationToken", "cloudwatch:PutMetricData",
                                                *SAGEMAKER_VPC),
                                               conditioned={"cloudwatch:PutMetricData": "cloudwatch:namespace"}),),
    ),
    "sagemaker-role-object-prefixes": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "SageMaker writes data-capture and asynchronous-inference results under keys it generates (endpoint, "
            "variant, date, request id) and reads asynchronous inputs under keys callers choose per request; each "
            "grant is limited to one prefix of this endpoint's own bucket."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(OBJECT_PREFIX, ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload")),),
    ),
    "sagemaker-instance-store-volume": Decision(
        rule_ids=(*NAG_KMS, "PLAT-SM2[volume-key]"),
        reason=(
            "The variant's instance type has local NVMe instance storage, which the Nitro system encrypts in "
            "hardware (XTS-AES-256); SageMaker rejects a KmsKeyId for such endpoint configurations "
            "(CreateEndpointConfig API reference). Data capture stays on and KMS-encrypted with the endpoint's key."
        ),
        resource_types=("AWS::SageMaker::EndpointConfig",), premises=(sp.INSTANCE_STORE,),
    ),
    "sagemaker-serverless-volume-key": Decision(
        rule_ids=(*NAG_KMS, "PLAT-SM2[volume-key]"),
        reason=(
            "A serverless endpoint has no ML instance storage volume for a KmsKeyId to encrypt, and SageMaker "
            "rejects a KmsKeyId on a serverless endpoint configuration; the caller chose serverless mode explicitly."
        ),
        resource_types=("AWS::SageMaker::EndpointConfig",), premises=(sp.SERVERLESS_CONFIG,),
    ),
    "sagemaker-serverless-no-vpc": Decision(
        rule_ids=("PLAT-SM1[isolation]", "PLAT-SM1[vpc]"),
        reason=(
            "Serverless inference supports neither VPC configuration nor network isolation (SageMaker serverless "
            "inference feature exclusions); the caller chose serverless mode explicitly."
        ),
        resource_types=("AWS::SageMaker::Model",), premises=(sp.SERVERLESS_MODEL,),
    ),
    "sagemaker-serverless-no-data-capture": Decision(
        rule_ids=("PLAT-SM2[capture]",),
        reason=(
            "Serverless inference does not support data capture (SageMaker serverless inference feature "
            "exclusions); the caller chose serverless mode explicitly."
        ),
        resource_types=("AWS::SageMaker::EndpointConfig",), premises=(sp.SERVERLESS_CONFIG,),
    ),
    "ecs-agent-unscoped-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "The ECS agent on AWS Batch instances (and Fargate's image pull) needs ecs:DiscoverPollEndpoint and "
            "ecr:GetAuthorizationToken, which support no resource-level permissions (AWS Service Authorization "
            "Reference: no resource types), so their statement can only name '*'; it holds no other action."
        ),
        resource_types=POLICIES,
        premises=(p.only_these_on_any_resource(("ecs:DiscoverPollEndpoint", "ecr:GetAuthorizationToken")),),
    ),
    "batch-managed-ecs-clusters": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "AWS Batch creates the ECS cluster of each managed compute environment with a generated name "
            "(AWSBatch-<environment>-<uuid>), known only after deploy; the ECS agent's register/poll/state-change "
            "actions are limited to clusters and container instances named AWSBatch-* in this account and region."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(
            r"arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:(cluster|container-instance)/AWSBatch-\*",
            ("ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance", "ecs:SubmitContainerStateChange",
             "ecs:SubmitTaskStateChange", "ecs:SubmitAttachmentStateChanges", "ecs:UpdateContainerInstancesState",
             "ecs:Poll", "ecs:StartTelemetrySession")),),
    ),
    "approved-registry-pulls": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "Images are pulled only from the policy's approved registry prefixes (registries.approved); a prefix "
            "covers many repositories, so the read-only pull actions name the prefix's repositories. Batch "
            "instances pull whatever approved image a job names; a SageMaker model uses this only when its image "
            "is a deploy-time value (e.g. the golden image pipeline's), whose repository is unknown at synth."
        ),
        resource_types=POLICIES, premises=(p.APPROVED_REPOSITORIES, p.scoped_resource(r".+", PULLS)),
    ),
    "batch-job-role-team-prefix": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "Jobs read and write objects under their team's prefix of the datastore bucket; object ARNs under a "
            "prefix can only be expressed with a trailing wildcard. Listing is limited to the same prefix and "
            "the key may be used only through S3."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(OBJECT_PREFIX, ("s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                                                    "s3:AbortMultipartUpload")),),
    ),
    "datastore-team-prefix-grant": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "grant_read_datastore / grant_read_write_datastore of a Batch construct give a caller the objects under "
            "the team's prefix of the datastore bucket, as the jobs have; object ARNs under a prefix can only be "
            "expressed with a trailing wildcard. Listing is limited to the same prefix and the key may be used only "
            "through S3."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(OBJECT_PREFIX, ("s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                                                    "s3:AbortMultipartUpload")),),
    ),
    "multi-node-cluster-traffic": Decision(
        rule_ids=packs("EC2RestrictedCommonPorts"),
        reason=(
            "Nodes of a multi-node parallel training job exchange NCCL/EFA traffic on any port (EFA requires its "
            "security group to allow all traffic from and to itself, AWS EFA user guide); the only ingress rule's "
            "source is the group itself, never an address range, and the subnets are isolated."
        ),
        resource_types=("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"),
        premises=(sp.SELF_REFERENCING_GROUP,),
    ),
    "image-build-privileged": Decision(
        rule_ids=(f"{GUARD}codebuild_project_environment_privileged_check",),
        reason=(
            "Golden image builds run `docker build`/`docker run`, which need the Docker daemon of "
            "CodeBuild's privileged mode. The builds run in the isolated platform network (endpoints only, "
            "no internet route), build only FROM the approved base by digest, install only from the "
            "platform's package index, and every image passes the smoke test and the ECR scan gate before "
            "it is approved."
        ),
        resource_types=("AWS::CodeBuild::Project",), premises=(sp.ISOLATED_BUILD,),
    ),
    "image-build-service-wildcards": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]", f"AwsSolutions-IAM5[Resource::{ENI_ARN}]"),
        reason=(
            "Actions that IAM only authorises on Resource '*': ecr:GetAuthorizationToken (registry login), "
            "sts:GetServiceBearerToken (conditioned on sts:AWSServiceName=codeartifact.amazonaws.com) and "
            "the ec2 network-interface actions CodeBuild needs to run in a VPC (Describe*, Create/Delete "
            "NetworkInterface); ec2:CreateNetworkInterfacePermission is limited to this account's and "
            "region's network interfaces and conditioned on ec2:AuthorizedService=codebuild.amazonaws.com. "
            "Every repository, parameter, key and log permission is scoped to its ARN."
        ),
        resource_types=POLICIES,
        premises=(p.only_these_on_any_resource(("ecr:GetAuthorizationToken", "sts:GetServiceBearerToken",
                                                *CODEBUILD_VPC),
                                               conditioned={"sts:GetServiceBearerToken": "sts:AWSServiceName"}),
                  p.scoped_resource(re.escape(ENI_ARN), ("ec2:CreateNetworkInterfacePermission",), resource=ENI_ARN)),
    ),
    "image-build-no-source-repository": Decision(
        rule_ids=packs("CodeBuildProjectSourceRepoUrl", ("HIPAA.Security", "PCI.DSS.321")),
        reason=(
            "The project has no source repository (source type NO_SOURCE: the rendered build context is "
            "embedded in its buildspec), so there are no repository credentials for OAuth to protect; the "
            "rule reports every CodeBuild project without an OAuth source, whatever its source type."
        ),
        resource_types=("AWS::CodeBuild::Project",), premises=(sp.NO_SOURCE,),
    ),
    "scratch-not-backed-up": Decision(
        rule_ids=(*packs("EFSInBackupPlan", ("HIPAA.Security", "NIST.800.53.R5")),
                  f"{GUARD}efs_automatic_backups_enabled_check"),
        reason=(
            "The shared scratch file system holds only intermediate data of running training jobs (checkpoints "
            "and results go to the versioned datastore bucket); it is deleted with the stack by design, so a "
            "backup plan would only keep copies of throw-away data."
        ),
        resource_types=("AWS::EFS::FileSystem",), premises=(sp.DELETED_WITH_STACK,),
    ),
    "log-retention-per-environment": Decision(
        rule_ids=(f"{GUARD}cloudwatch_log_group_retention_period_check",),
        reason=(
            "How long logs are kept is the organisation's decision per environment (log_retention_days in "
            "policies/platform.yaml: weeks in dev, months in staging, at least a year in prod); the log group keeps "
            "them exactly that long and is KMS-encrypted."
        ),
        resource_types=("AWS::Logs::LogGroup",), premises=(sp.ENVIRONMENT_RETENTION,),
    ),
    "vpc-default-security-group-restricted": Decision(
        rule_ids=packs("VPCDefaultSecurityGroupClosed"),
        reason=(
            "The VPC's default security group is closed at deploy time by CDK's Custom::VpcRestrictDefaultSG "
            "resource in the same template (restrictDefaultSecurityGroup), which revokes its default rules; "
            "cdk-nag recognises that only on the Vpc construct, not in a synthesized template."
        ),
        resource_types=("AWS::EC2::VPC",), premises=(sp.DEFAULT_GROUP_RESTRICTED,),
    ),
    "default-security-group-provider-function": Decision(
        rule_ids=(*packs("LambdaConcurrency", ("HIPAA.Security", "NIST.800.53.R5")),
                  *packs("LambdaDLQ", ("HIPAA.Security", "NIST.800.53.R5")), *packs("LambdaInsideVPC"),
                  f"{GUARD}lambda_inside_vpc_check"),
        reason=(
            "This is CDK's provider of Custom::VpcRestrictDefaultSG: CloudFormation invokes it only when the network "
            "stack is created, updated or deleted, to revoke the default security group's rules, and a failed "
            "invocation fails the deployment (no events to keep in a dead-letter queue, no concurrency to reserve). "
            "It calls the EC2 API, for which the isolated VPC has no endpoint, so it runs outside the VPC."
        ),
        resource_types=("AWS::Lambda::Function",), premises=(sp.DEFAULT_GROUP_PROVIDER,),
    ),
    "default-security-group-provider-role": Decision(
        rule_ids=("AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                  "AWSLambdaBasicExecutionRole]", *packs("IAMNoInlinePolicy")),
        reason=(
            "CDK defines the role of its Custom::VpcRestrictDefaultSG provider: the AWS-managed "
            "AWSLambdaBasicExecutionRole for the function's own logs and an inline policy that allows only "
            "authorizing and revoking rules of this VPC's default security group; only that function assumes it."
        ),
        resource_types=("AWS::IAM::Role",), premises=(sp.DEFAULT_GROUP_PROVIDER,),
    ),
}
