"""The Model Monitor resources of one kind of monitoring: the baselining job, the job definition and the schedule.

* ``<Kind>Baseline`` (``AWS::SageMaker::ProcessingJob``): the analyzer computes ``statistics.json`` and
  ``constraints.json`` from the baseline dataset into ``model-monitor/<kind>/baseline/`` of the endpoint's bucket
  (the baselining contract of the SageMaker Python SDK's ``DefaultModelMonitor.suggest_baseline`` /
  ``ModelQualityMonitor.suggest_baseline``: the dataset under ``/opt/ml/processing/input/baseline_dataset_input``,
  ``dataset_format``, ``dataset_source``, ``output_path`` and, for model quality, ``analysis_type`` and the
  attributes). Its name is generated; any change re-runs it.
* ``<Kind>JobDefinition`` (``AWS::SageMaker::DataQualityJobDefinition`` / ``ModelQualityJobDefinition``): every
  property is create-only, so its name carries a digest of its properties (and tags): a change creates a new
  definition under a new name, the schedule moves to it, the old one is deleted.
* ``<Kind>Schedule`` (``AWS::SageMaker::MonitoringSchedule``): ``<name>-dq`` / ``<name>-mq``, hourly or daily.

Every job runs network-isolated in the endpoint's VPC, with inter-container traffic encrypted, the endpoint's key on
its volumes and outputs, and the monitor's role.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import Aws, CfnMapping, CfnResource, IStableStringProducer, Lazy, Stack, Token
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from platform_constructs.errors import Problems
from platform_constructs.policy import Policy
from platform_constructs.serving.model_monitor_iam import MONITOR_PREFIX
from platform_constructs.serving.monitoring_settings import DATASET_FORMAT_ENVIRONMENT, MonitoringSettings, MonitorJob

MAPPING_ID = "PlatformModelMonitorAccounts"
"""Stack mapping region -> the Model Monitor analyzer's account, when the stack's region is known only at deploy."""
PROCESSING = "/opt/ml/processing"
BASELINE_INPUT = f"{PROCESSING}/input/baseline_dataset_input"
ENDPOINT_INPUT = f"{PROCESSING}/input/endpoint"
OUTPUT = f"{PROCESSING}/output"
MAX_NAME_LENGTH = 63


@dataclass(frozen=True)
class JobContext:
    """What every job of the monitor shares: the role, key, bucket and network, the endpoint and the image."""

    settings: MonitoringSettings
    endpoint_name: str
    base_name: str
    image: str
    role_arn: str
    key_arn: str
    bucket_name: str
    security_group_id: str
    subnet_ids: Sequence[str]

    def uri(self, job: MonitorJob, part: str) -> str:
        return f"s3://{self.bucket_name}/{MONITOR_PREFIX}/{job.kind}/{part}"


def analyzer_image(scope: Construct, policy: Policy, problems: Problems) -> str:
    """The Model Monitor analyzer image in ``scope``'s region: a literal when the region is known at synth, else a
    lookup in the stack's :data:`MAPPING_ID` (``Fn::FindInMap`` on ``AWS::Region``)."""
    stack, registry = Stack.of(scope), policy.model_monitor
    if not Token.is_unresolved(stack.region):
        account = registry.accounts.get(stack.region)
        if account is None:
            problems.add("monitoring", stack.region, "a region where the policy names the Model Monitor analyzer's "
                         f"account (registries.model_monitor.accounts: {', '.join(sorted(registry.accounts))})",
                         "deploy to a listed region, or ask the platform team to add this one")
            return registry.image("000000000000", stack.region)
        return registry.image(account, stack.region)
    mapping = stack.node.try_find_child(MAPPING_ID)
    if not isinstance(mapping, CfnMapping):
        mapping = CfnMapping(stack, MAPPING_ID, mapping={
            region: {"account": account} for region, account in sorted(registry.accounts.items())})
    return registry.image(mapping.find_in_map(Aws.REGION, "account"), Aws.REGION)


