"""One level of the golden-image hierarchy: its ECR repository, its approved-image SSM parameter and the CodeBuild
project that builds, smoke-tests and scan-gates it (with the level's permissions on the shared build role).

Each level lives in its own scope (``Base``, ``Runtime``, ``Project-<name>``) under the pipeline; the children's
ids (``Repository``, ``ApprovedImage``, ``Build`` and the outputs) are part of every deployed stack's logical ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_grant
from platform_constructs.images import build as render
from platform_constructs.images import iam as images_iam
from platform_constructs.images.defaults import published_image
from platform_constructs.images.settings import (
    BUILD_TIMEOUT_MINUTES,
    PENDING_VALUE,
    SCAN_TIMEOUT_SECONDS,
    PipelineSettings,
)
from platform_constructs.images.uri import ecr_registry

BUILD_IMAGE = "aws/codebuild/standard:7.0"
"""CodeBuild's curated build image (Docker, AWS CLI v2, Python 3)."""
QUEUED_TIMEOUT_MINUTES = 480


@dataclass(frozen=True)
class ImageLevel:
    """One level of the hierarchy: what it builds into and where its approved image is published."""

    level: int
    name: str
    """The repository suffix: ``base``, ``runtime`` or ``projects/<name>``."""
    repository: ecr.Repository
    project: codebuild.CfnProject
    parameter: ssm.StringParameter
    parameter_name: str
    """SSM parameter holding the approved image as ``repository@sha256:digest``."""

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
    """What every level's resources share: the pipeline's key, logs, network, package index and roles."""

    key: kms.IKey
    log_group: logs.ILogGroup
    vpc: ec2.IVpc
    subnet_ids: Sequence[str]
    security_group: ec2.ISecurityGroup
    build_role: baseline.PlatformRole
    events_role: baseline.PlatformRole
    package_index: Mapping[str, str]
    """``CODEARTIFACT_DOMAIN`` / ``CODEARTIFACT_OWNER`` / ``CODEARTIFACT_REPOSITORY`` for the builds that install."""
    removal_policy: RemovalPolicy
    empty_on_delete: bool


def create_level(scope: Construct, settings: PipelineSettings, foundation: LevelFoundation, *, level: int,
                 suffix: str, files: Mapping[str, str], base_image: str | None = None,
                 published: Sequence[str] = (), below: ImageLevel | None = None) -> ImageLevel:
    """The resources of one level in ``scope``. ``files`` are the level's own build-context files (Dockerfile,
    requirements); Level 0 pulls ``base_image``, Level 1 also publishes the ``published`` parameters, and Levels 1
    and 2 build ``FROM`` the approved image of the level ``below``."""
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
            ecr.LifecycleRule(description="Expire untagged layers of superseded pushes after a day",
                              rule_priority=1, tag_status=ecr.TagStatus.UNTAGGED, max_image_age=Duration.days(1)),
            ecr.LifecycleRule(description=f"Keep the newest {settings.keep_images} images",
                              rule_priority=2, tag_status=ecr.TagStatus.ANY, max_image_count=settings.keep_images),
        ],
    )
    parameter_name = settings.parameter_name(suffix)
    parameter = ssm.StringParameter(
        scope, "ApprovedImage", parameter_name=parameter_name, string_value=PENDING_VALUE,
        description=f"Approved Level {level} image ({repository_name}@sha256:...), written by its build "
                    "after the scan gate")
    context = render.build_context({
        **files,
        "smoke_test.py": render.template_text("smoke_test.py"),
        "build.sh": render.template_text("build.sh"),
    })
    extra: dict[str, str] = {}
    if base_image is not None:
        extra.update({"BASE_IMAGE": base_image, "BASE_REGISTRY": ecr_registry(base_image) or ""})
    if level == 1:
        extra["DEFAULT_PARAMETERS"] = " ".join(published)
    if below is not None:
        extra.update({"BASE_PARAMETER": below.parameter_name, "BASE_REPOSITORY_URI": below.repository_uri,
                      **foundation.package_index})
    variables = render.build_environment(
        level=level, repository_name=repository_name, repository_uri=repository.repository_uri,
        approved_parameter=parameter_name, block_severities=settings.block_severities,
        scan_timeout_seconds=SCAN_TIMEOUT_SECONDS, gpu=settings.gpu, extra=extra)
    role = foundation.build_role
    images_iam.grant_level(role, level=level, suffix=suffix, repository=repository, parameter=parameter,
                           published=published,
                           below=(below.repository, below.parameter) if below is not None else None)
    project = codebuild.CfnProject(
        scope, "Build",
        description=f"Builds, smoke-tests and scan-gates the Level {level} golden image {repository_name}",
        service_role=role.role_arn,
        encryption_key=foundation.key.key_arn,
        artifacts=codebuild.CfnProject.ArtifactsProperty(type="NO_ARTIFACTS"),
        source=codebuild.CfnProject.SourceProperty(type="NO_SOURCE", build_spec=render.buildspec(context)),
        environment=codebuild.CfnProject.EnvironmentProperty(
            type="LINUX_GPU_CONTAINER" if settings.gpu else "LINUX_CONTAINER",
            compute_type="BUILD_GENERAL1_LARGE",
            image=BUILD_IMAGE,
            image_pull_credentials_type="CODEBUILD",
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
    images_iam.grant_start_build(foundation.events_role, level=level, suffix=suffix, project_arn=project.attr_arn)
    created = ImageLevel(level=level, name=suffix, repository=repository, project=project, parameter=parameter,
                         parameter_name=parameter_name)
    _outputs(scope, created)
    return created


def _outputs(scope: Construct, level: ImageLevel) -> None:
    CfnOutput(scope, "RepositoryUri", value=level.repository_uri,
              description=f"Level {level.level} {level.name} repository")
    CfnOutput(scope, "ApprovedImageParameter", value=level.parameter_name,
              description=f"SSM parameter holding the approved Level {level.level} {level.name} image")
    CfnOutput(scope, "BuildProject", value=level.project.ref,
              description=f"CodeBuild project of Level {level.level} {level.name} (start it for a first build)")
