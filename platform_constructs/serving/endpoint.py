"""SecureModelEndpoint: a locked-down, monitored, autoscaled SageMaker endpoint from ten lines of Python.

What a data scientist gets from ``SecureModelEndpoint(self, "Model", model_data_url=..., cost_center=...)``:

* one network-isolated ``AWS::SageMaker::Model`` per variant, in the platform network's isolated subnets,
  behind its own security group (no ingress; egress HTTPS only, which in isolated subnets reaches nothing but
  the VPC endpoints);
* a least-privilege execution role: read the model artifact objects, pull from the images' own ECR
  repositories, use the endpoint's own KMS key, write its own log group, data-capture prefix and metrics;
* a customer-managed KMS key (rotation on) for the endpoint's volumes, data capture, logs and alarm topic;
* data capture (input and output) into a KMS-encrypted, versioned, access-logged, TLS-only bucket with
  lifecycle rules (:func:`platform_constructs.baseline.secure_bucket`);
* an endpoint with deployment guardrails: blue/green with canary or linear traffic shifting and automatic
  rollback on the 5xx and latency alarms of every variant;
* target-tracking autoscaling on invocations per instance between the policy's capacity bounds;
* alarms (5xx errors, 4xx rate, p99 model latency, CPU/GPU/memory/disk utilization) to a KMS-encrypted SNS
  topic, and a CloudWatch dashboard;
* ``grant_invoke``, ``metric_*`` helpers and stack outputs with the endpoint's name and ARN.

Validation has three tiers: every argument is checked by the pure :func:`~.settings.endpoint_settings` before any
resource exists (all problems raised together as one :class:`~platform_constructs.errors.PlatformValidationError`);
what can still change afterwards (grants to the execution role) is checked at synth; and what a user may accept
(arguments the mode ignores, no bake time, no capture sampling) is a CDK warning with an id of its own.
The resources are built by :mod:`.iam`, :mod:`.resources`, :mod:`.alarms`, :mod:`.autoscaling` and
:mod:`.dashboard`; metrics come from :class:`~.monitoring.EndpointMetricFactory`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import Annotations, CfnOutput, Duration, Stack, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk.aws_applicationautoscaling import CfnScalableTarget, CfnScalingPolicy
from constructs import Construct, IValidation

from platform_constructs import baseline
from platform_constructs.core import PlatformConstruct
from platform_constructs.images.defaults import default_image
from platform_constructs.network import resolve_network
from platform_constructs.serving import iam as serving_iam
from platform_constructs.serving import resources
from platform_constructs.serving.alarms import EndpointAlarms
from platform_constructs.serving.autoscaling import configure_autoscaling
from platform_constructs.serving.dashboard import endpoint_dashboard
from platform_constructs.serving.model_monitor import EndpointMonitor
from platform_constructs.serving.monitoring import METRICS_NAMESPACE, EndpointMetricFactory
from platform_constructs.serving.monitoring_settings import Monitoring
from platform_constructs.serving.settings import (
    DATA_CAPTURE_PREFIX,
    EndpointMode,
    EndpointSettings,
    TrafficShifting,
    endpoint_settings,
)
from platform_constructs.serving.variants import PRIMARY_VARIANT, ModelVariant

__all__ = ["ModelVariant", "SecureModelEndpoint"]


class SecureModelEndpoint(PlatformConstruct):
    """A production-grade SageMaker endpoint: isolated, encrypted, captured, guarded, autoscaled, alarmed.

    :param model_data_url: ``s3://bucket/key`` of the model artifact (e.g. ``model.tar.gz``). Required.
    :param cost_center: the ``CostCenter`` tag (lowercase slug, see the policy). Required.
    :param instance_type: SageMaker instance type of the primary variant (and of variants that name none).
        Default: the environment's ``default_sagemaker_instance_type`` in the policy; must be in its
        ``sagemaker_instance_types``. Not allowed in serverless mode.
    :param image: inference image URI of the primary variant (and of variants that name none); must be a literal
        URI under one of the policy's approved registries. Default: the platform's approved inference image (the
        app's GoldenImagePipeline's, else the published golden image with ``-c golden_images=true``, else the
        policy's).
    :param variants: additional weighted variants for A/B tests (at most 9). Default: none (one variant,
        ``Primary``). Not allowed in serverless mode.
    :param primary_weight: relative traffic weight of the primary variant. Default: ``1.0``.
    :param mode: ``realtime`` (instances), ``serverless`` or ``async`` (asynchronous inference with results in
        the endpoint's bucket). Default: ``realtime``. Serverless supports no VPC, network isolation, data
        capture, volume KmsKeyId or extra variants (acknowledged in the template with that reason).
    :param min_capacity: instances per variant at creation and the autoscaling floor. Default: the environment's
        ``endpoint_min_capacity``; must be at least that. Realtime and async only.
    :param max_capacity: the autoscaling ceiling per variant. Default: the environment's ``endpoint_max_capacity``;
        must not exceed it. Realtime and async only.
    :param invocations_per_instance: autoscaling target, invocations per instance per minute. Default: 1000.
        Realtime and async only.
    :param data_capture_sampling_percent: percentage of requests captured (0-100). Default: 100 (every request).
        Realtime and async only (serverless has no data capture).
    :param traffic_shifting: ``canary`` (one step of ``traffic_step_percent``, then the rest) or ``linear``
        (steps of ``traffic_step_percent``) for blue/green updates. Default: ``canary``.
    :param traffic_step_percent: canary size or linear step, 1-100 percent of capacity. Default: 10.
    :param bake_minutes: minutes each step must stay alarm-free before the next, and before the old fleet is
        removed (0-60). Default: 10.
    :param serverless_memory_mb: serverless memory, 1024-6144 in steps of 1024. Default: 2048. Serverless only.
    :param serverless_max_concurrency: serverless concurrent invocations, 1-200. Default: 5. Serverless only.
    :param async_max_concurrent_invocations: async invocations per instance, 1-1000. Default: 4. Async only.
    :param alarm_5xx_errors: 5xx errors per alarm period that alarm. Default: policy ``alarms.endpoint_5xx_errors``.
    :param alarm_4xx_rate_percent: 4xx share of invocations (percent). Default: policy
        ``alarms.endpoint_4xx_rate_percent``.
    :param alarm_p99_latency_ms: p99 model latency (milliseconds). Default: policy ``alarms.endpoint_p99_latency_ms``.
    :param alarm_utilization_percent: CPU/GPU/memory/disk utilization, percent of one vCPU or GPU times their number.
        Default: policy ``alarms.utilization_percent``. Realtime and async only.
    :param endpoint_name: the endpoint's name (1-63 letters, digits, hyphens). Default: ``<stack name>-<id>``,
        shortened with a hash suffix when longer than 63 characters.
    :param vpc: the VPC to run in (its isolated subnets). Default: the platform network (a PlatformNetwork in the
        stack, else the ids it publishes in SSM, resolved at deploy time). Realtime and async only.
    :param data_classification: the ``DataClassification`` tag. Default: the policy's default (``confidential``).
    :param project: the ``Project`` tag. Default: the policy's default.
    :param owner: the ``Owner`` tag. Default: the policy's default.
    :param tags: any other tag the policy requires (``{"Team": "recs"}``), or extra tags. Default: none.
    :param monitoring: SageMaker Model Monitor on the captured data: a ``DataQualityMonitoring``, a
        ``ModelQualityMonitoring`` or one of each in a tuple (:mod:`.model_monitor`). Default: none; required where
        the policy's ``monitoring_required`` is true (prod). Real-time endpoints only.

    An argument the chosen mode does not use is reported as the warning
    ``platform-constructs:endpoint-ignored-arguments`` (see :mod:`.settings` for the others).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_data_url: str,
        cost_center: str,
        instance_type: str | None = None,
        image: str | None = None,
        variants: Sequence[ModelVariant] = (),
        primary_weight: float | None = None,
        mode: EndpointMode | None = None,
        min_capacity: int | None = None,
        max_capacity: int | None = None,
        invocations_per_instance: int | None = None,
        data_capture_sampling_percent: int | None = None,
        traffic_shifting: TrafficShifting | None = None,
        traffic_step_percent: int | None = None,
        bake_minutes: int | None = None,
        serverless_memory_mb: int | None = None,
        serverless_max_concurrency: int | None = None,
        async_max_concurrent_invocations: int | None = None,
        alarm_5xx_errors: float | None = None,
        alarm_4xx_rate_percent: float | None = None,
        alarm_p99_latency_ms: float | None = None,
        alarm_utilization_percent: float | None = None,
        endpoint_name: str | None = None,
        vpc: ec2.IVpc | None = None,
        data_classification: str | None = None,
        project: str | None = None,
        owner: str | None = None,
        tags: Mapping[str, str] | None = None,
        monitoring: Monitoring | Sequence[Monitoring] | None = None,
    ) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        self.settings: EndpointSettings = endpoint_settings(
            self.policy, self.env, stack_name=Stack.of(self).stack_name, construct_id=id, problems=self.problems,
            default_image=default_image(self, "inference") if image is None else None,
            model_data_url=model_data_url, instance_type=instance_type, image=image, variants=variants,
            primary_weight=primary_weight, mode=mode, min_capacity=min_capacity, max_capacity=max_capacity,
            invocations_per_instance=invocations_per_instance,
            data_capture_sampling_percent=data_capture_sampling_percent, traffic_shifting=traffic_shifting,
            traffic_step_percent=traffic_step_percent, bake_minutes=bake_minutes,
            serverless_memory_mb=serverless_memory_mb, serverless_max_concurrency=serverless_max_concurrency,
            async_max_concurrent_invocations=async_max_concurrent_invocations, alarm_5xx_errors=alarm_5xx_errors,
            alarm_4xx_rate_percent=alarm_4xx_rate_percent, alarm_p99_latency_ms=alarm_p99_latency_ms,
            alarm_utilization_percent=alarm_utilization_percent, endpoint_name=endpoint_name, vpc=vpc,
            monitoring=monitoring,
        )
        settings = self.settings
        for warning in settings.warnings:
            Annotations.of(self).add_warning_v2(warning.id, warning.message)
        self.endpoint_name: str = settings.endpoint_name
        self.metrics = EndpointMetricFactory(settings.endpoint_name,
                                             period=Duration.minutes(settings.alarm_period_minutes))

        # --- secure building blocks (baseline) -------------------------------------------------------------
        self.key: kms.Key = baseline.platform_key(
            self, "Key", description=f"{self.node.path}: endpoint volumes, data capture, logs and alarms",
            service_principals=("logs", "cloudwatch"))
        self.log_group: logs.LogGroup = baseline.log_group(
            self, "Logs", key=self.key, log_group_name=f"/aws/sagemaker/Endpoints/{settings.endpoint_name}")
        self.bucket: s3.Bucket = baseline.secure_bucket(self, "DataBucket", key=self.key, purpose="endpoint-data")
        """The endpoint's data: captured requests and responses, and async inputs, outputs and failures."""
        for tag, value in self.tags.items():  # the stack's shared access-log bucket lives outside this construct
            Tags.of(baseline.access_log_bucket(self)).add(tag, value)
        self.alarm_topic: sns.Topic = baseline.alarm_topic(self, "AlarmTopic", key=self.key)

        # --- network: none in serverless mode ------------------------------------------------------------------
        self.security_group: ec2.SecurityGroup | None = None
        self.subnet_ids: list[str] = []
        network_vpc: ec2.IVpc | None = None
        if not settings.serverless:
            network = resolve_network(self, vpc)
            network_vpc = network.vpc
            self.subnet_ids = network.subnet_ids
            self.security_group = ec2.SecurityGroup(
                self, "SecurityGroup", vpc=network.vpc, allow_all_outbound=False,
                description=f"SageMaker endpoint {settings.endpoint_name}: no ingress, HTTPS egress to VPC endpoints")
            self.security_group.add_egress_rule(
                ec2.Peer.any_ipv4(), ec2.Port.tcp(443),
                "HTTPS to the VPC endpoints (isolated subnets have no route to the internet)")

        # --- execution role, models, endpoint configuration, alarms, endpoint --------------------------------
        self.role: baseline.PlatformRole = serving_iam.execution_role(
            self, settings, key=self.key, log_group=self.log_group, bucket=self.bucket)
        self.node.add_validation(_ExecutionRoleValidation(self))
        self.models: dict[str, sagemaker.CfnModel] = {
            v.name: resources.model(self, v, settings, role=self.role, security_group=self.security_group,
                                    subnet_ids=self.subnet_ids)
            for v in settings.variants}
        self.model: sagemaker.CfnModel = self.models[PRIMARY_VARIANT]
        self.endpoint_config: sagemaker.CfnEndpointConfig = resources.endpoint_config(
            self, settings, models=self.models, key=self.key, bucket=self.bucket)
        alarms = EndpointAlarms(self, settings, metrics=self.metrics, topic=self.alarm_topic)
        self.alarms: dict[str, cloudwatch.Alarm] = alarms.alarms
        self.rollback_alarms: list[cloudwatch.Alarm] = alarms.rollback
        """The alarms that roll a deployment back (the endpoint's auto-rollback configuration)."""
        self.endpoint: sagemaker.CfnEndpoint = resources.endpoint(
            self, settings, config=self.endpoint_config, rollback_alarms=self.rollback_alarms)
        self.endpoint_arn: str = Stack.of(self).format_arn(
            service="sagemaker", resource="endpoint", resource_name=settings.endpoint_name.lower())

        # --- autoscaling, dashboard, outputs ---------------------------------------------------------------
        self.scalable_targets: dict[str, CfnScalableTarget] = {}
        self.scaling_policies: dict[str, CfnScalingPolicy] = {}
        if not settings.serverless:
            self.scalable_targets, self.scaling_policies = configure_autoscaling(self, settings, endpoint=self.endpoint)
        self.dashboard: cloudwatch.Dashboard = endpoint_dashboard(self, settings, metrics=self.metrics,
                                                                  alarms=list(self.alarms.values()))
        self.monitor: EndpointMonitor | None = None
        """SageMaker Model Monitor on the captured data (``monitoring``), else ``None``."""
        if settings.monitoring is not None and network_vpc is not None:
            self.monitor = EndpointMonitor(
                self, "Monitor", settings=settings.monitoring, policy=self.policy, problems=self.problems,
                endpoint_name=settings.endpoint_name, base_name=settings.endpoint_name,
                data_capture_prefix=DATA_CAPTURE_PREFIX, endpoint=self.endpoint, bucket=self.bucket, key=self.key,
                topic=self.alarm_topic, vpc=network_vpc, subnet_ids=self.subnet_ids)
            self.dashboard.add_widgets(*self.monitor.dashboard_widgets())
        CfnOutput(self, "EndpointName", value=settings.endpoint_name,
                  description="SageMaker endpoint name (sagemaker.Predictor(endpoint_name=...))")
        CfnOutput(self, "EndpointArn", value=self.endpoint.ref, description="SageMaker endpoint ARN")

    # --- public helpers ------------------------------------------------------------------------------------
    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to invoke this endpoint (synchronously and streaming; asynchronously in async mode)."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=serving_iam.invoke_actions(self.settings.mode),
                                          resource_arns=[self.endpoint_arn])

    def metric(self, metric_name: str, *, variant_name: str = PRIMARY_VARIANT, statistic: str = "Sum",
               namespace: str = METRICS_NAMESPACE, period: Duration | None = None) -> cloudwatch.Metric:
        """A CloudWatch metric of one variant: ``AWS/SageMaker``, ``Sum`` over the policy's alarm period unless told
        otherwise."""
        return self.metrics.metric(metric_name, variant_name=variant_name, statistic=statistic, namespace=namespace,
                                   period=period)

    def metric_invocations(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metrics.metric_invocations(variant_name=variant_name)

    def metric_invocations_per_instance(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metrics.metric_invocations_per_instance(variant_name=variant_name)

    def metric_invocation_5xx_errors(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metrics.metric_invocation_5xx_errors(variant_name=variant_name)

    def metric_invocation_4xx_errors(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metrics.metric_invocation_4xx_errors(variant_name=variant_name)

    def metric_4xx_rate(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.MathExpression:
        """Percentage of invocations that returned a 4xx error (0 when there is no traffic)."""
        return self.metrics.metric_4xx_rate(variant_name=variant_name)

    def metric_model_latency(self, *, variant_name: str = PRIMARY_VARIANT, statistic: str = "p99") -> cloudwatch.Metric:
        """Model latency in microseconds (SageMaker's unit); p99 unless ``statistic`` says otherwise."""
        return self.metrics.metric_model_latency(variant_name=variant_name, statistic=statistic)

    def metric_cpu_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """CPU utilization summed over the instance's vCPUs (0-100 x vCPUs), average."""
        return self.metrics.metric_cpu_utilization(variant_name=variant_name)

    def metric_memory_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metrics.metric_memory_utilization(variant_name=variant_name)

    def metric_disk_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metrics.metric_disk_utilization(variant_name=variant_name)

    def metric_gpu_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """GPU utilization summed over the instance's GPUs (0-100 x GPUs), average."""
        return self.metrics.metric_gpu_utilization(variant_name=variant_name)

    def metric_gpu_memory_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metrics.metric_gpu_memory_utilization(variant_name=variant_name)


@jsii.implements(IValidation)
class _ExecutionRoleValidation:
    """At synth: nothing added to the execution role after construction may grant on ``*``. The role's
    acknowledgment of its unscopable actions on ``*`` would otherwise hide such a grant from cdk-nag."""

    def __init__(self, endpoint: SecureModelEndpoint) -> None:
        self._endpoint = endpoint

    def validate(self) -> list[str]:
        actions = serving_iam.unexpected_wildcard_grants(self._endpoint.role)
        if not actions:
            return []
        return [f"SecureModelEndpoint '{self._endpoint.node.path}': its execution role was granted "
                f"{sorted(set(actions))} on resource '*' after construction; the role may use '*' only for actions "
                f"AWS cannot scope. Fix: grant on the ARNs the endpoint needs (e.g. bucket.grant_read(endpoint.role) "
                f"or a PolicyStatement with resources=[...])"]
