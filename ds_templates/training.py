"""A data scientist's GPU training cluster: at most 4 GPUs at once, no job longer than 12 hours (dev caps), with
shared scratch space (``/scratch``, EFS through an access point) for its multi-node jobs.

On-demand only: beside the multi-node environment's two GPUs, a spot environment would need a fifth GPU of budget
(one instance plus AWS Batch's documented one-instance overshoot).
"""

from aws_cdk import Stack
from constructs import Construct

from platform_constructs import GpuTrainingCluster


class TrainingStack(Stack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, description="Team GPU training (platform-constructs GpuTrainingCluster)")
        self.training = GpuTrainingCluster(self, "Train", cost_center="recs", max_gpus=4, max_job_hours=12,
                                           spot=False, shared_scratch=True)
