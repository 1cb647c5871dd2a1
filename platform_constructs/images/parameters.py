"""Build-owned SSM parameters: CloudFormation creates them, the image builds write them, and no stack update ever
writes them again.

A golden image is approved by its build: it writes ``repository@sha256:<digest>`` to the level's parameter (and,
for a runtime, to the account's default-image parameter). CloudFormation must create those parameters (consumers'
templates reference them, and their EventBridge rules and IAM policies name them), but the AWS::SSM::Parameter
handler writes the template's ``Value`` whenever it updates the resource (``PutParameter`` with overwrite), which
would undo every approval. CloudFormation updates a resource only when its template properties change, so a
build-owned parameter has only properties that never change:

* ``Value`` is the constant :data:`~platform_constructs.images.settings.PENDING_VALUE` (never the policy's image,
  which the platform team may change);
* ``Description``, ``Name`` and ``Type`` are fixed by the pipeline's name and the level;
* it has **no** ``Tags`` property (the template drops it: a tag value from the policy or a cost centre could
  change); the build tags the parameter itself when it publishes (``ssm:AddTagsToResource`` on its own parameter
  only), with the tags CloudFormation would have applied (``PARAMETER_TAGS``).

A stack update after an approval therefore leaves the parameter alone (tested in the emulator,
``tests/images/test_image_approval_deploy.py``). The one exception is this release's own update of a stack
deployed before it: the parameters' description and tags change once, which rewrites them once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs.acknowledge import acknowledge
from platform_constructs.images.settings import PENDING_VALUE


def build_owned_parameter(scope: Construct, id: str, *, name: str, description: str) -> ssm.StringParameter:
    """A ``String`` parameter ``name`` whose template never changes after creation (see the module doc). The
    construct is an ``ssm.StringParameter`` as before, so its logical id is unchanged."""
    parameter = ssm.StringParameter(scope, id, parameter_name=name, string_value=PENDING_VALUE,
                                    description=description)
    resource = parameter.node.default_child
    assert isinstance(resource, ssm.CfnParameter)
    resource.add_property_deletion_override("Tags")
    acknowledge(resource, "image-parameter-build-tagged")
    return parameter


def parameter_tags(tags: Mapping[str, str]) -> str:
    """The tags the build applies to its parameter (``PARAMETER_TAGS``): the CLI's ``Key=k,Value=v`` list as JSON."""
    return json.dumps([{"Key": key, "Value": value} for key, value in sorted(tags.items())],
                      separators=(",", ":"))
