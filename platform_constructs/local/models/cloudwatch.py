"""CloudWatch alarms (``AWS::CloudWatch::Alarm``), created with moto's CloudWatch backend (``put_metric_alarm``),
so ``DescribeAlarms`` returns each alarm with its metric (or metric-math queries), dimensions, threshold and
actions.

moto's CloudFormation has no alarm model (it logs "No Moto CloudFormation support" and creates nothing).
Ref returns the alarm name, ``Fn::GetAtt Arn`` its ARN (the type's primary identifier is ``AlarmName``;
``Arn`` is its read-only property).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.cloudwatch.models import (
    Alarm,
    CloudWatchBackend,
    Dimension,
    Metric,
    MetricDataQuery,
    MetricStat,
    cloudwatch_backends,
)
from moto.core.common_models import CloudFormationModel

from platform_constructs.local.models._base import Model, as_int, name_for, properties, tag_list


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    """``mapping[key]``, or None when absent (moto's query classes take None for what a template leaves out)."""
    return mapping.get(key)


def _queries(metrics: list[Mapping[str, Any]]) -> list[MetricDataQuery]:
    """The template's ``Metrics`` as moto's metric-data queries (what ``PutMetricAlarm``'s handler builds)."""
    queries = []
    for metric in metrics:
        stat: Mapping[str, Any] = metric.get("MetricStat") or {}
        inner: Mapping[str, Any] = stat.get("Metric") or {}
        metric_stat = None
        if inner.get("MetricName"):
            dimensions = [Dimension(d.get("Name"), d.get("Value")) for d in inner.get("Dimensions", [])]
            metric_stat = MetricStat(metric=Metric(inner["MetricName"], _get(inner, "Namespace"), dimensions),
                                     period=_get(stat, "Period"), stat=_get(stat, "Stat"), unit=_get(stat, "Unit"))
        queries.append(MetricDataQuery(query_id=_get(metric, "Id"), label=_get(metric, "Label"),
                                       period=_get(metric, "Period"), return_data=_get(metric, "ReturnData"),
                                       expression=_get(metric, "Expression"), metric_stat=metric_stat))
    return queries


def _backend(account_id: str, region_name: str) -> CloudWatchBackend:
    return cloudwatch_backends[account_id][region_name]


class CloudWatchAlarm(Model, CloudFormationModel):
    CFN_TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    ATTRIBUTES = ("Arn",)

    def __init__(self, alarm: Alarm, account_id: str, region_name: str) -> None:
        self.alarm = alarm
        self.account_id = account_id
        self.region_name = region_name

    @property
    def physical_resource_id(self) -> str:
        return str(self.alarm.name)

    def attributes(self) -> Mapping[str, Any]:
        return {"Arn": self.alarm.alarm_arn}

    @classmethod
    def _put(cls, name: str, props: Mapping[str, Any], account_id: str, region_name: str) -> CloudWatchAlarm:
        alarm = _backend(account_id, region_name).put_metric_alarm(
            name=name,
            namespace=props.get("Namespace"),  # type: ignore[arg-type]  # absent for metric-math alarms
            metric_name=props.get("MetricName"),  # type: ignore[arg-type]
            metric_data_queries=_queries(props["Metrics"]) if props.get("Metrics") else None,
            comparison_operator=props["ComparisonOperator"],
            evaluation_periods=int(props["EvaluationPeriods"]),
            datapoints_to_alarm=as_int(props.get("DatapointsToAlarm")),
            period=as_int(props.get("Period")),  # type: ignore[arg-type]
            threshold=float(props["Threshold"]) if "Threshold" in props else None,  # type: ignore[arg-type]
            statistic=props.get("Statistic"),  # type: ignore[arg-type]
            extended_statistic=props.get("ExtendedStatistic"),
            description=props.get("AlarmDescription"),  # type: ignore[arg-type]
            dimensions=list(props.get("Dimensions", [])),
            alarm_actions=list(props.get("AlarmActions", [])),
            ok_actions=list(props.get("OKActions", [])),
            insufficient_data_actions=list(props.get("InsufficientDataActions", [])),
            unit=props.get("Unit"),
            actions_enabled=props.get("ActionsEnabled", True) not in (False, "false"),
            treat_missing_data=props.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=props.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=props.get("ThresholdMetricId"),
            tags=tag_list(props.get("Tags")),
        )
        return cls(alarm, account_id, region_name)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> CloudWatchAlarm:
        props = properties(cloudformation_json)
        return cls._put(name_for(props, cls.NAME_PROPERTY, resource_name), props, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> CloudWatchAlarm:
        # AlarmName is create-only: a new name replaces the alarm, otherwise PutMetricAlarm updates it in place.
        props = properties(cloudformation_json)
        name = name_for(props, cls.NAME_PROPERTY, original_resource.physical_resource_id)
        if name != original_resource.physical_resource_id:
            original_resource.delete(account_id, region_name)
        return cls._put(name, props, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_alarms([resource_name])

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_alarms([self.physical_resource_id])
