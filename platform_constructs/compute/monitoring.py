"""Monitoring of a Batch construct's queues: job-state metrics, alarms to the encrypted topic, a dashboard.

The counts come from EventBridge rules over the queues' "Batch Job State Change" events (``AWS/Events``
``MatchedEvents`` per rule: one metric per rule), kept apart (:class:`JobStateMetrics`) from the alarms and the
dashboard built on them (:func:`monitoring`). Failed jobs, and jobs the queue cancelled after they were stuck in
RUNNABLE, also reach the alarm topic as they happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_batch as batch
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.policy import AlarmPolicy


class JobStateMetrics:
    """One EventBridge rule per job state of interest over ``queues``, and its ``MatchedEvents`` metric."""

    def __init__(self, scope: Construct, *, queues: Sequence[batch.CfnJobQueue], period: Duration) -> None:
        self._scope, self._queue_arns, self._period = scope, [q.ref for q in queues], period

    def rule(self, id: str, description: str, detail: dict[str, Any]) -> events.Rule:
        return events.Rule(self._scope, id, description=description, event_pattern=events.EventPattern(
            source=["aws.batch"], detail_type=["Batch Job State Change"],
            detail={"jobQueue": self._queue_arns, **detail}))

    def matched(self, rule: events.Rule, label: str) -> cw.Metric:
        """How many events ``rule`` matched per period (``AWS/Events`` publishes ``MatchedEvents`` per rule)."""
        return cw.Metric(namespace="AWS/Events", metric_name="MatchedEvents",
                         dimensions_map={"RuleName": rule.rule_name}, statistic="Sum", period=self._period,
                         label=label)


@dataclass(frozen=True)
class Monitoring:
    topic: sns.Topic
    alarms: dict[str, cw.Alarm]
    dashboard: cw.Dashboard


def monitoring(scope: Construct, *, key: kms.IKey, queues: Sequence[batch.CfnJobQueue], alarm_policy: AlarmPolicy,
               title: str) -> Monitoring:
    """Alarms (backlog growth, failed jobs, jobs cancelled after being stuck in RUNNABLE) and a dashboard."""
    period = Duration.minutes(alarm_policy.period_minutes)
    topic = baseline.alarm_topic(scope, "AlarmTopic", key=key)
    metrics = JobStateMetrics(scope, queues=queues, period=period)
    failed_rule = metrics.rule("FailedJobsRule", "Jobs of this construct's queues that failed", {"status": ["FAILED"]})
    failed_rule.add_target(targets.SnsTopic(topic))
    stuck_rule = metrics.rule("StuckRunnableRule", "Jobs cancelled by the queue after being stuck in RUNNABLE",
                              {"status": ["FAILED"],
                               "statusReason": [{"prefix": p} for p in ("CAPACITY:", "MISCONFIGURATION:")]})
    stuck_rule.add_target(targets.SnsTopic(topic))
    runnable_rule = metrics.rule("RunnableJobsRule", "Jobs entering RUNNABLE (waiting for capacity)",
                                 {"status": ["RUNNABLE"]})
    started_rule = metrics.rule("StartingJobsRule", "Jobs leaving the queue for an instance", {"status": ["STARTING"]})

    failed = metrics.matched(failed_rule, "failed jobs")
    stuck = metrics.matched(stuck_rule, "cancelled after stuck in RUNNABLE")
    entered = metrics.matched(runnable_rule, "entered RUNNABLE")
    started = metrics.matched(started_rule, "started")
    # RUNNING_SUM adds up only the datapoints of the query's time range: for the alarm that is its own
    # evaluation window, so this is the backlog's growth within that window, not its total (AWS Batch publishes
    # no queue-depth metric). Jobs that wait too long are cancelled and reported by the StuckRunnable alarm.
    window = alarm_policy.period_minutes * alarm_policy.evaluation_periods
    backlog = cw.MathExpression(expression="RUNNING_SUM(FILL(entered, 0) - FILL(started, 0))",
                                using_metrics={"entered": entered, "started": started},
                                period=period, label="queue backlog growth")
    alarms = {
        "queue_depth": backlog.create_alarm(
            scope, "QueueDepthAlarm", threshold=alarm_policy.batch_queue_depth,
            evaluation_periods=alarm_policy.evaluation_periods,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{title}: {alarm_policy.batch_queue_depth}+ more jobs entered RUNNABLE than started "
                              f"within {window} minutes (the backlog's growth in that window)"),
        "failed_jobs": failed.create_alarm(
            scope, "FailedJobsAlarm", threshold=alarm_policy.batch_failed_jobs, evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{title}: {alarm_policy.batch_failed_jobs}+ jobs failed in "
                              f"{alarm_policy.period_minutes} minutes"),
        "stuck_runnable": stuck.create_alarm(
            scope, "StuckRunnableAlarm", threshold=1, evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{title}: a job was cancelled after being stuck in RUNNABLE (no capacity or a "
                              "job bigger than the compute environment)"),
    }
    action = cw_actions.SnsAction(topic)
    for alarm in alarms.values():
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
    dashboard = cw.Dashboard(scope, "Dashboard", widgets=[[
        cw.GraphWidget(title="Queue: entered RUNNABLE vs started", left=[entered, started, backlog], width=12),
        cw.GraphWidget(title="Failed / stuck-RUNNABLE jobs", left=[failed, stuck], width=12),
    ], [cw.AlarmStatusWidget(title="Alarms", alarms=list(alarms.values()), width=24)]])
    return Monitoring(topic=topic, alarms=alarms, dashboard=dashboard)
