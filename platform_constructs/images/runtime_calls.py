"""What CodeBuild and EventBridge do with :class:`~platform_constructs.images.pipeline.GoldenImagePipeline`'s roles.

* The **build role** is every level's CodeBuild project's (``build.sh``): it writes the build's logs, logs in to
  ECR, pulls its base (Level 0: the AWS Deep Learning Container; Levels 1 and 2: the approved image of the
  level below, found through its SSM parameter), reads the package index (CodeArtifact), pushes the image to
  its own repository, reads the scan findings (``ecr:DescribeImageScanFindings``; with enhanced scanning the
  findings come from Amazon Inspector, ``inspector2:ListFindings`` and ``inspector2:ListCoverage``, ECR user
  guide "Scan images for software vulnerabilities"), tags the approved digest and publishes it to its own
  SSM parameter (the runtime level also to the platform's default-image parameters).
* The **events role** is EventBridge's: the schedules and approval rules start the levels' builds.

A project (Level 2) build must not write a platform default-image parameter or push to the base repository.
Today one build role serves every level, so it can: those negative calls are known gaps of issue 13 (a role
per level).
"""

from __future__ import annotations

from platform_constructs.runtime_calls import Call, Prop, RoleCalls, RuntimeTable, Sibling, encrypted_log_group

KEY = Sibling("Key", "AWS::KMS::Key")
LOGS = Sibling("BuildLogs", "AWS::Logs::LogGroup")
REPOSITORY = Sibling("{level}Repository", "AWS::ECR::Repository")
PARAMETER = Sibling("{level}ApprovedImage", "AWS::SSM::Parameter")
BASE_REPOSITORY = Sibling("BaseRepository", "AWS::ECR::Repository")
BASE_PARAMETER = Sibling("BaseApprovedImage", "AWS::SSM::Parameter")
RUNTIME_REPOSITORY = Sibling("RuntimeRepository", "AWS::ECR::Repository")
RUNTIME_PARAMETER = Sibling("RuntimeApprovedImage", "AWS::SSM::Parameter")
PROJECT_REPOSITORY = Sibling("Project{project}Repository", "AWS::ECR::Repository")
DEFAULTS = tuple(Sibling(f"Default{purpose}Image", "AWS::SSM::Parameter")
                 for purpose in ("Inference", "Training", "Batch"))
DLC_BASE = Prop(Sibling("BaseBuild", "AWS::CodeBuild::Project"),
                "Environment.EnvironmentVariables[Name=BASE_IMAGE].Value")
DOMAIN = Sibling("PackageDomain", "AWS::CodeArtifact::Domain")
PACKAGES = Sibling("PackageRepository", "AWS::CodeArtifact::Repository")
PROJECT = Sibling("{level}Build", "AWS::CodeBuild::Project")
GAP = "issue 13: one build role serves every level"

OTHER_REPOSITORY = "scratch/unapproved-image"
OTHER_PARAMETER = "/platform/network/vpc-id"
OTHER_PROJECT = "another-team-build"
NETWORK_INTERFACE = "eni-0123456789abcdef0"
"""The build's network interface in the VPC (CodeBuild creates it per build)."""

_PUSH = tuple(Call(action, {"repository": REPOSITORY}, does) for action, does in (
    ("ecr:InitiateLayerUpload", "starts uploading a layer of the image it built"),
    ("ecr:UploadLayerPart", "uploads the layer"),
    ("ecr:CompleteLayerUpload", "completes the layer upload"),
    ("ecr:BatchCheckLayerAvailability", "skips layers the repository already has"),
    ("ecr:PutImage", "pushes the image manifest (and later the approved-* tag)"),
    ("ecr:DescribeImages", "reads the pushed digest"),
    ("ecr:DescribeImageScanFindings", "waits for the scan and reads its findings"),
    ("ecr:BatchGetImage", "reads the manifest to tag the approved digest"),
))

