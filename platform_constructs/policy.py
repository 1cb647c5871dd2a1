"""The organisation's policy: loading, validating and exposing ``policies/platform.yaml``.

The policy file is the platform team's contract. It is loaded once per file (cached), validated
against :mod:`platform_constructs.policy_schema` and turned into frozen dataclasses. Any problem — a
typo'd key, a wrong type, a missing section — raises one :class:`~platform_constructs.errors.PolicyError`
naming the file, every key at fault and what is expected.

Which file and which environment apply to an app comes from CDK context:

* ``-c env=dev|staging|prod`` chooses the environment (default ``dev``);
* ``-c policy_file=path/to/policy.yaml`` points at another policy file (default: the one shipped with
  the package, i.e. ``policies/platform.yaml`` of this repository).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from platform_constructs.errors import PolicyError, Problem, UnknownEnvironmentError
from platform_constructs.policy_costs import PackageIndexPolicy, PricePolicy, prices_policy
from platform_constructs.policy_monitoring import (
    ModelMonitorRegistry,
    MonitoringPolicy,
    RegistryPolicy,
    model_monitor_registry,
    monitoring,
    registry,
)
from platform_constructs.policy_network import NetworkPolicy, network_policy
from platform_constructs.policy_schema import SEVERITIES, validate
from platform_constructs.policy_serving import (
    EndpointSchedule,
    FrameworkImages,
    ServerlessPolicy,
    environment_values,
    framework_accounts,
    frameworks,
)
from platform_constructs.values import closest, describe

__all__ = [  # SEVERITIES is re-exported: the image pipeline reads the scan severities from here
    "DEFAULT_ENVIRONMENT", "ENV_CONTEXT_KEY", "POLICY_FILE_CONTEXT_KEY", "SEVERITIES", "AlarmPolicy", "ArtifactPolicy",
    "BatchPolicy", "EnvironmentPolicy", "ImagePolicy", "NetworkPolicy", "PackageIndexPolicy", "Policy", "PricePolicy",
    "TagRule",
    "default_policy_file", "load_policy",
]

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader in C (libyaml) when the installed PyYAML has it (its wheels do), else the pure-Python one:
the same documents, the same types (both construct with ``SafeConstructor``), about ten times faster
(issue 19's profile)."""

ENV_CONTEXT_KEY = "env"
POLICY_FILE_CONTEXT_KEY = "policy_file"
DEFAULT_ENVIRONMENT = "dev"


def default_policy_file() -> Path:
    """The policy shipped with the package (the repository's ``policies/platform.yaml`` when editable)."""
    bundled = Path(__file__).parent / "_policies" / "platform.yaml"
    if bundled.is_file():
        return bundled
    return Path(__file__).resolve().parent.parent / "policies" / "platform.yaml"


@dataclass(frozen=True)
class TagRule:
    """One required tag (``tags.required.<name>``): a full-match ``pattern`` and/or an ``allowed`` list, and the
    ``default`` used when a construct's caller gives no value (``None``: the caller must give one)."""

    name: str
    description: str
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    default: str | None = None

    def accepts(self, value: str) -> bool:
        if self.allowed is not None and value not in self.allowed:
            return False
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None

    def expectation(self) -> str:
        if self.allowed is not None:
            return "one of " + ", ".join(self.allowed)
        return f"{self.description} (pattern {self.pattern})"


@dataclass(frozen=True)
class EnvironmentPolicy:
    """The settings of one environment (``environments.<name>``), chosen with ``-c env=<name>``."""

    name: str
    sagemaker_instance_types: tuple[str, ...]
    default_sagemaker_instance_type: str
    ec2_instance_types: tuple[str, ...]
    endpoint_min_capacity: int
    endpoint_max_capacity: int
    max_vcpus: int
    max_gpus: int
    max_job_hours: float
    spot: bool
    log_retention_days: int
    retain_stateful_resources: bool
    endpoint_async_min_capacity: int | None = None
    """The floor of asynchronous endpoints (0: they may scale to zero). Default: ``endpoint_min_capacity``."""
    endpoint_serverless: ServerlessPolicy = field(default_factory=ServerlessPolicy)
    """Whether serverless endpoints are allowed, and their bounds. Default: allowed, within SageMaker's limits."""
    endpoint_schedule: EndpointSchedule | None = None
    """When endpoints sleep and wake (scheduled scaling). Default: none (they never sleep)."""
    monitoring_required: bool = False
    """Every SageMaker endpoint here must be monitored (``SecureModelEndpoint(monitoring=...)``). Default: no."""

    @property
    def async_min_capacity(self) -> int:
        return self.endpoint_min_capacity if self.endpoint_async_min_capacity is None \
            else self.endpoint_async_min_capacity


