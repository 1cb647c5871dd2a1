"""SageMaker Model Monitor on an endpoint: ``SecureModelEndpoint(monitoring=DataQualityMonitoring(...))``.

:class:`EndpointMonitor` (the endpoint's ``Monitor``) builds, for each kind of monitoring the endpoint's
:class:`~.monitoring_settings.MonitoringSettings` hold (:mod:`.model_monitor_jobs`): a baselining job, a job
definition and a schedule, all network-isolated in the endpoint's VPC behind the monitor's own security group (no
ingress, HTTPS egress to the VPC endpoints and S3's prefix list only), with the endpoint's key on volumes and
outputs and the monitor's least-privilege role (:mod:`.model_monitor_iam`: the endpoint's capture prefix, the
baseline, results under the endpoint's bucket). The image is the policy's Model Monitor analyzer of the stack's region.

**The violation alarm.** A monitoring execution is a processing job whose exit message starts with
``CompletedWithViolations`` when it found constraint violations (Model Monitor's container contract: the message
``/opt/ml/output/message`` holds ``CompletedWithViolations: Job completed successfully with N violations.``, which
the processing job reports as ``ExitMessage``), and SageMaker sends a ``SageMaker Processing Job State Change`` event
for it (its detail is the ``DescribeProcessingJob`` response, which names the ``MonitoringScheduleArn``). The
``<Kind>Violations`` rule matches those events of the schedule; EventBridge counts them in ``AWS/Events``
``MatchedEvents`` per ``RuleName`` (EventBridge user guide, "Monitoring Amazon EventBridge"); the
``<Kind>ViolationsAlarm`` fires when a schedule period counts the policy's ``monitoring.violations_alarm_threshold``
of them, to the endpoint's alarm topic, and is on the endpoint's dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnOutput, CfnResource, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.errors import Problems
from platform_constructs.policy import Policy
from platform_constructs.serving import model_monitor_jobs as jobs
from platform_constructs.serving.model_monitor_iam import monitor_role
from platform_constructs.serving.monitoring_settings import MonitoringSettings, MonitorJob

VIOLATIONS_PREFIX = "CompletedWithViolations"
"""How a monitoring execution's exit message begins when it found constraint violations."""
EVENTS_NAMESPACE = "AWS/Events"
PERIOD_NAMES = {"hourly": "hour", "daily": "day"}


