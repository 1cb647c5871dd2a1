"""CloudWatch Logs log groups (``AWS::Logs::LogGroup``) that can be updated, with moto's Logs backend.

moto's own model has no update: a stack update that touches a log group dropped it from the stack (its resource
disappeared from ``DescribeStackResources``). Here, as CloudFormation does: a new ``LogGroupName`` (create-only) is a
replacement, the new group created before the old one is deleted; ``RetentionInDays`` and tags update in place.
Creating and deleting stay moto's (``LogGroup.create_from_cloudformation_json``, ``delete_log_group``).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.logs.models import LogGroup as MotoLogGroup
from moto.logs.models import logs_backends

from platform_constructs.local.models._base import Model, name_for, properties, tag_map


class LogGroup(Model, CloudFormationModel):
    CFN_TYPE = "AWS::Logs::LogGroup"
    NAME_PROPERTY = "LogGroupName"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> MotoLogGroup:
        return MotoLogGroup.create_from_cloudformation_json(resource_name, cloudformation_json, account_id,
                                                            region_name, **kwargs)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> MotoLogGroup:
        props = properties(cloudformation_json)
        name = name_for(props, cls.NAME_PROPERTY, original_resource.name)
        backend = logs_backends[account_id][region_name]
        if name != original_resource.name:  # a replacement: the new group first, then the old one goes
            group = cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
            backend.delete_log_group(original_resource.name)
            return group
        if props.get("RetentionInDays") is not None:
            backend.put_retention_policy(name, props["RetentionInDays"])
        else:
            backend.delete_retention_policy(name)
        backend.tag_log_group(name, tag_map(props.get("Tags")))
        unchanged: MotoLogGroup = original_resource
        return unchanged

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        logs_backends[account_id][region_name].delete_log_group(resource_name)
