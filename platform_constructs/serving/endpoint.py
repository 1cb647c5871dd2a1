"""SecureModelEndpoint: a locked-down, monitored, autoscaled SageMaker endpoint from ten lines of Python.

What a data scientist gets from ``SecureModelEndpoint(self, "Model", model_data_url=..., cost_center=...)``:

* one network-isolated ``AWS::SageMaker::Model`` per variant, in the platform network's isolated subnets,
  behind its own security group (no ingress; egress HTTPS only, which in isolated subnets reaches nothing but
  the VPC endpoints);
* a least-privilege execution role: read the one model artifact object, pull from the image's own ECR
  repository, use the endpoint's own KMS key, write its own log group, data-capture prefix and metrics;
* a customer-managed KMS key (rotation on) for the endpoint's volumes, data capture, logs and alarm topic;
* data capture (input and output) into a KMS-encrypted, versioned, access-logged, TLS-only bucket with
  lifecycle rules (:func:`platform_constructs.baseline.secure_bucket`);
* an endpoint with deployment guardrails: blue/green with canary or linear traffic shifting and automatic
  rollback on the endpoint's 5xx and latency alarms;
* target-tracking autoscaling on invocations per instance between the policy's capacity bounds;
* alarms (5xx errors, 4xx rate, p99 model latency, CPU/GPU/memory/disk utilization) to a KMS-encrypted SNS
  topic, and a CloudWatch dashboard;
* ``grant_invoke``, ``metric_*`` helpers and stack outputs with the endpoint's name and ARN.

Every argument is validated before any resource is created; all problems are raised together as one
:class:`~platform_constructs.errors.PlatformValidationError`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from aws_cdk import CfnOutput, Duration, Stack, Tags, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk.aws_applicationautoscaling import CfnScalableTarget, CfnScalingPolicy
from constructs import Construct

from platform_constructs import baseline, catalog
from platform_constructs.acknowledge import acknowledge, acknowledge_resources
from platform_constructs.core import PlatformConstruct
from platform_constructs.images.defaults import (
    approved_repository_arns,
    default_image,
    image_repository_arn,
    is_approved_image,
)
from platform_constructs.network import resolve_network

EndpointMode = Literal["realtime", "serverless", "async"]
TrafficShifting = Literal["canary", "linear"]

MODES: tuple[str, ...] = ("realtime", "serverless", "async")
PRIMARY_VARIANT = "Primary"
"""Name of the variant built from ``model_data_url`` / ``instance_type`` / ``image``."""
MAX_NAME_LENGTH = 63
"""SageMaker's limit for endpoint and variant names."""
MAX_VARIANTS = 10
"""SageMaker's limit of production variants per endpoint configuration."""
MAX_ROLLBACK_ALARMS = 10
"""SageMaker's limit of alarms in an endpoint's auto-rollback configuration."""
DEFAULT_INVOCATIONS_PER_INSTANCE = 1000
"""Target of the target-tracking policy: invocations per instance per minute."""
SCALE_OUT_COOLDOWN_SECONDS = 60
"""Scale out quickly: a traffic spike should not wait."""
SCALE_IN_COOLDOWN_SECONDS = 300
"""Scale in slowly: instances take minutes to start, so do not give them back on a short lull."""
DEFAULT_TRAFFIC_STEP_PERCENT = 10
"""Canary size (or linear step) of a blue/green deployment, in percent of capacity."""
DEFAULT_BAKE_MINUTES = 10
"""Minutes the new fleet must run alarm-free before the next traffic step (and before the old one is removed)."""
SERVERLESS_MEMORY_SIZES = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = 200
ASYNC_MAX_CONCURRENT_INVOCATIONS = 1000
DATA_CAPTURE_PREFIX = "data-capture"
ASYNC_INPUT_PREFIX = "async-input"
ASYNC_OUTPUT_PREFIX = "async-output"
ASYNC_FAILURE_PREFIX = "async-failures"
METRICS_NAMESPACE = "AWS/SageMaker"
INSTANCE_METRICS_NAMESPACE = "/aws/sagemaker/Endpoints"

