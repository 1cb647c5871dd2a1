"""The pipeline's roles and their permissions: one build role per level (its CodeBuild project's), the events role
(schedules and approvals start builds), the start-build grant that refuses overrides, and the deferred check that
every policy fits IAM's size limit.

* **A role per level.** A level's build can push only its own repository, publish only its own parameter (and, for
  a runtime, its lineage's default-image parameter), read only the approved image of the level below — so a
  project (Level 2) build cannot poison a platform default or the base and runtime repositories.
* **Confused deputy.** Each build role trusts ``codebuild.amazonaws.com`` only for its own project
  (``aws:SourceArn`` = the project's ARN, built from its fixed name; ``aws:SourceAccount``: AWS CodeBuild User
  Guide, "Cross-service confused deputy prevention"); the events role trusts ``events.amazonaws.com`` only for the
  pipeline's rules (``aws:SourceArn`` ``rule/<name>-img-*``, ``aws:SourceAccount``).
* **No overrides.** ``codebuild:StartBuild`` is granted with explicit denies for every request that overrides the
  project: CodeBuild's ``StartBuild`` condition keys (Service Authorization Reference, "Actions, resources, and
  condition keys for AWS CodeBuild") include one per override field, present only when the request overrides it
  (``Null`` false: AWS CodeBuild User Guide, "AWS CodeBuild condition keys"), so a buildspec, image, privileged
  mode, environment variable, role, source, key, logs, cache or artifacts override is refused.

Every other statement is scoped to the ARN it needs (the network-interface actions to the pipeline's VPC); the only
``*`` resources are actions IAM authorises on nothing else (acknowledged on each role,
``image-build-service-wildcards``). Statement ids carry the level and its repository suffix, so a policy diff names
the level it changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsii
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct, IValidation

from platform_constructs import baseline
from platform_constructs.errors import Problem
from platform_constructs.images import policy_size, uri

ECR_PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
"""What pulling an image needs on its repository (besides ``ecr:GetAuthorizationToken`` on ``*``)."""
ECR_PUSH_AND_GATE_ACTIONS = (
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
    "ecr:DescribeImageScanFindings", "ecr:DescribeImageSigningStatus", "ecr:DescribeImages",
    "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart")
"""A level's build on its own repository: push (and ECR managed signing's signature upload, which uses the pushing
identity: Amazon ECR User Guide, "Managed signing"), read the scan findings and the signing status, add the
``approved-*`` tag."""
VPC_DESCRIBE_ACTIONS = ("ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                        "ec2:DescribeSubnets", "ec2:DescribeVpcs")
"""What CodeBuild reads to attach a build to the VPC; no resource types (Service Authorization Reference)."""
INSPECTOR_ACTIONS = ("inspector2:CreateSbomExport", "inspector2:GetSbomExport", "inspector2:ListCoverage",
                     "inspector2:ListFindings")
"""Enhanced scanning's findings and coverage (ECR reads them from Inspector for ``DescribeImageScanFindings``) and
the SBOM export; Inspector authorises none of them on a resource narrower than ``*``."""
DENIED_OVERRIDES = (
    "codebuild:source.buildspec", "codebuild:source.location", "codebuild:environment.image",
    "codebuild:environment.privilegedMode", "codebuild:environment.environmentVariables",
    "codebuild:environment.type", "codebuild:environment.computeType", "codebuild:serviceRole",
    "codebuild:encryptionKey", "codebuild:logsConfig", "codebuild:cache", "codebuild:artifacts",
    "codebuild:secondarySources",
)
"""``StartBuild`` condition keys of the override fields a caller must never send (each present only when the
request sets the field): buildspec, source, image, privileged mode, environment variables, environment type and
compute, service role, key, logs, cache, artifacts, secondary sources."""


def sid(level: int, suffix: str, purpose: str) -> str:
    """``<purpose>Level<level><Suffix>``, e.g. ``PushAndGateLevel2ProjectsRecs``."""
    return f"{purpose}Level{level}" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", suffix))


def project_arn(stack: Stack, project_name: str) -> str:
    return f"arn:{stack.partition}:codebuild:{stack.region}:{stack.account}:project/{project_name}"


def build_role(scope: Construct, *, project_name: str, description: str) -> baseline.PlatformRole:
    """The role of one level's CodeBuild project, assumable by CodeBuild for that project only."""
    stack = Stack.of(scope)
    principal = iam.ServicePrincipal("codebuild.amazonaws.com", conditions={
        "StringEquals": {"aws:SourceAccount": stack.account},
        "ArnEquals": {"aws:SourceArn": project_arn(stack, project_name)}})
    return baseline.platform_role(scope, "BuildRole", assumed_by=principal, description=description)


