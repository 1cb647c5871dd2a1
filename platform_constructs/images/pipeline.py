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

**Where each part lives.** Arguments are validated by :mod:`~platform_constructs.images.settings` (pure) before
any resource exists; each level's repository, parameter and build project by :mod:`~platform_constructs.images.level`;
the roles by :mod:`~platform_constructs.images.iam` (which also checks, at synth, that their policies fit IAM's
size limit once every project image is added); the build network, package index, registry scanning and schedules
by :mod:`~platform_constructs.images.build_network`, :mod:`~platform_constructs.images.package_index`,
:mod:`~platform_constructs.images.scanning` and :mod:`~platform_constructs.images.schedules`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Annotations, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, nag_resource
from platform_constructs.core import PlatformConstruct
from platform_constructs.images import build as render
from platform_constructs.images import iam as images_iam
from platform_constructs.images import policy_size, uri
from platform_constructs.images.build_network import add_build_endpoints, build_security_group
from platform_constructs.images.defaults import (
    default_image_parameter,
    publish_default_parameters,
    published_image,
    register_pipeline_resolver,
)
from platform_constructs.images.level import ImageLevel, LevelFoundation, create_level
from platform_constructs.images.package_index import package_index
from platform_constructs.images.scanning import registry_scanning
from platform_constructs.images.schedules import (
    DEFAULT_BASE_SCHEDULE,
    DEFAULT_RUNTIME_SCHEDULE,
    rebuild_on_approval,
    schedule_rebuild,
)
from platform_constructs.images.settings import (
    DEFAULT_NAME,
    LEVEL_TITLES,
    PURPOSES,
    PipelineSettings,
    pipeline_settings,
    project_settings,
)
from platform_constructs.network import resolve_network

__all__ = ["DEFAULT_BASE_SCHEDULE", "DEFAULT_RUNTIME_SCHEDULE", "GoldenImagePipeline", "ImageLevel"]

WARNING_DEFAULTS_TAKEN_OVER = "platform-constructs:images-defaults-taken-over"
"""A pipeline created after another one in the same app serves some of the same purposes."""