@dataclass(frozen=True)
class ImagePolicy:
    inference: str
    training: str
    batch: str
    cuda_version: str
    python_version: str
    scan_block_severity: str
    ssm_prefix: str = "/platform/images"
    """SSM prefix under which a GoldenImagePipeline publishes its approved images."""
    keep_images: int = 20
    """How many ``build-*`` images each golden-image repository keeps (``approved-*`` images never expire)."""
    inference_cpu: str | None = None
    """The approved inference image for CPU instance types. Default: none (``inference`` serves both kinds)."""
    require_signed_images: bool = False
    """Constructs accept only images the golden-image pipeline signed (its approved images). Default: off."""
    base_pins: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Package -> the exact version the policy's base images install (golden images are checked against them)."""
    allowed_packages: tuple[str, ...] = ()
    """The only packages golden-image builds may install (the package index serves nothing else)."""
    signing_profile: str = "platform_golden_images"
    """The AWS Signer profile ECR managed signing signs the platform's images with (one per account and region)."""
    frameworks: dict[str, FrameworkImages] = field(default_factory=dict)
    """Approved inference images per framework (``SecureModelEndpoint(framework=...)``). Default: none."""


@dataclass(frozen=True)
class AlarmPolicy:
    period_minutes: int
    evaluation_periods: int
    endpoint_5xx_errors: int
    endpoint_4xx_rate_percent: float
    endpoint_p99_latency_ms: int
    utilization_percent: float
    batch_queue_depth: int
    batch_failed_jobs: int


DEFAULT_ALLOWED_PICKLE_IMPORTS: tuple[str, ...] = (
    "sklearn", "numpy", "scipy", "joblib.numpy_pickle", "collections.OrderedDict", "collections.defaultdict",
    "copyreg._reconstructor", "_codecs.encode", "builtins.slice", "builtins.set", "builtins.frozenset",
    "builtins.complex", "builtins.bytearray", "builtins.object", "builtins.dict", "builtins.list", "builtins.tuple",
)
"""What a scikit-learn model saved with ``joblib.dump`` imports when loaded: the estimators, numpy/scipy arrays and
the pickle machinery they use (dangerous names inside them, such as ``numpy.testing._private.utils.runstring``,
are refused by picklescan's own list)."""


@dataclass(frozen=True)
class ArtifactPolicy:
    max_size_gb: float
    required_metadata_fields: tuple[str, ...]
    allowed_pickle_imports: tuple[str, ...] = DEFAULT_ALLOWED_PICKLE_IMPORTS
    """``artifacts.allowed_pickle_imports``: modules (and packages, or ``module.name``) a ``model.joblib`` may
    import when loaded; default :data:`DEFAULT_ALLOWED_PICKLE_IMPORTS`."""


@dataclass(frozen=True)
class BatchPolicy:
    """AWS Batch scheduling defaults shared by BatchComputeEnv and GpuTrainingCluster."""

    runnable_cancel_minutes: int
    """A job stuck in RUNNABLE this long (no capacity / misconfiguration) is cancelled by its queue."""
    spot_retry_attempts: int
    """Attempts per job when the host is reclaimed (spot); any other failure is not retried."""
    share_decay_seconds: int
    compute_reservation_percent: int
    team_shares: dict[str, float]
    """Fair-share weight factor per team share identifier (a lower weight gets more compute)."""
    root_volume_gib: int


@dataclass(frozen=True)
class Policy:
    """The whole validated policy file."""

    file: str
    version: int
    tags: tuple[TagRule, ...]
    approved_registries: tuple[str, ...]
    images: ImagePolicy
    network: NetworkPolicy
    alarms: AlarmPolicy
    artifacts: ArtifactPolicy
    environments: dict[str, EnvironmentPolicy]
    batch: BatchPolicy
    monitoring: MonitoringPolicy = field(default_factory=MonitoringPolicy)
    """SageMaker Model Monitor defaults (``monitoring:``). Default: :class:`MonitoringPolicy`'s."""
    model_monitor: ModelMonitorRegistry = field(default_factory=ModelMonitorRegistry)
    """The Model Monitor analyzer image's registry per region (``registries.model_monitor``). Default: none."""
    model_registry: RegistryPolicy = field(default_factory=RegistryPolicy)
    """The model registry (``model_registry:``). Default: :class:`RegistryPolicy`'s."""
    image_accounts: tuple[str, ...] = ()
    """``registries.accounts``: accounts besides the deploying one that ``{account}`` in the approved registries may
    be (e.g. a central images account). Default: none."""
    base_registries: tuple[str, ...] = ()
    """Every ``registries.approved`` prefix: where golden-image bases may come from. ``approved_registries`` (what
    constructs accept) is the same list, or with ``images.require_signed_images`` only its ``platform/`` prefixes,
    whose images the registry signs (ECR managed signing)."""
    sha256: str = ""
    """SHA-256 of the policy file's bytes: which policy a template was synthesized under (``platform:synth``)."""
    prices: PricePolicy | None = None
    """``prices:`` (optional): without it no cost is estimated."""
    cost_caps: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """``cost_caps:`` (optional): cost centre -> environment -> the most its stacks may cost per month."""
    package_index: PackageIndexPolicy | None = None
    """``package_index:`` (optional): what ``platform new`` writes into a project's install step."""
    framework_accounts: dict[str, dict[str, str]] = field(default_factory=dict)
    """Registry family -> region -> the AWS account hosting the framework images there. Default: none."""

    def environment(self, name: object, *, option: str = f"-c {ENV_CONTEXT_KEY}") -> EnvironmentPolicy:
        """The settings of environment ``name``; :class:`UnknownEnvironmentError` naming ``option`` (where the name
        came from: ``-c env`` at synth, ``--env`` of ``platform-check``) and the closest environment otherwise."""
        if isinstance(name, str) and name in self.environments:
            return self.environments[name]
        choices = sorted(self.environments)
        meant = closest(name, choices)
        where = "the app's CDK context" if option.startswith("-c") else "the command line"
        reason = (f"environment {name!r} is not defined in the policy" if isinstance(name, str)
                  else f"the environment must be a string, got {describe(name)}")
        raise UnknownEnvironmentError(where, [Problem(
            option, name, f"one of: {', '.join(choices)} (the environments of the policy {self.file})",
            f"{option}={meant}" if meant is not None else
            f"{option}={DEFAULT_ENVIRONMENT}, or ask the platform team to add environments.{name} to the policy",
            reason=reason)])


