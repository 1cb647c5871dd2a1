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

from platform_constructs.compliance import premises as p
from platform_constructs.compliance import service_premises as sp
from platform_constructs.compliance.decision_model import GUARD, NAG_COMPLIANCE_PACKS, Decision, packs
from platform_constructs.compliance.decisions_compute import COMPUTE_DECISIONS
from platform_constructs.compliance.decisions_monitoring import MONITORING_DECISIONS
from platform_constructs.compliance.policy_decisions import POLICY_DECISIONS

__all__ = ["DECISIONS", "GUARD", "NAG_COMPLIANCE_PACKS", "Decision", "packs"]

S3 = ("AWS::S3::Bucket",)
NAG_KMS = packs("SageMakerEndpointConfigurationKMSKeyConfigured")

RESOURCE_DECISIONS: dict[str, Decision] = {
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
    "image-build-gpu-host": Decision(
        rule_ids=("AwsSolutions-CB5",),
        reason=(
            "A GPU lineage's build runs on a GPU host only when the platform gives the pipeline its own build image "
            "(gpu_build_image: CodeBuild's standard image with the NVIDIA container toolkit preinstalled, in the "
            "platform's ECR, pinned by digest): CodeBuild's managed image installs that toolkit from the internet "
            "when a GPU build starts, which the isolated network cannot reach. Every other build uses the managed "
            "image aws/codebuild/standard:7.0."
        ),
        resource_types=("AWS::CodeBuild::Project",), premises=(sp.DIGEST_PINNED_BUILD_IMAGE, sp.ISOLATED_BUILD),
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
        resource_types=("AWS::SSM::Parameter",), premises=(sp.CONSTANT_PARAMETER,),
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
            "and results go to the versioned datastore bucket), so a backup plan would only keep copies of "
            "throw-away data."
        ),
        resource_types=("AWS::EFS::FileSystem",), premises=(sp.SCRATCH_FILE_SYSTEM,),
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
"""The decisions on resources other than policies."""

DECISIONS: dict[str, Decision] = {**RESOURCE_DECISIONS, **POLICY_DECISIONS, **COMPUTE_DECISIONS, **MONITORING_DECISIONS}
"""Every decision the library makes, by key."""
