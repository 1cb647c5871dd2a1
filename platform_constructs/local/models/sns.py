"""SNS topic policies (``AWS::SNS::TopicPolicy``), set as each topic's ``Policy`` attribute with moto's SNS
backend (``set_topic_attribute``), so ``GetTopicAttributes`` returns the attached policy.

moto's CloudFormation has no topic-policy model. Ref returns the policy's generated id (the type's
``primaryIdentifier`` is the read-only ``Id``). Deleting the resource gives each topic back SNS's default
policy, as CloudFormation does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sns.exceptions import TopicNotFound
from moto.sns.models import SNSBackend, sns_backends

from platform_constructs.local.models._base import Model, properties


def _backend(account_id: str, region_name: str) -> SNSBackend:
    return sns_backends[account_id][region_name]


def _restore_default(topic_arn: str, account_id: str, region_name: str) -> None:
    """SNS's default policy for the topic; nothing when the topic is gone (its policy went with it: moto deletes a
    stack's resources in no particular order, CloudFormation the policy first)."""
    try:
        topic = _backend(account_id, region_name).get_topic(topic_arn)
    except TopicNotFound:
        return
    topic._policy_json = topic._create_default_topic_policy(region_name, account_id, topic.name)


class TopicPolicy(Model, CloudFormationModel):
    CFN_TYPE = "AWS::SNS::TopicPolicy"
    ATTRIBUTES = ("Id",)

    def __init__(self, policy_id: str, topics: list[str]) -> None:
        self.policy_id = policy_id
        self.topics = topics

    @property
    def physical_resource_id(self) -> str:
        return self.policy_id

    def attributes(self) -> Mapping[str, Any]:
        return {"Id": self.policy_id}

    @classmethod
    def _set(cls, policy_id: str, props: Mapping[str, Any], account_id: str, region_name: str) -> TopicPolicy:
        document = props["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        topics = [str(t) for t in props["Topics"]]
        for topic in topics:
            _backend(account_id, region_name).set_topic_attribute(topic, "policy", text)
        return cls(policy_id, topics)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> TopicPolicy:
        return cls._set(resource_name, properties(cloudformation_json), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> TopicPolicy:
        props = properties(cloudformation_json)
        for dropped in set(original_resource.topics) - {str(t) for t in props["Topics"]}:
            _restore_default(dropped, account_id, region_name)
        return cls._set(original_resource.policy_id, props, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        for topic in properties(cloudformation_json).get("Topics", []):
            _restore_default(str(topic), account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        for topic in self.topics:
            _restore_default(topic, account_id, region_name)