def rule_arn_pattern(stack: Stack, rule_prefix: str) -> str:
    return f"arn:{stack.partition}:events:{stack.region}:{stack.account}:rule/{rule_prefix}*"


def events_role(scope: Construct, *, rule_prefix: str) -> baseline.PlatformRole:
    """The role EventBridge uses to start the builds, assumable by EventBridge for the pipeline's rules only."""
    stack = Stack.of(scope)
    principal = iam.ServicePrincipal("events.amazonaws.com", conditions={
        "StringEquals": {"aws:SourceAccount": stack.account},
        "ArnLike": {"aws:SourceArn": rule_arn_pattern(stack, rule_prefix)}})
    return baseline.platform_role(scope, "EventsRole", assumed_by=principal,
                                  description=f"starts the golden image builds of {scope.node.path}")


def grant_build_basics(role: baseline.PlatformRole, *, key: kms.IKey, log_group: logs.ILogGroup, vpc_id: str,
                       security_group_id: str) -> list[dict[str, Any]]:
    """What every build needs: its logs, the key, registry login, findings and SBOMs, a network interface in the
    pipeline's VPC (``vpc_id``, with the build's security group). Returns the ``ec2:Vpc`` conditions of the
    network-interface statements (an acknowledgment names each when the VPC is known only at deploy time)."""
    stack = Stack.of(role)
    log_group.grant_write(role)
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="BuildEncryption", actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        resources=[key.key_arn]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="EcrLogin", actions=["ecr:GetAuthorizationToken"], resources=["*"]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="ScanFindingsAndSbom", actions=list(INSPECTOR_ACTIONS), resources=["*"]))
    # CodeBuild in a VPC: the actions of the AWS CodeBuild User Guide, "Allow CodeBuild access to AWS services
    # required to create a VPC network interface". Its Describe* actions have no resource types; the
    # network-interface actions are scoped as the Service Authorization Reference allows (parliament 1.6.4's
    # catalogue of it): CreateNetworkInterface on the new interface, the subnet and the security group, whose
    # ec2:Vpc key must be the pipeline's VPC (the interface being created carries none: ...IfExists);
    # DeleteNetworkInterface on interfaces whose ec2:Vpc is that VPC.
    vpc_arn = stack.format_arn(service="ec2", resource="vpc", resource_name=vpc_id)
    create = {"ArnEqualsIfExists": {"ec2:Vpc": vpc_arn}}
    delete = {"ArnEquals": {"ec2:Vpc": vpc_arn}}
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="CodeBuildVpcDescribe", actions=list(VPC_DESCRIBE_ACTIONS), resources=["*"]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="CodeBuildCreateNetworkInterfaces", actions=["ec2:CreateNetworkInterface"],
        resources=[network_interface_arns(stack), subnet_arns(stack),
                   stack.format_arn(service="ec2", resource="security-group", resource_name=security_group_id)],
        conditions=create))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="CodeBuildDeleteNetworkInterfaces", actions=["ec2:DeleteNetworkInterface"],
        resources=[network_interface_arns(stack)], conditions=delete))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="CodeBuildVpcNetworkInterfacePermission", actions=["ec2:CreateNetworkInterfacePermission"],
        resources=[network_interface_arns(stack)],
        conditions={"StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"}}))
    return [create, delete]


def grant_package_index(role: baseline.PlatformRole, *, domain_arn: str, repository_arn: str) -> None:
    """Levels 1 and 2 install from the package index: its token (through STS, for CodeArtifact only) and reads."""
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PackageIndexBearerToken", actions=["sts:GetServiceBearerToken"], resources=["*"],
        conditions={"StringEquals": {"sts:AWSServiceName": "codeartifact.amazonaws.com"}}))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PackageIndexToken", actions=["codeartifact:GetAuthorizationToken"], resources=[domain_arn]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="PackageIndexRead", actions=["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"],
        resources=[repository_arn]))


def network_interface_arns(stack: Stack) -> str:
    """This account's and region's network interfaces (where CodeBuild may attach a build)."""
    return f"arn:{stack.partition}:ec2:{stack.region}:{stack.account}:network-interface/*"


def subnet_arns(stack: Stack) -> str:
    """This account's and region's subnets (narrowed by the statement's ``ec2:Vpc`` condition)."""
    return f"arn:{stack.partition}:ec2:{stack.region}:{stack.account}:subnet/*"


