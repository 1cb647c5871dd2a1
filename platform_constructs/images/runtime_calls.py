"""What CodeBuild, EventBridge and Amazon Inspector do with the roles and resources of
:class:`~platform_constructs.images.pipeline.GoldenImagePipeline`.

Every level has a **build role** of its own (:mod:`.iam`), assumed by CodeBuild for that level's project only
(``aws:SourceAccount`` and ``aws:SourceArn`` of the project). Its ``build.sh`` writes the build's logs, logs in to
ECR, pulls its base (Level 0: the AWS Deep Learning Container; Levels 1 and 2: the approved image of the level
below, found through its SSM parameter), reads the package index (CodeArtifact; Levels 1 and 2), pushes the image
to its own repository (ECR signs it on push with the pusher's ``signer:SignPayload``: managed signing), reads the
scan findings and coverage (Amazon Inspector) and the signing status, asks Inspector for the SBOM, writes the
approval record under its own repository's prefix of the SBOM bucket, and publishes the approved digest to its own
SSM parameter and tags it (a lineage's runtime also to its default-image parameter). Every value a call names is
read from the level's own project (its environment variables), so each role is checked against its own level.

What a build must not do: push to or publish over another level (the one it builds on, the one built on it, the
platform's default images for a project build), sign with another profile, write another level's records.

The **events role** is EventBridge's: the schedules and approval rules start the levels' builds, never with an
override of the project's build definition (:data:`.iam.DENIED_OVERRIDES`).

Amazon Inspector writes each SBOM export into the bucket itself, encrypted with the pipeline's key, for this
account's reports only (:mod:`.provenance`).
"""

from __future__ import annotations

from platform_constructs.images.lineages import (
    INFERENCE_CPU,
    INFERENCE_GPU,
    LINEAGES,
    TRAINING_CPU,
    TRAINING_GPU,
    Lineage,
)
from platform_constructs.runtime_calls import (
    Call,
    Join,
    Prop,
    RoleCalls,
    RuntimeTable,
    ServiceCalls,
    Sibling,
    Value,
    encrypted_log_group,
)

KEY = Sibling("Key", "AWS::KMS::Key")
LOGS = Sibling("BuildLogs", "AWS::Logs::LogGroup")
SBOMS = Sibling("Sboms", "AWS::S3::Bucket")
DOMAIN = Sibling("PackageDomain", "AWS::CodeArtifact::Domain")
PACKAGES = Sibling("PackageRepository", "AWS::CodeArtifact::Repository")
DEFAULTS = {lineage.key: Sibling(f"Default{title}Image", "AWS::SSM::Parameter") for lineage, title in (
    (TRAINING_GPU, "Training"), (TRAINING_CPU, "Batch"), (INFERENCE_GPU, "Inference"),
    (INFERENCE_CPU, "InferenceCpu"))}
"""Lineage key -> the account's default-image parameter its runtime publishes (``publish_defaults``)."""

OTHER_REPOSITORY = "scratch/unapproved-image"
OTHER_PARAMETER = "/platform/network/vpc-id"
OTHER_PROJECT = "another-team-build"
OTHER_PROFILE = "arn:{partition}:signer:{region}:{account}:/signing-profiles/another_team"
NETWORK_INTERFACE = "eni-0123456789abcdef0"
"""The build's network interface in the VPC (CodeBuild creates it per build)."""
DIGEST = "sha256-" + "0" * 64
"""The prefix of an image's evidence (``<repository>/sha256-<hex>/``)."""


def _env(project: Sibling, name: str) -> Prop:
    return Prop(project, f"Environment.EnvironmentVariables[Name={name}].Value")


def _build_trust(project: Sibling) -> dict[str, Value]:
    """What CodeBuild's AssumeRole carries: this account, the project (CodeBuild User Guide, "Cross-service
    confused deputy prevention")."""
    return {"aws:SourceAccount": "{account}",
            "aws:SourceArn": Join(("arn:{partition}:codebuild:{region}:{account}:project/", Prop(project, "Name")))}


