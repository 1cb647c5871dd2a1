"""One level of the golden-image hierarchy: its ECR repository, its build-owned approved-image parameter, its own
build role and the CodeBuild project that builds, smoke-tests, scan-gates, signs and approves it.

Each level lives in its own scope (``Base``, ``Runtime``, ``<Lineage>/Base``, ``Project-<name>``) under the
pipeline; the children's ids (``Repository``, ``ApprovedImage``, ``BuildRole``, ``Build`` and the outputs) are part
of every deployed stack's logical ids.

**Builds run on CPU hosts.** A GPU is not needed to build a GPU image (CUDA comes with the base), and CodeBuild's
GPU environment with its managed image installs the NVIDIA container toolkit from the internet when the build
starts (``aws/codebuild/standard:7.0``'s ``dockerd-entrypoint.sh``, when ``CODEBUILD_GPU_BUILD`` is true), which
the isolated network cannot reach. So every level builds on ``LINUX_CONTAINER`` with ``aws/codebuild/standard:7.0``
and the smoke test checks the CUDA runtime's version; a CUDA *device* is checked only on a GPU host, when the
pipeline is given ``gpu_build_image`` — a build image of the platform's own in ECR with the toolkit preinstalled —
on which GPU lineages build on ``LINUX_GPU_CONTAINER``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_grant, acknowledge_resources
from platform_constructs.images import build as render
from platform_constructs.images import iam as images_iam
from platform_constructs.images.defaults import published_image
from platform_constructs.images.lineages import Lineage
from platform_constructs.images.parameters import build_owned_parameter, parameter_tags
from platform_constructs.images.settings import BUILD_TIMEOUT_MINUTES, SCAN_TIMEOUT_SECONDS, PipelineSettings
from platform_constructs.images.uri import ecr_registry

BUILD_IMAGE = "aws/codebuild/standard:7.0"
"""CodeBuild's curated build image (Docker, AWS CLI v2, Python 3), on CPU hosts."""
QUEUED_TIMEOUT_MINUTES = 480
APPROVED_PREFIX = "approved-"
BUILD_PREFIX = "build-"
NEVER_EXPIRE_COUNT = 20000
"""``approved-*`` images are selected first by a rule that keeps this many: no more images fit in a repository
(Amazon ECR service quotas, "Images per repository"), so it never expires one, and ECR's lifecycle evaluation lets
no lower-priority rule expire an image a higher-priority rule selected (Amazon ECR User Guide, "Lifecycle policy
evaluation rules")."""


@dataclass(frozen=True)
class ImageLevel:
    """One level of the hierarchy: what it builds into and where its approved image is published."""

    level: int
    name: str
    """The repository suffix: ``base``, ``runtime``, ``<lineage>/base``, ... or ``projects/<name>``."""
    lineage: Lineage
    repository: ecr.Repository
    project: codebuild.CfnProject
    parameter: ssm.StringParameter
    parameter_name: str
    """SSM parameter holding the approved image as ``repository@sha256:digest``."""
    role: baseline.PlatformRole
    """The level's own build role."""

    @property
    def repository_uri(self) -> str:
        return self.repository.repository_uri

    @property
    def image_uri(self) -> str:
        """The approved image, resolved by CloudFormation at deploy time from :attr:`parameter_name`."""
        return published_image(self.parameter_name)

    def grant_pull(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pull this level's images (``ecr:GetAuthorizationToken`` on ``*`` included, which IAM
        authorises on nothing narrower) and read which one is approved (its SSM parameter). No KMS permission is
        needed: ECR decrypts the layers with the grant it creates on the pipeline's key for the repository
        (Amazon ECR User Guide, "Encryption at rest")."""
        grant = self.repository.grant_pull(grantee)
        if grant.success:  # the registry login on "*" (decision's reason); the gate judges nothing else for it
            acknowledge_grant(grantee, "registry-login-grant")
        # not parameter.grant_read: CDK's adds ssm:DescribeParameters, which IAM authorises only on "*" (Service
        # Authorization Reference), so on the parameter's ARN it granted nothing
        return grant.combine(iam.Grant.add_to_principal(
            grantee=grantee, actions=["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"],
            resource_arns=[self.parameter.parameter_arn]))


@dataclass(frozen=True)
class LevelFoundation:
    """What every level's resources share: the pipeline's key, logs, network, package index, bucket and profile."""

    key: kms.IKey
    log_group: logs.ILogGroup
    vpc: ec2.IVpc
    subnet_ids: Sequence[str]
    security_group: ec2.ISecurityGroup
    events_role: baseline.PlatformRole
    package_index: Mapping[str, str]
    """``CODEARTIFACT_DOMAIN`` / ``CODEARTIFACT_OWNER`` / ``CODEARTIFACT_REPOSITORY`` for the builds that install."""
    package_index_arns: tuple[str, str]
    """The package index's domain and repository ARNs."""
    sbom_bucket: s3.IBucket
    signing_profile_arn: str
    tags: Mapping[str, str]
    removal_policy: RemovalPolicy
    empty_on_delete: bool