SIGNED_REPOSITORY_PREFIX = "platform/"
"""The repositories whose images the platform signs (GoldenImagePipeline repositories, ECR managed signing)."""


def _consumer_registries(data: dict[str, Any]) -> tuple[str, ...]:
    approved = tuple(data["registries"]["approved"])
    if not data["images"].get("require_signed_images", False):
        return approved
    return tuple(p for p in approved if p.partition("/")[2].startswith(SIGNED_REPOSITORY_PREFIX))


@lru_cache(maxsize=16)
def load_policy(file: str | Path | None = None) -> Policy:
    """Load and validate a policy file (cached per path; the default is the packaged policy)."""
    path = Path(file) if file is not None else default_policy_file()
    label = str(path)
    try:
        raw = path.read_bytes()
        data = yaml.load(raw.decode("utf-8"), Loader=_SAFE_LOADER)
    except FileNotFoundError:
        raise PolicyError(label, ["file not found (set `-c policy_file=...` to an existing file)"]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError(label, [f"not valid YAML: {exc}"]) from None
    problems = validate(data)
    if problems:
        raise PolicyError(label, problems)
    tags = tuple(
        TagRule(
            name=name,
            description=rule["description"],
            pattern=rule.get("pattern"),
            allowed=tuple(rule["allowed"]) if "allowed" in rule else None,
            default=rule.get("default"),
        )
        for name, rule in data["tags"]["required"].items()
    )
    envs: dict[str, EnvironmentPolicy] = {}
    for name, settings in data["environments"].items():
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()}
        values["max_job_hours"] = float(values["max_job_hours"])
        envs[name] = EnvironmentPolicy(name=name, **environment_values(values))
    return Policy(
        file=label,
        version=data["version"],
        tags=tags,
        approved_registries=_consumer_registries(data),
        base_registries=tuple(data["registries"]["approved"]),
        images=ImagePolicy(**{**data["images"],
                                 "base_pins": MappingProxyType(dict(data["images"].get("base_pins", {}))),
                                 "allowed_packages": tuple(data["images"].get("allowed_packages", ())),
                                 "frameworks": frameworks(data["images"])}),
        network=network_policy(data["network"]),
        alarms=AlarmPolicy(**data["alarms"]),
        artifacts=ArtifactPolicy(
            max_size_gb=float(data["artifacts"]["max_size_gb"]),
            required_metadata_fields=tuple(data["artifacts"]["required_metadata_fields"]),
            allowed_pickle_imports=tuple(data["artifacts"].get("allowed_pickle_imports",
                                                               DEFAULT_ALLOWED_PICKLE_IMPORTS)),
        ),
        environments=envs,
        batch=BatchPolicy(**{**data["batch"], "team_shares": {
            str(k): float(v) for k, v in data["batch"]["team_shares"].items()}}),
        monitoring=monitoring(data),
        model_monitor=model_monitor_registry(data["registries"]),
        model_registry=registry(data),
        image_accounts=tuple(data["registries"].get("accounts", ())),
        sha256=hashlib.sha256(raw).hexdigest(),
        prices=prices_policy(data.get("prices")),
        package_index=PackageIndexPolicy(**data["package_index"]) if "package_index" in data else None,
        cost_caps=MappingProxyType({str(center): MappingProxyType({str(env): float(cap) for env, cap in caps.items()})
                                    for center, caps in data.get("cost_caps", {}).items()}),
        framework_accounts=framework_accounts(data["registries"]),
    )