def _level_calls(project: Sibling, repository: Value, parameter: Value) -> tuple[Call, ...]:
    """What every level's build does, and must not do, on its own resources."""
    push = tuple(Call(action, {"repository": repository}, does) for action, does in (
        ("ecr:InitiateLayerUpload", "starts uploading a layer of the image it built"),
        ("ecr:UploadLayerPart", "uploads the layer"),
        ("ecr:CompleteLayerUpload", "completes the layer upload"),
        ("ecr:BatchCheckLayerAvailability", "skips layers the repository already has"),
        ("ecr:PutImage", "pushes the image (ECR signs it on push) and later the approved-* tag"),
        ("ecr:DescribeImages", "reads the pushed digest"),
        ("ecr:DescribeImageScanFindings", "waits for the scan and reads its findings"),
        ("ecr:DescribeImageSigningStatus", "waits for ECR's managed signing to finish"),
        ("ecr:BatchGetImage", "reads the manifest to tag the approved digest"),
    ))
    record = Join((_env(project, "REPOSITORY_NAME"), f"/{DIGEST}/approval.json"))
    return (
        Call("logs:CreateLogStream", {"log_group": LOGS, "stream": "platform/runtime-calls"},
             "creates the build's log stream"),
        Call("logs:PutLogEvents", {"log_group": LOGS, "stream": "platform/runtime-calls"}, "writes the build log"),
        Call("kms:GenerateDataKey", {"key": KEY}, "encrypts the build's logs, cache and records with the key"),
        Call("kms:Decrypt", {"key": KEY}, "decrypts them"),
        Call("ecr:GetAuthorizationToken", {}, "logs in to ECR (docker login)"),
        *push,
        Call("signer:SignPayload", {"profile": _env(project, "SIGNING_PROFILE_ARN")},
             "signs the pushed image with the platform's profile (ECR managed signing, as the pusher)"),
        Call("inspector2:ListFindings", {"repository": repository},
             "reads the image's enhanced-scanning findings from Amazon Inspector"),
        Call("inspector2:ListCoverage", {"repository": repository}, "checks Inspector has scanned the image"),
        Call("inspector2:CreateSbomExport", {}, "asks Inspector for the approved image's SBOM"),
        Call("inspector2:GetSbomExport", {}, "waits for the SBOM export"),
        Call("s3:PutObject", {"bucket": SBOMS, "key": record}, "writes the approval record beside the SBOM"),
        Call("ssm:PutParameter", {"parameter": parameter, "value": repository},
             "publishes its approved digest to its own parameter"),
        Call("ssm:AddTagsToResource", {"parameter": parameter}, "tags its parameter with the platform's tags"),
        Call("ec2:CreateNetworkInterfacePermission", {"network_interface": NETWORK_INTERFACE},
             "lets CodeBuild attach the build's network interface in the VPC",
             context={"ec2:AuthorizedService": "codebuild.amazonaws.com"}),
        # refused
        Call("ecr:PutImage", {"repository": OTHER_REPOSITORY}, "pushes to a repository outside the pipeline",
             expect="deny"),
        Call("ssm:PutParameter", {"parameter": OTHER_PARAMETER, "value": repository},
             "writes a parameter outside the pipeline's", expect="deny"),
        Call("signer:SignPayload", {"profile": OTHER_PROFILE}, "signs with another signing profile", expect="deny"),
        Call("s3:PutObject", {"bucket": SBOMS, "key": f"platform/another-level/{DIGEST}/approval.json"},
             "writes an approval record under another repository's prefix", expect="deny"),
        Call("ec2:CreateNetworkInterfacePermission", {"network_interface": NETWORK_INTERFACE},
             "lets another service use a network interface", expect="deny",
             context={"ec2:AuthorizedService": "lambda.amazonaws.com"}),
    )


def _package_index_calls() -> tuple[Call, ...]:
    return (
        Call("sts:GetServiceBearerToken", {}, "gets a bearer token for the package index",
             context={"sts:AWSServiceName": "codeartifact.amazonaws.com"}),
        Call("codeartifact:GetAuthorizationToken", {"domain": DOMAIN}, "gets the package index's token"),
        Call("codeartifact:GetRepositoryEndpoint", {"package_repository": PACKAGES}, "finds the package index"),
        Call("codeartifact:ReadFromRepository", {"package_repository": PACKAGES}, "installs the pinned packages"),
    )


