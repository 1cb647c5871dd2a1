"""The decision table: every acknowledgment the library makes, each decided once here with its reason.

A decision lists the exact finding ids it covers (cdk-nag ids such as ``AwsSolutions-IAM5[Resource::*]``
and our own rule ids) and the written reason. This module is pure data (no ``aws_cdk``): constructs apply a
decision with :func:`platform_constructs.acknowledge.acknowledge`, which writes its ids and reason into the
template metadata that the synth-time gate and ``platform-check`` read.

There is no blanket switch: a decision applies to the construct it is called on and its children.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from platform_constructs.compliance.decisions_compute import COMPUTE_DECISIONS
from platform_constructs.compliance.decisions_monitoring import MONITORING_DECISIONS


@dataclass(frozen=True)
class Decision:
    """One acknowledgment decision: the finding ids it covers and the reason, recorded with each of them."""

    rule_ids: tuple[str, ...]
    """cdk-nag or platform rule ids; ``{name}`` placeholders (e.g. ``[Resource::{resource}]``) are filled per
    application so that each acknowledgment covers exactly one finding."""
    reason: str

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
            "cloudwatch:namespace condition) and, for a model in a VPC, ec2:DescribeVpcs, DescribeSubnets, "
            "DescribeSecurityGroups, DescribeNetworkInterfaces and DescribeDhcpOptions; none of these supports "
            "resource-level permissions (IAM service authorization reference). The network-interface write actions "
            "are not on '*': they are scoped to this account's and region's interfaces in the endpoint's VPC."
        ),
    ),
    "sagemaker-role-vpc-deploy-time": Decision(
        rule_ids=("PLAT-IAM3[Unverifiable::Condition::{resource}]",),
        reason=(
            "The ec2:Vpc condition of the SageMaker execution role's network-interface statements names the "
            "endpoint's VPC, whose id is a deploy-time input (the SSM parameter the platform network publishes, or "
            "an imported value): synth cannot see it. The key and the operator are checked (ec2:Vpc applies to the "
            "subnet, security-group and network-interface resources of these actions; an ARN operator for an ARN "
            "key), and the value is that VPC's ARN built from the input."
        ),
    ),
    "sagemaker-role-vpc-network-interfaces": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "SageMaker creates the network interfaces that attach the endpoint's instances to its VPC, with ids "
            "known only then: ec2:CreateNetworkInterface, DeleteNetworkInterface and the interface permissions name "
            "this account's and region's network-interface/* and subnet/* ARNs, conditioned on ec2:Vpc being the "
            "endpoint's VPC wherever the request carries that key (the interface being created carries none, "
            "Service Authorization Reference); the security group is named exactly."
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
            "Images are pulled only from the policy's approved registry prefixes (registries.approved); a prefix "
            "covers many repositories, so the read-only pull actions name the prefix's repositories. Batch "
            "instances pull whatever approved image a job names; a SageMaker model uses this only when its image "
            "is a deploy-time value (e.g. the golden image pipeline's), whose repository is unknown at synth."
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
    "datastore-team-prefix-grant": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "grant_read_datastore / grant_read_write_datastore of a Batch construct give a caller the objects under "
            "the team's prefix of the datastore bucket, as the jobs have; object ARNs under a prefix can only be "
            "expressed with a trailing wildcard. Listing is limited to the same prefix and the key may be used only "
            "through S3."
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
    "image-build-service-wildcards": Decision(
        rule_ids=(
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Resource::{resource}]",  # the account's and region's network interfaces
        ),
        reason=(
            "Actions that IAM only authorises on Resource '*': ecr:GetAuthorizationToken (registry login), "
            "inspector2:ListFindings, ListCoverage, CreateSbomExport and GetSbomExport (the scan gate's findings "
            "and the approved image's SBOM; Inspector has no resource-level permissions for them), "
            "sts:GetServiceBearerToken (conditioned on sts:AWSServiceName=codeartifact.amazonaws.com) and "
            "the ec2 Describe* actions CodeBuild needs to run in a VPC; ec2:Create/DeleteNetworkInterface support "
            "resource-level permissions and are on '*' as AWS documents them for CodeBuild ('Use AWS CodeBuild "
            "with Amazon Virtual Private Cloud'); ec2:CreateNetworkInterfacePermission is limited to this "
            "account's and region's network interfaces and conditioned on "
            "ec2:AuthorizedService=codebuild.amazonaws.com. Every repository, parameter, key and log permission "
            "is scoped to its ARN."
        ),
    ),
    "image-build-evidence-prefix": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "A golden image build writes its approval record under <repository>/<digest>/ of the pipeline's SBOM "
            "bucket, beside the SBOM Inspector exports there; the digest is known only when the image is built, so "
            "the grant (s3:PutObject only) names the level's own repository prefix, and no other level's."
        ),
    ),
    "image-build-gpu-host": Decision(
        rule_ids=("AwsSolutions-CB5",),
        reason=(
            "A GPU lineage's build runs on a GPU host only when the platform gives the pipeline its own build image "
            "(gpu_build_image: CodeBuild's standard image with the NVIDIA container toolkit preinstalled, in the "
            "platform's ECR, pinned by digest): CodeBuild's managed image installs that toolkit from the internet "
            "when a GPU build starts, which the isolated network cannot reach. Every other build uses the managed "
            "image aws/codebuild/standard:7.0."
        ),
    ),
    "image-build-signing-status": Decision(
        rule_ids=("PLAT-IAM1[Action::ecr:DescribeImageSigningStatus]",),
        reason=(
            "ecr:DescribeImageSigningStatus is the Read action of ECR's DescribeImageSigningStatus API (ECR managed "
            "signing, Amazon ECR User Guide 'Managed signing'; the Service Authorization Reference lists it on the "
            "repository resource). It is newer than parliament 1.6.4's action catalogue, which therefore calls it "
            "unknown; the grant names the level's own repository only."
        ),
    ),
    "image-parameter-build-tagged": Decision(
        rule_ids=("PLAT-TAG1",),
        reason=(
            "A golden image's approved-image parameter is written by its build (the approved digest) and created "
            "by CloudFormation with constant properties, so that no stack update ever rewrites the approval: "
            "CloudFormation's SSM handler puts the template's value whenever any property of the parameter "
            "changes, tags included. The template therefore carries no Tags; the build applies the required tags "
            "(ssm:AddTagsToResource on its own parameter only) each time it publishes."
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
    "logs-key-arn-condition": Decision(
        rule_ids=("PLAT-IAM3[Condition::ArnLike::kms:EncryptionContext:aws:logs:arn]",),
        reason=(
            "CloudWatch Logs documents ArnLike/ArnEquals on kms:EncryptionContext:aws:logs:arn in the key policy of "
            "an encrypted log group (CloudWatch Logs User Guide, 'Encrypt log data in CloudWatch Logs using AWS "
            "KMS'; AWS's managed policy CloudWatchLogsAPIKeyAccess does the same). The catalogue types "
            "kms:EncryptionContext:* as String and IAM applies ARN operators to its string value, so the condition "
            "limits the key to log groups of this account and region, as intended."
        ),
    ),
    "codebuild-vpc-network-interfaces": Decision(
        rule_ids=("PLAT-IAM5[Action::ec2:CreateNetworkInterface]", "PLAT-IAM5[Action::ec2:DeleteNetworkInterface]"),
        reason=(
            "CodeBuild creates and deletes the network interface of a build that runs in a VPC with the service "
            "role, and AWS documents these two actions on Resource '*' (CodeBuild User Guide, 'Use AWS CodeBuild "
            "with Amazon Virtual Private Cloud'). They support resource-level permissions (Service Authorization "
            "Reference), but a narrower grant is not documented for CodeBuild and cannot be tested without an AWS "
            "account, and a wrong one stops every build. The interface's permission for CodeBuild is limited to "
            "this account and region and conditioned on ec2:AuthorizedService=codebuild.amazonaws.com."
        ),
    ),
    "batch-submit-job-resources": Decision(
        rule_ids=("PLAT-IAM2[Action::batch:SubmitJob::job+job-definition]",),
        reason=(
            "AWS Batch authorises SubmitJob on the job queue and the job definition revision a request names: "
            "'When scoping resource-level access for job submission, you must provide both job queue and job "
            "definition resource types', and a job-definition ARN without a revision 'does not match SubmitJob "
            "requests, because the request ARN includes the revision' (AWS Batch User Guide, IAM policy examples). "
            "parliament 1.6.4's catalogue instead lists the job being created (job) and a job definition without "
            "revision; grant_submit names exactly the construct's queues and job-definition revisions."
        ),
    ),
    "scratch-not-backed-up": Decision(
        rule_ids=("HIPAA.Security-EFSInBackupPlan", "NIST.800.53.R5-EFSInBackupPlan"),
        reason=(
            "The shared scratch file system holds only intermediate data of running training jobs (checkpoints "
            "and results go to the versioned datastore bucket), so a backup plan would only keep copies of "
            "throw-away data."
        ),
    ),
}

DECISIONS.update({key: Decision(rule_ids=ids, reason=reason) for key, (ids, reason) in COMPUTE_DECISIONS.items()})
DECISIONS.update({key: Decision(rule_ids=ids, reason=reason) for key, (ids, reason) in MONITORING_DECISIONS.items()})