def baselining_job(scope: Construct, job: MonitorJob, ctx: JobContext) -> sagemaker.CfnProcessingJob:
    """``<Kind>Baseline``: statistics and constraints of the baseline dataset."""
    cls = sagemaker.CfnProcessingJob
    environment = {"dataset_format": DATASET_FORMAT_ENVIRONMENT[job.dataset_format],
                   "dataset_source": BASELINE_INPUT, "output_path": OUTPUT, "publish_cloudwatch_metrics": "Disabled"}
    if job.kind == "model-quality":
        environment.update(_model_quality_environment(job))
    return cls(
        scope, f"{_kind(job)}Baseline",
        app_specification=cls.AppSpecificationProperty(image_uri=ctx.image),
        environment=environment,
        processing_inputs=[cls.ProcessingInputsObjectProperty(
            input_name="baseline_dataset_input",
            s3_input=cls.S3InputProperty(s3_uri=job.baseline_dataset.url, s3_data_type="S3Prefix",
                                         local_path=BASELINE_INPUT, s3_input_mode="File",
                                         s3_data_distribution_type="FullyReplicated"))],
        processing_output_config=cls.ProcessingOutputConfigProperty(kms_key_id=ctx.key_arn, outputs=[
            cls.ProcessingOutputsObjectProperty(output_name="monitoring_output", s3_output=cls.S3OutputProperty(
                s3_uri=ctx.uri(job, "baseline"), local_path=OUTPUT, s3_upload_mode="EndOfJob"))]),
        processing_resources=cls.ProcessingResourcesProperty(cluster_config=cls.ClusterConfigProperty(
            instance_count=ctx.settings.instance_count, instance_type=ctx.settings.instance_type,
            volume_size_in_gb=ctx.settings.volume_size_gb, volume_kms_key_id=ctx.key_arn)),
        network_config=cls.NetworkConfigProperty(
            enable_network_isolation=True, enable_inter_container_traffic_encryption=True,
            vpc_config=cls.VpcConfigProperty(security_group_ids=[ctx.security_group_id],
                                             subnets=list(ctx.subnet_ids))),
        role_arn=ctx.role_arn,
        stopping_condition=cls.StoppingConditionProperty(max_runtime_in_seconds=job.max_runtime_seconds),
    )


def _model_quality_environment(job: MonitorJob) -> dict[str, str]:
    values = {"analysis_type": "MODEL_QUALITY", "problem_type": job.problem_type,
              "inference_attribute": job.inference_attribute, "ground_truth_attribute": job.ground_truth_attribute,
              "probability_attribute": job.probability_attribute,
              "probability_threshold_attribute": None if job.probability_threshold is None
              else f"{job.probability_threshold:g}"}
    return {k: str(v) for k, v in values.items() if v is not None}


def job_definition(scope: Construct, job: MonitorJob, ctx: JobContext) -> tuple[CfnResource, str]:
    """``<Kind>JobDefinition`` (what each scheduled execution runs) and its name."""
    resource: CfnResource = _data_quality(scope, job, ctx) if job.kind == "data-quality" \
        else _model_quality(scope, job, ctx)
    prefix = f"{ctx.base_name[:MAX_NAME_LENGTH - 13].rstrip('-')}-{job.short}"
    name = Lazy.string(_DigestName(resource, prefix))
    resource.add_property_override("JobDefinitionName", name)
    return resource, name


@jsii.implements(IStableStringProducer)
class _DigestName:
    """Produces ``<prefix>-<8 hex>``: a digest of the resource's properties (tags included) as they resolve at synth,
    so that a change of any of them, all create-only, is a replacement under a new name."""

    def __init__(self, resource: CfnResource, prefix: str) -> None:
        self._resource, self._prefix = resource, prefix

    def produce(self) -> str:
        properties = Stack.of(self._resource).resolve(self._resource._cfn_properties)  # the L1's own properties
        digest = hashlib.sha256(json.dumps(properties, sort_keys=True, default=str).encode()).hexdigest()[:8]
        return f"{self._prefix}-{digest}"


def _cluster(cls: Any, ctx: JobContext) -> Any:
    return cls.MonitoringResourcesProperty(cluster_config=cls.ClusterConfigProperty(
        instance_count=ctx.settings.instance_count, instance_type=ctx.settings.instance_type,
        volume_size_in_gb=ctx.settings.volume_size_gb, volume_kms_key_id=ctx.key_arn))


def _network(cls: Any, ctx: JobContext) -> Any:
    return cls.NetworkConfigProperty(
        enable_network_isolation=True, enable_inter_container_traffic_encryption=True,
        vpc_config=cls.VpcConfigProperty(security_group_ids=[ctx.security_group_id], subnets=list(ctx.subnet_ids)))


