"""SecureModelEndpoint: a locked-down, monitored, autoscaled SageMaker endpoint from ten lines of Python.

What a data scientist gets from ``SecureModelEndpoint(self, "Model", model_data_url=..., cost_center=...)`` (or
``model_package=ApprovedModelPackage(group=...)``: the model registry's latest Approved package, :mod:`.packages`):

* one network-isolated ``AWS::SageMaker::Model`` per variant, in the platform network's isolated subnets,
  behind its own security group (no ingress; egress HTTPS to the VPC CIDR, where the interface endpoints are,
  and to S3's prefix list, the gateway endpoint: :mod:`platform_constructs.egress`), serving the approved image
  of its framework for its instance type's CPU/GPU kind;
* a least-privilege execution role that only SageMaker, for this account, may assume;
* a customer-managed KMS key (rotation on) for the endpoint's volumes, data capture, logs and topics;
* data capture (input and output) into a KMS-encrypted, versioned, access-logged, TLS-only bucket;
* blue/green updates with canary or linear traffic shifting where the capacity allows it (else all at once, with
  a warning), automatic rollback on the 5xx and latency alarms of every variant, scaled capacity kept;
* autoscaling on invocations per instance (on the backlog, down to zero where the policy allows, for async),
  and the environment's sleep schedule;
* alarms to a KMS-encrypted SNS topic, a dashboard, ``grant_invoke``, ``metric_*`` and stack outputs.

Names: the endpoint is ``<name>-<generation>`` (see :mod:`.deployment`): an instance-type change, a variant added
or removed or a mode change creates a new endpoint beside the old one, which CloudFormation deletes afterwards —
the one update SageMaker refuses for autoscaled variants never happens. Find the current name in the stack output
``EndpointName`` or the SSM parameter ``/platform/endpoints/<name>`` (the stable name). Fixed names are used only
where the platform owns the lifecycle: the endpoint, its log group (SageMaker's ``/aws/sagemaker/Endpoints/<endpoint
name>``; never retained, so no later create finds it) and that parameter. Everything retained (key, buckets) has a
generated name. Two endpoints with one name in one app are a synth error.

Validation has three tiers: every argument is checked by the pure :func:`~.settings.endpoint_settings` before any
resource exists; what can still change afterwards (grants to the execution role) is checked at synth; and what a
user may accept is a CDK warning with an id of its own (:mod:`.notices`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Annotations, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from aws_cdk.aws_applicationautoscaling import CfnScalableTarget, CfnScalingPolicy
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.core import PlatformConstruct
from platform_constructs.facts import record_facts
from platform_constructs.images.defaults import default_image, image_accounts, policy_image
from platform_constructs.network import resolve_network, vpc_problem
from platform_constructs.serving import iam as serving_iam
from platform_constructs.serving import packages, resources
from platform_constructs.serving.alarms import EndpointAlarms
from platform_constructs.serving.autoscaling import configure_autoscaling
from platform_constructs.serving.containers import variant_images
from platform_constructs.serving.dashboard import endpoint_dashboard
from platform_constructs.serving.frameworks import Framework
from platform_constructs.serving.model_monitor import EndpointMonitor
from platform_constructs.serving.monitoring import METRICS_NAMESPACE, EndpointMetricFactory
from platform_constructs.serving.monitoring_settings import Monitoring
from platform_constructs.serving.names import claim_name
from platform_constructs.serving.registry_settings import ApprovedModelPackage
from platform_constructs.serving.settings import (
    DATA_CAPTURE_PREFIX,
    EndpointMode,
    EndpointSettings,
    TrafficShifting,
    endpoint_settings,
)
from platform_constructs.serving.variants import PRIMARY_VARIANT, ModelVariant

__all__ = ["ModelVariant", "SecureModelEndpoint"]

NAME_PARAMETER_PREFIX = "/platform/endpoints"
"""SSM parameter ``<prefix>/<name>`` holds the endpoint's current SageMaker name (the stable name to look up)."""