def create_level(scope: Construct, settings: PipelineSettings, foundation: LevelFoundation, *, level: int,
                 suffix: str, lineage: Lineage, files: Mapping[str, str], base_image: str | None = None,
                 base_origin: str = "", published: Sequence[str] = (), below: ImageLevel | None = None) -> ImageLevel:
    """The resources of one level in ``scope``. ``files`` are the level's own build-context files (Dockerfile,
    lock file); Level 0 pulls ``base_image``, a runtime also publishes the ``published`` parameters, and Levels 1
    and 2 build ``FROM`` the approved image of the level ``below``. ``base_origin`` says where Level 0's base is
    set (quoted when the build refuses a base pinned by tag)."""
    repository_name = settings.repository_name(suffix)
    repository = ecr.Repository(
        scope, "Repository",
        repository_name=repository_name,
        image_tag_mutability=ecr.TagMutability.IMMUTABLE,
        image_scan_on_push=True,
        encryption=ecr.RepositoryEncryption.KMS,
        encryption_key=foundation.key,
        removal_policy=foundation.removal_policy,
        empty_on_delete=foundation.empty_on_delete,
        lifecycle_rules=[
            ecr.LifecycleRule(description="Never expire an approved image", rule_priority=1,
                              tag_prefix_list=[APPROVED_PREFIX], max_image_count=NEVER_EXPIRE_COUNT),
            ecr.LifecycleRule(description=f"Keep the newest {settings.keep_images} build images",
                              rule_priority=2, tag_prefix_list=[BUILD_PREFIX], max_image_count=settings.keep_images),
        ],
    )
    parameter_name = settings.parameter_name(suffix)
    parameter = build_owned_parameter(
        scope, "ApprovedImage", name=parameter_name,
        description=f"Approved image of {repository_name} (repository@sha256:digest), written by its build")
    project_name = settings.project_name(suffix)
    role = images_iam.build_role(scope, project_name=project_name,
                                 description=f"golden image build of {repository_name}")
    _grant(role, settings, foundation, level=level, suffix=suffix, repository=repository,
           parameters=[parameter_name, *published], base_image=base_image, below=below,
           gpu_host=lineage.gpu and settings.gpu_build_image is not None)
    variables = _variables(settings, foundation, level=level, lineage=lineage, repository=repository,
                           repository_name=repository_name, parameter_name=parameter_name, published=published,
                           base_image=base_image, base_origin=base_origin, below=below)
    project = _project(scope, settings, foundation, level=level, lineage=lineage, name=project_name, role=role,
                       repository_name=repository_name, variables=variables, files=files)
    images_iam.grant_start_build(foundation.events_role, project_arns=[project.attr_arn],
                                 sid_name=images_iam.sid(level, suffix, "Start"))
    created = ImageLevel(level=level, name=suffix, lineage=lineage, repository=repository, project=project,
                         parameter=parameter, parameter_name=parameter_name, role=role)
    _outputs(scope, created)
    return created


def _grant(role: baseline.PlatformRole, settings: PipelineSettings, foundation: LevelFoundation, *, level: int,
           suffix: str, repository: ecr.Repository, parameters: Sequence[str], base_image: str | None,
           below: ImageLevel | None, gpu_host: bool) -> None:
    conditions = images_iam.grant_build_basics(role, key=foundation.key, log_group=foundation.log_group,
                                               vpc_id=foundation.vpc.vpc_id,
                                               security_group_id=foundation.security_group.security_group_id)
    if level > 0:
        domain_arn, repository_arn = foundation.package_index_arns
        images_iam.grant_package_index(role, domain_arn=domain_arn, repository_arn=repository_arn)
    evidence = foundation.sbom_bucket.arn_for_objects(f"{settings.repository_name(suffix)}/*")
    images_iam.grant_level(
        role, level=level, suffix=suffix, repository_arn=repository.repository_arn, parameter_names=parameters,
        sbom_objects=evidence,
        signing_profile_arn=foundation.signing_profile_arn,
        below=(below.repository.repository_arn, below.parameter_name) if below is not None else None)
    if base_image is not None:
        images_iam.grant_base_pull(role, base_image)
    if gpu_host and settings.gpu_build_image is not None:
        images_iam.grant_build_image_pull(role, settings.gpu_build_image)
    acknowledge_resources(role.policy, "image-build-evidence-prefix", [evidence])
    stack = Stack.of(role)
    acknowledge(role.policy, "image-build-service-wildcards")
    acknowledge_resources(role.policy, "codebuild-vpc-network-interfaces",
                          [images_iam.network_interface_arns(stack), images_iam.subnet_arns(stack)])
    if baseline.deploy_time_input(stack, foundation.vpc.vpc_id):  # e.g. the platform network's, read from SSM
        for condition in conditions:
            acknowledge(role.policy, "codebuild-vpc-deploy-time", resource=json.dumps(
                stack.resolve(condition), separators=(",", ":"), sort_keys=True))
    acknowledge(role.policy, "image-build-signing-status")