class EndpointMonitor(Construct):
    """SageMaker Model Monitor on one endpoint: every resource is exposed by kind (``data-quality`` /
    ``model-quality``) in :attr:`baselining_jobs`, :attr:`job_definitions`, :attr:`schedules`,
    :attr:`violation_rules` and :attr:`alarms`, with :attr:`role` and :attr:`security_group`.

    Built by :class:`~.endpoint.SecureModelEndpoint` from its validated ``monitoring`` argument; ``problems`` are
    the endpoint's (a region the policy lists no analyzer account for is one, raised here). ``vpc_cidr``: the
    network's CIDR, the jobs' HTTPS destination besides S3 (:func:`platform_constructs.egress.https_egress_to_aws`).
    """

    def __init__(self, scope: Construct, id: str, *, settings: MonitoringSettings, policy: Policy,
                 problems: Problems, endpoint_name: str, base_name: str, data_capture_prefix: str,
                 endpoint: sagemaker.CfnEndpoint, bucket: s3.IBucket, key: kms.IKey, topic: sns.ITopic,
                 vpc: ec2.IVpc, vpc_cidr: str, subnet_ids: Sequence[str]) -> None:
        super().__init__(scope, id)
        self.settings = settings
        image = jobs.analyzer_image(self, policy, problems)
        problems.raise_if_any()
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
            description=f"Model Monitor jobs of {endpoint_name}: no ingress, HTTPS egress to VPC endpoints")
        baseline.https_egress_to_aws(self.security_group, vpc_cidr=vpc_cidr, problems=problems)
        if settings.instance_count > 1:  # the instances of one job talk to each other (encrypted)
            self.security_group.add_ingress_rule(self.security_group, ec2.Port.all_tcp(), "between the job's instances")
            self.security_group.add_egress_rule(self.security_group, ec2.Port.all_tcp(), "between the job's instances")
        self.role: baseline.PlatformRole = monitor_role(
            self, settings, endpoint_name=endpoint_name, data_capture_prefix=data_capture_prefix, bucket=bucket,
            key=key, vpc=vpc, security_group=self.security_group)
        ctx = jobs.JobContext(settings=settings, endpoint_name=endpoint_name, base_name=base_name, image=image,
                              role_arn=self.role.role_arn, key_arn=key.key_arn, bucket_name=bucket.bucket_name,
                              security_group_id=self.security_group.security_group_id, subnet_ids=subnet_ids)
        self.baselining_jobs: dict[str, sagemaker.CfnProcessingJob] = {}
        self.job_definitions: dict[str, CfnResource] = {}
        self.schedules: dict[str, sagemaker.CfnMonitoringSchedule] = {}
        self.violation_rules: dict[str, events.Rule] = {}
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        action = cloudwatch_actions.SnsAction(topic)
        for job in settings.jobs:
            name = _kind(job)
            baselining = jobs.baselining_job(self, job, ctx)
            baselining.node.add_dependency(self.role.policy)  # its permissions exist before SageMaker starts it
            definition, definition_name = jobs.job_definition(self, job, ctx)
            definition.node.add_dependency(baselining, endpoint, self.role.policy)
            monitoring_schedule = jobs.schedule(self, job, ctx, definition_name)
            monitoring_schedule.node.add_dependency(definition)
            rule = events.Rule(self, f"{name}Violations", description=(
                f"{endpoint_name}: {job.kind} monitoring executions that found constraint violations"),
                event_pattern=events.EventPattern(
                    source=["aws.sagemaker"], detail_type=["SageMaker Processing Job State Change"],
                    detail={"MonitoringScheduleArn": [monitoring_schedule.attr_monitoring_schedule_arn],
                            "ProcessingJobStatus": ["Completed"],
                            "ExitMessage": events.Match.prefix(VIOLATIONS_PREFIX)}))
            alarm = cloudwatch.Alarm(
                self, f"{name}ViolationsAlarm", metric=violations_metric(rule, job),
                threshold=settings.violations_alarm_threshold, evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=(f"{endpoint_name}: {settings.violations_alarm_threshold} or more {job.kind} "
                                   f"monitoring executions per {PERIOD_NAMES[job.schedule]} found constraint "
                                   f"violations (reports: {ctx.uri(job, 'reports')})"))
            alarm.add_alarm_action(action)
            CfnOutput(self, f"{name}Reports", value=ctx.uri(job, "reports"),
                      description=f"Model Monitor {job.kind} reports (constraint_violations.json per execution)")
            self.baselining_jobs[job.kind], self.job_definitions[job.kind] = baselining, definition
            self.schedules[job.kind], self.violation_rules[job.kind], self.alarms[job.kind] = \
                monitoring_schedule, rule, alarm

    def dashboard_widgets(self) -> list[cloudwatch.IWidget]:
        """The monitor's row of the endpoint's dashboard: executions with violations, and the alarms' state."""
        metrics = [alarm.metric for alarm in self.alarms.values()]
        return [cloudwatch.GraphWidget(title="Model Monitor: executions with constraint violations", left=metrics,
                                       width=12),
                cloudwatch.AlarmStatusWidget(alarms=list(self.alarms.values()), title="Model Monitor", width=12)]


def violations_metric(rule: events.IRule, job: MonitorJob) -> cloudwatch.Metric:
    """Events ``rule`` matched (executions that found violations), summed over ``job``'s schedule period."""
    return cloudwatch.Metric(namespace=EVENTS_NAMESPACE, metric_name="MatchedEvents",
                             dimensions_map={"RuleName": rule.rule_name}, statistic="Sum",
                             period=Duration.seconds(job.period_seconds),
                             label=f"{job.kind} executions with violations")


def _kind(job: MonitorJob) -> str:
    return "DataQuality" if job.kind == "data-quality" else "ModelQuality"