_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_S3_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>[^*?]*[^/*?])$")


@dataclass(frozen=True)
class ModelVariant:
    """An additional production variant (A/B test, challenger model) beside the primary one.

    :param name: variant name, 1-63 letters, digits and hyphens; unique within the endpoint.
    :param model_data_url: ``s3://bucket/key`` of the variant's model artifact.
    :param weight: relative traffic weight. Default: ``1.0`` (the primary's weight is ``primary_weight``).
    :param instance_type: SageMaker instance type. Default: the endpoint's ``instance_type``.
    :param image: inference image from an approved registry. Default: the endpoint's ``image``.
    """

    name: str
    model_data_url: str
    weight: float = 1.0
    instance_type: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class _Variant:
    name: str
    model_data_url: str
    weight: float
    instance_type: str
    image: str


class SecureModelEndpoint(PlatformConstruct):
    """A production-grade SageMaker endpoint: isolated, encrypted, captured, guarded, autoscaled, alarmed.

    :param model_data_url: ``s3://bucket/key`` of the model artifact (e.g. ``model.tar.gz``). Required.
    :param cost_center: the ``CostCenter`` tag (lowercase slug, see the policy). Required.
    :param instance_type: SageMaker instance type of the primary variant. Default: the environment's
        ``default_sagemaker_instance_type`` in the policy; must be in its ``sagemaker_instance_types``.
    :param image: inference image URI; must start with one of the policy's approved registries. Default: the
        platform's approved inference image (the app's GoldenImagePipeline's, else the policy's).
    :param variants: additional weighted variants for A/B tests. Default: none (one variant, ``Primary``).
    :param primary_weight: relative traffic weight of the primary variant. Default: ``1.0``.
    :param mode: ``realtime`` (instances), ``serverless`` or ``async`` (asynchronous inference with results in
        the endpoint's bucket). Default: ``realtime``. Serverless supports no VPC, network isolation, data
        capture, volume KmsKeyId or extra variants (acknowledged in the template with that reason).
    :param min_capacity: minimum instances per variant (also the initial count). Default: the environment's
        ``endpoint_min_capacity``; must be at least that.
    :param max_capacity: maximum instances per variant. Default: the environment's ``endpoint_max_capacity``;
        must not exceed it.
    :param invocations_per_instance: autoscaling target, invocations per instance per minute. Default: 1000.
    :param data_capture_sampling_percent: percentage of requests captured (0-100). Default: 100.
    :param traffic_shifting: ``canary`` (one step of ``traffic_step_percent``, then the rest) or ``linear``
        (steps of ``traffic_step_percent``) for blue/green updates. Default: ``canary``.
    :param traffic_step_percent: canary size or linear step, 1-100 percent of capacity. Default: 10.
    :param bake_minutes: minutes each step must stay alarm-free (0-60). Default: 10.
    :param serverless_memory_mb: serverless memory, 1024-6144 in steps of 1024. Default: 2048.
    :param serverless_max_concurrency: serverless concurrent invocations, 1-200. Default: 5.
    :param async_max_concurrent_invocations: async invocations per instance, 1-1000. Default: 4.
    :param alarm_5xx_errors: 5xx errors per alarm period that alarm. Default: policy ``alarms.endpoint_5xx_errors``.
    :param alarm_4xx_rate_percent: 4xx share of invocations (percent). Default: policy
        ``alarms.endpoint_4xx_rate_percent``.
    :param alarm_p99_latency_ms: p99 model latency (milliseconds). Default: policy ``alarms.endpoint_p99_latency_ms``.
    :param alarm_utilization_percent: CPU/GPU/memory/disk utilization (percent of the instance). Default: policy
        ``alarms.utilization_percent``.
    :param endpoint_name: the endpoint's name (1-63 letters, digits, hyphens). Default: ``<stack name>-<id>``,
        shortened with a hash suffix when longer than 63 characters.
    :param vpc: the VPC to run in. Default: the platform network (a PlatformNetwork in the stack, else the ids
        it publishes in SSM, resolved at deploy time).
    :param data_classification: the ``DataClassification`` tag. Default: the policy's default (``confidential``).
    :param project: the ``Project`` tag. Default: the policy's default.
    :param owner: the ``Owner`` tag. Default: the policy's default.
    :param tags: any other tag the policy requires (``{"Team": "recs"}``), or extra tags. Default: none.
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
        primary_weight: float = 1.0,
        mode: EndpointMode = "realtime",
        min_capacity: int | None = None,
        max_capacity: int | None = None,
        invocations_per_instance: int = DEFAULT_INVOCATIONS_PER_INSTANCE,
        data_capture_sampling_percent: int = 100,
        traffic_shifting: TrafficShifting = "canary",
        traffic_step_percent: int = DEFAULT_TRAFFIC_STEP_PERCENT,
        bake_minutes: int = DEFAULT_BAKE_MINUTES,
        serverless_memory_mb: int = 2048,
        serverless_max_concurrency: int = 5,
        async_max_concurrent_invocations: int = 4,
        alarm_5xx_errors: int | None = None,
        alarm_4xx_rate_percent: float | None = None,
        alarm_p99_latency_ms: int | None = None,
        alarm_utilization_percent: float | None = None,
        endpoint_name: str | None = None,
        vpc: ec2.IVpc | None = None,
        data_classification: str | None = None,
        project: str | None = None,
        owner: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        env, alarms = self.env, self.policy.alarms
        self.mode: EndpointMode = mode
        self.min_capacity = min_capacity if min_capacity is not None else env.endpoint_min_capacity
        self.max_capacity = max_capacity if max_capacity is not None else env.endpoint_max_capacity
        self.alarm_5xx_errors = alarm_5xx_errors if alarm_5xx_errors is not None else alarms.endpoint_5xx_errors
        self.alarm_4xx_rate_percent = (alarm_4xx_rate_percent if alarm_4xx_rate_percent is not None
                                       else alarms.endpoint_4xx_rate_percent)
        self.alarm_p99_latency_ms = (alarm_p99_latency_ms if alarm_p99_latency_ms is not None
                                     else alarms.endpoint_p99_latency_ms)
        self.alarm_utilization_percent = (alarm_utilization_percent if alarm_utilization_percent is not None
                                          else alarms.utilization_percent)
        self.endpoint_name = endpoint_name if endpoint_name is not None else _default_endpoint_name(self, id)
        self._period = Duration.minutes(alarms.period_minutes)

        self._validate_arguments(
            mode=mode, invocations_per_instance=invocations_per_instance,
            sampling=data_capture_sampling_percent, traffic_shifting=traffic_shifting,
            traffic_step_percent=traffic_step_percent, bake_minutes=bake_minutes,
            serverless_memory_mb=serverless_memory_mb, serverless_max_concurrency=serverless_max_concurrency,
            async_max_concurrent_invocations=async_max_concurrent_invocations,
            endpoint_name_given=endpoint_name is not None,
        )
        self.variants: tuple[_Variant, ...] = self._validate_variants(
            model_data_url=model_data_url, instance_type=instance_type, image=image, variants=variants,
            primary_weight=primary_weight,
        )
        self.problems.raise_if_any()

        # --- secure building blocks (baseline) -------------------------------------------------------------
        self.key: kms.Key = baseline.platform_key(
            self, "Key", description=f"{self.node.path}: endpoint volumes, data capture, logs and alarms",
            service_principals=("logs", "cloudwatch"))
        self.log_group: logs.LogGroup = baseline.log_group(
            self, "Logs", key=self.key, log_group_name=f"/aws/sagemaker/Endpoints/{self.endpoint_name}")
        self.bucket: s3.Bucket = baseline.secure_bucket(self, "DataBucket", key=self.key, purpose="endpoint-data")
        for tag, value in self.tags.items():  # the stack's shared access-log bucket lives outside this construct
            Tags.of(baseline.access_log_bucket(self)).add(tag, value)
        self.alarm_topic: sns.Topic = baseline.alarm_topic(self, "AlarmTopic", key=self.key)

        # --- network ---------------------------------------------------------------------------------------
        self.security_group: ec2.SecurityGroup | None = None
        self.subnet_ids: list[str] = []
        if mode != "serverless":
            network = resolve_network(self, vpc)
            self.subnet_ids = network.subnet_ids
            self.security_group = ec2.SecurityGroup(
                self, "SecurityGroup", vpc=network.vpc, allow_all_outbound=False,
                description=f"SageMaker endpoint {self.endpoint_name}: no ingress, HTTPS egress to VPC endpoints")
            self.security_group.add_egress_rule(
                ec2.Peer.any_ipv4(), ec2.Port.tcp(443),
                "HTTPS to the VPC endpoints (isolated subnets have no route to the internet)")

        # --- execution role --------------------------------------------------------------------------------
        self.role: baseline.PlatformRole = baseline.platform_role(
            self, "ExecutionRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description=f"SageMaker execution role of endpoint {self.endpoint_name}")
        self._grant_execution_permissions()

        # --- models, endpoint configuration, endpoint ------------------------------------------------------
        self.models: dict[str, sagemaker.CfnModel] = {v.name: self._model(v) for v in self.variants}
        self.model: sagemaker.CfnModel = self.models[PRIMARY_VARIANT]
        self.endpoint_config: sagemaker.CfnEndpointConfig = self._endpoint_config(
            sampling=data_capture_sampling_percent, serverless_memory_mb=serverless_memory_mb,
            serverless_max_concurrency=serverless_max_concurrency,
            async_max_concurrent_invocations=async_max_concurrent_invocations)

        self.alarms: dict[str, cloudwatch.Alarm] = {}
        rollback_alarms = self._create_alarms()
        self.endpoint: sagemaker.CfnEndpoint = sagemaker.CfnEndpoint(
            self, "Endpoint",
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
            endpoint_name=self.endpoint_name,
            deployment_config=sagemaker.CfnEndpoint.DeploymentConfigProperty(
                blue_green_update_policy=sagemaker.CfnEndpoint.BlueGreenUpdatePolicyProperty(
                    traffic_routing_configuration=sagemaker.CfnEndpoint.TrafficRoutingConfigProperty(
                        type=traffic_shifting.upper(),
                        canary_size=_capacity(traffic_step_percent) if traffic_shifting == "canary" else None,
                        linear_step_size=_capacity(traffic_step_percent) if traffic_shifting == "linear" else None,
                        wait_interval_in_seconds=bake_minutes * 60,
                    ),
                    termination_wait_in_seconds=bake_minutes * 60,
                ),
                auto_rollback_configuration=sagemaker.CfnEndpoint.AutoRollbackConfigProperty(
                    alarms=[sagemaker.CfnEndpoint.AlarmProperty(alarm_name=a.alarm_name)
                            for a in rollback_alarms[:MAX_ROLLBACK_ALARMS]]),
            ),
        )
        self.endpoint_arn: str = Stack.of(self).format_arn(
            service="sagemaker", resource="endpoint", resource_name=self.endpoint_name.lower())

        self.scalable_targets: dict[str, CfnScalableTarget] = {}
        self.scaling_policies: dict[str, CfnScalingPolicy] = {}
        if mode != "serverless":
            self._configure_autoscaling(invocations_per_instance)
        self.dashboard: cloudwatch.Dashboard = self._dashboard()

        CfnOutput(self, "EndpointName", value=self.endpoint_name,
                  description="SageMaker endpoint name (sagemaker.Predictor(endpoint_name=...))")
        CfnOutput(self, "EndpointArn", value=self.endpoint.ref, description="SageMaker endpoint ARN")

    # --- validation ----------------------------------------------------------------------------------------
    def _validate_arguments(self, *, mode: str, invocations_per_instance: int, sampling: int, traffic_shifting: str,
                            traffic_step_percent: int, bake_minutes: int, serverless_memory_mb: int,
                            serverless_max_concurrency: int, async_max_concurrent_invocations: int,
                            endpoint_name_given: bool) -> None:
        check, env = self.problems.check, self.env
        check(mode in MODES, "mode", mode, "one of " + ", ".join(MODES), "pass mode='realtime' (the default)")
        name_source = "endpoint_name" if endpoint_name_given else "endpoint_name (derived from stack name and id)"
        check(isinstance(self.endpoint_name, str) and not Token.is_unresolved(self.endpoint_name)
              and _NAME.match(self.endpoint_name) is not None, name_source, self.endpoint_name,
              f"1-{MAX_NAME_LENGTH} letters, digits and hyphens, starting and ending with a letter or digit",
              "pass endpoint_name='my-model' (at most 63 characters)")
        if mode != "serverless":
            if check(_is_int(self.min_capacity) and self.min_capacity >= env.endpoint_min_capacity, "min_capacity",
                     self.min_capacity, f"an integer >= {env.endpoint_min_capacity} (policy endpoint_min_capacity "
                     f"in {env.name})", f"pass min_capacity={env.endpoint_min_capacity} or leave it unset"):
                check(_is_int(self.max_capacity) and self.min_capacity <= self.max_capacity, "max_capacity",
                      self.max_capacity, f"an integer >= min_capacity ({self.min_capacity})",
                      "pass max_capacity >= min_capacity")
            check(_is_int(self.max_capacity) and self.max_capacity <= env.endpoint_max_capacity, "max_capacity",
                  self.max_capacity, f"an integer <= {env.endpoint_max_capacity} (policy endpoint_max_capacity in "
                  f"{env.name})", f"pass max_capacity={env.endpoint_max_capacity} or leave it unset")
            check(_is_int(invocations_per_instance) and invocations_per_instance >= 1, "invocations_per_instance",
                  invocations_per_instance, "a positive integer (invocations per instance per minute)",
                  f"pass invocations_per_instance={DEFAULT_INVOCATIONS_PER_INSTANCE}")
            check(_is_int(sampling) and 0 <= sampling <= 100, "data_capture_sampling_percent", sampling,
                  "an integer from 0 to 100", "pass data_capture_sampling_percent=100 (capture every request)")
        else:
            check(_is_int(serverless_memory_mb) and serverless_memory_mb in SERVERLESS_MEMORY_SIZES,
                  "serverless_memory_mb", serverless_memory_mb,
                  "one of " + ", ".join(map(str, SERVERLESS_MEMORY_SIZES)),
                  "pass serverless_memory_mb=2048")
            check(_is_int(serverless_max_concurrency) and 1 <= serverless_max_concurrency <= SERVERLESS_MAX_CONCURRENCY,
                  "serverless_max_concurrency", serverless_max_concurrency,
                  f"an integer from 1 to {SERVERLESS_MAX_CONCURRENCY}", "pass serverless_max_concurrency=5")
        if mode == "async":
            check(_is_int(async_max_concurrent_invocations)
                  and 1 <= async_max_concurrent_invocations <= ASYNC_MAX_CONCURRENT_INVOCATIONS,
                  "async_max_concurrent_invocations", async_max_concurrent_invocations,
                  f"an integer from 1 to {ASYNC_MAX_CONCURRENT_INVOCATIONS}", "pass async_max_concurrent_invocations=4")
        check(traffic_shifting in ("canary", "linear"), "traffic_shifting", traffic_shifting, "canary or linear",
              "pass traffic_shifting='canary'")
        check(_is_int(traffic_step_percent) and 1 <= traffic_step_percent <= 100, "traffic_step_percent",
              traffic_step_percent, "an integer from 1 to 100",
              f"pass traffic_step_percent={DEFAULT_TRAFFIC_STEP_PERCENT}")
        check(_is_int(bake_minutes) and 0 <= bake_minutes <= 60, "bake_minutes", bake_minutes,
              "an integer from 0 to 60 (SageMaker waits at most 3600 s per step)",
              f"pass bake_minutes={DEFAULT_BAKE_MINUTES}")
        for argument, value in (("alarm_5xx_errors", self.alarm_5xx_errors),
                                ("alarm_4xx_rate_percent", self.alarm_4xx_rate_percent),
                                ("alarm_p99_latency_ms", self.alarm_p99_latency_ms),
                                ("alarm_utilization_percent", self.alarm_utilization_percent)):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
            if ok and argument.endswith("percent"):
                ok = value <= 100
            check(ok, argument, value, "a positive number" + (" up to 100" if argument.endswith("percent") else ""),
                  f"leave {argument} unset to use the policy's alarm default")

    def _validate_variants(self, *, model_data_url: str, instance_type: str | None, image: str | None,
                           variants: Sequence[ModelVariant], primary_weight: float) -> tuple[_Variant, ...]:
        check, env = self.problems.check, self.env
        serverless = self.mode == "serverless"
        if serverless:
            check(instance_type is None, "instance_type", instance_type,
                  "no instance type in serverless mode (SageMaker chooses the compute)",
                  "remove instance_type, or pass mode='realtime'")
            check(not variants, "variants", [v.name for v in variants],
                  "no additional variants in serverless mode (SageMaker supports one serverless variant)",
                  "remove variants, or pass mode='realtime'")
            variants = ()
        default_type = instance_type if instance_type is not None else env.default_sagemaker_instance_type
        given_image = image
        base_image = image if image is not None else default_image(self, "inference")
        specs = [ModelVariant(PRIMARY_VARIANT, model_data_url, primary_weight, default_type, given_image),
                 *variants]
        check(len(specs) <= MAX_VARIANTS, "variants", len(variants), f"at most {MAX_VARIANTS - 1} additional variants",
              "split the variants across endpoints")
        seen: set[str] = set()
        result: list[_Variant] = []
        for index, spec in enumerate(specs):
            prefix = "" if index == 0 else f"variants[{index - 1}]."
            if not isinstance(spec, ModelVariant):
                self.problems.add(f"variants[{index - 1}]", spec, "a ModelVariant",
                                  "pass variants=[ModelVariant(name=..., model_data_url=..., weight=...)]")
                continue
            if index > 0:
                check(isinstance(spec.name, str) and _NAME.match(spec.name) is not None and spec.name not in seen,
                      f"{prefix}name", spec.name, f"a unique name of 1-{MAX_NAME_LENGTH} letters, digits and hyphens "
                      f"(not {PRIMARY_VARIANT!r} or another variant's)", "pass name='Challenger'")
            seen.add(spec.name)
            url_arg = "model_data_url" if index == 0 else f"{prefix}model_data_url"
            check(isinstance(spec.model_data_url, str) and not Token.is_unresolved(spec.model_data_url)
                  and len(spec.model_data_url) <= 1024 and _S3_URL.match(spec.model_data_url) is not None,
                  url_arg, spec.model_data_url,
                  "a literal s3://bucket/key URL of the model artifact object "
                  "(no wildcards, not a prefix ending in '/')",
                  f"pass {url_arg}='s3://my-bucket/models/model.tar.gz'")
            weight_arg = "primary_weight" if index == 0 else f"{prefix}weight"
            check(isinstance(spec.weight, (int, float)) and not isinstance(spec.weight, bool) and spec.weight > 0
                  and math.isfinite(spec.weight), weight_arg, spec.weight,
                  "a positive number (relative traffic weight)",
                  f"pass {weight_arg}=1.0")
            itype = spec.instance_type if spec.instance_type is not None else default_type
            if not serverless:
                type_arg = "instance_type" if index == 0 else f"{prefix}instance_type"
                allowed = ", ".join(env.sagemaker_instance_types)
                if check(isinstance(itype, str) and catalog.sagemaker(itype) is not None, type_arg, itype,
                         f"a SageMaker instance type (ml.*) known to the platform catalog; in {env.name}: {allowed}",
                         f"pass {type_arg}='{env.default_sagemaker_instance_type}'"):
                    check(itype in env.sagemaker_instance_types, type_arg, itype,
                          f"an instance type the policy allows in {env.name}: {allowed}",
                          f"pass {type_arg}='{env.default_sagemaker_instance_type}' or choose another environment")
            variant_image = spec.image if spec.image is not None else base_image
            if spec.image is not None:
                image_arg = "image" if index == 0 else f"{prefix}image"
                check(isinstance(spec.image, str) and is_approved_image(self, spec.image), image_arg, spec.image,
                      "a literal image URI under an approved registry: " + ", ".join(self.policy.approved_registries),
                      f"push the image to an approved registry, or leave {image_arg} unset for the platform default")
            result.append(_Variant(str(spec.name), str(spec.model_data_url), float(spec.weight) if isinstance(
                spec.weight, (int, float)) else 0.0, str(itype), str(variant_image)))
        return tuple(result)

    # --- resources -----------------------------------------------------------------------------------------
    def _grant_execution_permissions(self) -> None:
        stack = Stack.of(self)
        role = self.role
        artifacts = sorted({_object_arn(stack, v.model_data_url) for v in self.variants})
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="ReadModelArtifacts", actions=["s3:GetObject"], resources=artifacts))
        repositories: list[str] = []
        unknown_repositories = False
        for variant in self.variants:
            arn = image_repository_arn(self, variant.image)
            if arn is None:
                unknown_repositories = True
            elif arn not in repositories:
                repositories.append(arn)
        if unknown_repositories:
            approved = approved_repository_arns(self)
            repositories.extend(a for a in approved if a not in repositories)
            acknowledge_resources(role, "approved-registry-pulls", approved)
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PullModelImages",
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources=repositories))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="UseEndpointKey", actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            resources=[self.key.key_arn]))
        self.log_group.grant_write(role)
        unscoped = ["ecr:GetAuthorizationToken"]
        if self.mode != "serverless":
            unscoped += ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
                         "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
                         "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                         "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="UnscopableActions", actions=unscoped, resources=["*"]))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PublishEndpointMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": INSTANCE_METRICS_NAMESPACE}}))
        acknowledge(role, "sagemaker-role-unscopable-actions")
        write_prefixes: list[str] = []
        if self.mode != "serverless":
            write_prefixes.append(DATA_CAPTURE_PREFIX)
        if self.mode == "async":
            write_prefixes += [ASYNC_OUTPUT_PREFIX, ASYNC_FAILURE_PREFIX]
            read_inputs = self.bucket.arn_for_objects(f"{ASYNC_INPUT_PREFIX}/*")
            role.add_to_principal_policy(iam.PolicyStatement(
                sid="ReadAsyncInputs", actions=["s3:GetObject"], resources=[read_inputs]))
            acknowledge_resources(role, "sagemaker-role-object-prefixes", [read_inputs])
        if write_prefixes:
            writes = [self.bucket.arn_for_objects(f"{prefix}/*") for prefix in write_prefixes]
            role.add_to_principal_policy(iam.PolicyStatement(
                sid="WriteEndpointData", actions=["s3:PutObject", "s3:AbortMultipartUpload"], resources=writes))
            acknowledge_resources(role, "sagemaker-role-object-prefixes", writes)

    def _model(self, variant: _Variant) -> sagemaker.CfnModel:
        isolated = self.mode != "serverless"
        model = sagemaker.CfnModel(
            self, "Model" if variant.name == PRIMARY_VARIANT else f"{variant.name}Model",
            execution_role_arn=self.role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=variant.image, model_data_url=variant.model_data_url, mode="SingleModel"),
            enable_network_isolation=isolated,
            vpc_config=sagemaker.CfnModel.VpcConfigProperty(
                security_group_ids=[self.security_group.security_group_id], subnets=self.subnet_ids,
            ) if isolated and self.security_group is not None else None,
        )
        model.node.add_dependency(self.role.policy)  # its permissions must exist before SageMaker validates access
        if not isolated:
            acknowledge(model, "sagemaker-serverless-no-vpc")
        return model

    def _endpoint_config(self, *, sampling: int, serverless_memory_mb: int, serverless_max_concurrency: int,
                         async_max_concurrent_invocations: int) -> sagemaker.CfnEndpointConfig:
        serverless = self.mode == "serverless"
        instance_store = not serverless and any(catalog.sagemaker_has_instance_store(v.instance_type)
                                                for v in self.variants)
        production_variants = [
            sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name=v.name,
                model_name=self.models[v.name].attr_model_name,
                initial_variant_weight=v.weight,
                instance_type=None if serverless else v.instance_type,
                initial_instance_count=None if serverless else self.min_capacity,
                serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
                    memory_size_in_mb=serverless_memory_mb, max_concurrency=serverless_max_concurrency,
                ) if serverless else None,
            )
            for v in self.variants
        ]
        bucket = self.bucket.bucket_name
        config = sagemaker.CfnEndpointConfig(
            self, "EndpointConfig",
            production_variants=production_variants,
            kms_key_id=None if instance_store or serverless else self.key.key_arn,
            data_capture_config=None if serverless else sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
                enable_capture=True,
                initial_sampling_percentage=sampling,
                destination_s3_uri=f"s3://{bucket}/{DATA_CAPTURE_PREFIX}",
                kms_key_id=self.key.key_arn,
                capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Input"),
                                 sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Output")],
            ),
            async_inference_config=sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty(
                output_config=sagemaker.CfnEndpointConfig.AsyncInferenceOutputConfigProperty(
                    s3_output_path=f"s3://{bucket}/{ASYNC_OUTPUT_PREFIX}/",
                    s3_failure_path=f"s3://{bucket}/{ASYNC_FAILURE_PREFIX}/",
                    kms_key_id=self.key.key_arn,
                ),
                client_config=sagemaker.CfnEndpointConfig.AsyncInferenceClientConfigProperty(
                    max_concurrent_invocations_per_instance=async_max_concurrent_invocations),
            ) if self.mode == "async" else None,
        )
        if instance_store:
            acknowledge(config, "sagemaker-instance-store-volume")
        if serverless:
            acknowledge(config, "sagemaker-serverless-no-data-capture")
            acknowledge(config, "sagemaker-serverless-volume-key")
        return config

    def _alarm(self, id: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self, id, metric=metric, threshold=threshold,
            evaluation_periods=self.policy.alarms.evaluation_periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{self.endpoint_name}: {description}",
        )
        alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.alarm_topic))
        self.alarms[id] = alarm
        return alarm

    def _create_alarms(self) -> list[cloudwatch.Alarm]:
        """Create the endpoint's alarms; return those that roll a deployment back (5xx and latency)."""
        rollback: list[cloudwatch.Alarm] = []
        for v in self.variants:
            suffix = "" if v.name == PRIMARY_VARIANT else v.name
            rollback.append(self._alarm(
                f"Errors5xx{suffix}", self.metric_invocation_5xx_errors(variant_name=v.name), self.alarm_5xx_errors,
                f"variant {v.name}: more than {self.alarm_5xx_errors} 5xx errors per {self._period.to_minutes()} min"))
            rollback.append(self._alarm(
                f"LatencyP99{suffix}", self.metric_model_latency(variant_name=v.name),
                self.alarm_p99_latency_ms * 1000,  # ModelLatency is reported in microseconds
                f"variant {v.name}: p99 model latency above {self.alarm_p99_latency_ms} ms"))
            self._alarm(f"Rate4xx{suffix}", self.metric_4xx_rate(variant_name=v.name), self.alarm_4xx_rate_percent,
                        f"variant {v.name}: more than {self.alarm_4xx_rate_percent}% of invocations are 4xx errors")
            if self.mode == "serverless":
                continue
            spec = catalog.sagemaker(v.instance_type)
            vcpus = spec.vcpus if spec is not None else 1
            gpus = spec.gpus if spec is not None else 0
            limit = self.alarm_utilization_percent
            self._alarm(f"Cpu{suffix}", self.metric_cpu_utilization(variant_name=v.name), limit * vcpus,
                        f"variant {v.name}: CPU above {limit}% of {vcpus} vCPUs")
            self._alarm(f"Memory{suffix}", self.metric_memory_utilization(variant_name=v.name), limit,
                        f"variant {v.name}: memory above {limit}%")
            self._alarm(f"Disk{suffix}", self.metric_disk_utilization(variant_name=v.name), limit,
                        f"variant {v.name}: disk above {limit}%")
            if gpus:
                self._alarm(f"Gpu{suffix}", self.metric_gpu_utilization(variant_name=v.name), limit * gpus,
                            f"variant {v.name}: GPU above {limit}% of {gpus} GPU(s)")
                self._alarm(f"GpuMemory{suffix}", self.metric_gpu_memory_utilization(variant_name=v.name),
                            limit * gpus, f"variant {v.name}: GPU memory above {limit}% of {gpus} GPU(s)")
        return rollback

    def _configure_autoscaling(self, invocations_per_instance: int) -> None:
        for v in self.variants:
            suffix = "" if v.name == PRIMARY_VARIANT else v.name
            target = CfnScalableTarget(
                self, f"ScalableTarget{suffix}",
                service_namespace="sagemaker",
                scalable_dimension="sagemaker:variant:DesiredInstanceCount",
                resource_id=f"endpoint/{self.endpoint_name}/variant/{v.name}",
                min_capacity=self.min_capacity,
                max_capacity=self.max_capacity,
            )
            target.node.add_dependency(self.endpoint)  # resource_id names the endpoint literally
            policy = CfnScalingPolicy(
                self, f"ScalingPolicy{suffix}",
                policy_name=f"{self.endpoint_name}-{v.name}-invocations"[:256],
                policy_type="TargetTrackingScaling",
                scaling_target_id=target.ref,
                target_tracking_scaling_policy_configuration=CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty(
                    target_value=float(invocations_per_instance),
                    predefined_metric_specification=CfnScalingPolicy.PredefinedMetricSpecificationProperty(
                        predefined_metric_type="SageMakerVariantInvocationsPerInstance"),
                    scale_in_cooldown=SCALE_IN_COOLDOWN_SECONDS,
                    scale_out_cooldown=SCALE_OUT_COOLDOWN_SECONDS,
                ),
            )
            self.scalable_targets[v.name] = target
            self.scaling_policies[v.name] = policy

    def _dashboard(self) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(self, "Dashboard")
        names = [v.name for v in self.variants]
        dashboard.add_widgets(
            cloudwatch.TextWidget(markdown=f"# SageMaker endpoint `{self.endpoint_name}` ({self.mode})", width=24),
            cloudwatch.GraphWidget(title="Invocations", left=[self.metric_invocations(variant_name=n) for n in names]),
            cloudwatch.GraphWidget(title="Errors", left=[
                *(self.metric_invocation_5xx_errors(variant_name=n) for n in names),
                *(self.metric_invocation_4xx_errors(variant_name=n) for n in names)]),
            cloudwatch.GraphWidget(title="Model latency p99 (microseconds)",
                                   left=[self.metric_model_latency(variant_name=n) for n in names]),
        )
        if self.mode != "serverless":
            dashboard.add_widgets(
                cloudwatch.GraphWidget(title="Invocations per instance",
                                       left=[self.metric_invocations_per_instance(variant_name=n) for n in names]),
                cloudwatch.GraphWidget(title="Utilization (%)", left=[
                    m for n in names for m in (self.metric_cpu_utilization(variant_name=n),
                                               self.metric_memory_utilization(variant_name=n),
                                               self.metric_disk_utilization(variant_name=n))]),
                cloudwatch.AlarmStatusWidget(alarms=list(self.alarms.values()), title="Alarms"),
            )
        return dashboard

    # --- public helpers ------------------------------------------------------------------------------------
    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to invoke this endpoint (synchronously, streaming, or asynchronously in async mode)."""
        actions = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
        if self.mode == "async":
            actions = ["sagemaker:InvokeEndpointAsync"]
        return iam.Grant.add_to_principal(grantee=grantee, actions=actions, resource_arns=[self.endpoint_arn])

    def metric(self, metric_name: str, *, variant_name: str = PRIMARY_VARIANT, statistic: str = "Sum",
               namespace: str = METRICS_NAMESPACE, period: Duration | None = None) -> cloudwatch.Metric:
        """A CloudWatch metric of one variant of this endpoint (``AWS/SageMaker`` unless ``namespace`` says)."""
        return cloudwatch.Metric(
            namespace=namespace, metric_name=metric_name, statistic=statistic, period=period or self._period,
            dimensions_map={"EndpointName": self.endpoint_name, "VariantName": variant_name},
        )

    def metric_invocations(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("Invocations", variant_name=variant_name)

    def metric_invocations_per_instance(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("InvocationsPerInstance", variant_name=variant_name)

    def metric_invocation_5xx_errors(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("Invocation5XXErrors", variant_name=variant_name)

    def metric_invocation_4xx_errors(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("Invocation4XXErrors", variant_name=variant_name)

    def metric_4xx_rate(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.MathExpression:
        """Percentage of invocations that returned a 4xx error (0 when there is no traffic)."""
        return cloudwatch.MathExpression(
            expression="IF(invocations > 0, 100 * errors / invocations, 0)",
            using_metrics={"errors": self.metric_invocation_4xx_errors(variant_name=variant_name),
                           "invocations": self.metric_invocations(variant_name=variant_name)},
            label=f"4xx rate % {variant_name}", period=self._period,
        )

    def metric_model_latency(self, *, variant_name: str = PRIMARY_VARIANT, statistic: str = "p99") -> cloudwatch.Metric:
        """Model latency in microseconds (SageMaker's unit); p99 by default."""
        return self.metric("ModelLatency", variant_name=variant_name, statistic=statistic)

    def metric_cpu_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """CPU utilization summed over the instance's vCPUs (0-100 x vCPUs), average."""
        return self.metric("CPUUtilization", variant_name=variant_name, statistic="Average",
                           namespace=INSTANCE_METRICS_NAMESPACE)

    def metric_memory_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("MemoryUtilization", variant_name=variant_name, statistic="Average",
                           namespace=INSTANCE_METRICS_NAMESPACE)

    def metric_disk_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("DiskUtilization", variant_name=variant_name, statistic="Average",
                           namespace=INSTANCE_METRICS_NAMESPACE)

    def metric_gpu_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        """GPU utilization summed over the instance's GPUs (0-100 x GPUs), average."""
        return self.metric("GPUUtilization", variant_name=variant_name, statistic="Average",
                           namespace=INSTANCE_METRICS_NAMESPACE)

    def metric_gpu_memory_utilization(self, *, variant_name: str = PRIMARY_VARIANT) -> cloudwatch.Metric:
        return self.metric("GPUMemoryUtilization", variant_name=variant_name, statistic="Average",
                           namespace=INSTANCE_METRICS_NAMESPACE)


# --- private helpers ---------------------------------------------------------------------------------------
def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _capacity(percent: int) -> sagemaker.CfnEndpoint.CapacitySizeProperty:
    return sagemaker.CfnEndpoint.CapacitySizeProperty(type="CAPACITY_PERCENT", value=percent)


def _default_endpoint_name(scope: Construct, id: str) -> str:
    """``<stack name>-<id>`` in SageMaker's alphabet, shortened with a stable hash suffix beyond 63 characters."""
    stack_name = Stack.of(scope).stack_name
    raw = f"{stack_name}-{id}"
    name = re.sub(r"-+", "-", re.sub(r"[^a-zA-Z0-9-]", "-", raw)).strip("-") or "endpoint"
    if len(name) > MAX_NAME_LENGTH:
        digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
        name = f"{name[:MAX_NAME_LENGTH - 9].rstrip('-')}-{digest}"
    return name


def _object_arn(stack: Stack, url: str) -> str:
    match = _S3_URL.match(url)
    assert match is not None  # validated before any resource is created
    return f"arn:{stack.partition}:s3:::{match['bucket']}/{match['key']}"