def _other_default(lineage: Lineage) -> Sibling:
    """A default-image parameter another lineage publishes (training's for inference, inference's for training)."""
    return DEFAULTS[INFERENCE_GPU.key if lineage.kind == "training" else TRAINING_GPU.key]


def lineage_roles(lineage: Lineage) -> tuple[RoleCalls, RoleCalls]:
    """The build roles of a lineage's Level 0 base and Level 1 runtime (only the lineages a pipeline builds)."""
    scope, default = lineage.scope_id, DEFAULTS[lineage.key]
    base_project = Sibling(f"{scope}BaseBuild", "AWS::CodeBuild::Project")
    base_repository = Sibling(f"{scope}BaseRepository", "AWS::ECR::Repository")
    base_parameter = Sibling(f"{scope}BaseApprovedImage", "AWS::SSM::Parameter")
    runtime_project = Sibling(f"{scope}RuntimeBuild", "AWS::CodeBuild::Project")
    runtime_repository = Sibling(f"{scope}RuntimeRepository", "AWS::ECR::Repository")
    runtime_parameter = Sibling(f"{scope}RuntimeApprovedImage", "AWS::SSM::Parameter")
    where = lineage.key
    base = RoleCalls(role=f"{scope}BaseBuildRole", service="codebuild.amazonaws.com", optional=True,
                     context=_build_trust(base_project), calls=(
        *_level_calls(base_project, base_repository, base_parameter),
        Call("ecr:BatchGetImage", {"image": _env(base_project, "BASE_IMAGE")},
             f"pulls the {where} Level 0 base, an AWS Deep Learning Container"),
        Call("ssm:PutParameter", {"parameter": default, "value": base_repository},
             f"the {where} base publishes the platform's default image", expect="deny", when=Prop(default, "Name")),
        Call("ecr:PutImage", {"repository": runtime_repository},
             f"the {where} base pushes to the runtime built on it", expect="deny"),
    ))
    runtime = RoleCalls(role=f"{scope}RuntimeBuildRole", service="codebuild.amazonaws.com", optional=True,
                        context=_build_trust(runtime_project), calls=(
        *_level_calls(runtime_project, runtime_repository, runtime_parameter),
        *_package_index_calls(),
        Call("ssm:GetParameter", {"parameter": base_parameter}, f"the {where} runtime finds its approved base"),
        Call("ecr:BatchGetImage", {"repository": base_repository}, f"the {where} runtime pulls its base"),
        Call("ssm:PutParameter", {"parameter": default, "value": runtime_repository},
             f"the {where} runtime publishes the platform's default image", when=Prop(default, "Name")),
        Call("ssm:AddTagsToResource", {"parameter": default}, f"the {where} runtime tags the default image's "
             "parameter", when=Prop(default, "Name")),
        Call("ecr:PutImage", {"repository": base_repository}, f"the {where} runtime pushes over its base",
             expect="deny"),
        Call("ssm:PutParameter", {"parameter": base_parameter, "value": runtime_repository},
             f"the {where} runtime publishes over its base's approval", expect="deny"),
        Call("ssm:PutParameter", {"parameter": _other_default(lineage), "value": runtime_repository},
             f"the {where} runtime publishes another lineage's default image", expect="deny",
             when=Prop(_other_default(lineage), "Name")),
    ))
    return base, runtime


PROJECT = Sibling("Project{project}Build", "AWS::CodeBuild::Project")
PROJECT_REPOSITORY = Sibling("Project{project}Repository", "AWS::ECR::Repository")
PROJECT_PARAMETER = Sibling("Project{project}ApprovedImage", "AWS::SSM::Parameter")
BELOW = _env(PROJECT, "BASE_REPOSITORY_URI")
"""The repository of the runtime a project image is built on."""

