"""ModelRegistry: the platform's SageMaker model registry, one model package group per project.

What ``ModelRegistry(self, "Registry", projects=["churn"], cost_center="ml-platform")`` builds (platform-owned, e.g.
in the platform's stack):

* per project, ``<Project>Group``: an ``AWS::SageMaker::ModelPackageGroup`` named after the project, retained where the
  policy retains stateful resources; its group policy lets the policy's ``model_registry.workload_accounts`` describe
  the group and describe and list its packages (SageMaker developer guide, "Cross-account model registry": a
  resource policy on the group, ``DescribeModelPackageGroup`` on the group, ``DescribeModelPackage`` /
  ``ListModelPackages`` on ``model-package/<group>/*``);
* ``ApprovalWorkflow`` (Step Functions, :mod:`.registry_workflow`) with its own role, logging everything to a
  KMS-encrypted log group and traced with X-Ray: it publishes each group's latest Approved package, after checking the
  artifact contract on what the package states, in the two SSM parameters endpoints resolve at deploy time
  (``SecureModelEndpoint(model_package=ApprovedModelPackage(group=...))``);
* ``ApprovalRule``: the EventBridge rule on every approval-state change of the groups' packages, which starts it;
* ``PublishedRule``: the rule on the workflow's announcement that a package was published. It has no target: the
  platform team wires it to their redeploy (``registry.published_rule.add_target(...)``, e.g. a CodeBuild project or
  pipeline running ``cdk deploy``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge, acknowledge_resources
from platform_constructs.core import PlatformConstruct
from platform_constructs.serving.registry_settings import RegistrySettings, approved_parameters, registry_settings
from platform_constructs.serving.registry_workflow import (
    EVENT_SOURCE,
    PUBLISHED,
    approval_workflow,
    approved_image_patterns,
)

APPROVAL_EVENT = "SageMaker Model Package State Change"
LOG_DELIVERY_ACTIONS = ("logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
                        "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
                        "logs:PutResourcePolicy", "logs:UpdateLogDelivery")
"""What Step Functions needs to deliver a state machine's logs to CloudWatch Logs, on ``*`` (Step Functions developer
guide, "IAM policies for logging to CloudWatch Logs")."""
TRACING_ACTIONS = ("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords",
                   "xray:PutTraceSegments")
"""What X-Ray tracing of a state machine needs, on ``*`` (Step Functions developer guide, "Trace Step Functions
request data in AWS X-Ray")."""


class ModelRegistry(PlatformConstruct):
    """The platform's model registry: one SageMaker model package group per project and the approval workflow.

    :param projects: the projects whose model package groups the registry owns (lowercase slugs; each names its
        group). Required.
    :param cost_center: the ``CostCenter`` tag. Required.
    :param data_classification: the ``DataClassification`` tag. Default: the policy's default.
    :param project: the ``Project`` tag. Default: the policy's default.
    :param owner: the ``Owner`` tag. Default: the policy's default.
    :param tags: any other tag the policy requires, or extra tags. Default: none.

    Exposes :attr:`groups` (project -> group), :attr:`state_machine`, :attr:`role`, :attr:`approval_rule`,
    :attr:`published_rule`, :attr:`key`, :attr:`log_group` and :meth:`parameters` (where a group's approved package
    is published).
    """

    def __init__(self, scope: Construct, id: str, *, projects: Sequence[str], cost_center: str,
                 data_classification: str | None = None, project: str | None = None, owner: str | None = None,
                 tags: Mapping[str, str] | None = None) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        self.settings: RegistrySettings = registry_settings(self.policy, self.problems, projects=projects)
        self.problems.raise_if_any()
        stack = Stack.of(self)
        self.groups: dict[str, sagemaker.CfnModelPackageGroup] = {}
        for name in self.settings.projects:
            group = sagemaker.CfnModelPackageGroup(
                self, f"{_pascal(name)}Group", model_package_group_name=name,
                model_package_group_description=f"Model packages of project {name} (platform model registry)",
                model_package_group_policy=self._group_policy(name))
            group.apply_removal_policy(self.platform.removal_policy)
            self.groups[name] = group
        self.key: kms.Key = baseline.platform_key(self, "Key", description=f"{self.node.path}: approval workflow logs",
                                                  service_principals=("logs",))
        self.log_group: logs.LogGroup = baseline.log_group(self, "ApprovalLogs", key=self.key)
        self.role: baseline.PlatformRole = self._workflow_role(stack)
        self.state_machine = sfn.CfnStateMachine(
            self, "ApprovalWorkflow", role_arn=self.role.role_arn, state_machine_type="STANDARD",
            definition_string=approval_workflow(
                ssm_prefix=self.settings.ssm_prefix,
                image_patterns=approved_image_patterns(self.policy.approved_registries),
                metadata_fields=self.policy.artifacts.required_metadata_fields),
            definition_substitutions={"Partition": stack.partition, "Region": stack.region,
                                      "Account": stack.account},
            logging_configuration=sfn.CfnStateMachine.LoggingConfigurationProperty(
                level="ALL", include_execution_data=False, destinations=[
                    sfn.CfnStateMachine.LogDestinationProperty(
                        cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                            log_group_arn=self.log_group.log_group_arn))]),
            tracing_configuration=sfn.CfnStateMachine.TracingConfigurationProperty(enabled=True))
        self.state_machine.node.add_dependency(self.role.policy)
        names = list(self.settings.projects)
        # Ref of a state machine is its ARN (CloudFormation reference, AWS::StepFunctions::StateMachine return values)
        machine = sfn.StateMachine.from_state_machine_arn(self, "ApprovalWorkflowRef", self.state_machine.ref)
        events_role = baseline.platform_role(
            self, "ApprovalRuleRole", assumed_by=iam.ServicePrincipal("events.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": stack.account}}),
            description=f"EventBridge: start the model registry's approval workflow ({self.node.path})")
        self.approval_rule = events.Rule(
            self, "ApprovalRule", description="Approval-state changes of the platform registry's model packages",
            event_pattern=events.EventPattern(source=["aws.sagemaker"], detail_type=[APPROVAL_EVENT],
                                              detail={"ModelPackageGroupName": names}),
            targets=[targets.SfnStateMachine(machine, role=events_role)])
        self.published_rule = events.Rule(
            self, "PublishedRule", description="A project's latest Approved model package was published for deploys",
            event_pattern=events.EventPattern(source=[EVENT_SOURCE], detail_type=[PUBLISHED],
                                              detail={"ModelPackageGroupName": names}))
        """Wire the redeploy here: ``registry.published_rule.add_target(...)``."""

    def parameters(self, project: str) -> tuple[str, str]:
        """The SSM parameters (package ARN, model data URL) of ``project``'s latest Approved package."""
        return approved_parameters(self.policy, project)

    def _group_policy(self, name: str) -> dict[str, Any] | None:
        """Read access for the policy's workload accounts; none when the policy names none."""
        accounts = self.settings.workload_accounts
        if not accounts:
            return None
        stack = Stack.of(self)
        principals = {"AWS": [f"arn:{stack.partition}:iam::{account}:root" for account in accounts]}
        group = stack.format_arn(service="sagemaker", resource="model-package-group", resource_name=name)
        packages = stack.format_arn(service="sagemaker", resource="model-package", resource_name=f"{name}/*")
        return {"Version": "2012-10-17", "Statement": [
            {"Sid": "WorkloadAccountsDescribeGroup", "Effect": "Allow", "Principal": principals,
             "Action": "sagemaker:DescribeModelPackageGroup", "Resource": group},
            {"Sid": "WorkloadAccountsReadPackages", "Effect": "Allow", "Principal": principals,
             "Action": ["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"], "Resource": packages}]}

    def _workflow_role(self, stack: Stack) -> baseline.PlatformRole:
        partition, region, account = stack.partition, stack.region, stack.account
        role = baseline.platform_role(
            self, "ApprovalRole", assumed_by=iam.ServicePrincipal("states.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:states:{region}:{account}:stateMachine:*"}}),
            description=f"Step Functions: the model registry's approval workflow ({self.node.path})")
        names = self.settings.projects
        packages = [stack.format_arn(service="sagemaker", resource="model-package", resource_name=f"{n}/*")
                    for n in names]
        published = [stack.format_arn(service="ssm", resource="parameter",
                                      resource_name=f"{self.settings.ssm_prefix.lstrip('/')}/{n}/*") for n in names]
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="ReadGroupPackages", actions=["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
            resources=packages))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PublishApprovedPackages", actions=["ssm:PutParameter"], resources=published))
        acknowledge_resources(role, "registry-workflow-group-resources", [*packages, *published])
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="AnnouncePublished", actions=["events:PutEvents"],
            resources=[stack.format_arn(service="events", resource="event-bus", resource_name="default")],
            conditions={"StringEquals": {"events:source": EVENT_SOURCE}}))
        role.add_to_principal_policy(iam.PolicyStatement(sid="DeliverLogs", actions=list(LOG_DELIVERY_ACTIONS),
                                                         resources=["*"]))
        role.add_to_principal_policy(iam.PolicyStatement(sid="Trace", actions=list(TRACING_ACTIONS),
                                                         resources=["*"]))
        acknowledge(role, "registry-workflow-unscopable-actions")
        return role


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))