class GoldenImagePipeline(PlatformConstruct):
    """The golden image hierarchy: repositories, builds, scan gate, schedules and published images.

    :param cost_center: cost centre tag of everything the pipeline creates (required).
    :param runtime_requirements: the Level 1 frozen requirements: a list of lines or the path of a
        frozen requirements file. Every line must be ``name==version``.
    :param cuda_version: CUDA version of the images. Default: the policy's ``images.cuda_version``.
    :param python_version: Python version of the images. Default: the policy's ``images.python_version``.
    :param name: lowercase slug naming the pipeline's repositories (``platform/<name>/base``, ...)
        and SSM parameters. Default: ``golden``.
    :param base_image: the Level 0 base: a literal image URI (account and region written out) from an
        approved registry, pinned by digest or an explicit version tag. Default: the policy's
        ``images.training`` image with the stack's account and region (CUDA and Python as the policy's,
        reachable from the isolated network through the ECR endpoints).
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
    :param data_classification: the ``DataClassification`` tag. Default: the policy's default.
    :param project: the ``Project`` tag. Default: the policy's default.
    :param owner: the ``Owner`` tag. Default: the policy's default.
    :param tags: any other tag the policy requires, or extra tags. Default: none.

    Attributes: :attr:`key`, :attr:`log_group`, :attr:`security_group`, :attr:`base`, :attr:`runtime`,
    :attr:`projects` and :attr:`levels` (all three kinds), :attr:`build_role`, :attr:`events_role`,
    :attr:`settings`; :meth:`grant_pull` lets a role pull the approved images.
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
        name: str = DEFAULT_NAME,
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
        self.settings: PipelineSettings = pipeline_settings(
            self.policy, runtime_requirements=runtime_requirements, problems=self.problems,
            cuda_version=cuda_version, python_version=python_version, name=name, base_image=base_image, gpu=gpu,
            default_for=default_for, publish_defaults=publish_defaults, enhanced_scanning=enhanced_scanning,
            create_endpoints=create_endpoints)
        settings = self.settings
        self.name = settings.name
        self.cuda_version = settings.cuda_version
        self.python_version = settings.python_version
        self.gpu = settings.gpu
        self.runtime_requirements = settings.runtime_requirements
        self.projects: dict[str, ImageLevel] = {}
        """Project name -> its Level 2 image (:meth:`add_project_image`)."""
        for warning in settings.warnings:
            Annotations.of(self).add_warning_v2(warning.id, warning.message)
        stack = Stack.of(self)

        # Shared: key, logs, network, package index, roles.
        self.key = baseline.platform_key(self, "Key", description=f"{self.node.path} images, builds and logs",
                                         service_principals=("logs",))
        self.log_group = baseline.log_group(self, "BuildLogs", key=self.key)
        network = resolve_network(self, vpc)
        self.security_group = build_security_group(self, network.vpc)
        """The builds' security group (HTTPS out only)."""
        if settings.create_endpoints:
            add_build_endpoints(self, network.vpc, network.subnet_ids, self.security_group)
        index = package_index(self, name=settings.name, key=self.key)
        self.domain = index.domain
        self.package_repository = index.repository
        self.build_role = images_iam.build_role(self)
        images_iam.grant_build_basics(self.build_role, key=self.key, log_group=self.log_group, domain=index.domain,
                                      package_repository=index.repository)
        self.events_role = images_iam.events_role(self)
        if settings.enhanced_scanning:
            registry_scanning(self)
        foundation = LevelFoundation(
            key=self.key, log_group=self.log_group, vpc=network.vpc, subnet_ids=network.subnet_ids,
            security_group=self.security_group, build_role=self.build_role, events_role=self.events_role,
            package_index=index.build_environment, removal_policy=self.platform.removal_policy,
            empty_on_delete=not self.env.retain_stateful_resources)
        self._foundation = foundation

        # Level 0: the hardened base.
        base_uri = uri.fill_placeholders(settings.base_image, account=stack.account, region=stack.region)
        self.base = create_level(Construct(self, LEVEL_TITLES[0].capitalize()), settings, foundation, level=0,
                                 suffix=LEVEL_TITLES[0], base_image=base_uri, files={
            "Dockerfile": render.render_dockerfile(0, title=f"{settings.name}/base",
                                                   python_version=settings.python_version,
                                                   cuda_version=settings.cuda_version,
                                                   gpu="1" if settings.gpu else "0"),
        })
        images_iam.grant_base_pull(self.build_role, base_uri)
        self._schedule("BaseSchedule", base_schedule or DEFAULT_BASE_SCHEDULE, self.base)

        # Level 1: the shared runtime, on the approved Level 0.
        self.default_parameters: dict[str, ssm.StringParameter] = (
            publish_default_parameters(self, served=settings.default_for) if settings.publish_defaults else {})
        """Purpose -> the account's default-image parameter this pipeline publishes (Level 1 writes it)."""
        self.runtime = create_level(
            Construct(self, LEVEL_TITLES[1].capitalize()), settings, foundation, level=1, suffix=LEVEL_TITLES[1],
            published=[default_image_parameter(self, p) for p in self.default_parameters], below=self.base, files={
                "Dockerfile": render.render_dockerfile(1, title=f"{settings.name}/runtime"),
                "requirements-frozen.txt": settings.runtime_requirements.frozen_text(),
            })
        self._schedule("RuntimeSchedule", runtime_schedule or DEFAULT_RUNTIME_SCHEDULE, self.runtime)
        rebuild_on_approval(self, "RebuildRuntimeOnBaseApproval", approved=self.base, dependant=self.runtime,
                            role=self.events_role)

        self._served: dict[str, str] = {
            p: published_image(default_image_parameter(self, p)) if settings.publish_defaults
            else self.runtime.image_uri for p in settings.default_for}
        taken_over = register_pipeline_resolver(self, self.approved_image)
        if taken_over:
            Annotations.of(self).add_warning_v2(WARNING_DEFAULTS_TAKEN_OVER, (
                f"another GoldenImagePipeline in this app already serves the default images for "
                f"{', '.join(taken_over)}: constructs created after this one default to this pipeline's images "
                "for them. Pass default_for=() to one of the pipelines if that is not intended."
                + (" Both may also publish the account's default-image parameters (publish_defaults=True): their "
                   "stacks cannot then be deployed in the same account and region (the parameter names are the same)."
                   if settings.publish_defaults else "")))
        acknowledge(self.build_role, "image-build-service-wildcards",
                    resource=nag_resource(stack.resolve(images_iam.network_interface_arns(stack))))
        acknowledge(self.build_role.policy, "codebuild-vpc-network-interfaces")
        self.node.add_validation(images_iam.PolicySizeValidation(
            self, {"build role": self.build_role.policy, "events role": self.events_role.policy},
            known=self._shortest_references, projects=lambda: list(self.projects)))

    # --- public API ------------------------------------------------------------------------------------
    @property
    def levels(self) -> tuple[ImageLevel, ...]:
        """Every level: the base, the runtime, then the project images in the order they were added."""
        return (self.base, self.runtime, *self.projects.values())

    def add_project_image(self, name: str, *, requirements: Sequence[str] | str,
                          base: str | ImageLevel | None = None) -> ImageLevel:
        """Add a Level 2 project image built ``FROM`` the approved Level 1 runtime.

        :param name: lowercase project slug (repository ``platform/<pipeline>/projects/<name>``).
        :param requirements: the project's light packages (lines, or a requirements file path). VCS/URL
            installs and ``--upgrade`` are refused, and so is any package Level 1 pins at another version.
        :param base: must be this pipeline's Level 1 (``pipeline.runtime`` or ``pipeline.runtime.image_uri``);
            anything else is refused. Default: the approved Level 1.
        """
        checked = project_settings(
            name=name, requirements=requirements, runtime_pins=self.runtime_requirements.pins(),
            existing=self.projects, base=base, base_is_runtime=self._is_runtime(base),
            runtime_repository=self.settings.repository_name(self.runtime.name),
            runtime_parameter=self.runtime.parameter_name, path=f"{self.node.path}.add_project_image({name!r})")
        level = create_level(
            Construct(self, f"Project-{checked.name}"), self.settings, self._foundation, level=2,
            suffix=checked.suffix, below=self.runtime, files={
                "Dockerfile": render.render_dockerfile(2, title=f"{self.name}/{checked.suffix}",
                                                       project=checked.name),
                "requirements.txt": checked.requirements.frozen_text(),
            })
        rebuild_on_approval(self, f"RebuildProject-{checked.name}OnRuntimeApproval", approved=self.runtime,
                            dependant=level, role=self.events_role)
        self.projects[checked.name] = level
        return level

    def approved_image(self, purpose: str) -> str | None:
        """The deploy-time reference to the approved image consumers of ``purpose`` default to (``None``
        when the pipeline does not serve ``purpose``). With ``publish_defaults`` it is the account's
        default-image parameter: the policy's image until the first approved Level 1, then that image."""
        return self._served.get(purpose)

    def grant_pull(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pull the approved images of every level (those of project images added later
        excluded) and read which ones are approved. The grant includes ``ecr:GetAuthorizationToken`` on
        ``*`` (IAM authorises registry login on nothing narrower), which the library acknowledges on the
        grantee's policy (decision ``registry-login-grant``)."""
        first, *others = self.levels
        grant = first.grant_pull(grantee)
        for level in others:
            grant = grant.combine(level.grant_pull(grantee))
        return grant

    # --- internals -------------------------------------------------------------------------------------
    def _is_runtime(self, base: object) -> bool:
        """``base`` is omitted, :attr:`runtime`, or (a copy of) its ``image_uri`` reference."""
        if base is None or base is self.runtime:
            return True
        stack = Stack.of(self)
        return isinstance(base, str) and stack.resolve(base) == stack.resolve(self.runtime.image_uri)

    def _schedule(self, id: str, schedule: events.Schedule, level: ImageLevel) -> None:
        schedule_rebuild(self, id, schedule=schedule, level=level,
                         repository_name=self.settings.repository_name(level.name), role=self.events_role)

    def _shortest_references(self, stack: Stack) -> dict[str, int]:
        """The least length of each resource ARN the roles' policies reference (see :mod:`.policy_size`)."""
        arn = policy_size.shortest_arn
        domain = f"{self.settings.name}-images"
        lengths = {self.key.key_arn: arn("kms", "key/") + 36,  # a key id is a UUID
                   self.log_group.log_group_arn: arn("logs", "log-group::*") + 1,  # a generated name: 1 at least
                   self.domain.attr_arn: arn("codeartifact", f"domain/{domain}"),
                   self.package_repository.attr_arn: arn("codeartifact", f"repository/{domain}/pypi")}
        for level in self.levels:
            repository = self.settings.repository_name(level.name)
            lengths[level.repository.repository_arn] = arn("ecr", f"repository/{repository}")
            lengths[level.project.attr_arn] = arn("codebuild", "project/") + 1
        return {policy_size.reference_key(stack.resolve(value)): length for value, length in lengths.items()}
