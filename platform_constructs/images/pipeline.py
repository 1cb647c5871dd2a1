"""GoldenImagePipeline: the Level 0 → 1 → 2 golden image hierarchy as infrastructure.

The hierarchy (the seed's "Golden Image Hierarchy"):

* **Level 0 — base** (ops-owned): the policy's approved CUDA/Python base image, resolved to its digest
  and hardened (non-root user, no setuid binaries), rebuilt on a long schedule (quarterly).
* **Level 1 — runtime** (shared): the heavy ML libraries from a *frozen, fully pinned* requirements
  list, on the approved Level 0; rebuilt monthly and whenever a new Level 0 is approved.
* **Level 2 — project images** (:meth:`GoldenImagePipeline.add_project_image`): light project
  packages on the *approved* Level 1 only; rebuilt whenever a new Level 1 is approved.

What is built per level: an ECR repository (immutable tags, scan on push, KMS, a lifecycle policy that
keeps the policy's ``images.keep_images``; retained in prod, emptied and deleted elsewhere), a CodeBuild
project in the platform network, and an SSM parameter holding the level's currently approved image as
``repository@sha256:digest``. Level 1 also publishes the platform's default images
(``{images.ssm_prefix}/default/{inference,training,batch}``: the policy's images until the first
approved Level 1), and the pipeline registers itself so :func:`platform_constructs.images.defaults.default_image`
— used by the endpoint, training and batch constructs — returns a deploy-time reference to them when
the pipeline is in the same app (create the pipeline before the constructs that consume it). Stacks in
other apps opt in with ``-c golden_images=true``.

**Why CodeBuild, not EC2 Image Builder.** Image Builder container recipes run the Docker build on an
instance it launches and distribute the result, but its pipeline marks an image "available" on its
own terms: the scan gate (wait for the ECR scan of the pushed digest, refuse on findings at the
policy's severity, only then add the approved tag and publish the digest) would have to live in a
separate workflow with its own state. A CodeBuild project runs the whole sequence — resolve the
approved base, build, smoke-test with ``docker run``, push, wait for the scan, approve, publish — as
one script shipped with this library (``dockerfiles/build.sh``), with VPC configuration, a KMS key and
CloudWatch logs as plain project properties, and the publication of the SSM parameter is itself the
event that rebuilds the level above. The price is Docker-in-Docker: CodeBuild privileged mode, which
is acknowledged once (``image-build-privileged``) with its reason.

**The scan gate.** Each build pushes only a ``build-*`` tag, waits for the scan of that digest, and
fails if any finding is at or above ``images.scan_block_severity``; only a clean image gets the
immutable ``approved-*`` tag and is written to the level's parameter. Levels 1 and 2 build ``FROM``
the parameter of the level below and refuse (at build time) anything that is not that repository's
image pinned by digest; at synth, a Level 2 whose ``base`` is not this pipeline's Level 1 is refused.
Enhanced scanning (Amazon Inspector, continuous) is enabled for the pipeline's repositories when
``enhanced_scanning`` is on; basic scan-on-push stays on for every other repository in the registry.

**The network.** Builds run in the platform's isolated subnets (no internet route). Images come from
ECR through the network's endpoints; Python packages come from a CodeArtifact repository whose
upstream is PyPI, reached through VPC endpoints this construct adds (CodeArtifact, SSM).

The dependency policy (pins, no VCS/URL installs, no ``--upgrade``, no Level 1 redefinitions) is
enforced at synth by :mod:`platform_constructs.images.dependencies`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import jsii
from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_codeartifact as codeartifact
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from aws_cdk.interfaces.aws_events import IRuleRef
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge
from platform_constructs.core import PlatformConstruct
from platform_constructs.errors import PlatformValidationError, Problem
from platform_constructs.images import build as render
from platform_constructs.images import dependencies as deps
from platform_constructs.images import uri
from platform_constructs.images.defaults import (
    PURPOSES,
    default_image_parameter,
    policy_image,
    published_image,
    register_pipeline_resolver,
)
from platform_constructs.network import resolve_network
from platform_constructs.policy import SEVERITIES

DEFAULT_BASE_SCHEDULE = events.Schedule.cron(minute="0", hour="3", day="1", month="1/3")
"""Level 0 rebuild: 03:00 UTC on the first day of every third month."""
DEFAULT_RUNTIME_SCHEDULE = events.Schedule.cron(minute="0", hour="3", day="1", month="*")
"""Level 1 rebuild: 03:00 UTC on the first day of every month."""
BUILD_IMAGE = "aws/codebuild/standard:7.0"
"""CodeBuild's curated build image (Docker, AWS CLI v2, Python 3)."""
SCAN_TIMEOUT_SECONDS = 1800
PENDING_VALUE = "pending: no image approved yet"
"""Initial value of a level's approved-image parameter, before its first approved build."""
_SLUG = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")
_TIMEOUTS = {0: 120, 1: 240, 2: 60}
_LEVEL_TITLES = {0: "base", 1: "runtime"}


