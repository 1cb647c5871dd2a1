"""GoldenImagePipeline: the Level 0 → 1 → 2 golden image hierarchy as infrastructure.

The hierarchy (the seed's "Golden Image Hierarchy"), once per lineage (:mod:`.lineages`: training and inference,
each for GPU and CPU):

* **Level 0 — base** (ops-owned): the policy's base of the lineage (a Deep Learning Container), pulled by the
  digest the policy pins and hardened (no setuid binaries, a dedicated user), rebuilt quarterly.
* **Level 1 — runtime** (shared): the lineage's lock file (``runtime_requirements`` for training,
  ``inference_requirements`` for inference) installed with ``--require-hashes`` on the approved Level 0; rebuilt
  monthly and whenever a new Level 0 is approved.
* **Level 2 — project images** (:meth:`GoldenImagePipeline.add_project_image`): a project's lock file on an
  approved Level 1 only; rebuilt whenever a new Level 1 is approved.

Per level: an ECR repository (immutable tags, KMS, a lifecycle policy that never expires an ``approved-*`` image),
a build-owned SSM parameter holding the approved image as ``repository@sha256:digest`` (:mod:`.parameters`: no
stack update ever overwrites an approval), a build role of its own (:mod:`.iam`) and a CodeBuild project in the
platform network. Each runtime also publishes its lineage's account default
(``{images.ssm_prefix}/default/{inference,inference-cpu,training,batch}``), and the pipeline registers itself so
:func:`platform_constructs.images.defaults.default_image` — used by the endpoint, training and batch constructs —
returns a deploy-time reference to the approved image of the consumer's lineage when the pipeline is in the same
app (create the pipeline before the constructs that consume it). Stacks in other apps opt in with
``-c golden_images=true``.

**Why CodeBuild, not EC2 Image Builder.** A CodeBuild project runs the whole sequence — resolve the approved base,
build, smoke-test with ``docker run --network none``, push, wait for the scan and the signature, export the SBOM,
approve, publish — as one script shipped with this library (``dockerfiles/build.sh``), with VPC configuration, a
KMS key and CloudWatch logs as plain project properties; publishing the parameter is the event that rebuilds the
level above. Image Builder marks an image available on its own terms, so the gate would live elsewhere. The price
is CodeBuild's privileged mode (Docker-in-Docker; Control Tower's privileged check reports it, decision
``image-build-privileged``: the builds are offline, pull only by digest, install only locked, hashed packages).

**Provenance.** The base is pulled by the digest the policy pins; lock files install with ``--require-hashes`` from
a package index that serves only the policy's ``images.allowed_packages`` (:mod:`.package_index`); smoke tests run
with ``--network none``; every image pushed to ``platform/`` is signed by ECR managed signing with AWS Signer
(:mod:`.registry`), and a build approves only a signed image, after exporting its SBOM from Inspector beside the
approval record (:mod:`.provenance`).

Arguments are validated by :mod:`.settings` (pure) before any resource exists; the rest is in :mod:`.level`,
:mod:`.iam`, :mod:`.build_network`, :mod:`.package_index`, :mod:`.registry`, :mod:`.provenance`, :mod:`.schedules`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Annotations, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.core import PlatformConstruct
from platform_constructs.images import build as render
from platform_constructs.images import iam as images_iam
from platform_constructs.images import policy_size, uri
from platform_constructs.images import registry as registry_config
from platform_constructs.images.build_network import add_build_endpoints, build_security_group, endpoints_to_create
from platform_constructs.images.defaults import (
    default_parameter_name,
    publish_default_parameters,
    published_image,
    register_pipeline_resolver,
)
from platform_constructs.images.level import ImageLevel, LevelFoundation, create_level
from platform_constructs.images.lineage_build import create_lineage
from platform_constructs.images.lineages import BY_KEY, LINEAGE_KEYS, purposes_of
from platform_constructs.images.package_index import package_index
from platform_constructs.images.provenance import sbom_bucket
from platform_constructs.images.registry import RegistrySettings, signing_profile_arn
from platform_constructs.images.schedules import (
    DEFAULT_BASE_SCHEDULE,
    DEFAULT_RUNTIME_SCHEDULE,
    check_schedules,
    rebuild_on_approval,
    rule_name,
    rule_prefix,
)
from platform_constructs.images.settings import (
    DEFAULT_NAME,
    PURPOSES,
    PipelineSettings,
    pipeline_settings,
    project_settings,
)
from platform_constructs.network import resolve_network, vpc_problem

__all__ = ["DEFAULT_BASE_SCHEDULE", "DEFAULT_RUNTIME_SCHEDULE", "GoldenImagePipeline", "ImageLevel"]

WARNING_DEFAULTS_TAKEN_OVER = "platform-constructs:images-defaults-taken-over"
"""A pipeline created after another one in the same app serves some of the same lineages."""


class GoldenImagePipeline(PlatformConstruct):
    """The golden image hierarchy: repositories, builds, scan gate, signatures, SBOMs and published images.

    :param cost_center: cost centre tag of everything the pipeline creates (required).
    :param runtime_requirements: the training runtime's (Level 1) lock file: a list of lines or the path of a
        file. Every line is ``name==version --hash=sha256:...`` of a package the policy allows.
    :param inference_requirements: the inference runtime's lock file, the same way. Default: empty (the
        inference base serves as it is, hardened and contract-checked).
    :param lineages: the lineages to build (``training-gpu``, ``training-cpu``, ``inference-gpu``,
        ``inference-cpu``). Default: all four. The first is :attr:`base` / :attr:`runtime`.
    :param cuda_version: CUDA version of the GPU images. Default: the policy's ``images.cuda_version``.
    :param python_version: Python version of the images (a string). Default: the policy's
        ``images.python_version``.
    :param name: lowercase slug naming the pipeline's repositories (``platform/<name>/base``, ...), parameters and
        projects. Default: ``golden``.
    :param base_image: the first lineage's Level 0 base: a literal image URI pinned by digest, from an approved
        registry (``{account}``: the deploying account or one the policy allows). Default: the policy's image of
        each lineage (``images.training``, ``images.batch``, ``images.inference``, ``images.inference_cpu``).
    :param default_for: the purposes (``inference``, ``training``, ``batch``) whose platform default becomes the
        approved runtime of the matching lineage. Default: all three.
    :param publish_defaults: create the account's default-image parameters of the lineages built. Default:
        ``True``; set ``False`` for a second pipeline in the same account (its consumers in the same app then
        reference its runtime parameters).
    :param registry_settings: this pipeline owns the registry's account-wide settings: enhanced scanning and managed
        signing of ``platform/*`` (:mod:`.registry`). Default: ``False``; enable it on exactly one pipeline per
        account and region — without it no build can approve (no signature, no SBOM).
    :param base_schedule: Level 0 rebuild schedule. Default: :data:`DEFAULT_BASE_SCHEDULE` (quarterly).
    :param runtime_schedule: Level 1 rebuild schedule. Default: :data:`DEFAULT_RUNTIME_SCHEDULE` (monthly).
    :param vpc: the network the builds run in. Default: the platform network (see
        :func:`~platform_constructs.network.resolve_network`).
    :param create_endpoints: ``None``: add the VPC endpoints the builds need (SSM, CodeArtifact, Inspector) that
        neither the network nor an earlier pipeline of the app provides; ``False``: none (another app's pipeline
        created them). Default: ``None``.
    :param gpu_build_image: a CodeBuild build image of the platform's own in ECR (pinned by digest) with the NVIDIA
        container toolkit preinstalled: GPU lineages then build on GPU hosts and their smoke test requires a
        visible CUDA device. Default: none (CPU hosts; the CUDA runtime's version is checked, not a device).
    :param data_classification: the ``DataClassification`` tag. Default: the policy's default.
    :param project: the ``Project`` tag. Default: the policy's default.
    :param owner: the ``Owner`` tag. Default: the policy's default.
    :param tags: any other tag the policy requires, or extra tags. Default: none.

    Attributes: :attr:`key`, :attr:`log_group`, :attr:`security_group`, :attr:`sbom_bucket`, :attr:`base`,
    :attr:`runtime`, :attr:`lineage_levels`, :attr:`projects` and :attr:`levels`, :attr:`events_role`,
    :attr:`registry`, :attr:`settings`; :meth:`grant_pull` and :meth:`grant_start_builds`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cost_center: str,
        runtime_requirements: Sequence[str] | str,
        inference_requirements: Sequence[str] | str = (),
        lineages: Sequence[str] = LINEAGE_KEYS,
        cuda_version: str | None = None,
        python_version: str | None = None,
        name: str = DEFAULT_NAME,
        base_image: str | None = None,
        default_for: Sequence[str] = PURPOSES,
        publish_defaults: bool = True,
        registry_settings: bool = False,
        base_schedule: events.Schedule | None = None,
        runtime_schedule: events.Schedule | None = None,
        vpc: ec2.IVpc | None = None,
        create_endpoints: bool | None = None,
        gpu_build_image: str | None = None,
        data_classification: str | None = None,
        project: str | None = None,
        owner: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        stack = Stack.of(self)
        check_schedules(self.problems, base_schedule=base_schedule, runtime_schedule=runtime_schedule)
        if vpc is not None and (problem := vpc_problem(vpc)) is not None:
            self.problems.add("vpc", vpc, *problem)
        self.settings: PipelineSettings = pipeline_settings(
            self.policy, runtime_requirements=runtime_requirements, problems=self.problems,
            account=uri.literal_account(stack.account), cuda_version=cuda_version, python_version=python_version,
            name=name, base_image=base_image, lineages=lineages, inference_requirements=inference_requirements,
            default_for=default_for, publish_defaults=publish_defaults, registry_settings=registry_settings,
            create_endpoints=create_endpoints, gpu_build_image=gpu_build_image)
        settings = self.settings
        self.name = settings.name
        self.projects: dict[str, ImageLevel] = {}
        """Project name -> its Level 2 image (:meth:`add_project_image`)."""
        self.lineage_levels: dict[str, tuple[ImageLevel, ImageLevel]] = {}
        """Lineage key -> its (base, runtime) levels."""
        for warning in settings.warnings:
            Annotations.of(self).add_warning_v2(warning.id, warning.message)

        # Shared: key, logs, network, package index, SBOMs, registry settings, events role.
        self.key = baseline.platform_key(self, "Key", description=f"{self.node.path} images, builds and logs",
                                         service_principals=("logs",))
        self.log_group = baseline.log_group(self, "BuildLogs", key=self.key)
        network = resolve_network(self, vpc)
        self.security_group = build_security_group(self, network)
        """The builds' security group (HTTPS to the VPC endpoints and S3 only)."""
        add_build_endpoints(self, network.vpc, network.subnet_ids, self.security_group,
                            endpoints_to_create(self, vpc, settings.create_endpoints))
        index = package_index(self, name=settings.name, key=self.key, allowed_packages=settings.allowed_packages)
        self.domain = index.domain
        self.package_repository = index.repository
        self.sbom_bucket = sbom_bucket(self, key=self.key)
        """SBOMs and approval records, ``<repository>/<digest>/`` (:mod:`.provenance`)."""
        self.registry: RegistrySettings | None = (
            registry_config.registry_settings(self, profile_name=self.policy.images.signing_profile)
            if settings.registry_settings else None)
        """The registry's scanning and signing configurations (``registry_settings=True``), else ``None``."""
        self.events_role = images_iam.events_role(self, rule_prefix=rule_prefix(settings.name))
        images_iam.deny_overrides(self.events_role, projects=images_iam.projects_pattern(stack, settings.name))
        self._foundation = LevelFoundation(
            key=self.key, log_group=self.log_group, vpc=network.vpc, subnet_ids=network.subnet_ids,
            security_group=self.security_group, events_role=self.events_role,
            package_index=index.build_environment,
            package_index_arns=(index.domain.attr_arn, index.repository.attr_arn),
            sbom_bucket=self.sbom_bucket,
            signing_profile_arn=signing_profile_arn(stack, self.policy.images.signing_profile),
            tags=dict(self.tags), removal_policy=self.platform.removal_policy,
            empty_on_delete=not self.env.retain_stateful_resources)

        # Levels 0 and 1 of every lineage.
        self.default_parameters = publish_default_parameters(
            self, lineages=[p.lineage for p in settings.lineages], served=settings.default_for) \
            if settings.publish_defaults else {}
        """Lineage key -> the account's default-image parameter its runtime publishes."""
        for plan in settings.lineages:
            self.lineage_levels[plan.lineage.key] = create_lineage(
                self, settings, self._foundation, plan,
                default_parameter=self._default_parameter_name(plan.lineage.key),
                base_schedule=base_schedule or DEFAULT_BASE_SCHEDULE,
                runtime_schedule=runtime_schedule or DEFAULT_RUNTIME_SCHEDULE)
        self.base, self.runtime = self.lineage_levels[settings.primary.lineage.key]

        self._served: dict[str, str] = {}
        for key, (_, runtime) in self.lineage_levels.items():
            if any(p in settings.default_for for p in purposes_of(runtime.lineage)):
                default = self._default_parameter_name(key)
                self._served[key] = published_image(default) if default else runtime.image_uri
        taken_over = register_pipeline_resolver(self, self._served.get)
        if taken_over:
            Annotations.of(self).add_warning_v2(WARNING_DEFAULTS_TAKEN_OVER, (
                f"another GoldenImagePipeline in this app already serves the default images of "
                f"{', '.join(taken_over)}: constructs created after this one default to this pipeline's images "
                "for them. Pass default_for=() to one of the pipelines if that is not intended."
                + (" Both may also publish the account's default-image parameters (publish_defaults=True): their "
                   "stacks cannot then be deployed in the same account and region (the parameter names are the same)."
                   if settings.publish_defaults else "")))
        self.node.add_validation(images_iam.PolicySizeValidation(
            self, self._policies, known=self._shortest_references, projects=lambda: list(self.projects)))

    # --- public API ------------------------------------------------------------------------------------
    @property
    def levels(self) -> tuple[ImageLevel, ...]:
        """Every level: each lineage's base and runtime, then the project images in the order they were added."""
        return (*(level for pair in self.lineage_levels.values() for level in pair), *self.projects.values())

    def add_project_image(self, name: str, *, requirements: Sequence[str] | str,
                          base: str | ImageLevel | None = None) -> ImageLevel:
        """Add a Level 2 project image built ``FROM`` an approved Level 1 runtime.

        :param name: lowercase project slug (repository ``platform/<pipeline>/projects/<name>``).
        :param requirements: the project's lock file (lines, or a file path): ``name==version --hash=...`` of
            packages the policy allows; none may redefine a Level 1 or base pin at another version.
        :param base: one of this pipeline's runtimes (``pipeline.runtime``, ``pipeline.lineage_levels[key][1]``, or
            a copy of one's ``image_uri``); anything else is refused. Default: :attr:`runtime`.
        """
        runtime = self._runtime_of(base)
        below = runtime or self.runtime
        lineage_plan = next(p for p in self.settings.lineages if p.lineage is below.lineage)
        checked = project_settings(
            name=name, requirements=requirements, runtime_pins=lineage_plan.requirements.pins(), policy=self.policy,
            existing=self.projects, base=base, base_is_runtime=runtime is not None,
            runtime_repository=self.settings.repository_name(self.runtime.name),
            runtime_parameter=self.runtime.parameter_name, path=f"{self.node.path}.add_project_image({name!r})")
        level = create_level(
            Construct(self, f"Project-{checked.name}"), self.settings, self._foundation, level=2,
            suffix=checked.suffix, lineage=below.lineage, below=below, files={
                "Dockerfile": render.level_dockerfile(
                    2, lineage_key=below.lineage.key, serving=below.lineage.inference,
                    title=f"{self.name}/{checked.suffix}", installs=bool(checked.requirements.requirements),
                    project=checked.name),
                render.LOCK_FILE: checked.requirements.frozen_text(),
            })
        rebuild_on_approval(self, f"RebuildProject-{checked.name}OnRuntimeApproval",
                            name=rule_name(self.name, f"{checked.suffix}-on-approval"), approved=below,
                            dependant=level, role=self.events_role)
        self.projects[checked.name] = level
        return level

    def approved_image(self, purpose: str) -> str | None:
        """The deploy-time reference to the approved image consumers of ``purpose`` default to on the purpose's
        own kind (GPU for inference and training, CPU for batch); ``None`` when the pipeline does not serve it."""
        from platform_constructs.images.lineages import lineage_for

        return self._served.get(lineage_for(purpose).key)

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

    def grant_start_builds(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` (an operator's role) start the builds of every level as the projects define them, never
        with an override (buildspec, image, privileged mode, environment variables, role, ...: denied by IAM)."""
        images_iam.grant_start_build(grantee, project_arns=[level.project.attr_arn for level in self.levels],
                                     sid_name="StartGoldenImageBuilds")
        images_iam.deny_overrides(grantee, projects=images_iam.projects_pattern(Stack.of(self), self.name))

    # --- internals -------------------------------------------------------------------------------------
    def _default_parameter_name(self, key: str) -> str | None:
        """The literal name of the account default-image parameter this pipeline publishes for lineage ``key``
        (a literal, not the parameter's ``Ref``: consumers in other stacks resolve it without a stack export)."""
        if key not in self.default_parameters:
            return None
        return default_parameter_name(self, BY_KEY[key])

    def _runtime_of(self, base: object) -> ImageLevel | None:
        """The runtime ``base`` names (``None`` for the default), or ``None`` when it names none of them."""
        runtimes = [runtime for _, runtime in self.lineage_levels.values()]
        if base is None:
            return self.runtime
        stack = Stack.of(self)
        for runtime in runtimes:
            if base is runtime or (isinstance(base, str) and stack.resolve(base) == stack.resolve(runtime.image_uri)):
                return runtime
        return None

    def _policies(self) -> dict[str, iam.ManagedPolicy]:
        return {"events role": self.events_role.policy,
                **{f"build role of {level.name}": level.role.policy for level in self.levels}}

    def _shortest_references(self, stack: Stack) -> dict[str, int]:
        """The least length of each resource ARN the roles' policies reference (see :mod:`.policy_size`)."""
        arn = policy_size.shortest_arn
        domain = f"{self.settings.name}-images"
        lengths = {self.key.key_arn: arn("kms", "key/") + 36,  # a key id is a UUID
                   self.log_group.log_group_arn: arn("logs", "log-group::*") + 1,  # a generated name: 1 at least
                   self.domain.attr_arn: arn("codeartifact", f"domain/{domain}"),
                   self.package_repository.attr_arn: arn("codeartifact", f"repository/{domain}/pypi"),
                   self.sbom_bucket.bucket_arn: len("arn:aws:s3:::") + 3}  # a bucket name has 3 characters at least
        for level in self.levels:
            repository = self.settings.repository_name(level.name)
            lengths[level.repository.repository_arn] = arn("ecr", f"repository/{repository}")
            lengths[level.project.attr_arn] = arn("codebuild", f"project/{self.settings.project_name(level.name)}")
        return {policy_size.reference_key(stack.resolve(value)): length for value, length in lengths.items()}
