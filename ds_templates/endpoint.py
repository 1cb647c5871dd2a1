"""The data scientist's endpoint: the seed's ten lines, plus the data-quality monitoring every prod endpoint has
(the policy's ``environments.prod.monitoring_required``): Model Monitor compares the captured requests with the
training data every hour."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from platform_constructs import DataQualityMonitoring, SecureModelEndpoint


class ModelEndpointStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        # This is all the DS needs to write
        SecureModelEndpoint(self, "RecommendationModel",
            model_data_url="s3://my-bucket/models/rec-model.tar.gz",
            instance_type="ml.g4dn.xlarge",  # GPU instance
            cost_center="product-recommendations",
            monitoring=DataQualityMonitoring(baseline_dataset="s3://my-bucket/datasets/rec-train.csv"))
