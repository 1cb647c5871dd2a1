"""The pipeline's roles and their permissions: the build role (every level's CodeBuild project), the events role
(schedules and approvals start builds), and the deferred check that their policies fit IAM's size limit.

Every statement is scoped to the ARN it needs; the only ``*`` resources are actions IAM authorises on nothing else
(acknowledged once, ``image-build-service-wildcards``). Statement ids carry the level and its repository suffix,
so a policy diff names the level it changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import jsii
from aws_cdk import Stack
from aws_cdk import aws_codeartifact as codeartifact
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct, IValidation

from platform_constructs import baseline
from platform_constructs.errors import Problem
from platform_constructs.images import policy_size, uri

ECR_PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
"""What pulling an image needs on its repository (besides ``ecr:GetAuthorizationToken`` on ``*``)."""
ECR_PUSH_AND_GATE_ACTIONS = (
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
    "ecr:DescribeImageScanFindings", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart")
"""A level's build on its own repository: push, read the scan findings, add the ``approved-*`` tag."""


def sid(level: int, suffix: str, purpose: str) -> str:
    """``<purpose>Level<level><Suffix>``, e.g. ``PushAndGateLevel2ProjectsRecs``."""
    return f"{purpose}Level{level}" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", suffix))


def build_role(scope: Construct) -> baseline.PlatformRole:
    """The role every level's CodeBuild project runs as."""
    return baseline.platform_role(scope, "BuildRole", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
                                  description=f"golden image builds of {scope.node.path}")


def events_role(scope: Construct) -> baseline.PlatformRole:
    """The role EventBridge uses to start the builds (schedules and approvals)."""
    return baseline.platform_role(scope, "EventsRole", assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
                                  description=f"starts the golden image builds of {scope.node.path}")


def grant_build_basics(role: baseline.PlatformRole, *, key: kms.IKey, log_group: logs.ILogGroup,
                       domain: codeartifact.CfnDomain, package_repository: codeartifact.CfnRepository) -> None:
    """What every build needs: its logs, the key, registry login, a VPC network interface and the package index."""
    stack = Stack.of(role)
    log_group.grant_write(role)
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="BuildEncryption", actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        resources=[key.key_arn]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="EcrLogin", actions=["ecr:GetAuthorizationToken"], resources=["*"]))
    role.add_to_principal_policy(iam.PolicyStatement(  # enhanced scanning's findings come from Inspector
        sid="ReadScanFindings", actions=["inspector2:ListCoverage", "inspector2:ListFindings"], resources=["*"]))
    # CodeBuild in a VPC: the permissions of the AWS CodeBuild User Guide, "Allow CodeBuild access to AWS services
    # required to create a VPC network interface".
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="CodeBuildVpcNetworkInterfaces",
        actions=["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                 "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions", "ec2:DescribeVpcs"],
        resources=["*"]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="CodeBuildVpcNetworkInterfacePermission", actions=["ec2:CreateNetworkInterfacePermission"],
        resources=[network_interface_arns(stack)],
        conditions={"StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"}}))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PackageIndexBearerToken", actions=["sts:GetServiceBearerToken"], resources=["*"],
        conditions={"StringEquals": {"sts:AWSServiceName": "codeartifact.amazonaws.com"}}))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PackageIndexToken", actions=["codeartifact:GetAuthorizationToken"], resources=[domain.attr_arn]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PackageIndexRead", actions=["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"],
        resources=[package_repository.attr_arn]))


def network_interface_arns(stack: Stack) -> str:
    """This account's and region's network interfaces (where CodeBuild may attach a build)."""
    return f"arn:{stack.partition}:ec2:{stack.region}:{stack.account}:network-interface/*"


def grant_base_pull(role: baseline.PlatformRole, base_image: str) -> None:
    """Level 0 pulls its base: exactly that ECR repository. A base outside ECR needs no IAM permission (and is
    reachable from the isolated network only through a registry mirror the platform provides)."""
    stack = Stack.of(role)
    arn = uri.repository_arn(base_image, partition=stack.partition, account=stack.account, region=stack.region)
    if arn is not None:
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PullLevel0Base",
            actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            resources=[arn]))


def grant_level(role: baseline.PlatformRole, *, level: int, suffix: str, repository: ecr.IRepository,
                parameter: ssm.IStringParameter, published: Sequence[str],
                below: tuple[ecr.IRepository, ssm.IStringParameter] | None) -> None:
    """One level's build: push and gate its repository, publish its parameter (and ``published`` parameter
    names: the account's defaults for Level 1), and read the approved image of the level ``below``."""
    stack = Stack.of(role)
    role.add_to_principal_policy(iam.PolicyStatement(
        sid=sid(level, suffix, "PushAndGate"), actions=list(ECR_PUSH_AND_GATE_ACTIONS),
        resources=[repository.repository_arn]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid=sid(level, suffix, "Publish"), actions=["ssm:PutParameter"], resources=[parameter.parameter_arn] + [
            f"arn:{stack.partition}:ssm:{stack.region}:{stack.account}:parameter{name}" for name in published]))
    if below is not None:
        below_repository, below_parameter = below
        role.add_to_principal_policy(iam.PolicyStatement(
            sid=sid(level, suffix, "ReadBaseOf"), actions=list(ECR_PULL_ACTIONS),
            resources=[below_repository.repository_arn]))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid=sid(level, suffix, "ApprovedBaseOf"), actions=["ssm:GetParameter"],
            resources=[below_parameter.parameter_arn]))


def grant_start_build(role: baseline.PlatformRole, *, level: int, suffix: str, project_arn: str) -> None:
    role.add_to_principal_policy(iam.PolicyStatement(
        sid=sid(level, suffix, "Start"), actions=["codebuild:StartBuild"], resources=[project_arn]))


@jsii.implements(IValidation)
class PolicySizeValidation:
    """Deferred (``node.add_validation``): every level adds statements to the shared roles, so whether their
    policies fit IAM's limit is known only once the last project image is added — at synth."""

    def __init__(self, scope: Construct, policies: Mapping[str, iam.ManagedPolicy],
                 known: Callable[[Stack], Mapping[str, int]], projects: Callable[[], Sequence[str]]) -> None:
        self._scope = scope
        self._policies = policies
        self._known = known
        self._projects = projects

    def validate(self) -> list[str]:
        stack = Stack.of(self._scope)
        known = self._known(stack)
        errors: list[str] = []
        for label, policy in self._policies.items():
            document = stack.resolve(policy.document)
            size = policy_size.minimum_size(document, known=known)
            if size <= policy_size.MANAGED_POLICY_MAX_CHARACTERS:
                continue
            projects = list(self._projects())
            per_project = [policy_size.minimum_size(s, known=known) + 1 for s in document.get("Statement", [])
                           if "Level2" in str(s.get("Sid", ""))]
            fit = _projects_that_fit(size, per_project, len(projects))
            errors.append(Problem(
                f"project images ({label})", projects,
                f"the {label}'s permissions in one IAM managed policy of at most "
                f"{policy_size.MANAGED_POLICY_MAX_CHARACTERS} characters (IAM quota, white space not counted); "
                f"with {len(projects)} project images it needs at least {size}",
                f"add at most {fit} project images to this pipeline and the others to a second "
                "GoldenImagePipeline with its own name").render(self._scope.node.path))
        return errors


def _projects_that_fit(size: int, per_project: Sequence[int], projects: int) -> int:
    if not per_project or projects == 0:
        return projects
    shared = size - sum(per_project)
    each = sum(per_project) / projects
    return max(int((policy_size.MANAGED_POLICY_MAX_CHARACTERS - shared) // each), 0)
