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

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from platform_constructs.errors import PolicyError
from platform_constructs.policy_schema import SEVERITIES, validate

__all__ = [  # SEVERITIES is re-exported: the image pipeline reads the scan severities from here
    "DEFAULT_ENVIRONMENT", "ENV_CONTEXT_KEY", "POLICY_FILE_CONTEXT_KEY", "SEVERITIES", "AlarmPolicy", "ArtifactPolicy",
    "BatchPolicy", "EnvironmentPolicy", "ImagePolicy", "NetworkPolicy", "Policy", "TagRule", "default_policy_file",
    "load_policy",
]

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
    """How many images each golden-image repository keeps (older ones expire)."""


@dataclass(frozen=True)
class NetworkPolicy:
    ssm_prefix: str
    cidr: str
    max_azs: int
    resource_accounts: tuple[str, ...] = ()
    """Accounts (besides the deploying one and the approved registries') whose resources the VPC endpoints reach."""
    resource_org_id: str | None = None
    """The organisation whose resources the VPC endpoints reach (``aws:ResourceOrgID``); ``None``: accounts only."""


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


@dataclass(frozen=True)
class ArtifactPolicy:
    max_size_gb: float
    required_metadata_fields: tuple[str, ...]


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

    def environment(self, name: str) -> EnvironmentPolicy:
        if name not in self.environments:
            raise PolicyError(self.file, [
                f"environment {name!r} (from `-c {ENV_CONTEXT_KEY}=...`) is not defined; "
                f"expected one of: {', '.join(sorted(self.environments))}"
            ])
        return self.environments[name]


@lru_cache(maxsize=16)
def load_policy(file: str | Path | None = None) -> Policy:
    """Load and validate a policy file (cached per path; the default is the packaged policy)."""
    path = Path(file) if file is not None else default_policy_file()
    label = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(label, ["file not found (set `-c policy_file=...` to an existing file)"]) from None
    except yaml.YAMLError as exc:
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
        envs[name] = EnvironmentPolicy(name=name, **values)
    return Policy(
        file=label,
        version=data["version"],
        tags=tags,
        approved_registries=tuple(data["registries"]["approved"]),
        images=ImagePolicy(**data["images"]),
        network=NetworkPolicy(**{**data["network"],
                                  "resource_accounts": tuple(data["network"].get("resource_accounts", ()))}),
        alarms=AlarmPolicy(**data["alarms"]),
        artifacts=ArtifactPolicy(
            max_size_gb=float(data["artifacts"]["max_size_gb"]),
            required_metadata_fields=tuple(data["artifacts"]["required_metadata_fields"]),
        ),
        environments=envs,
        batch=BatchPolicy(**{**data["batch"], "team_shares": {
            str(k): float(v) for k, v in data["batch"]["team_shares"].items()}}),
    )