BUILD_ROLE = RoleCalls(role="BuildRole", service="codebuild.amazonaws.com", calls=(
    Call("logs:CreateLogStream", {"log_group": LOGS, "stream": "platform/runtime-calls"},
         "creates the build's log stream"),
    Call("logs:PutLogEvents", {"log_group": LOGS, "stream": "platform/runtime-calls"}, "writes the build log"),
    Call("kms:GenerateDataKey", {"key": KEY}, "encrypts the build's logs and cache with the pipeline key"),
    Call("kms:Decrypt", {"key": KEY}, "decrypts them"),
    Call("ecr:GetAuthorizationToken", {}, "logs in to ECR (docker login)"),
    Call("ecr:BatchGetImage", {"image": DLC_BASE}, "pulls the Level 0 base, an AWS Deep Learning Container"),
    *_PUSH,
    Call("inspector2:ListFindings", {"repository": REPOSITORY},
         "reads the image's enhanced-scanning findings from Amazon Inspector"),
    Call("inspector2:ListCoverage", {"repository": REPOSITORY}, "checks Inspector has scanned the image"),
    Call("ssm:PutParameter", {"parameter": PARAMETER, "value": REPOSITORY},
         "publishes its approved digest to its own parameter"),
    *(Call("ssm:PutParameter", {"parameter": default, "value": RUNTIME_REPOSITORY},
           "the runtime build publishes the platform's default image", when=Prop(default, "Name"))
      for default in DEFAULTS),
    Call("ssm:GetParameter", {"parameter": BASE_PARAMETER}, "the runtime build finds its approved base"),
    Call("ecr:BatchGetImage", {"repository": BASE_REPOSITORY}, "the runtime build pulls its base"),
    Call("ssm:GetParameter", {"parameter": RUNTIME_PARAMETER}, "a project build finds its approved base"),
    Call("ecr:BatchGetImage", {"repository": RUNTIME_REPOSITORY}, "a project build pulls its base"),
    Call("ec2:CreateNetworkInterfacePermission", {"network_interface": NETWORK_INTERFACE},
         "lets CodeBuild attach the build's network interface in the VPC",
         context={"ec2:AuthorizedService": "codebuild.amazonaws.com"}),
    Call("sts:GetServiceBearerToken", {}, "gets a bearer token for the package index",
         context={"sts:AWSServiceName": "codeartifact.amazonaws.com"}),
    Call("codeartifact:GetAuthorizationToken", {"domain": DOMAIN}, "gets the package index's token"),
    Call("codeartifact:GetRepositoryEndpoint", {"package_repository": PACKAGES}, "finds the package index"),
    Call("codeartifact:ReadFromRepository", {"package_repository": PACKAGES}, "installs the pinned packages"),
    # refused
    *(Call("ssm:PutParameter", {"parameter": default, "value": PROJECT_REPOSITORY},
           "a project build publishes a platform default image", expect="deny", known_gap=GAP,
           when=Prop(default, "Name")) for default in DEFAULTS[:1]),
    Call("ecr:PutImage", {"repository": BASE_REPOSITORY}, "a project build pushes to the base repository",
         expect="deny", known_gap=GAP),
    Call("ecr:PutImage", {"repository": OTHER_REPOSITORY}, "pushes to a repository outside the pipeline",
         expect="deny"),
    Call("ssm:PutParameter", {"parameter": OTHER_PARAMETER, "value": BASE_REPOSITORY},
         "writes a parameter outside the pipeline's", expect="deny"),
    Call("ec2:CreateNetworkInterfacePermission", {"network_interface": NETWORK_INTERFACE},
         "lets another service use a network interface", expect="deny",
         context={"ec2:AuthorizedService": "lambda.amazonaws.com"}),
))

EVENTS_ROLE = RoleCalls(role="EventsRole", service="events.amazonaws.com", calls=(
    Call("codebuild:StartBuild", {"project": PROJECT}, "starts a level's build on its schedule or approval rule"),
    Call("codebuild:StartBuild", {"project": OTHER_PROJECT}, "starts a build outside the pipeline",
         expect="deny"),
))

PIPELINE_CALLS = RuntimeTable(
    construct="GoldenImagePipeline",
    anchor=Sibling("BuildRole", "AWS::IAM::Role"),
    roles=(BUILD_ROLE, EVENTS_ROLE),
    services=(encrypted_log_group(KEY, LOGS),),
)
"""The golden-image pipeline's runtime calls."""

TABLES = (PIPELINE_CALLS,)
