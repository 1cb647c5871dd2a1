"""SageMaker Model Monitor on an endpoint: the arguments (:class:`DataQualityMonitoring`,
:class:`ModelQualityMonitoring`) and their validation into :class:`MonitoringSettings` (pure: no ``aws_cdk``).

``SecureModelEndpoint(monitoring=...)`` takes one of them or both (a tuple). For each, the endpoint gets a baselining
job (statistics and constraints computed from ``baseline_dataset``), a job definition and a schedule comparing the
captured requests (and, for model quality, the ground-truth labels) with that baseline, and an alarm on the schedule's
executions that found constraint violations (:mod:`.model_monitor`). Defaults come from the policy's
``monitoring:``; an environment whose policy says ``monitoring_required`` refuses an endpoint without monitoring.
Model Monitor monitors real-time endpoints (SageMaker developer guide, "Schedule data quality monitoring jobs": "Data
quality monitoring for models deployed to real-time endpoints"; batch transform is the only other input), so
serverless and asynchronous endpoints cannot be monitored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from platform_constructs.errors import Problems
from platform_constructs.policy import EnvironmentPolicy, Policy
from platform_constructs.policy_monitoring import MAX_RUNTIME_SECONDS, SCHEDULE_EXPRESSIONS, SCHEDULE_SECONDS, SCHEDULES

MonitoringSchedule = Literal["hourly", "daily"]
DatasetFormat = Literal["csv", "json"]
ProblemType = Literal["BinaryClassification", "MulticlassClassification", "Regression"]
MonitorKind = Literal["data-quality", "model-quality"]
DATASET_FORMATS: tuple[str, ...] = ("csv", "json")
PROBLEM_TYPES: tuple[str, ...] = ("BinaryClassification", "MulticlassClassification", "Regression")
DEFAULT_DATASET_FORMAT: DatasetFormat = "csv"
DEFAULT_GROUND_TRUTH_DELAY_HOURS = 24
"""Hours until ground-truth labels have arrived: a model-quality execution analyses the inferences of one schedule
period that ended this long ago (``EndpointInput.StartTimeOffset``/``EndTimeOffset``, SageMaker developer guide,
"Schedule model quality monitoring jobs": "Ground Truth labels could be delayed. To address this, specify
offsets")."""
MAX_GROUND_TRUTH_DELAY_HOURS = 24 * 14
MONITORED_MODES = ("realtime",)
"""Endpoint modes Model Monitor can monitor (see the module docstring)."""
DATASET_FORMAT_ENVIRONMENT = {"csv": '{"csv": {"header": true, "output_columns_position": "START"}}',
                              "json": '{"json": {"lines": true}}'}
"""The analyzer's ``dataset_format`` environment value (SageMaker Python SDK ``DatasetFormat.csv(header=True)`` /
``DatasetFormat.json(lines=True)``)."""

_S3_URL = re.compile(r"s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>[^*?\s]*)")
_TOKEN = re.compile(r"[$#]\{Token\[")
_ATTRIBUTE = re.compile(r"[^\s]{1,256}")


@dataclass(frozen=True)
class DataQualityMonitoring:
    """Data-quality monitoring: the endpoint's captured requests compared with the statistics and constraints a
    baselining job computes from the training data.

    :param baseline_dataset: ``s3://bucket/key`` of the training dataset (or ``s3://bucket/prefix/`` holding it), in
        ``dataset_format``. Required. The monitoring role may read it and nothing else outside the endpoint's bucket.
    :param schedule: ``hourly`` or ``daily``. Default: the policy's ``monitoring.schedule``.
    :param dataset_format: ``csv`` (with a header row) or ``json`` (JSON lines). Default: ``csv``.
    """

    baseline_dataset: str
    schedule: MonitoringSchedule | None = None
    dataset_format: DatasetFormat = DEFAULT_DATASET_FORMAT


@dataclass(frozen=True)
class ModelQualityMonitoring:
    """Model-quality monitoring: the endpoint's predictions compared with ground-truth labels you upload, against
    the quality a baselining job computes from a dataset holding predictions and labels.

    :param baseline_dataset: ``s3://bucket/key`` (or prefix) of a dataset with the model's predictions and the true
        labels (a validation set run through the model). Required.
    :param ground_truth: ``s3://bucket/prefix/`` where the ground-truth labels of captured requests are uploaded
        (SageMaker's ``GroundTruthS3Input``: one JSON line per ``eventId`` of the capture). Required.
    :param problem_type: ``BinaryClassification``, ``MulticlassClassification`` or ``Regression``. Required.
    :param inference_attribute: the prediction's column (CSV index) or JSONPath in the model's output. Required.
    :param ground_truth_attribute: the label's column in ``baseline_dataset``. Required.
    :param probability_attribute: binary classification: the probability's column or JSONPath. Default: none.
    :param probability_threshold: binary classification: the probability above which the prediction is positive.
        Default: none (the analyzer's own, 0.5).
    :param ground_truth_delay_hours: hours until labels have arrived (1-336). Default: 24.
    :param schedule: ``hourly`` or ``daily``. Default: the policy's ``monitoring.schedule``.
    :param dataset_format: ``csv`` or ``json``, of ``baseline_dataset``. Default: ``csv``.
    """

    baseline_dataset: str
    ground_truth: str
    problem_type: ProblemType
    inference_attribute: str
    ground_truth_attribute: str
    probability_attribute: str | None = None
    probability_threshold: float | None = None
    ground_truth_delay_hours: int = DEFAULT_GROUND_TRUTH_DELAY_HOURS
    schedule: MonitoringSchedule | None = None
    dataset_format: DatasetFormat = DEFAULT_DATASET_FORMAT


Monitoring = DataQualityMonitoring | ModelQualityMonitoring


@dataclass(frozen=True)
class S3Location:
    """A validated ``s3://bucket/key`` (``key`` ends with ``/`` for a prefix)."""

    url: str
    bucket: str
    key: str

    @property
    def object_pattern(self) -> str:
        """``bucket/key`` of the object, or ``bucket/prefix*`` of everything under a prefix (for IAM ARNs)."""
        return f"{self.bucket}/{self.key}*" if self.key.endswith("/") else f"{self.bucket}/{self.key}"

    @property
    def list_prefix(self) -> str:
        """The ``s3:prefix`` SageMaker lists the location with (a processing input is an ``S3Prefix``)."""
        return f"{self.key}*"


@dataclass(frozen=True)
class MonitorJob:
    """One kind of monitoring, validated, with the policy's defaults applied."""

    kind: MonitorKind
    baseline_dataset: S3Location
    schedule: MonitoringSchedule
    dataset_format: DatasetFormat
    max_runtime_seconds: int
    ground_truth: S3Location | None = None
    problem_type: ProblemType | None = None
    inference_attribute: str | None = None
    ground_truth_attribute: str | None = None
    probability_attribute: str | None = None
    probability_threshold: float | None = None
    ground_truth_delay_hours: int = DEFAULT_GROUND_TRUTH_DELAY_HOURS

    @property
    def short(self) -> str:
        """``dq`` / ``mq``: the suffix of the schedule's and job definition's names."""
        return "dq" if self.kind == "data-quality" else "mq"

    @property
    def schedule_expression(self) -> str:
        return SCHEDULE_EXPRESSIONS[self.schedule]

    @property
    def period_seconds(self) -> int:
        return SCHEDULE_SECONDS[self.schedule]

    @property
    def time_offsets(self) -> tuple[str, str] | None:
        """Model quality: (``StartTimeOffset``, ``EndTimeOffset``), ISO 8601 ``-PT#H``: one schedule period that
        ended ``ground_truth_delay_hours`` ago."""
        if self.kind != "model-quality":
            return None
        end = self.ground_truth_delay_hours
        return f"-PT{end + self.period_seconds // 3600}H", f"-PT{end}H"


@dataclass(frozen=True)
class MonitoringSettings:
    """The endpoint's monitoring: its jobs (at most one of each kind) and the policy's resources for them."""

    jobs: tuple[MonitorJob, ...]
    instance_type: str
    instance_count: int
    volume_size_gb: int
    violations_alarm_threshold: int


def _location(problems: Problems, argument: str, value: object, *, owner: str,
              prefix_only: bool = False) -> S3Location | None:
    example = "s3://my-bucket/labels/" if prefix_only else "s3://my-bucket/datasets/train.csv"
    allowed = ("a literal s3://bucket/prefix/ URL ending in '/'" if prefix_only else
               "a literal s3://bucket/key URL of a dataset object, or s3://bucket/prefix/ of the objects") + \
        " (no wildcards, no deploy-time value)"
    match = _S3_URL.fullmatch(value) if isinstance(value, str) and not _TOKEN.search(value) else None
    if match is None or not match["key"] or (prefix_only and not match["key"].endswith("/")):
        field = argument.rsplit(".", 1)[-1]
        meant = f"{value}/" if isinstance(value, str) and match is not None and prefix_only else example
        fix = f"pass {owner}({field}='{meant}', ...)"
        problems.add(argument, value, allowed, fix)
        return None
    return S3Location(url=str(value), bucket=match["bucket"], key=match["key"])


def _choice(problems: Problems, argument: str, value: object, choices: Sequence[str], default: str, *,
            owner: str) -> str:
    if isinstance(value, str) and value in choices:
        return value
    folded = {c.lower(): c for c in choices}
    meant = folded.get(value.lower().replace("_", "").replace("-", ""), default) if isinstance(value, str) \
        else default
    problems.add(argument, value, "one of " + ", ".join(repr(c) for c in choices),
                 f"pass {owner}({argument.rsplit('.', 1)[-1]}={meant!r}, ...)")
    return default


def _job(policy: Policy, problems: Problems, prefix: str, spec: Monitoring) -> MonitorJob:
    kind: MonitorKind = "data-quality" if isinstance(spec, DataQualityMonitoring) else "model-quality"
    owner = type(spec).__name__
    schedule = policy.monitoring.schedule if spec.schedule is None else _choice(
        problems, f"{prefix}schedule", spec.schedule, SCHEDULES, policy.monitoring.schedule, owner=owner)
    dataset_format = _choice(problems, f"{prefix}dataset_format", spec.dataset_format, DATASET_FORMATS,
                             DEFAULT_DATASET_FORMAT, owner=owner)
    baseline = _location(problems, f"{prefix}baseline_dataset", spec.baseline_dataset, owner=owner)
    runtime = policy.monitoring.max_runtime_minutes * 60
    limit = MAX_RUNTIME_SECONDS[(kind, schedule)]
    problems.check(runtime <= limit, f"{prefix}schedule", schedule,
                   f"a schedule whose period fits the policy's monitoring.max_runtime_minutes "
                   f"({policy.monitoring.max_runtime_minutes}): {'an' if schedule == 'hourly' else 'a'} {schedule} "
                   f"{kind} job may run at most {limit // 60} minutes (SageMaker API reference, "
                   "MonitoringStoppingCondition)",
                   f"pass {owner}(schedule='daily', ...), or ask the platform team to lower "
                   "monitoring.max_runtime_minutes")
    invalid = S3Location("s3://invalid/", "invalid", "")  # only while problems are collected: they are raised
    chosen, fmt = cast(MonitoringSchedule, schedule), cast(DatasetFormat, dataset_format)
    if isinstance(spec, DataQualityMonitoring):
        return MonitorJob(kind, baseline or invalid, chosen, fmt, min(runtime, limit))
    ground_truth = _location(problems, f"{prefix}ground_truth", spec.ground_truth, owner=owner, prefix_only=True)
    problem_type = _choice(problems, f"{prefix}problem_type", spec.problem_type, PROBLEM_TYPES, PROBLEM_TYPES[0],
                           owner=owner)
    for name in ("inference_attribute", "ground_truth_attribute", "probability_attribute"):
        value = getattr(spec, name)
        if value is None and name == "probability_attribute":
            continue
        problems.check(isinstance(value, str) and _ATTRIBUTE.fullmatch(value) is not None, f"{prefix}{name}", value,
                       "a column index of the CSV ('0') or a JSONPath of the JSON ('$.prediction'), 1-256 characters "
                       "without spaces", f"pass {owner}({name}='0', ...)")
    threshold = spec.probability_threshold
    if threshold is not None or spec.probability_attribute is not None:
        problems.check(problem_type == "BinaryClassification", f"{prefix}probability_attribute",
                       spec.probability_attribute, "only for problem_type='BinaryClassification'",
                       f"remove probability_attribute and probability_threshold from {owner}(...)")
    if threshold is not None:
        problems.check(isinstance(threshold, (int, float)) and not isinstance(threshold, bool) and 0 < threshold < 1,
                       f"{prefix}probability_threshold", threshold, "a number between 0 and 1 (exclusive)",
                       f"pass {owner}(probability_threshold=0.5, ...)")
    delay = spec.ground_truth_delay_hours
    delay_ok = isinstance(delay, int) and not isinstance(delay, bool) and 0 <= delay <= MAX_GROUND_TRUTH_DELAY_HOURS
    problems.check(delay_ok, f"{prefix}ground_truth_delay_hours", delay,
                   f"an integer from 0 to {MAX_GROUND_TRUTH_DELAY_HOURS} (hours until the labels have arrived)",
                   f"pass {owner}(ground_truth_delay_hours={DEFAULT_GROUND_TRUTH_DELAY_HOURS}, ...)")
    return MonitorJob(
        kind, baseline or invalid, chosen, fmt, min(runtime, limit),
        ground_truth=ground_truth or invalid, problem_type=cast(ProblemType, problem_type),
        inference_attribute=spec.inference_attribute, ground_truth_attribute=spec.ground_truth_attribute,
        probability_attribute=spec.probability_attribute,
        probability_threshold=float(threshold) if isinstance(threshold, (int, float)) else None,
        ground_truth_delay_hours=delay if delay_ok else DEFAULT_GROUND_TRUTH_DELAY_HOURS)


def monitoring_settings(policy: Policy, env: EnvironmentPolicy, problems: Problems, *, monitoring: object,
                        mode: str) -> MonitoringSettings | None:
    """Validate ``SecureModelEndpoint(monitoring=...)`` for an endpoint in ``mode``: ``None`` when there is none
    (refused where the environment's policy has ``monitoring_required``). Problems are recorded in ``problems``
    (the endpoint raises them with its own)."""
    required = f"environments.{env.name}.monitoring_required"
    example = "monitoring=DataQualityMonitoring(baseline_dataset='s3://<bucket>/<training data>.csv')"
    if monitoring is None:
        if env.monitoring_required:
            if mode in MONITORED_MODES:
                problems.add("monitoring", None, f"a DataQualityMonitoring and/or ModelQualityMonitoring: every "
                             f"endpoint in {env.name} is monitored (the policy's {required} is true)",
                             f"pass {example}")
            else:
                problems.add("mode", mode, f"{' or '.join(repr(m) for m in MONITORED_MODES)} in {env.name}: its "
                             f"endpoints must be monitored (the policy's {required} is true) and SageMaker Model "
                             "Monitor monitors real-time endpoints only",
                             f"pass mode='realtime' and {example}")
        return None
    given: list[object] = list(monitoring) if isinstance(monitoring, (list, tuple)) else [monitoring]
    specs = [s for s in given if isinstance(s, (DataQualityMonitoring, ModelQualityMonitoring))]
    kinds = [type(s).__name__ for s in given]
    if not given or len(specs) != len(given) or len(set(kinds)) != len(kinds):
        problems.add("monitoring", monitoring, "a DataQualityMonitoring, a ModelQualityMonitoring, or one of each "
                     "in a tuple", f"pass {example}")
        return None
    if not problems.check(mode in MONITORED_MODES, "monitoring", kinds,
                          f"an endpoint in mode {' or '.join(repr(m) for m in MONITORED_MODES)}: SageMaker Model "
                          f"Monitor monitors real-time endpoints only (this one is {mode!r})",
                          "remove monitoring, or pass mode='realtime'"):
        return None
    if not policy.model_monitor.accounts:
        problems.add("monitoring", kinds, "monitoring where the policy names the Model Monitor analyzer's registry "
                     "(registries.model_monitor.accounts is empty)",
                     "ask the platform team to add registries.model_monitor to the policy")
        return None
    jobs = tuple(_job(policy, problems, "monitoring." if len(specs) == 1 else f"monitoring[{i}].", spec)
                 for i, spec in enumerate(specs))
    settings = policy.monitoring
    return MonitoringSettings(jobs=jobs, instance_type=settings.instance_type,
                              instance_count=settings.instance_count, volume_size_gb=settings.volume_size_gb,
                              violations_alarm_threshold=settings.violations_alarm_threshold)
