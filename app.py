"""The example app: the platform's shared network plus one ten-line data-scientist stack per construct.

``npx cdk synth`` (or ``make demo``) synthesizes it with every compliance check. Choose the environment
with ``-c env=dev|staging|prod``. The data-scientist stacks live in ``ds_templates/``; they find the
network through the SSM parameters the network stack publishes, so deploy ``platform-network`` first
(the dependencies below make ``cdk deploy --all`` do that).
"""

from aws_cdk import App, Stack
from constructs import Construct

from ds_templates import EXAMPLE_STACKS
from platform_constructs import PlatformNetwork


class PlatformNetworkStack(Stack):
    """Platform-owned: the isolated VPC, its endpoints and the SSM parameters that publish it."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, description="platform-constructs shared ML network")
        self.network = PlatformNetwork(self, "Network")


def build_app(app: App) -> App:
    network = PlatformNetworkStack(app, "platform-network")
    for stack_id, stack_class in EXAMPLE_STACKS.items():
        stack_class(app, stack_id).add_dependency(network)
    return app


if __name__ == "__main__":
    build_app(App()).synth()
