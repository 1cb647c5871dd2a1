"""The example app: the platform's shared network, golden images and model registry, plus one ten-line
data-scientist stack per construct.

``npx cdk synth`` (or ``make demo``) synthesizes it with every compliance check. Choose the environment
with ``-c env=dev|staging|prod``. The data-scientist stacks live in ``ds_templates/``; they find the
network through the SSM parameters the network stack publishes, so deploy ``platform-network`` first
(the dependencies below make ``cdk deploy --all`` do that).
"""

from pathlib import Path

from aws_cdk import App, Stack
from constructs import Construct

from ds_templates import EXAMPLE_STACKS
from platform_constructs import GoldenImagePipeline, ModelRegistry, PlatformNetwork


class PlatformNetworkStack(Stack):
    """Platform-owned: the isolated VPC, its endpoints and the SSM parameters that publish it."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, description="platform-constructs shared ML network")
        self.network = PlatformNetwork(self, "Network")


LOCK_FILES = Path(__file__).resolve().parent / "golden_images"
"""The example's lock files (``name==version --hash=sha256:...``): the training runtime's and one project's."""


class GoldenImagesStack(Stack):
    """Platform-owned: the golden images of every lineage (training and inference, GPU and CPU) and one project
    image, built in the platform network. It owns the account's registry settings (scanning and signing).

    Created before the data-scientist stacks, so their default images are the pipeline's approved ones.
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, description="platform-constructs golden image pipeline")
        self.pipeline = GoldenImagePipeline(
            self, "GoldenImages", cost_center="ml-platform", registry_settings=True,
            runtime_requirements=str(LOCK_FILES / "runtime.lock"))
        self.pipeline.add_project_image("recommendations", requirements=str(LOCK_FILES / "recommendations.lock"))


class ModelRegistryStack(Stack):
    """Platform-owned: the model registry (a model package group per project) and its approval workflow."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, description="platform-constructs model registry")
        self.registry = ModelRegistry(self, "ModelRegistry", projects=["recommendations"], cost_center="ml-platform")


def build_app(app: App) -> App:
    network = PlatformNetworkStack(app, "platform-network")
    images = GoldenImagesStack(app, "platform-images")
    images.add_stack_dependency(network, "the golden image builds run in the platform network")
    ModelRegistryStack(app, "platform-model-registry")
    for stack_id, stack_class in EXAMPLE_STACKS.items():
        stack_class(app, stack_id).add_stack_dependency(network, "the stack runs in the platform network")
    for stack_id in EXAMPLE_STACKS:  # their default images are the pipeline's published ones
        Stack.of(app.node.find_child(stack_id)).add_stack_dependency(images, "its default images come from the "
                                                                             "golden image pipeline")
    return app


if __name__ == "__main__":
    build_app(App()).synth()
