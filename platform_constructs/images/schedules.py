"""When the builds run: each level's rebuild schedule, and the rebuild of a level when the level below publishes a
newly approved image (an EventBridge rule on the SSM "Parameter Store Change" event of the parameter's update).

Every rule is named ``<pipeline>-img-...`` (:func:`rule_name`), so the events role's trust policy can accept
EventBridge for these rules only (``aws:SourceArn``).
"""

from __future__ import annotations

import hashlib
import re

import jsii
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk.interfaces.aws_events import IRuleRef
from constructs import Construct

from platform_constructs.arguments import expect_instance
from platform_constructs.errors import Problems
from platform_constructs.images.level import ImageLevel

MAX_RULE_NAME = 64
"""EventBridge rule names: 1-64 characters of letters, digits, ``.``, ``-`` and ``_``."""

DEFAULT_BASE_SCHEDULE = events.Schedule.cron(minute="0", hour="3", day="1", month="1/3")
"""Level 0 rebuild: 03:00 UTC on the first day of every third month."""
DEFAULT_RUNTIME_SCHEDULE = events.Schedule.cron(minute="0", hour="3", day="1", month="*")
"""Level 1 rebuild: 03:00 UTC on the first day of every month."""


@jsii.implements(events.IRuleTarget)
class StartBuild:
    """An EventBridge target that starts one CodeBuild project with the pipeline's events role."""

    def __init__(self, project: codebuild.CfnProject, role: iam.IRole) -> None:
        self._project = project
        self._role = role

    def bind(self, rule: IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        return events.RuleTargetConfig(arn=self._project.attr_arn, role=self._role)


def rule_prefix(pipeline_name: str) -> str:
    """The prefix of every rule name of the pipeline ``pipeline_name``."""
    return f"{pipeline_name}-img-"


def rule_name(pipeline_name: str, label: str) -> str:
    """``<pipeline>-img-<label>``, shortened with a hash of the label when it would exceed 64 characters."""
    name = rule_prefix(pipeline_name) + re.sub(r"[^A-Za-z0-9._-]+", "-", label)
    if len(name) <= MAX_RULE_NAME:
        return name
    return f"{name[:MAX_RULE_NAME - 9]}-{hashlib.sha256(label.encode()).hexdigest()[:8]}"


def schedule_rebuild(scope: Construct, id: str, *, name: str, schedule: events.Schedule, level: ImageLevel,
                     repository_name: str, role: iam.IRole) -> events.Rule:
    return events.Rule(scope, id, rule_name=name, schedule=schedule,
                       description=f"Scheduled rebuild of {repository_name}", targets=[StartBuild(level.project, role)])


def rebuild_on_approval(scope: Construct, id: str, *, name: str, approved: ImageLevel, dependant: ImageLevel,
                        role: iam.IRole) -> events.Rule:
    # The event SSM sends when a parameter changes (Amazon EventBridge Events Reference, "Amazon EC2 Systems Manager
    # events": source aws.ssm, detail-type "Parameter Store Change"; detail.operation Create, Update, Delete, ...).
    return events.Rule(
        scope, id, rule_name=name,
        description=f"Rebuild Level {dependant.level} {dependant.name} when a new Level {approved.level} image is "
                    "approved",
        event_pattern=events.EventPattern(
            source=["aws.ssm"], detail_type=["Parameter Store Change"],
            detail={"name": [approved.parameter_name], "operation": ["Update"]}),
        targets=[StartBuild(dependant.project, role)])


def check_schedules(problems: Problems, **schedules: object) -> None:
    """Each of ``schedules`` (argument name -> value) is ``None`` or an ``events.Schedule``: a string or a dict is a
    clean problem of its argument, never a jsii type error or a silently applied default."""
    for argument, schedule in schedules.items():
        if schedule is not None:
            expression = schedule if isinstance(schedule, str) else "rate(30 days)"
            expect_instance(problems, argument, schedule, lambda value: isinstance(value, events.Schedule),
                            what="an aws_events.Schedule (Schedule.rate, Schedule.cron or Schedule.expression)",
                            fix=f"pass {argument}=events.Schedule.expression({expression!r})")
