"""Monitoring resources read back with boto3: each CloudWatch alarm with its namespace, metric (or metric-math
queries), dimensions, threshold and actions; dashboards; EventBridge rules with their schedule or pattern,
state and targets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from platform_constructs.local.emulator import Emulator
from platform_constructs.local.verify_base import Check, Checker, Deployed, as_set, check, expect, number
from platform_constructs.local.verify_resolve import unresolved_in


def _metric(query: Mapping[str, Any]) -> tuple[Any, ...]:
    """One metric-data query as comparable values (id, expression, namespace, metric, dimensions, period, stat)."""
    stat = query.get("MetricStat") or {}
    metric = stat.get("Metric") or {}
    return (query.get("Id"), query.get("Expression"), metric.get("Namespace"), metric.get("MetricName"),
            frozenset(as_set(metric.get("Dimensions"), "Name", "Value")), number(stat.get("Period")),
            stat.get("Stat"), query.get("ReturnData", True) is not False)


def _topics_exist(em: Emulator, actions: list[str]) -> tuple[bool, str]:
    """Every SNS action names a topic that exists in the emulator."""
    missing = []
    for arn in actions:
        if not arn.startswith("arn:aws:sns:"):
            continue
        try:
            em.client("sns").get_topic_attributes(TopicArn=arn)
        except em.client("sns").exceptions.ClientError:
            missing.append(arn)
    return not missing, f"{len(actions)} action(s)" + (f"; no topic {missing}" if missing else "")


def check_alarm(em: Emulator, res: Deployed) -> list[Check]:
    answer = em.client("cloudwatch").describe_alarms(AlarmNames=[res.physical_id])
    alarms = answer["MetricAlarms"] + answer["CompositeAlarms"]
    if not alarms:
        return [check(res, "exists", False, f"no alarm named {res.physical_id}")]
    alarm = alarms[0]
    checks = [check(res, "exists", True, alarm["AlarmArn"])]
    if "Metrics" in res.properties:
        want_queries = res.value("Metrics")
        checks.append(expect(res, "metric math", sorted(map(_metric, alarm.get("Metrics", []))),
                             want_queries if unresolved_in(want_queries) else sorted(map(_metric, want_queries)),
                             label="queries"))
    else:
        checks.append(expect(res, "metric", (alarm.get("Namespace"), alarm.get("MetricName")),
                             (res.value("Namespace"), res.value("MetricName")), label="namespace, metric"))
        want_dimensions = res.value("Dimensions", default=[])
        checks.append(expect(res, "dimensions", as_set(alarm.get("Dimensions"), "Name", "Value"),
                             want_dimensions if unresolved_in(want_dimensions)
                             else as_set(want_dimensions, "Name", "Value")))
        checks.append(expect(res, "statistic", (alarm.get("Statistic"), alarm.get("ExtendedStatistic"),
                                                number(alarm.get("Period"))),
                             (res.value("Statistic"), res.value("ExtendedStatistic"), number(res.value("Period")))))
    checks.append(expect(res, "threshold", (number(alarm.get("Threshold")), alarm.get("ComparisonOperator"),
                                            number(alarm.get("EvaluationPeriods"))),
                         (number(res.value("Threshold")), res.value("ComparisonOperator"),
                          number(res.value("EvaluationPeriods"))), label="threshold, comparison, periods"))
    for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        want = res.value(key, default=[])
        if want or alarm.get(key):
            checks.append(expect(res, key, sorted(alarm.get(key, [])), want if unresolved_in(want) else sorted(want)))
            reached, detail = _topics_exist(em, list(alarm.get(key, [])))
            checks.append(check(res, f"{key} reach topics", reached, detail))
    return checks


def check_dashboard(em: Emulator, res: Deployed) -> list[Check]:
    board = em.client("cloudwatch").get_dashboard(DashboardName=res.physical_id)
    return [check(res, "exists", bool(board.get("DashboardBody")), board["DashboardName"])]


def check_event_rule(em: Emulator, res: Deployed) -> list[Check]:
    events = em.client("events")
    rule = events.describe_rule(Name=res.physical_id)
    checks = [check(res, "exists", True, rule["Arn"]),
              expect(res, "state", rule.get("State"), res.value("State", default="ENABLED"))]
    if "ScheduleExpression" in res.properties:
        checks.append(expect(res, "schedule", rule.get("ScheduleExpression"), res.value("ScheduleExpression")))
    if "EventPattern" in res.properties:
        checks.append(expect(res, "event pattern", json.loads(rule.get("EventPattern", "{}")),
                             res.value("EventPattern")))
    want = res.value("Targets", default=[])
    got = events.list_targets_by_rule(Rule=res.physical_id)["Targets"]
    checks.append(expect(res, "targets", sorted((t["Id"], t["Arn"], t.get("RoleArn")) for t in got),
                         want if unresolved_in(want) else sorted((t["Id"], t["Arn"], t.get("RoleArn")) for t in want),
                         label="id, target, role"))
    return checks


CHECKS: dict[str, Checker] = {
    "AWS::CloudWatch::Alarm": check_alarm,
    "AWS::CloudWatch::Dashboard": check_dashboard,
    "AWS::Events::Rule": check_event_rule,
}
