"""SageMaker endpoints (``AWS::SageMaker::Endpoint``) under the name the template gives them.

moto's own model ignores ``EndpointName`` (its ``cloudformation_name_type()`` is empty, so every endpoint gets
a generated ``stack-LogicalId-SUFFIX`` name). The endpoint's alarms (``EndpointName`` dimension) and its
Application Auto Scaling target (``endpoint/NAME/variant/...``) name it by the template's name, so in the
emulator they pointed at an endpoint that did not exist. This model lets moto's ``FakeEndpoint`` create,
update and delete the endpoint, passing the template's ``EndpointName`` when there is one (the returned
resource is moto's endpoint: Ref is its ARN, ``Fn::GetAtt EndpointName`` its name).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sagemaker.models import FakeEndpoint

from platform_constructs.local.models._base import Model, name_for, properties


class SageMakerEndpoint(Model, CloudFormationModel):
    CFN_TYPE = "AWS::SageMaker::Endpoint"
    NAME_PROPERTY = "EndpointName"
    ATTRIBUTES = ("EndpointName",)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> FakeEndpoint:
        name = name_for(properties(cloudformation_json), cls.NAME_PROPERTY, resource_name)
        return FakeEndpoint.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name,
                                                            **kwargs)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> FakeEndpoint:
        name = name_for(properties(cloudformation_json), cls.NAME_PROPERTY, original_resource.endpoint_name)
        FakeEndpoint.delete_from_cloudformation_json(original_resource.arn, cloudformation_json, account_id,
                                                     region_name)
        return FakeEndpoint.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        FakeEndpoint.delete_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name)
