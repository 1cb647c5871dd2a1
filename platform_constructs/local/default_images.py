"""The default-image parameters a golden-image pipeline publishes before its first approved build, on their own:
what ``platform deploy-local`` deploys first for a project that reads its images from SSM
(``-c golden_images=true``). Used only by the prerequisites app :mod:`platform_constructs.local.prerequisites`
writes."""

from __future__ import annotations

from constructs import Construct

from platform_constructs.core import PlatformConstruct


class PublishedDefaultImages(PlatformConstruct):
    """The account's default-image parameters (``{images.ssm_prefix}/default/{purpose}``) as a golden-image pipeline
    publishes them before its first approved build: the policy's approved images."""

    def __init__(self, scope: Construct, id: str, *, cost_center: str = "ml-platform") -> None:
        super().__init__(scope, id, cost_center=cost_center)
        from platform_constructs.images.defaults import publish_default_parameters

        self.problems.raise_if_any()
        self.parameters = publish_default_parameters(self, served=())
