"""The data scientist's endpoint: the seed's ten lines, unchanged in substance."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from platform_constructs import SecureModelEndpoint


class ModelEndpointStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        # This is all the DS needs to write
        SecureModelEndpoint(self, "RecommendationModel",
            model_data_url="s3://my-bucket/models/rec-model.tar.gz",
            instance_type="ml.g4dn.xlarge",  # GPU instance
            cost_center="product-recommendations")
