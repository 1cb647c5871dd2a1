"""The decisions on IAM and key policies: actions on ``*`` that IAM cannot scope, and grants under one prefix.

Part of the decision table (:mod:`platform_constructs.compliance.decisions` merges it into ``DECISIONS``); each
premise checks on the policy what the reason says about it (:mod:`platform_constructs.compliance.premises`).
"""

from __future__ import annotations

from platform_constructs.compliance import policy_premises as pp
from platform_constructs.compliance import premises as p
from platform_constructs.compliance import service_premises as sp
from platform_constructs.compliance.decision_model import Decision

POLICIES = ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")
PULLS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
SAGEMAKER_VPC_DESCRIBE = ("ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                          "ec2:DescribeSubnets", "ec2:DescribeVpcs")
SAGEMAKER_VPC_INTERFACES = ("ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
                            "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission")
CODEBUILD_VPC = SAGEMAKER_VPC_DESCRIBE
"""What CodeBuild reads to attach a build to its VPC, on '*' (the network-interface actions are scoped)."""
CODEBUILD_VPC_INTERFACES = ("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                            "ec2:CreateNetworkInterfacePermission")
INSPECTOR = ("inspector2:CreateSbomExport", "inspector2:GetSbomExport", "inspector2:ListCoverage",
             "inspector2:ListFindings")
SAGEMAKER_ON_ANY_RESOURCE = p.only_these_on_any_resource(
    ("ecr:GetAuthorizationToken", "cloudwatch:PutMetricData", *SAGEMAKER_VPC_DESCRIBE),
    conditioned={"cloudwatch:PutMetricData": "cloudwatch:namespace"})
CODEBUILD_ON_ANY_RESOURCE = p.only_these_on_any_resource(
    ("ecr:GetAuthorizationToken", *INSPECTOR, "sts:GetServiceBearerToken", *CODEBUILD_VPC),
    conditioned={"sts:GetServiceBearerToken": "sts:AWSServiceName"})


POLICY_DECISIONS: dict[str, Decision] = {
    "sagemaker-role-unscopable-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "A SageMaker execution role needs ecr:GetAuthorizationToken, cloudwatch:PutMetricData (limited by a "
            "cloudwatch:namespace condition) and, for a model in a VPC, ec2:DescribeVpcs, DescribeSubnets, "
            "DescribeSecurityGroups, DescribeNetworkInterfaces and DescribeDhcpOptions; none of these supports "
            "resource-level permissions (IAM service authorization reference). The network-interface write actions "
            "are not on '*': they are scoped to this account's and region's interfaces in the endpoint's VPC."
        ),
        resource_types=POLICIES,
        premises=(SAGEMAKER_ON_ANY_RESOURCE,),
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
        resource_types=POLICIES,
        premises=(p.scoped_resource(rf"arn:{p.PARTITION}:ec2:{p.REGION}:{p.ACCOUNT}:(network-interface|subnet)/\*",
                                    SAGEMAKER_VPC_INTERFACES, condition="ec2:Vpc"),),
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
        resource_types=POLICIES, premises=(pp.VPC_CONDITION,),
    ),
    "sagemaker-role-object-prefixes": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "SageMaker writes data-capture and asynchronous-inference results under keys it generates (endpoint, "
            "variant, date, request id) and reads asynchronous inputs under keys callers choose per request; each "
            "grant is limited to one prefix of this endpoint's own bucket."
        ),
        resource_types=POLICIES,
        premises=(p.bucket_objects(("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload")),),
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
    "registry-login-grant": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "grant_pull of the golden image pipeline lets a caller pull the approved images: pulling starts with "
            "the registry login ecr:GetAuthorizationToken, which supports no resource-level permissions (AWS Service "
            "Authorization Reference: no resource types), so it can only name '*'; the pull actions and the "
            "approval parameters are granted on their ARNs."
        ),
        resource_types=POLICIES,
        premises=(p.only_these_on_any_resource(("ecr:GetAuthorizationToken",)),),
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
            rf"arn:{p.PARTITION}:ecs:{p.REGION}:{p.ACCOUNT}:(cluster|container-instance)/AWSBatch-\*",
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
        premises=(p.bucket_objects(("s3:GetObject", "s3:PutObject", "s3:DeleteObject",
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
        premises=(p.bucket_objects(("s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                                                    "s3:AbortMultipartUpload")),),
    ),
    "image-build-service-wildcards": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "Actions that IAM only authorises on Resource '*': ecr:GetAuthorizationToken (registry login), "
            "inspector2:ListFindings, ListCoverage, CreateSbomExport and GetSbomExport (the scan gate's findings "
            "and the approved image's SBOM; Inspector has no resource-level permissions for them), "
            "sts:GetServiceBearerToken (conditioned on sts:AWSServiceName=codeartifact.amazonaws.com) and "
            "the ec2 Describe* actions CodeBuild needs to run in a VPC. The network-interface actions are not on '*' "
            "(codebuild-vpc-network-interfaces); every repository, parameter, key and log permission is scoped to "
            "its ARN."
        ),
        resource_types=POLICIES, premises=(CODEBUILD_ON_ANY_RESOURCE,),
    ),
    "image-build-evidence-prefix": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "A golden image build writes its approval record under <repository>/<digest>/ of the pipeline's SBOM "
            "bucket, beside the SBOM Inspector exports there; the digest is known only when the image is built, so "
            "the grant (s3:PutObject only) names the level's own repository prefix, and no other level's."
        ),
        resource_types=POLICIES, premises=(p.bucket_objects(("s3:PutObject",)),),
    ),
    "image-build-signing-status": Decision(
        rule_ids=("PLAT-IAM1[Action::ecr:DescribeImageSigningStatus]",),
        reason=(
            "ecr:DescribeImageSigningStatus is the Read action of ECR's DescribeImageSigningStatus API (ECR managed "
            "signing, Amazon ECR User Guide 'Managed signing'; the Service Authorization Reference lists it on the "
            "repository resource). It is newer than parliament 1.6.4's action catalogue, which therefore calls it "
            "unknown; the grant names the level's own repository only."
        ),
        resource_types=POLICIES,
        premises=(p.granted_on_template_resources(("ecr:DescribeImageSigningStatus",), ("AWS::ECR::Repository",)),),
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
        resource_types=("AWS::KMS::Key",), premises=(sp.LOGS_ENCRYPTION_CONTEXT,),
    ),
    "codebuild-vpc-network-interfaces": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "CodeBuild creates the network interface of each build that runs in a VPC with the service role, with an "
            "id known only then: ec2:CreateNetworkInterface names this account's and region's network-interface/* "
            "and subnet/* ARNs and the build's security group, conditioned on ec2:Vpc being the pipeline's VPC "
            "wherever the request carries that key (the interface being created carries none); "
            "DeleteNetworkInterface names network-interface/* of that VPC only (Service Authorization Reference); "
            "CreateNetworkInterfacePermission is conditioned on ec2:AuthorizedService=codebuild.amazonaws.com "
            "(CodeBuild User Guide, 'Use AWS CodeBuild with Amazon Virtual Private Cloud')."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(rf"arn:{p.PARTITION}:ec2:{p.REGION}:{p.ACCOUNT}:(network-interface|subnet)/\*",
                                    CODEBUILD_VPC_INTERFACES, condition=("ec2:Vpc", "ec2:AuthorizedService")),),
    ),
    "codebuild-vpc-deploy-time": Decision(
        rule_ids=("PLAT-IAM3[Unverifiable::Condition::{resource}]",),
        reason=(
            "The ec2:Vpc condition of a golden-image build role's network-interface statements names the pipeline's "
            "VPC, whose id is a deploy-time input (the SSM parameter the platform network publishes, or an imported "
            "value): synth cannot see it. The key and the operator are checked (ec2:Vpc applies to the subnet, "
            "security-group and network-interface resources of these actions; an ARN operator for an ARN key), and "
            "the value is that VPC's ARN built from the input."
        ),
        resource_types=POLICIES, premises=(pp.VPC_CONDITION,),
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
        resource_types=POLICIES, premises=(pp.SUBMIT_TO_TEMPLATE_QUEUES,),
    ),
}