PROJECT_ROLE = RoleCalls(role="Project{project}BuildRole", service="codebuild.amazonaws.com", optional=True,
                         context=_build_trust(PROJECT), calls=(
    *_level_calls(PROJECT, PROJECT_REPOSITORY, PROJECT_PARAMETER),
    *_package_index_calls(),
    Call("ssm:GetParameter", {"parameter": _env(PROJECT, "BASE_PARAMETER")}, "a project build finds its runtime"),
    Call("ecr:BatchGetImage", {"image": BELOW}, "a project build pulls its runtime"),
    # refused: a project's build cannot change what every other consumer runs
    *(Call("ssm:PutParameter", {"parameter": default, "value": PROJECT_REPOSITORY},
           f"a project build publishes the platform's {key} default image", expect="deny", when=Prop(default, "Name"))
      for key, default in DEFAULTS.items()),
    Call("ecr:PutImage", {"image": BELOW}, "a project build pushes over its runtime", expect="deny"),
    Call("ssm:PutParameter", {"parameter": _env(PROJECT, "BASE_PARAMETER"), "value": PROJECT_REPOSITORY},
         "a project build publishes over its runtime's approval", expect="deny"),
))

RULE = Sibling("{rule}Schedule", "AWS::Events::Rule")
LEVEL_PROJECT = Sibling("{level}Build", "AWS::CodeBuild::Project")
EVENTS_ROLE = RoleCalls(role="EventsRole", service="events.amazonaws.com", context={
    "aws:SourceAccount": "{account}",
    "aws:SourceArn": Join(("arn:{partition}:events:{region}:{account}:rule/", Prop(RULE, "Name")))}, calls=(
    Call("codebuild:StartBuild", {"project": LEVEL_PROJECT}, "starts a level's build on its schedule or approval rule"),
    Call("codebuild:StartBuild", {"project": OTHER_PROJECT}, "starts a build outside the pipeline",
         expect="deny"),
    Call("codebuild:StartBuild", {"project": LEVEL_PROJECT}, "starts a level's build with another base image",
         expect="deny", context={"codebuild:environment.image": "public.ecr.aws/docker/library/ubuntu:latest"}),
    Call("codebuild:StartBuild", {"project": LEVEL_PROJECT}, "starts a level's build with another buildspec",
         expect="deny", context={"codebuild:source.buildspec": "version: 0.2"}),
))

_REPORT = "arn:{partition}:inspector2:{region}:{account}:report/runtime-calls"
_SBOM = f"platform/golden/runtime/{DIGEST}/sbom.spdx.json"
SBOM_EXPORTS = ServiceCalls("inspector2.amazonaws.com", calls=(
    Call("s3:PutObject", {"bucket": SBOMS, "key": _SBOM}, "writes an image's SBOM export",
         context={"aws:SourceArn": _REPORT}),
    Call("kms:GenerateDataKey", {"key": KEY}, "encrypts the SBOM export with the pipeline's key",
         context={"aws:SourceArn": _REPORT}),
    Call("s3:PutObject", {"bucket": SBOMS, "key": _SBOM}, "writes another account's SBOM export", expect="deny",
         context={"aws:SourceAccount": "999999999999",
                  "aws:SourceArn": "arn:{partition}:inspector2:{region}:999999999999:report/other"}),
    Call("kms:GenerateDataKey", {"key": KEY}, "uses the key for another account's export", expect="deny",
         context={"aws:SourceAccount": "999999999999",
                  "aws:SourceArn": "arn:{partition}:inspector2:{region}:999999999999:report/other"}),
))
"""Amazon Inspector's ``CreateSbomExport`` writes to the bucket as itself (Amazon Inspector User Guide, "Exporting
SBOMs": the bucket policy and the key policy must allow ``inspector2.amazonaws.com``)."""

PIPELINE_CALLS = RuntimeTable(
    construct="GoldenImagePipeline",
    anchor=Sibling("PackageDomain", "AWS::CodeArtifact::Domain"),  # its own (Batch's guardrail has an EventsRole)
    roles=(*(role for lineage in LINEAGES for role in lineage_roles(lineage)), PROJECT_ROLE, EVENTS_ROLE),
    services=(encrypted_log_group(KEY, LOGS), SBOM_EXPORTS),
)
"""The golden-image pipeline's runtime calls."""

TABLES = (PIPELINE_CALLS,)
