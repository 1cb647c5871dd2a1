"""Ten-line stacks data scientists copy (``platform new KIND NAME`` writes a project from them).

Each module holds one stack class whose body is the whole of what a data scientist writes.
``EXAMPLE_STACKS`` maps the example app's stack ids to them.
"""

from aws_cdk import Stack

from ds_templates.batch import BatchStack
from ds_templates.endpoint import ModelEndpointStack
from ds_templates.training import TrainingStack

EXAMPLE_STACKS: dict[str, type[Stack]] = {
    "prod-rec-model": ModelEndpointStack,
    "recs-batch": BatchStack,
    "recs-training": TrainingStack,
}