def _variables(settings: PipelineSettings, foundation: LevelFoundation, *, level: int, lineage: Lineage,
               repository: ecr.Repository, repository_name: str, parameter_name: str, published: Sequence[str],
               base_image: str | None, base_origin: str, below: ImageLevel | None) -> dict[str, str]:
    extra: dict[str, str] = {
        "PARAMETER_TAGS": parameter_tags(foundation.tags),
        "SBOM_BUCKET": foundation.sbom_bucket.bucket_name,
        "SBOM_KEY_ARN": foundation.key.key_arn,
        "SIGNING_PROFILE_ARN": foundation.signing_profile_arn,
        "SERVING": "1" if lineage.inference else "0",
    }
    if base_image is not None:
        extra.update({"BASE_IMAGE": base_image, "BASE_REGISTRY": ecr_registry(base_image) or "",
                      "BASE_POLICY_FIELD": base_origin})
    if published:
        extra["DEFAULT_PARAMETERS"] = " ".join(published)
    if below is not None:
        extra.update({"BASE_PARAMETER": below.parameter_name, "BASE_REPOSITORY_URI": below.repository_uri,
                      **foundation.package_index})
    return render.build_environment(
        level=level, repository_name=repository_name,
        repository_uri=repository.repository_uri, approved_parameter=parameter_name,
        block_severities=settings.block_severities, scan_timeout_seconds=SCAN_TIMEOUT_SECONDS, gpu=lineage.gpu,
        gpu_host=lineage.gpu and settings.gpu_build_image is not None, extra=extra)


def _project(scope: Construct, settings: PipelineSettings, foundation: LevelFoundation, *, level: int,
             lineage: Lineage, name: str, role: baseline.PlatformRole, repository_name: str,
             variables: Mapping[str, str], files: Mapping[str, str]) -> codebuild.CfnProject:
    context = render.build_context({
        **files,
        "smoke_test.py": render.template_text("smoke_test.py"),
        "serving_contract.py": render.template_text("serving_contract.py"),
        "build.sh": render.template_text("build.sh"),
    })
    gpu_host = lineage.gpu and settings.gpu_build_image is not None
    project = codebuild.CfnProject(
        scope, "Build",
        name=name,
        description=f"Builds, smoke-tests, scan-gates, signs and approves the Level {level} golden image "
                    f"{repository_name}",
        service_role=role.role_arn,
        encryption_key=foundation.key.key_arn,
        artifacts=codebuild.CfnProject.ArtifactsProperty(type="NO_ARTIFACTS"),
        source=codebuild.CfnProject.SourceProperty(type="NO_SOURCE", build_spec=render.buildspec(context)),
        environment=codebuild.CfnProject.EnvironmentProperty(
            type="LINUX_GPU_CONTAINER" if gpu_host else "LINUX_CONTAINER",
            compute_type="BUILD_GENERAL1_LARGE",
            image=settings.gpu_build_image if gpu_host and settings.gpu_build_image else BUILD_IMAGE,
            image_pull_credentials_type="SERVICE_ROLE" if gpu_host else "CODEBUILD",
            privileged_mode=True,
            environment_variables=[
                codebuild.CfnProject.EnvironmentVariableProperty(name=k, value=v, type="PLAINTEXT")
                for k, v in variables.items()
            ],
        ),
        vpc_config=codebuild.CfnProject.VpcConfigProperty(
            vpc_id=foundation.vpc.vpc_id, subnets=list(foundation.subnet_ids),
            security_group_ids=[foundation.security_group.security_group_id]),
        logs_config=codebuild.CfnProject.LogsConfigProperty(
            cloud_watch_logs=codebuild.CfnProject.CloudWatchLogsConfigProperty(
                status="ENABLED", group_name=foundation.log_group.log_group_name, stream_name=repository_name),
            s3_logs=codebuild.CfnProject.S3LogsConfigProperty(status="DISABLED")),
        timeout_in_minutes=BUILD_TIMEOUT_MINUTES[level],
        queued_timeout_in_minutes=QUEUED_TIMEOUT_MINUTES,
        concurrent_build_limit=1,
    )
    project.node.add_dependency(role.policy)
    acknowledge(project, "image-build-privileged")
    acknowledge(project, "image-build-no-source-repository")
    if gpu_host:
        acknowledge(project, "image-build-gpu-host")
    return project


def _outputs(scope: Construct, level: ImageLevel) -> None:
    CfnOutput(scope, "RepositoryUri", value=level.repository_uri,
              description=f"Level {level.level} {level.name} repository")
    CfnOutput(scope, "ApprovedImageParameter", value=level.parameter_name,
              description=f"SSM parameter holding the approved Level {level.level} {level.name} image")
    CfnOutput(scope, "BuildProject", value=level.project.ref,
              description=f"CodeBuild project of Level {level.level} {level.name} (start it for a first build)")
