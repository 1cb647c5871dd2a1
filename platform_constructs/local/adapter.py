"""The template adapter for the local target: what the emulator needs changed, done to *copies*.

The normal synth (every compliance check) writes ``cdk.out/``. :func:`adapt_assembly` copies it to a
separate directory (``cdk.out.local/``) and rewrites each stack template there with the small, named
transformations in :data:`TRANSFORMATIONS`; ``cdk deploy --app cdk.out.local`` then deploys the copy. The
constructs and the real cloud assembly are never touched. Every change is recorded as a :class:`Change` and
printed in the summary: the adapter is honest about what the emulator did *not* get.

Types the emulator's CloudFormation has no model for get one in :mod:`platform_constructs.local.models`
instead of a transformation: only quirks of types it does model (and what no model can fix: custom
resources, instance types it refuses) are adapted here, each with its reason in the table.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import platform_constructs.local.adapter_transforms as t
from platform_constructs.local.adapter_base import Change, Template
from platform_constructs.local.emulator import LIMITS, EmulatorLimits

__all__ = ["TRANSFORMATIONS", "AdaptedAssembly", "Change", "Template", "Transformation", "adapt_assembly",
           "adapt_template"]


@dataclass
class AdaptedAssembly:
    directory: Path
    templates: dict[str, Template] = field(default_factory=dict)
    """Stack (artifact) id -> adapted template."""
    changes: list[Change] = field(default_factory=list)

    def changes_for(self, stack: str) -> list[Change]:
        return [c for c in self.changes if c.stack == stack]


@dataclass(frozen=True)
class Transformation:
    """One named change to a stack template, and why the emulator needs it."""

    apply: Callable[[str, Template, EmulatorLimits], list[Change]]
    reason: str

    @property
    def name(self) -> str:
        return self.apply.__name__


TRANSFORMATIONS: tuple[Transformation, ...] = (
    Transformation(t.strip_bootstrap_version_rule,
                   "the emulator's CloudFormation has no Rules (the bootstrap version check cannot run)"),
    Transformation(t.kms_key_tag_shape,
                   "its KMS handler passes the template's {Key, Value} tags to the KMS API, which wants "
                   "{TagKey, TagValue} (else a 500 and a half-created stack)"),
    Transformation(t.kms_key_policy_as_string,
                   "it stores a KeyPolicy object, then fails (500) to json.loads it on every DescribeKey"),
    Transformation(t.ssm_parameter_tag_shape,
                   "its SSM handler passes the template's tag map to the API, which wants [{Key, Value}]"),
    Transformation(t.drop_custom_resources,
                   "custom resources run their provider Lambda, which the emulator runs in Docker (no Docker "
                   "here: the create would hang); e.g. Custom::VpcRestrictDefaultSG, so the default security "
                   "group is not closed locally"),
    Transformation(t.uppercase_batch_compute_environment_type,
                   "its Batch handler wants Type MANAGED/UNMANAGED in capitals"),
    Transformation(t.add_batch_service_role,
                   "it requires an explicit ServiceRole and has no Batch service-linked role"),
    Transformation(t.batch_security_groups_from_launch_template,
                   "it requires securityGroupIds (KeyError otherwise); AWS Batch takes them from the launch "
                   "template when the compute environment has none"),
    Transformation(t.swap_unsupported_instance_types,
                   "it rejects instance types newer than its list (ml.g5.* -> ml.g4dn.*, p3.2xlarge -> "
                   "g4dn.2xlarge), asked of the installed emulator"),
    Transformation(t.batch_getatt_to_ref,
                   "Fn::GetAtt on Batch resources is not resolved in properties and drops every output; Ref is "
                   "the same ARN"),
    Transformation(t.batch_job_definition_retry_strategy,
                   "its Batch handler requires RetryStrategy (set to the AWS default, one attempt)"),
    Transformation(t.batch_multinode_container_properties,
                   "it requires ContainerProperties even on multi-node job definitions (copied from the first "
                   "node range)"),
    Transformation(t.name_ecr_repositories,
                   "it requires an explicit lowercase repository name (AWS generates one)"),
)
"""Every transformation, in the order they run, with the reason it exists. Two more changes happen outside
templates: ``drop_docker_image_assets`` (in :func:`adapt_assembly`: no Docker, image assets are not built) and
``explicit_parameter_defaults`` (a CLI flag, :mod:`platform_constructs.local.deploy`)."""


def adapt_template(stack: str, template: Template, limits: EmulatorLimits = LIMITS) -> tuple[Template, list[Change]]:
    """A deep copy of ``template`` with every transformation applied, and the changes made."""
    adapted: Template = json.loads(json.dumps(template))
    changes: list[Change] = []
    for transformation in TRANSFORMATIONS:
        changes += transformation.apply(stack, adapted, limits)
    return adapted, changes


# --- the cloud assembly --------------------------------------------------------------------------------------


def adapt_assembly(source: Path, target: Path, limits: EmulatorLimits = LIMITS) -> AdaptedAssembly:
    """Copy the cloud assembly ``source`` to ``target`` (replacing it) and adapt every stack template there.

    A stack template is itself a file asset named by its hash: the adapted template gets a new hash in the
    asset manifest and the stack's ``stackTemplateAssetObjectUrl``, so an update deploy uploads it. Docker
    image assets are dropped from the asset manifests (the emulator cannot build them) and reported.
    """
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    result = AdaptedAssembly(directory=target)
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template_file = artifact["properties"]["templateFile"]
        template_path = target / template_file
        template = json.loads(template_path.read_text(encoding="utf-8"))
        adapted, changes = adapt_template(artifact_id, template, limits)
        body = json.dumps(adapted, indent=1)
        template_path.write_text(body, encoding="utf-8")
        result.templates[artifact_id] = adapted
        result.changes += changes
        new_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
        for asset_artifact in manifest["artifacts"].values():
            if asset_artifact.get("type") != "cdk:asset-manifest" or \
                    asset_artifact["properties"]["file"] != f"{artifact_id}.assets.json":
                continue
            assets_path = target / asset_artifact["properties"]["file"]
            assets = json.loads(assets_path.read_text(encoding="utf-8"))
            for asset_id in [a for a, spec in assets.get("files", {}).items()
                             if spec["source"].get("path") == template_file]:
                text = json.dumps(assets).replace(asset_id, new_hash)
                assets = json.loads(text)
                url = artifact["properties"].get("stackTemplateAssetObjectUrl")
                if isinstance(url, str):
                    artifact["properties"]["stackTemplateAssetObjectUrl"] = url.replace(asset_id, new_hash)
            for image_id in sorted(assets.get("dockerImages", {})):
                result.changes.append(Change(artifact_id, "drop_docker_image_assets", image_id,
                                             "not built or pushed (the emulator has no Docker); "
                                             "the template still points at its ECR URI"))
            assets["dockerImages"] = {}
            assets_path.write_text(json.dumps(assets, indent=1), encoding="utf-8")
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return result