@dataclass(frozen=True)
class ImageLevel:
    """One level of the hierarchy: what it builds into and where its approved image is published."""

    level: int
    name: str
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


@jsii.implements(events.IRuleTarget)
class _StartBuild:
    """An EventBridge target that starts one CodeBuild project with the pipeline's events role."""

    def __init__(self, project: codebuild.CfnProject, role: iam.IRole) -> None:
        self._project = project
        self._role = role

    def bind(self, rule: IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        return events.RuleTargetConfig(arn=self._project.attr_arn, role=self._role)


class GoldenImagePipeline(PlatformConstruct):
    """The golden image hierarchy: repositories, builds, scan gate, schedules and published images.

    :param cost_center: cost centre tag of everything the pipeline creates (required).
    :param runtime_requirements: the Level 1 frozen requirements: a list of lines or the path of a
        frozen requirements file. Every line must be ``name==version``.
    :param cuda_version: CUDA version of the images. Default: the policy's ``images.cuda_version``.
    :param python_version: Python version of the images. Default: the policy's ``images.python_version``.
    :param name: lowercase slug naming the pipeline's repositories (``platform/<name>/base``, ...)
        and SSM parameters. Default: ``golden``.
    :param base_image: the Level 0 base: an image from an approved registry, pinned by digest or an
        explicit version tag. Default: the policy's ``images.training`` image (CUDA and Python as the
        policy's, reachable from the isolated network through the ECR endpoints).
    :param gpu: the images are GPU images: the smoke tests require the CUDA runtime and a visible
        device, and builds run on CodeBuild GPU hosts. Default: ``True``.
    :param default_for: the purposes (``inference``, ``training``, ``batch``) whose platform default
        becomes the approved Level 1 image. Default: all three.
    :param publish_defaults: create the account's default-image parameters
        (``{images.ssm_prefix}/default/<purpose>``, initially the policy's images). Default: ``True``;
        set ``False`` for a second pipeline in the same account: its consumers in the same app then
        reference its Level 1 parameter, which holds no image until the first approved Level 1 build.
    :param enhanced_scanning: configure the registry for enhanced (Inspector) continuous scanning of the
        ``platform/`` repositories, keeping scan on push for all others. The registry scanning
        configuration is one per account and region. Default: ``True``.
    :param base_schedule: Level 0 rebuild schedule. Default: :data:`DEFAULT_BASE_SCHEDULE` (quarterly).
    :param runtime_schedule: Level 1 rebuild schedule. Default: :data:`DEFAULT_RUNTIME_SCHEDULE` (monthly).
    :param vpc: the network the builds run in. Default: the platform network (see
        :func:`~platform_constructs.network.resolve_network`).
    :param create_endpoints: add the VPC endpoints the builds need beyond the platform network's
        (SSM, CodeArtifact API and repositories). Default: ``True``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cost_center: str,
        runtime_requirements: Sequence[str] | str,
        cuda_version: str | None = None,
        python_version: str | None = None,
        name: str = "golden",
        base_image: str | None = None,
        gpu: bool = True,
        default_for: Sequence[str] = PURPOSES,
        publish_defaults: bool = True,
        enhanced_scanning: bool = True,
        base_schedule: events.Schedule | None = None,
        runtime_schedule: events.Schedule | None = None,
        vpc: ec2.IVpc | None = None,
        create_endpoints: bool = True,
        data_classification: str | None = None,
        project: str | None = None,
        owner: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        images = self.policy.images
        self.cuda_version = cuda_version if cuda_version is not None else images.cuda_version
        self.python_version = python_version if python_version is not None else images.python_version
        self.name = name
        self.gpu = gpu
        base_template = base_image if base_image is not None else images.training
        self.problems.check(isinstance(name, str) and _SLUG.match(name) is not None, "name", name,
                            "a lowercase slug of 3-32 letters, digits and hyphens", "pass name='golden'")
        self.problems.check(re.fullmatch(r"\d+\.\d+(\.\d+)?", str(self.cuda_version)) is not None,
                            "cuda_version", self.cuda_version, "a CUDA version such as 12.1.1",
                            f"pass cuda_version='{images.cuda_version}' (the policy's)")
        self.problems.check(re.fullmatch(r"3\.\d+", str(self.python_version)) is not None,
                            "python_version", self.python_version, "a Python major.minor version such as 3.11",
                            f"pass python_version='{images.python_version}' (the policy's)")
        self._check_base_image(base_template)
        unknown = [p for p in default_for if p not in PURPOSES]
        self.problems.check(not unknown, "default_for", list(default_for), f"a subset of {', '.join(PURPOSES)}",
                            "remove " + ", ".join(map(repr, unknown)))
        lines, source, problem = deps.read_requirements(runtime_requirements, argument="runtime_requirements")
        if problem is not None:
            self.problems.add(problem.argument, problem.value, problem.allowed, problem.fix)
        self.runtime_requirements = deps.check_runtime(lines, source=source)
        for found in self.runtime_requirements.problems:
            self.problems.add(found.argument, found.value, found.allowed, found.fix)
        if problem is None and not lines:
            self.problems.add("runtime_requirements", runtime_requirements, deps.RUNTIME_ALLOWED,
                              "list the runtime's pinned packages, e.g. ['torch==2.1.0', 'pandas==2.0.3']")
        self.problems.raise_if_any()

        stack = Stack.of(self)
        self._prefix = f"{images.ssm_prefix}/{name}"
        self._block_severities = " ".join(SEVERITIES[SEVERITIES.index(images.scan_block_severity):])
        self.projects: dict[str, ImageLevel] = {}

        # Shared: key, logs, network, package index, roles.
        self.key = baseline.platform_key(self, "Key", description=f"{self.node.path} images, builds and logs",
                                         service_principals=("logs",))
        self.log_group = baseline.log_group(self, "BuildLogs", key=self.key)
        network = resolve_network(self, vpc)
        self._vpc = network.vpc
        self._subnet_ids = network.subnet_ids
        self.security_group = ec2.SecurityGroup(
            self, "BuildSecurityGroup", vpc=network.vpc, allow_all_outbound=False,
            description="Golden image builds: HTTPS to the VPC endpoints and the S3 gateway only",
        )
        self.security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443),
                                            "HTTPS; the isolated subnets route only to endpoints")
        if create_endpoints:
            self._add_endpoints(network.vpc, network.subnet_ids)
        self.domain = codeartifact.CfnDomain(self, "PackageDomain", domain_name=f"{name}-images",
                                             encryption_key=self.key.key_arn)
        self.package_repository = codeartifact.CfnRepository(
            self, "PackageRepository", domain_name=self.domain.attr_name, repository_name="pypi",
            description="PyPI through the platform: the only package index golden image builds use",
            external_connections=["public:pypi"])
        self.build_role = baseline.platform_role(
            self, "BuildRole", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
            description=f"golden image builds of {self.node.path}")
        self._grant_build_basics(stack)
        self.events_role = baseline.platform_role(
            self, "EventsRole", assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
            description=f"starts the golden image builds of {self.node.path}")
        if enhanced_scanning:
            ecr.CfnRegistryScanningConfiguration(self, "RegistryScanning", scan_type="ENHANCED", rules=[
                ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty(
                    scan_frequency="CONTINUOUS_SCAN",
                    repository_filters=[ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty(
                        filter="platform/*", filter_type="WILDCARD")]),
                ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty(
                    scan_frequency="SCAN_ON_PUSH",
                    repository_filters=[ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty(
                        filter="*", filter_type="WILDCARD")]),
            ])

        # Level 0: the hardened base.
        base_uri = base_template.replace("{region}", stack.region).replace("{account}", stack.account)
        self.base = self._level(0, "base", files={
            "Dockerfile": render.render_dockerfile(0, title=f"{name}/base", python_version=self.python_version,
                                                   cuda_version=self.cuda_version, gpu="1" if gpu else "0"),
        }, environment={"BASE_IMAGE": base_uri})
        self._grant_base_pull(stack, base_template)
        self._schedule("BaseSchedule", base_schedule or DEFAULT_BASE_SCHEDULE, self.base)

        # Level 1: the shared runtime, on the approved Level 0.
        default_parameters: list[str] = []
        self.default_parameters: dict[str, ssm.StringParameter] = {}
        """Purpose -> the account's default-image parameter this pipeline publishes (Level 1 writes it)."""
        if publish_defaults:
            for purpose in PURPOSES:
                parameter = ssm.StringParameter(
                    self, f"Default{purpose.capitalize()}Image", parameter_name=default_image_parameter(self, purpose),
                    string_value=policy_image(self, purpose),
                    description=f"Platform default {purpose} image (the policy's until a golden runtime is approved)")
                if purpose in default_for:
                    default_parameters.append(default_image_parameter(self, purpose))
                    self.default_parameters[purpose] = parameter
        self.runtime = self._level(1, "runtime", files={
            "Dockerfile": render.render_dockerfile(1, title=f"{name}/runtime"),
            "requirements-frozen.txt": self.runtime_requirements.frozen_text(),
        }, environment={"DEFAULT_PARAMETERS": " ".join(default_parameters)}, below=self.base)
        self._schedule("RuntimeSchedule", runtime_schedule or DEFAULT_RUNTIME_SCHEDULE, self.runtime)
        self._rebuild_on_approval("RebuildRuntimeOnBaseApproval", self.base, self.runtime)

        self._served: dict[str, str] = {
            p: published_image(default_image_parameter(self, p)) if publish_defaults else self.runtime.image_uri
            for p in default_for if p in PURPOSES}
        register_pipeline_resolver(self, self.approved_image)
        acknowledge(self.build_role, "image-build-service-wildcards")

    # --- public API ------------------------------------------------------------------------------------
    def add_project_image(self, name: str, *, requirements: Sequence[str] | str,
                          base: str | ImageLevel | None = None) -> ImageLevel:
        """Add a Level 2 project image built ``FROM`` the approved Level 1 runtime.

        :param name: lowercase project slug (repository ``platform/<pipeline>/projects/<name>``).
        :param requirements: the project's light packages (lines, or a requirements file path). VCS/URL
            installs and ``--upgrade`` are refused, and so is any package Level 1 pins at another version.
        :param base: must be this pipeline's Level 1 (``pipeline.runtime`` or ``pipeline.runtime.image_uri``);
            anything else is refused. Default: the approved Level 1.
        """
        path = f"{self.node.path}.add_project_image({name!r})"
        collected: list[Problem] = []
        if not (isinstance(name, str) and _SLUG.match(name)):
            collected.append(Problem("name", name, "a lowercase slug of 3-32 letters, digits and hyphens",
                                          "pass a project slug such as 'recs'"))
        elif name in self.projects:
            collected.append(Problem("name", name, "a project name not yet added to this pipeline",
                                          "choose another name or add the project once"))
        if not (base is None or base is self.runtime or self._is_runtime_reference(base)):
            collected.append(Problem(
                "base", base, f"this pipeline's approved Level 1 runtime ({self.runtime.parameter_name})",
                "omit base (Level 2 images always build FROM the approved Level 1 runtime) or pass "
                "base=pipeline.runtime; request a Level 1 update for what the other base provides"))
        lines, source, problem = deps.read_requirements(requirements, argument="requirements")
        if problem is not None:
            collected.append(problem)
        checked = deps.check_project(lines, source=source, runtime_pins=self.runtime_requirements.pins())
        collected.extend(checked.problems)
        if collected:
            raise PlatformValidationError(path, collected)

        level = self._level(2, f"projects/{name}", files={
            "Dockerfile": render.render_dockerfile(2, title=f"{self.name}/projects/{name}", project=name),
            "requirements.txt": checked.frozen_text(),
        }, environment={}, below=self.runtime, construct_id=f"Project-{name}")
        self._rebuild_on_approval(f"RebuildProject-{name}OnRuntimeApproval", self.runtime, level)
        self.projects[name] = level
        return level

    def approved_image(self, purpose: str) -> str | None:
        """The deploy-time reference to the approved image consumers of ``purpose`` default to (``None``
        when the pipeline does not serve ``purpose``). With ``publish_defaults`` it is the account's
        default-image parameter: the policy's image until the first approved Level 1, then that image."""
        return self._served.get(purpose)

    # --- internals -------------------------------------------------------------------------------------
    def _is_runtime_reference(self, base: object) -> bool:
        """``base`` is (a copy of) :attr:`runtime`'s ``image_uri`` reference."""
        stack = Stack.of(self)
        return isinstance(base, str) and stack.resolve(base) == stack.resolve(self.runtime.image_uri)

    def _check_base_image(self, image: str) -> None:
        approved = isinstance(image, str) and uri.is_approved(image, self.policy.approved_registries)
        self.problems.check(approved, "base_image", image,
                            "an image from an approved registry: " + ", ".join(self.policy.approved_registries),
                            "mirror the base into an approved registry and pass its URI")
        parsed = uri.parse_image_uri(image)
        self.problems.check(parsed is not None and parsed.pinned, "base_image", image,
                            "pinned by digest (@sha256:...) or an explicit version tag (not 'latest')",
                            "pass the base with its digest, e.g. repo@sha256:<64 hex digits>")

    def _add_endpoints(self, vpc: ec2.IVpc, subnet_ids: list[str]) -> None:
        endpoint_group = ec2.SecurityGroup(
            self, "EndpointSecurityGroup", vpc=vpc, allow_all_outbound=False,
            description="HTTPS from golden image builds to the SSM and CodeArtifact endpoints")
        endpoint_group.add_ingress_rule(self.security_group, ec2.Port.tcp(443), "HTTPS from the builds")
        stack = Stack.of(self)
        for endpoint_id, service in (("SsmEndpoint", "ssm"), ("CodeArtifactApiEndpoint", "codeartifact.api"),
                                     ("CodeArtifactRepositoriesEndpoint", "codeartifact.repositories")):
            ec2.CfnVPCEndpoint(
                self, endpoint_id, vpc_id=vpc.vpc_id, vpc_endpoint_type="Interface",
                service_name=f"com.amazonaws.{stack.region}.{service}", subnet_ids=subnet_ids,
                security_group_ids=[endpoint_group.security_group_id], private_dns_enabled=True)

    def _grant_build_basics(self, stack: Stack) -> None:
        role = self.build_role
        self.log_group.grant_write(role)
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="BuildEncryption", actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            resources=[self.key.key_arn]))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="EcrLogin", actions=["ecr:GetAuthorizationToken"], resources=["*"]))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="CodeBuildVpcNetworkInterfaces",
            actions=["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                     "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions",
                     "ec2:DescribeVpcs"],
            resources=["*"]))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="CodeBuildVpcNetworkInterfacePermission", actions=["ec2:CreateNetworkInterfacePermission"],
            resources=[f"arn:{stack.partition}:ec2:{stack.region}:{stack.account}:network-interface/*"],
            conditions={"StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"}}))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PackageIndexBearerToken", actions=["sts:GetServiceBearerToken"], resources=["*"],
            conditions={"StringEquals": {"sts:AWSServiceName": "codeartifact.amazonaws.com"}}))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PackageIndexToken", actions=["codeartifact:GetAuthorizationToken"],
            resources=[self.domain.attr_arn]))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PackageIndexRead", actions=["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"],
            resources=[self.package_repository.attr_arn]))

    def _grant_base_pull(self, stack: Stack, base_template: str) -> None:
        """Level 0 pulls its base: allow exactly that repository (an ECR registry in an approved prefix)."""
        match = re.match(r"^(\d{12}|\{account\})\.dkr\.ecr\.[^/]+\.amazonaws\.com/([^:@]+)", base_template)
        if match is None:
            return
        account = stack.account if match.group(1) == "{account}" else match.group(1)
        self.build_role.add_to_principal_policy(iam.PolicyStatement(
            sid="PullLevel0Base",
            actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            resources=[f"arn:{stack.partition}:ecr:{stack.region}:{account}:repository/{match.group(2)}"]))

    def _level(self, level: int, repo_suffix: str, *, files: dict[str, str], environment: dict[str, str],
               below: ImageLevel | None = None, construct_id: str | None = None) -> ImageLevel:
        scope = Construct(self, construct_id or _LEVEL_TITLES[level].capitalize())
        stack = Stack.of(self)
        repository_name = f"platform/{self.name}/{repo_suffix}"
        repository = ecr.Repository(
            scope, "Repository",
            repository_name=repository_name,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            image_scan_on_push=True,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=self.key,
            removal_policy=self.platform.removal_policy,
            empty_on_delete=not self.env.retain_stateful_resources,
            lifecycle_rules=[
                ecr.LifecycleRule(description="Expire untagged layers of superseded pushes after a day",
                                  rule_priority=1, tag_status=ecr.TagStatus.UNTAGGED,
                                  max_image_age=Duration.days(1)),
                ecr.LifecycleRule(description=f"Keep the newest {self.policy.images.keep_images} images",
                                  rule_priority=2, tag_status=ecr.TagStatus.ANY,
                                  max_image_count=self.policy.images.keep_images),
            ],
        )
        parameter_name = f"{self._prefix}/{repo_suffix}"
        parameter = ssm.StringParameter(
            scope, "ApprovedImage", parameter_name=parameter_name, string_value=PENDING_VALUE,
            description=f"Approved Level {level} image ({repository_name}@sha256:...), written by its build "
                        "after the scan gate")
        context = render.build_context({
            **files,
            "smoke_test.py": render.template_text("smoke_test.py"),
            "build.sh": render.template_text("build.sh"),
        })
        variables = {
            "LEVEL": str(level),
            "REPOSITORY_NAME": repository_name,
            "REPOSITORY_URI": repository.repository_uri,
            "APPROVED_PARAMETER": parameter_name,
            "SCAN_BLOCK_SEVERITIES": self._block_severities,
            "SCAN_TIMEOUT_SECONDS": str(SCAN_TIMEOUT_SECONDS),
            "GPU": "1" if self.gpu else "0",
            **environment,
        }
        role = self.build_role
        role.add_to_principal_policy(iam.PolicyStatement(
            sid=f"PushAndGateLevel{level}{_sid(repo_suffix)}",
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                     "ecr:DescribeImageScanFindings", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer",
                     "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
            resources=[repository.repository_arn]))
        published = [parameter.parameter_arn] + [
            f"arn:{stack.partition}:ssm:{stack.region}:{stack.account}:parameter{p}"
            for p in environment.get("DEFAULT_PARAMETERS", "").split()]
        role.add_to_principal_policy(iam.PolicyStatement(
            sid=f"PublishLevel{level}{_sid(repo_suffix)}", actions=["ssm:PutParameter"], resources=published))
        if below is not None:
            variables.update({
                "BASE_PARAMETER": below.parameter_name,
                "BASE_REPOSITORY_URI": below.repository_uri,
                "CODEARTIFACT_DOMAIN": self.domain.attr_name,
                "CODEARTIFACT_OWNER": self.domain.attr_owner,
                "CODEARTIFACT_REPOSITORY": self.package_repository.attr_name,
            })
            role.add_to_principal_policy(iam.PolicyStatement(
                sid=f"ReadBaseOfLevel{level}{_sid(repo_suffix)}",
                actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                resources=[below.repository.repository_arn]))
            role.add_to_principal_policy(iam.PolicyStatement(
                sid=f"ApprovedBaseOfLevel{level}{_sid(repo_suffix)}", actions=["ssm:GetParameter"],
                resources=[below.parameter.parameter_arn]))
        project = codebuild.CfnProject(
            scope, "Build",
            description=f"Builds, smoke-tests and scan-gates the Level {level} golden image {repository_name}",
            service_role=role.role_arn,
            encryption_key=self.key.key_arn,
            artifacts=codebuild.CfnProject.ArtifactsProperty(type="NO_ARTIFACTS"),
            source=codebuild.CfnProject.SourceProperty(type="NO_SOURCE", build_spec=render.buildspec(context)),
            environment=codebuild.CfnProject.EnvironmentProperty(
                type="LINUX_GPU_CONTAINER" if self.gpu else "LINUX_CONTAINER",
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
                vpc_id=self._vpc.vpc_id,
                subnets=self._subnet_ids, security_group_ids=[self.security_group.security_group_id]),
            logs_config=codebuild.CfnProject.LogsConfigProperty(
                cloud_watch_logs=codebuild.CfnProject.CloudWatchLogsConfigProperty(
                    status="ENABLED", group_name=self.log_group.log_group_name, stream_name=repository_name),
                s3_logs=codebuild.CfnProject.S3LogsConfigProperty(status="DISABLED")),
            timeout_in_minutes=_TIMEOUTS[level],
            queued_timeout_in_minutes=480,
            concurrent_build_limit=1,
        )
        project.node.add_dependency(role.policy)
        acknowledge(project, "image-build-privileged")
        acknowledge(project, "image-build-no-source-repository")
        self.events_role.add_to_principal_policy(iam.PolicyStatement(
            sid=f"StartLevel{level}{_sid(repo_suffix)}", actions=["codebuild:StartBuild"],
            resources=[project.attr_arn]))
        created = ImageLevel(level=level, name=repo_suffix, repository=repository, project=project,
                             parameter=parameter, parameter_name=parameter_name)
        self._outputs(scope, created)
        return created

    def _schedule(self, id: str, schedule: events.Schedule, level: ImageLevel) -> None:
        events.Rule(self, id, schedule=schedule, description=f"Scheduled rebuild of platform/{self.name}/{level.name}",
                    targets=[_StartBuild(level.project, self.events_role)])

    def _rebuild_on_approval(self, id: str, approved: ImageLevel, dependant: ImageLevel) -> None:
        events.Rule(self, id, description=f"Rebuild Level {dependant.level} {dependant.name} when a new Level "
                                          f"{approved.level} image is approved",
                    event_pattern=events.EventPattern(
                        source=["aws.ssm"], detail_type=["Parameter Store Change"],
                        detail={"name": [approved.parameter_name], "operation": ["Update"]}),
                    targets=[_StartBuild(dependant.project, self.events_role)])

    def _outputs(self, scope: Construct, level: ImageLevel) -> None:
        CfnOutput(scope, "RepositoryUri", value=level.repository_uri,
                  description=f"Level {level.level} {level.name} repository")
        CfnOutput(scope, "ApprovedImageParameter", value=level.parameter_name,
                  description=f"SSM parameter holding the approved Level {level.level} {level.name} image")
        CfnOutput(scope, "BuildProject", value=level.project.ref,
                  description=f"CodeBuild project of Level {level.level} {level.name} (start it for a first build)")


def _sid(text: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", text))