def parameter_arn(stack: Stack, name: str) -> str:
    return f"arn:{stack.partition}:ssm:{stack.region}:{stack.account}:parameter{name}"


def grant_base_pull(role: baseline.PlatformRole, base_image: str) -> None:
    """Level 0 pulls its base: exactly that ECR repository. A base outside ECR needs no IAM permission (and is
    reachable from the isolated network only through a registry mirror the platform provides)."""
    stack = Stack.of(role)
    arn = uri.repository_arn(base_image, partition=stack.partition, account=stack.account, region=stack.region)
    if arn is not None:
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PullLevel0Base", actions=list(ECR_PULL_ACTIONS), resources=[arn]))


def grant_build_image_pull(role: baseline.PlatformRole, image: str) -> None:
    """CodeBuild pulls a custom build image with the project's role (``SERVICE_ROLE`` credentials)."""
    stack = Stack.of(role)
    arn = uri.repository_arn(image, partition=stack.partition, account=stack.account, region=stack.region)
    if arn is not None:
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PullBuildImage", actions=list(ECR_PULL_ACTIONS), resources=[arn]))


def grant_level(role: baseline.PlatformRole, *, level: int, suffix: str, repository_arn: str,
                parameter_names: Sequence[str], sbom_objects: str, signing_profile_arn: str,
                below: tuple[str, str] | None) -> None:
    """One level's build: push, gate and sign its repository, publish and tag its parameters
    (``parameter_names``: its own and, for a runtime, its lineage's default-image parameter), write its approval
    record beside its SBOMs (``sbom_objects``), and read the approved image of the level ``below`` (repository ARN,
    parameter name)."""
    stack = Stack.of(role)
    role.add_to_principal_policy(iam.PolicyStatement(
        sid=sid(level, suffix, "PushAndGate"), actions=list(ECR_PUSH_AND_GATE_ACTIONS), resources=[repository_arn]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid=sid(level, suffix, "Sign"), actions=["signer:SignPayload"], resources=[signing_profile_arn]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid=sid(level, suffix, "Publish"), actions=["ssm:AddTagsToResource", "ssm:PutParameter"],
        resources=[parameter_arn(stack, name) for name in parameter_names]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid=sid(level, suffix, "RecordApproval"), actions=["s3:PutObject"], resources=[sbom_objects]))
    if below is not None:
        below_repository, below_parameter = below
        role.add_to_principal_policy(iam.PolicyStatement(
            sid=sid(level, suffix, "ReadBaseOf"), actions=list(ECR_PULL_ACTIONS), resources=[below_repository]))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid=sid(level, suffix, "ApprovedBaseOf"), actions=["ssm:GetParameter"],
            resources=[parameter_arn(stack, below_parameter)]))


def grant_start_build(grantee: iam.IGrantable, *, project_arns: Sequence[str], sid_name: str) -> None:
    """Let ``grantee`` start the builds of ``project_arns`` (the denies of :func:`deny_overrides` apply)."""
    grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
        sid=sid_name, actions=["codebuild:StartBuild"], resources=list(project_arns)))


def deny_overrides(grantee: iam.IGrantable, *, projects: str) -> None:
    """Refuse every ``StartBuild`` of ``projects`` (an ARN or ARN pattern) that overrides the project
    (:data:`DENIED_OVERRIDES`), one deny per key: ``Null`` with several keys would deny only a request that
    overrides all of them."""
    for key in DENIED_OVERRIDES:
        name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", key.split(":", 1)[1]))
        grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
            sid=f"DenyOverride{name}", effect=iam.Effect.DENY, actions=["codebuild:StartBuild"],
            resources=[projects], conditions={"Null": {key: "false"}}))


def projects_pattern(stack: Stack, pipeline_name: str) -> str:
    """Every CodeBuild project of the pipeline ``pipeline_name`` (named ``<name>-<level suffix>``)."""
    return project_arn(stack, f"{pipeline_name}-*")


@jsii.implements(IValidation)
class PolicySizeValidation:
    """Deferred (``node.add_validation``): project images add statements to the events role and roles to the
    pipeline, so whether every policy fits IAM's limit is known only once the last project image is added."""

    def __init__(self, scope: Construct, policies: Callable[[], Mapping[str, iam.ManagedPolicy]],
                 known: Callable[[Stack], Mapping[str, int]], projects: Callable[[], Sequence[str]]) -> None:
        self._scope = scope
        self._policies = policies
        self._known = known
        self._projects = projects

    def validate(self) -> list[str]:
        stack = Stack.of(self._scope)
        known = self._known(stack)
        errors: list[str] = []
        for label, policy in self._policies().items():
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
