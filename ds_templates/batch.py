"""A data scientist's AWS Batch environment for Metaflow ``@batch`` steps: one line of platform code."""

from aws_cdk import Stack
from constructs import Construct

from platform_constructs import BatchComputeEnv


class BatchStack(Stack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, description="Team batch compute (platform-constructs BatchComputeEnv)")
        self.batch = BatchComputeEnv(self, "Batch", cost_center="recs")