class SecureModelEndpoint(PlatformConstruct):
    """A production-grade SageMaker endpoint: isolated, encrypted, captured, guarded, autoscaled, alarmed.

    :param model_data_url: ``s3://bucket/key.tar.gz`` of the model artifact (SageMaker's ``model.tar.gz``). Exactly
        one of it and ``model_package``.
    :param model_package: ``ApprovedModelPackage(group=...)``: serve the latest Approved package of a group of the
        platform's model registry, resolved from the registry's published SSM parameters at every deploy
        (:mod:`.packages`). Exactly one of it and ``model_data_url``.
    :param cost_center: the ``CostCenter`` tag (lowercase slug, see the policy). Required.
    :param instance_type: SageMaker instance type of the primary variant (and of variants that name none).
        Default: the environment's ``default_sagemaker_instance_type``; must be in its ``sagemaker_instance_types``.
        Not allowed in serverless mode. Burstable types (``ml.t2``) cannot autoscale (a warning).
    :param framework: ``pytorch``, ``tensorflow``, ``sklearn`` or ``xgboost``: serve the policy's approved image of
        that framework for the instance type's CPU/GPU kind (``images.frameworks``). Not with ``image``. Default: the
        app's golden inference image when it has one, else ``pytorch``.
    :param image: a custom inference image URI (literal, under an approved registry or a SageMaker framework
        registry of the policy). Default: see ``framework``.
    :param variants: additional weighted variants for A/B tests (at most 9). Default: none (one variant,
        ``Primary``). Not allowed in serverless mode.
    :param primary_weight: relative traffic weight of the primary variant. Default: ``1.0``.
    :param mode: ``realtime`` (instances), ``serverless`` (where the policy allows it) or ``async`` (asynchronous
        inference: results in the endpoint's bucket, success/error notifications). Default: ``realtime``.
        Serverless supports no VPC, network isolation, data capture or extra variants (acknowledged with reasons).
    :param min_capacity: instances per variant the autoscaling keeps. Default: the environment's
        ``endpoint_min_capacity`` (async: ``endpoint_async_min_capacity``, which may be 0); not below it.
    :param max_capacity: the autoscaling ceiling per variant. Default: the environment's ``endpoint_max_capacity``;
        not above it.
    :param invocations_per_instance: realtime autoscaling target, invocations per instance per minute (1 to
        1,000,000). Default: 1000.
    :param backlog_per_instance: async autoscaling target, queued requests per instance. Default: 5.
    :param data_capture_sampling_percent: percentage of requests captured (1-100; capture is mandatory, so 0 is
        refused). Default: 100. Realtime and async only.
    :param traffic_shifting: ``canary`` (one step of ``traffic_step_percent``, then the rest) or ``linear``
        (steps of ``traffic_step_percent``) for blue/green updates; all at once (with a warning) when one step would
        be more than half of ``min_capacity``. Default: ``canary``. Realtime and async only.
    :param traffic_step_percent: canary size (1-50) or linear step (10-50), percent of capacity. Default: 10.
    :param bake_minutes: minutes each step must stay alarm-free before the next, and before the old fleet is
        removed (0-60). Default: 10.
    :param serverless_memory_mb: 1024-6144 in steps of 1024, up to the policy's bound. Default: 2048.
    :param serverless_max_concurrency: 1 up to the policy's bound. Default: 5 (or the bound, if lower).
    :param serverless_provisioned_concurrency: warm serverless instances, 1 up to ``serverless_max_concurrency`` and
        the policy's bound. Default: none (cold starts).
    :param async_max_concurrent_invocations: async invocations per instance, 1-1000. Default: 4. Async only.
    :param sleep: ``False`` keeps the endpoint awake although the environment's policy has an ``endpoint_schedule``.
        Default: sleep on the policy's schedule where it has one (never in prod as shipped).
    :param alarm_5xx_errors: 5xx errors per alarm period that alarm. Default: policy ``alarms.endpoint_5xx_errors``.
    :param alarm_4xx_rate_percent: 4xx share of invocations (percent). Default: policy
        ``alarms.endpoint_4xx_rate_percent``.
    :param alarm_p99_latency_ms: p99 model latency (milliseconds). Default: policy ``alarms.endpoint_p99_latency_ms``.
    :param alarm_utilization_percent: CPU/GPU/memory/disk utilization, percent of one vCPU or GPU times their number.
        Default: policy ``alarms.utilization_percent``. Realtime and async only.
    :param endpoint_name: the endpoint's stable name (1-54 letters, digits, hyphens; unique in the app). Default:
        ``<stack name>-<id>``, shortened with a hash suffix when longer. SageMaker's name is ``<it>-<generation>``.
    :param vpc: the VPC to run in: an ``IVpc`` with isolated subnets. Default: the platform network (a
        PlatformNetwork in the stack, else the ids it publishes in SSM). Realtime and async only.
    :param data_classification: the ``DataClassification`` tag. Default: the policy's default (``confidential``).
    :param project: the ``Project`` tag. Default: the policy's default.
    :param owner: the ``Owner`` tag. Default: the policy's default.
    :param tags: any other tag the policy requires (``{"Team": "recs"}``), or extra tags. Default: none.
    :param monitoring: SageMaker Model Monitor on the captured data: a ``DataQualityMonitoring``, a
        ``ModelQualityMonitoring`` or one of each in a tuple (:mod:`.model_monitor`). Default: none; required where
        the policy's ``monitoring_required`` is true (prod). Real-time endpoints only.
    """

    def __init__(
        self, scope: Construct, id: str, *, model_data_url: str | None = None, cost_center: str,
        model_package: ApprovedModelPackage | None = None, instance_type: str | None = None,
        framework: Framework | None = None, image: str | None = None, variants: Sequence[ModelVariant] = (),
        primary_weight: float | None = None, mode: EndpointMode | None = None, min_capacity: int | None = None,
        max_capacity: int | None = None, invocations_per_instance: int | None = None,
        backlog_per_instance: float | None = None, data_capture_sampling_percent: int | None = None,
        traffic_shifting: TrafficShifting | None = None, traffic_step_percent: int | None = None,
        bake_minutes: int | None = None, serverless_memory_mb: int | None = None,
        serverless_max_concurrency: int | None = None, serverless_provisioned_concurrency: int | None = None,
        async_max_concurrent_invocations: int | None = None, sleep: bool | None = None,
        alarm_5xx_errors: float | None = None, alarm_4xx_rate_percent: float | None = None,
        alarm_p99_latency_ms: float | None = None, alarm_utilization_percent: float | None = None,
        endpoint_name: str | None = None, vpc: ec2.IVpc | None = None, data_classification: str | None = None,
        project: str | None = None, owner: str | None = None, tags: Mapping[str, str] | None = None,
        monitoring: Monitoring | Sequence[Monitoring] | None = None,
    ) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        if vpc is not None and (problem := vpc_problem(vpc)) is not None:
            self.problems.add("vpc", vpc, *problem)
        golden = default_image(self, "inference") if image is None else None
        self.settings: EndpointSettings = endpoint_settings(
            self.policy, self.env, stack_name=Stack.of(self).stack_name, construct_id=id, problems=self.problems,
            golden_image=golden if golden != policy_image(self, "inference") else None,
            image_accounts=image_accounts(self),
            model_data_url=model_data_url, instance_type=instance_type, image=image, framework=framework,
            variants=variants, primary_weight=primary_weight, mode=mode, min_capacity=min_capacity,
            max_capacity=max_capacity, invocations_per_instance=invocations_per_instance,
            backlog_per_instance=backlog_per_instance, data_capture_sampling_percent=data_capture_sampling_percent,
            traffic_shifting=traffic_shifting, traffic_step_percent=traffic_step_percent, bake_minutes=bake_minutes,
            serverless_memory_mb=serverless_memory_mb, serverless_max_concurrency=serverless_max_concurrency,
            serverless_provisioned_concurrency=serverless_provisioned_concurrency,
            async_max_concurrent_invocations=async_max_concurrent_invocations, sleep=sleep,
            alarm_5xx_errors=alarm_5xx_errors, alarm_4xx_rate_percent=alarm_4xx_rate_percent,
            alarm_p99_latency_ms=alarm_p99_latency_ms, alarm_utilization_percent=alarm_utilization_percent,
            endpoint_name=endpoint_name, vpc=vpc, monitoring=monitoring, model_package=model_package)
        settings = self.settings
        images = variant_images(self, settings, self.policy, self.problems)
        claim_name(self, settings.name, self.problems)
        self.problems.raise_if_any()
        for warning in settings.warnings:
            Annotations.of(self).add_warning_v2(warning.id, warning.message)
        self.endpoint_name: str = settings.endpoint_name
        """The endpoint's SageMaker name, ``<name>-<generation>`` (what ``sagemaker.Predictor`` takes)."""
        self.metrics = EndpointMetricFactory(settings.endpoint_name,
                                             period=Duration.minutes(settings.alarm_period_minutes))

        # --- secure building blocks (baseline) -------------------------------------------------------------
        self.key: kms.Key = baseline.platform_key(
            self, "Key", description=f"{self.node.path}: endpoint volumes, data capture, logs and alarms",
            service_principals=("logs", "cloudwatch"))
        self.log_group: logs.LogGroup = baseline.log_group(
            self, "Logs", key=self.key, log_group_name=f"/aws/sagemaker/Endpoints/{settings.endpoint_name}")
        self.log_group.apply_removal_policy(RemovalPolicy.DESTROY)  # a fixed name: goes with its endpoint
        self.bucket: s3.Bucket = baseline.secure_bucket(self, "DataBucket", key=self.key, purpose="endpoint-data")
        """The endpoint's data: captured requests and responses, and async inputs, outputs and failures."""
        baseline.tag_access_log_bucket(baseline.access_log_bucket(self), self.tags)  # the stack's, outside this
        self.alarm_topic: sns.Topic = baseline.alarm_topic(self, "AlarmTopic", key=self.key)
        self.notification_topics: tuple[sns.Topic, sns.Topic] | None = (
            sns.Topic(self, "SuccessTopic", master_key=self.key, enforce_ssl=True),
            sns.Topic(self, "ErrorTopic", master_key=self.key, enforce_ssl=True)) if settings.mode == "async" else None
        """Async only: SageMaker's (success, error) notification of each request, KMS-encrypted and TLS-only;
        SageMaker publishes with the execution role (no service may publish as itself, unlike the alarm topic)."""

        # --- network: none in serverless mode ------------------------------------------------------------------
        self.security_group: ec2.SecurityGroup | None = None
        self.subnet_ids: list[str] = []
        network_vpc: ec2.IVpc | None = None
        network_cidr = ""  # serverless: no network
        if not settings.serverless:
            network = resolve_network(self, vpc)
            network_vpc, self.subnet_ids = network.vpc, network.subnet_ids
            self.security_group = ec2.SecurityGroup(
                self, "SecurityGroup", vpc=network.vpc, allow_all_outbound=False,
                description=f"SageMaker endpoint {settings.name}: no ingress, HTTPS egress to VPC endpoints")
            network_cidr = network.cidr
            baseline.https_egress_to_aws(self.security_group, vpc_cidr=network_cidr, problems=self.problems)

        # --- execution role, models, endpoint configuration, alarms, endpoint --------------------------------
        artifacts, published_artifacts = packages.artifact_arns(self, settings)
        self.role: baseline.PlatformRole = serving_iam.execution_role(
            self, settings, images=images, key=self.key, log_group=self.log_group, bucket=self.bucket,
            vpc=network_vpc, security_group=self.security_group, artifacts=artifacts,
            published_artifacts=published_artifacts)
        urls = packages.model_data_urls(self, settings)
        self.models: dict[str, sagemaker.CfnModel] = {
            v.name: resources.model(self, v, settings, image=images[v.name], model_data_url=urls[v.name],
                                    role=self.role, security_group=self.security_group, subnet_ids=self.subnet_ids)
            for v in settings.variants}
        self.model: sagemaker.CfnModel = self.models[PRIMARY_VARIANT]
        if self.notification_topics is not None:
            serving_iam.allow_async_notifications(self.role, self.notification_topics)
        self.endpoint_config: sagemaker.CfnEndpointConfig = resources.endpoint_config(
            self, settings, models=self.models, key=self.key, bucket=self.bucket,
            notifications=self.notification_topics)
        alarms = EndpointAlarms(self, settings, metrics=self.metrics, topic=self.alarm_topic)
        self.alarms: dict[str, cloudwatch.Alarm] = alarms.alarms
        self.rollback_alarms: list[cloudwatch.Alarm] = [] if settings.serverless else alarms.rollback
        """The alarms that roll a deployment back (none for serverless: no deployment guardrails)."""
        serving_iam.allow_rollback_alarms(self.role, self.rollback_alarms)
        self.endpoint: sagemaker.CfnEndpoint = resources.endpoint(
            self, settings, config=self.endpoint_config, rollback_alarms=self.rollback_alarms)
        self.endpoint_arn: str = Stack.of(self).format_arn(
            service="sagemaker", resource="endpoint", resource_name=settings.endpoint_name.lower())
        self.name_parameter = ssm.StringParameter(
            self, "NameParameter", parameter_name=f"{NAME_PARAMETER_PREFIX}/{settings.name}",
            string_value=settings.endpoint_name, description=f"Current SageMaker name of endpoint {settings.name}")
        """SSM parameter with the endpoint's current SageMaker name."""

        # --- autoscaling, dashboard, outputs ---------------------------------------------------------------
        scaling = configure_autoscaling(self, settings, endpoint=self.endpoint, metrics=self.metrics)
        self.scalable_targets: dict[str, CfnScalableTarget] = scaling.targets
        self.scaling_policies: dict[str, CfnScalingPolicy] = scaling.policies
        self.wake_alarms: dict[str, cloudwatch.Alarm] = scaling.wake_alarms
        """Async endpoints that scale to zero: the alarm that starts a variant's first instance."""
        self.dashboard: cloudwatch.Dashboard = endpoint_dashboard(self, settings, metrics=self.metrics,
                                                                  alarms=list(self.alarms.values()))
        self.monitor: EndpointMonitor | None = None
        """SageMaker Model Monitor on the captured data (``monitoring``), else ``None``."""
        if settings.monitoring is not None and network_vpc is not None:
            self.monitor = EndpointMonitor(
                self, "Monitor", settings=settings.monitoring, policy=self.policy, problems=self.problems,
                endpoint_name=settings.endpoint_name, base_name=settings.name,  # schedules keep their names
                data_capture_prefix=DATA_CAPTURE_PREFIX, endpoint=self.endpoint, bucket=self.bucket, key=self.key,
                topic=self.alarm_topic, vpc=network_vpc, vpc_cidr=network_cidr, subnet_ids=self.subnet_ids)
            self.dashboard.add_widgets(*self.monitor.dashboard_widgets())
        CfnOutput(self, "EndpointName", value=settings.endpoint_name,
                  description="SageMaker endpoint name (sagemaker.Predictor(endpoint_name=...))")
        CfnOutput(self, "EndpointArn", value=self.endpoint.ref, description="SageMaker endpoint ARN")
        packages.package_outputs(self, settings)
        served = settings.variants[0].framework  # platform describe: the request content type it documents
        record_facts(self, {"framework": served if served is not None else "custom"})

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

    def metric_approximate_backlog_size_per_instance(self) -> cloudwatch.Metric:
        """Async: queued requests per instance (what the autoscaling tracks)."""
        return self.metrics.metric_approximate_backlog_size_per_instance()