def _output(cls: Any, job: MonitorJob, ctx: JobContext) -> Any:
    return cls.MonitoringOutputConfigProperty(kms_key_id=ctx.key_arn, monitoring_outputs=[
        cls.MonitoringOutputProperty(s3_output=cls.S3OutputProperty(
            s3_uri=ctx.uri(job, "reports"), local_path=OUTPUT, s3_upload_mode="EndOfJob"))])


def _data_quality(scope: Construct, job: MonitorJob, ctx: JobContext) -> sagemaker.CfnDataQualityJobDefinition:
    cls = sagemaker.CfnDataQualityJobDefinition
    return cls(
        scope, "DataQualityJobDefinition",
        data_quality_app_specification=cls.DataQualityAppSpecificationProperty(
            image_uri=ctx.image, environment={"publish_cloudwatch_metrics": "Enabled"}),
        data_quality_baseline_config=cls.DataQualityBaselineConfigProperty(
            constraints_resource=cls.ConstraintsResourceProperty(s3_uri=ctx.uri(job, "baseline/constraints.json")),
            statistics_resource=cls.StatisticsResourceProperty(s3_uri=ctx.uri(job, "baseline/statistics.json"))),
        data_quality_job_input=cls.DataQualityJobInputProperty(endpoint_input=cls.EndpointInputProperty(
            endpoint_name=ctx.endpoint_name, local_path=ENDPOINT_INPUT, s3_input_mode="File",
            s3_data_distribution_type="FullyReplicated")),
        data_quality_job_output_config=_output(cls, job, ctx),
        job_resources=_cluster(cls, ctx),
        network_config=_network(cls, ctx),
        role_arn=ctx.role_arn,
        stopping_condition=cls.StoppingConditionProperty(max_runtime_in_seconds=job.max_runtime_seconds),
        endpoint_name=ctx.endpoint_name,
    )


def _model_quality(scope: Construct, job: MonitorJob, ctx: JobContext) -> sagemaker.CfnModelQualityJobDefinition:
    cls = sagemaker.CfnModelQualityJobDefinition
    start, end = job.time_offsets or (None, None)
    assert job.ground_truth is not None  # a model-quality job always has its ground truth
    return cls(
        scope, "ModelQualityJobDefinition",
        model_quality_app_specification=cls.ModelQualityAppSpecificationProperty(
            image_uri=ctx.image, problem_type=str(job.problem_type),
            environment={"publish_cloudwatch_metrics": "Enabled"}),
        model_quality_baseline_config=cls.ModelQualityBaselineConfigProperty(
            constraints_resource=cls.ConstraintsResourceProperty(s3_uri=ctx.uri(job, "baseline/constraints.json"))),
        model_quality_job_input=cls.ModelQualityJobInputProperty(
            endpoint_input=cls.EndpointInputProperty(
                endpoint_name=ctx.endpoint_name, local_path=ENDPOINT_INPUT, s3_input_mode="File",
                s3_data_distribution_type="FullyReplicated", inference_attribute=job.inference_attribute,
                probability_attribute=job.probability_attribute,
                probability_threshold_attribute=job.probability_threshold, start_time_offset=start,
                end_time_offset=end),
            ground_truth_s3_input=cls.MonitoringGroundTruthS3InputProperty(s3_uri=job.ground_truth.url)),
        model_quality_job_output_config=_output(cls, job, ctx),
        job_resources=_cluster(cls, ctx),
        network_config=_network(cls, ctx),
        role_arn=ctx.role_arn,
        stopping_condition=cls.StoppingConditionProperty(max_runtime_in_seconds=job.max_runtime_seconds),
        endpoint_name=ctx.endpoint_name,
    )


def schedule(scope: Construct, job: MonitorJob, ctx: JobContext,
             definition_name: str) -> sagemaker.CfnMonitoringSchedule:
    """``<Kind>Schedule``: ``<name>-dq`` / ``<name>-mq`` on the job's schedule."""
    cls = sagemaker.CfnMonitoringSchedule
    return cls(
        scope, f"{_kind(job)}Schedule",
        monitoring_schedule_name=f"{ctx.base_name}-{job.short}",
        endpoint_name=ctx.endpoint_name,
        monitoring_schedule_config=cls.MonitoringScheduleConfigProperty(
            monitoring_job_definition_name=definition_name,
            monitoring_type="DataQuality" if job.kind == "data-quality" else "ModelQuality",
            schedule_config=cls.ScheduleConfigProperty(schedule_expression=job.schedule_expression)),
    )


def _kind(job: MonitorJob) -> str:
    return "DataQuality" if job.kind == "data-quality" else "ModelQuality"
