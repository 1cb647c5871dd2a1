"""The default-image parameters a golden-image pipeline's builds publish once they approve an image, on their own:
what ``platform deploy-local`` deploys first for a project that reads its images from SSM
(``-c golden_images=true``). Used only by the prerequisites app :mod:`platform_constructs.local.prerequisites`
writes."""

from __future__ import annotations

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs.core import PlatformConstruct


class PublishedDefaultImages(PlatformConstruct):
    """The account's default-image parameters (``{images.ssm_prefix}/default/<lineage>``, one per lineage) holding
    the policy's image of each lineage: they stand in for what the runtime builds publish on approval. (A
    pipeline's own parameters hold ``pending:no-golden-image-approved-yet`` until then, which no consumer can
    pull.)"""

    def __init__(self, scope: Construct, id: str, *, cost_center: str = "ml-platform") -> None:
        super().__init__(scope, id, cost_center=cost_center)
        from platform_constructs.images.defaults import default_parameter_name, policy_image
        from platform_constructs.images.lineages import LINEAGES, purposes_of

        self.problems.raise_if_any()
        self.parameters: dict[str, ssm.StringParameter] = {}
        """Lineage key -> its default-image parameter."""
        for lineage in LINEAGES:
            title = "".join(part.capitalize() for part in lineage.default_parameter.split("-"))
            self.parameters[lineage.key] = ssm.StringParameter(
                self, f"Default{title}Image", parameter_name=default_parameter_name(self, lineage),
                string_value=policy_image(self, purposes_of(lineage)[0], accelerator=lineage.accelerator),
                description=f"Platform default {lineage.key} image (deploy-local: the policy's image)")
