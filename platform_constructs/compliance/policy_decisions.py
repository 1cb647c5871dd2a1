"""The decisions on IAM and key policies: actions on ``*`` that IAM cannot scope, and grants under one prefix.

Part of the decision table (:mod:`platform_constructs.compliance.decisions` merges it into ``DECISIONS``); each
premise checks on the policy what the reason says about it (:mod:`platform_constructs.compliance.premises`).
"""

from __future__ import annotations

from platform_constructs.compliance import premises as p
from platform_constructs.compliance import service_premises as sp
from platform_constructs.compliance.decision_model import Decision

POLICIES = ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")
PULLS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
OBJECT_PREFIX = r"<[A-Za-z0-9]+\.Arn>/[A-Za-z0-9._/-]*\*"
"""An object ARN pattern under one prefix of a bucket of the same template (``<Bucket.Arn>/prefix/*``)."""
SAGEMAKER_VPC = ("ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                 "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
                 "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs")
CODEBUILD_VPC = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                 "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions", "ec2:DescribeVpcs")
ENI_ARN = rf"arn:{p.PARTITION}:ec2:{p.REGION}:{p.ACCOUNT}:network-interface/\*"
"""The network interfaces of the stack's account and region (a pattern)."""
SAGEMAKER_ON_ANY_RESOURCE = p.only_these_on_any_resource(
    ("ecr:GetAuthorizationToken", "cloudwatch:PutMetricData", *SAGEMAKER_VPC),
    conditioned={"cloudwatch:PutMetricData": "cloudwatch:namespace"})
CODEBUILD_ON_ANY_RESOURCE = p.only_these_on_any_resource(
    ("ecr:GetAuthorizationToken", "inspector2:ListFindings", "inspector2:ListCoverage", "sts:GetServiceBearerToken",
     *CODEBUILD_VPC), conditioned={"sts:GetServiceBearerToken": "sts:AWSServiceName"})


POLICY_DECISIONS: dict[str, Decision] = {
    "sagemaker-role-unscopable-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "A SageMaker execution role needs ecr:GetAuthorizationToken, cloudwatch:PutMetricData (limited by a "
            "cloudwatch:namespace condition) and the EC2 actions that attach a model to its VPC. The Describe* "
            "actions support no resource-level permissions (IAM service authorization reference); the network-"
            "interface create/delete/permission actions do, and are on '*' as AWS documents them for SageMaker "
            "('Give SageMaker hosted endpoints access to resources in your Amazon VPC')."
        ),
        resource_types=POLICIES,
        premises=(SAGEMAKER_ON_ANY_RESOURCE,),
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
    "image-build-service-wildcards": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",
                  "AwsSolutions-IAM5[Resource::{resource}]"),  # the account's and region's network interfaces
        reason=(
            "Actions that IAM only authorises on Resource '*': ecr:GetAuthorizationToken (registry login), "
            "inspector2:ListFindings and inspector2:ListCoverage (the scan gate's findings), "
            "sts:GetServiceBearerToken (conditioned on sts:AWSServiceName=codeartifact.amazonaws.com) and "
            "the ec2 Describe* actions CodeBuild needs to run in a VPC; ec2:Create/DeleteNetworkInterface support "
            "resource-level permissions and are on '*' as AWS documents them for CodeBuild ('Use AWS CodeBuild "
            "with Amazon Virtual Private Cloud'); ec2:CreateNetworkInterfacePermission is limited to this "
            "account's and region's network interfaces and conditioned on "
            "ec2:AuthorizedService=codebuild.amazonaws.com. Every repository, parameter, key and log permission "
            "is scoped to its ARN."
        ),
        resource_types=POLICIES,
        premises=(CODEBUILD_ON_ANY_RESOURCE,
                  p.scoped_resource(ENI_ARN, ("ec2:CreateNetworkInterfacePermission",))),
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
    "sagemaker-vpc-network-interfaces": Decision(
        rule_ids=(
            "PLAT-IAM5[Action::ec2:CreateNetworkInterface]",
            "PLAT-IAM5[Action::ec2:CreateNetworkInterfacePermission]",
            "PLAT-IAM5[Action::ec2:DeleteNetworkInterface]",
        ),
        reason=(
            "SageMaker creates, shares and deletes the network interfaces that attach the model to its VPC with the "
            "execution role, and AWS documents these actions on Resource '*' for it (SageMaker Developer Guide, "
            "'Give SageMaker hosted endpoints access to resources in your Amazon VPC'). They do support "
            "resource-level permissions (network-interface, subnet, security-group; Service Authorization "
            "Reference), but a narrower grant (those ARNs, or ec2:Vpc conditions) is not documented for SageMaker "
            "and cannot be tested without an AWS account, and a wrong one stops the endpoint from being created. "
            "The model's subnets are the platform network's isolated subnets."
        ),
        resource_types=POLICIES, premises=(SAGEMAKER_ON_ANY_RESOURCE,),
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
        resource_types=POLICIES, premises=(CODEBUILD_ON_ANY_RESOURCE,),
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
        resource_types=POLICIES, premises=(sp.SUBMIT_TO_TEMPLATE_QUEUES,),
    ),
}
