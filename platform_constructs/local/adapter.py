"""The template adapter for the local target: what the emulator needs changed, done to *copies*.

The normal synth (every compliance check) writes ``cdk.out/``. :func:`adapt_assembly` copies it to a
separate directory (``cdk.out.local/``) and rewrites each stack template there with the small, named
transformations below; ``cdk deploy --app cdk.out.local`` then deploys the copy. The constructs and the real
cloud assembly are never touched. Every change is recorded as a :class:`Change` and printed in the summary:
the adapter is honest about what the emulator did *not* get.

Each transformation is a function ``(stack, template, limits) -> list[Change]`` that edits ``template`` in
place; :data:`TRANSFORMATIONS` lists them in the order they run.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from platform_constructs.local.emulator import LIMITS, EmulatorLimits

Template = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One alteration the adapter made for the emulator."""

    stack: str
    transformation: str
    target: str
    """Logical id (or ``Rules``/``Parameters``/asset id) the change applies to."""
    detail: str

    def __str__(self) -> str:
        return f"{self.stack}: {self.transformation} {self.target}: {self.detail}"


@dataclass
class AdaptedAssembly:
    directory: Path
    templates: dict[str, Template] = field(default_factory=dict)
    """Stack (artifact) id -> adapted template."""
    changes: list[Change] = field(default_factory=list)

    def changes_for(self, stack: str) -> list[Change]:
        return [c for c in self.changes if c.stack == stack]


Transformation = Callable[[str, Template, EmulatorLimits], list[Change]]


# --- helpers -------------------------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def references(node: Any) -> set[str]:
    """Logical ids ``node`` refers to through ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` (``${X}``/``${X.Attr}``)."""
    found: set[str] = set()
    for item in _walk(node):
        if not isinstance(item, dict) or len(item) != 1:
            continue
        (key, value), = item.items()
        if key == "Ref" and isinstance(value, str):
            found.add(value)
        elif key == "Fn::GetAtt":
            target = value[0] if isinstance(value, list) else str(value).split(".")[0]
            found.add(str(target))
        elif key == "Fn::Sub":
            text = value[0] if isinstance(value, list) else value
            if isinstance(text, str):
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text))
    return found


def _getatt(node: dict[str, Any]) -> tuple[str, str] | None:
    """``(logical id, attribute)`` when ``node`` is exactly a ``Fn::GetAtt``, else None."""
    target = node.get("Fn::GetAtt")
    if target is None or len(node) != 1:
        return None
    name, attribute = (target if isinstance(target, list) else str(target).split(".", 1))[:2]
    return str(name), str(attribute)


def _rewrite(node: Any, replace: Callable[[dict[str, Any]], Any]) -> Any:
    """A copy of ``node`` in which every dict for which ``replace`` returns something other than None is
    replaced by that value (the replacement is not descended into)."""
    if isinstance(node, dict):
        replaced = replace(node)
        if replaced is not None:
            return replaced
        return {k: _rewrite(v, replace) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite(v, replace) for v in node]
    return node


def _depends_on(resource: dict[str, Any]) -> list[str]:
    value = resource.get("DependsOn", [])
    return [value] if isinstance(value, str) else list(value)


def _remove_resources(stack: str, template: Template, doomed: set[str], reason: str,
                      transformation: str) -> list[Change]:
    """Remove ``doomed`` plus every resource or output that references a removed resource (transitively)."""
    resources: dict[str, Any] = template.get("Resources", {})
    changes: list[Change] = []
    pending = set(doomed)
    while pending:
        for logical_id in sorted(pending):
            if logical_id in resources:
                rtype = resources.pop(logical_id)["Type"]
                why = reason if logical_id in doomed else "referenced a removed resource"
                changes.append(Change(stack, transformation, logical_id, f"removed {rtype} ({why})"))
        removed = {c.target for c in changes}
        pending = {lid for lid, res in resources.items()
                   if references({k: v for k, v in res.items() if k != "DependsOn"}) & removed}
    removed = {c.target for c in changes}
    for res in resources.values():
        if "DependsOn" in res:
            kept = [d for d in _depends_on(res) if d not in removed]
            if kept:
                res["DependsOn"] = kept
            else:
                del res["DependsOn"]
    outputs: dict[str, Any] = template.get("Outputs", {})
    for name in sorted(outputs):
        if references(outputs[name]) & removed:
            del outputs[name]
            changes.append(Change(stack, transformation, name, "removed output (referenced a removed resource)"))
    return changes


# --- transformations -----------------------------------------------------------------------------------------


def strip_bootstrap_version_rule(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Drop the ``CheckBootstrapVersion`` rule and its ``BootstrapVersion`` parameter (the emulator has no Rules)."""
    changes: list[Change] = []
    rules = template.get("Rules", {})
    if rules.pop("CheckBootstrapVersion", None) is not None:
        changes.append(Change(stack, "strip_bootstrap_version_rule", "Rules.CheckBootstrapVersion",
                              "removed the bootstrap version rule"))
    if "Rules" in template and not rules:
        del template["Rules"]
    params = template.get("Parameters", {})
    if params.pop("BootstrapVersion", None) is not None:
        changes.append(Change(stack, "strip_bootstrap_version_rule", "Parameters.BootstrapVersion",
                              "removed the bootstrap version parameter"))
    if "Parameters" in template and not params:
        del template["Parameters"]
    return changes


_PROVIDER_TYPES = {"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
                   "AWS::Logs::LogGroup", "AWS::Lambda::Permission", "AWS::StepFunctions::StateMachine"}


def drop_custom_resources(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Remove custom resources and the provider Lambdas/roles only they use.

    The emulator runs Lambdas in Docker, so a custom resource's create would hang. The provider is
    followed from ``ServiceToken``; a provider resource is removed only when nothing else that stays uses it.
    """
    resources: dict[str, Any] = template.get("Resources", {})
    custom = {lid for lid, res in resources.items()
              if res["Type"].startswith("Custom::") or res["Type"] == "AWS::CloudFormation::CustomResource"}
    if not custom:
        return []
    provider: set[str] = set()
    frontier = set().union(*(references(resources[c].get("Properties", {}).get("ServiceToken")) for c in custom))
    while frontier:
        lid = frontier.pop()
        if lid in provider or lid not in resources or resources[lid]["Type"] not in _PROVIDER_TYPES:
            continue
        provider.add(lid)
        frontier |= references(resources[lid]) | set(_depends_on(resources[lid]))
    # keep provider pieces that a resource outside the custom-resource machinery still uses
    outside = set(resources) - custom - provider
    used_outside = set().union(*(references(resources[o]) for o in outside)) if outside else set()
    provider -= used_outside
    # resources that exist only to serve the provider (e.g. a policy attached to its role)
    changes = _remove_resources(stack, template, custom, "custom resource: its provider Lambda needs Docker",
                                "drop_custom_resources")
    if provider:
        changes += _remove_resources(stack, template, provider & set(resources), "custom resource provider",
                                     "drop_custom_resources")
    return changes


def uppercase_batch_compute_environment_type(stack: str, template: Template,
                                             limits: EmulatorLimits) -> list[Change]:
    """``Type: managed`` -> ``MANAGED`` on Batch compute environments (the emulator is case-sensitive)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Batch::ComputeEnvironment" and isinstance(props.get("Type"), str) \
                and props["Type"] != props["Type"].upper():
            changes.append(Change(stack, "uppercase_batch_compute_environment_type", lid,
                                  f"Type {props['Type']!r} -> {props['Type'].upper()!r}"))
            props["Type"] = props["Type"].upper()
    return changes


LOCAL_BATCH_SERVICE_ROLE = "LocalBatchServiceRole"


def _is_service_linked_batch_role(value: Any) -> bool:
    return "aws-service-role/batch.amazonaws.com" in json.dumps(value)


def add_batch_service_role(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Give Batch compute environments without ``ServiceRole``, or naming the service-linked role (which the
    emulator does not have), a role of their own (the emulator requires one; AWS uses its service-linked role)."""
    resources: dict[str, Any] = template.get("Resources", {})
    missing = [lid for lid, res in resources.items() if res["Type"] == "AWS::Batch::ComputeEnvironment"
               and ("ServiceRole" not in res.get("Properties", {})
                    or _is_service_linked_batch_role(res["Properties"]["ServiceRole"]))]
    if not missing:
        return []
    resources[LOCAL_BATCH_SERVICE_ROLE] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "batch.amazonaws.com"}}]},
            "ManagedPolicyArns": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBatchServiceRole"}],
        },
    }
    changes = [Change(stack, "add_batch_service_role", LOCAL_BATCH_SERVICE_ROLE,
                      "added an IAM role for Batch (AWS uses the service-linked role instead)")]
    for lid in missing:
        resources[lid].setdefault("Properties", {})["ServiceRole"] = {"Fn::GetAtt": [LOCAL_BATCH_SERVICE_ROLE, "Arn"]}
        changes.append(Change(stack, "add_batch_service_role", lid, f"ServiceRole -> {LOCAL_BATCH_SERVICE_ROLE}"))
    return changes


def _size(instance_type: str) -> str:
    return instance_type.rsplit(".", 1)[-1]


def substitute_instance_type(instance_type: str, accepts: Callable[[str], bool], *, prefix: str = "") -> str:
    """An instance type the emulator accepts for ``instance_type``: same size in a GPU (``g4dn``) or general
    (``m5``) family, else that family's ``xlarge``/``large``."""
    body = instance_type[len(prefix):] if instance_type.startswith(prefix) else instance_type
    gpu = body[:1] in {"g", "p"}
    family = "g4dn" if gpu else "m5"
    for candidate in (f"{prefix}{family}.{_size(body)}", f"{prefix}{family}.xlarge", f"{prefix}{family}.large"):
        if accepts(candidate):
            return candidate
    raise ValueError(f"no emulator-accepted substitute for instance type {instance_type!r}")


def swap_unsupported_instance_types(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Replace instance types the emulator rejects (e.g. ``ml.g5.*`` for SageMaker) with accepted ones."""
    changes: list[Change] = []
    for lid, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::SageMaker::EndpointConfig":
            for variant in props.get("ProductionVariants", []):
                old = variant.get("InstanceType")
                if isinstance(old, str) and not limits.accepts_sagemaker_instance(old):
                    variant["InstanceType"] = substitute_instance_type(old, limits.accepts_sagemaker_instance,
                                                                       prefix="ml.")
                    changes.append(Change(stack, "swap_unsupported_instance_types", lid,
                                          f"InstanceType {old} -> {variant['InstanceType']}"))
        elif res["Type"] == "AWS::Batch::ComputeEnvironment":
            compute = props.get("ComputeResources", {})
            types = compute.get("InstanceTypes")
            if isinstance(types, list):
                new = []
                for old in types:
                    kept = old
                    if isinstance(old, str) and not limits.accepts_batch_instance(old):
                        kept = substitute_instance_type(old, limits.accepts_batch_instance)
                        changes.append(Change(stack, "swap_unsupported_instance_types", lid,
                                              f"InstanceTypes {old} -> {kept}"))
                    if kept not in new:
                        new.append(kept)
                compute["InstanceTypes"] = new
    return changes


def batch_getatt_to_ref(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """``Fn::GetAtt`` on a Batch resource -> ``Ref`` (which is its ARN): the emulator drops *all* outputs of a
    stack whose outputs hold such a GetAtt, and does not resolve it in properties."""
    resources: dict[str, Any] = template.get("Resources", {})
    batch = {lid for lid, res in resources.items() if res["Type"].startswith("AWS::Batch::")}
    changes: list[Change] = []

    def to_ref(node: dict[str, Any], where: str) -> Any:
        read = _getatt(node)
        if read is None or read[0] not in batch or not read[1].endswith("Arn"):
            return None
        changes.append(Change(stack, "batch_getatt_to_ref", where, f"Fn::GetAtt {read[0]}.{read[1]} -> Ref {read[0]}"))
        return {"Ref": read[0]}

    if batch:
        for section in ("Resources", "Outputs"):
            for name, body in template.get(section, {}).items():
                template[section][name] = _rewrite(body, partial(to_ref, where=name))
    return changes


def name_ecr_repositories(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Give ECR repositories without ``RepositoryName`` an explicit lowercase one (the emulator requires it;
    AWS generates one)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        if res["Type"] != "AWS::ECR::Repository":
            continue
        props = res.setdefault("Properties", {})
        name = props.get("RepositoryName")
        if name is None:
            props["RepositoryName"] = re.sub(r"[^a-z0-9._/-]", "-", f"{stack}/{lid}".lower())[:256]
            changes.append(Change(stack, "name_ecr_repositories", lid, f"RepositoryName -> {props['RepositoryName']}"))
        elif isinstance(name, str) and name != name.lower():
            props["RepositoryName"] = name.lower()
            changes.append(Change(stack, "name_ecr_repositories", lid, f"RepositoryName {name} -> {name.lower()}"))
    return changes


def kms_key_tag_shape(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """KMS key ``Tags`` ``{Key, Value}`` -> ``{TagKey, TagValue}``: the emulator's CloudFormation handler passes
    the template's tags to its KMS API, which expects the API's shape (else a 500 and a half-created stack)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        tags = res.get("Properties", {}).get("Tags")
        if res["Type"] == "AWS::KMS::Key" and isinstance(tags, list) and any("Key" in t for t in tags):
            res["Properties"]["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} if "Key" in t else t
                                         for t in tags]
            changes.append(Change(stack, "kms_key_tag_shape", lid, f"{len(tags)} tags rewritten as TagKey/TagValue"))
    return changes


def ssm_parameter_tag_shape(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """SSM parameter ``Tags`` map (CloudFormation's shape) -> ``[{Key, Value}]`` (the API's shape, which the
    emulator's CloudFormation handler passes on unchanged)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        tags = res.get("Properties", {}).get("Tags")
        if res["Type"] == "AWS::SSM::Parameter" and isinstance(tags, dict):
            res["Properties"]["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
            changes.append(Change(stack, "ssm_parameter_tag_shape", lid, f"{len(tags)} tags rewritten as a list"))
    return changes


def batch_job_definition_retry_strategy(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Add ``RetryStrategy: {Attempts: 1}`` (AWS's default) to Batch job definitions without one: the emulator's
    CloudFormation handler requires the key."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Batch::JobDefinition" and "RetryStrategy" not in props:
            res.setdefault("Properties", {})["RetryStrategy"] = {"Attempts": 1}
            changes.append(Change(stack, "batch_job_definition_retry_strategy", lid,
                                  "RetryStrategy -> {Attempts: 1} (the AWS default, made explicit)"))
    return changes


def _is_intrinsic(node: Any) -> bool:
    return isinstance(node, dict) and len(node) == 1 and next(iter(node)) in {
        "Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::If", "Fn::ImportValue", "Fn::FindInMap"}


def json_string_with_intrinsics(node: Any) -> Any:
    """``node`` (JSON with intrinsic functions in string positions) as one string expression: a plain string
    when it has no intrinsics, else an ``Fn::Join`` whose pieces are JSON text and the intrinsics."""
    pieces: list[Any] = []

    def emit(value: Any) -> None:
        if _is_intrinsic(value):
            pieces.extend(['"', value, '"'])
        elif isinstance(value, dict):
            pieces.append("{")
            for index, (key, item) in enumerate(value.items()):
                pieces.append(("," if index else "") + json.dumps(key) + ":")
                emit(item)
            pieces.append("}")
        elif isinstance(value, list):
            pieces.append("[")
            for index, item in enumerate(value):
                if index:
                    pieces.append(",")
                emit(item)
            pieces.append("]")
        else:
            pieces.append(json.dumps(value))

    emit(node)
    merged: list[Any] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged[0] if len(merged) == 1 and isinstance(merged[0], str) else {"Fn::Join": ["", merged]}


def kms_key_policy_as_string(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """KMS ``KeyPolicy`` object -> the same policy as a JSON string expression: the emulator stores the object
    and later fails (500) to ``json.loads`` it on every ``DescribeKey``."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        policy = res.get("Properties", {}).get("KeyPolicy")
        if res["Type"] == "AWS::KMS::Key" and isinstance(policy, dict) and not _is_intrinsic(policy):
            res["Properties"]["KeyPolicy"] = json_string_with_intrinsics(policy)
            changes.append(Change(stack, "kms_key_policy_as_string", lid, "KeyPolicy serialised to a JSON string "
                                  "(same statements)"))
    return changes


def batch_multinode_container_properties(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Give multi-node parallel job definitions a ``ContainerProperties`` copied from their first node range:
    the emulator insists on container properties for every job definition (AWS forbids them on multi-node)."""
    changes = []
    for lid, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        ranges = props.get("NodeProperties", {}).get("NodeRangeProperties", []) if isinstance(
            props.get("NodeProperties"), dict) else []
        if res["Type"] == "AWS::Batch::JobDefinition" and "ContainerProperties" not in props and ranges \
                and isinstance(ranges[0], dict) and "Container" in ranges[0]:
            props["ContainerProperties"] = json.loads(json.dumps(ranges[0]["Container"]))
            changes.append(Change(stack, "batch_multinode_container_properties", lid,
                                  "ContainerProperties copied from the first node range"))
    return changes


def placeholder_unknown_getatts(stack: str, template: Template, limits: EmulatorLimits) -> list[Change]:
    """Replace ``Fn::GetAtt`` of resources whose type the emulator has no model for (it fails the whole stack
    on such a read), and their ``Ref`` in outputs (it silently drops such outputs), with a placeholder string
    naming the resource and attribute. The resources themselves stay (the emulator skips them; the deploy
    verification asserts them on the template)."""
    resources: dict[str, Any] = template.get("Resources", {})
    unknown = {lid for lid, res in resources.items() if not limits.knows_resource_type(res["Type"])}
    changes: list[Change] = []

    def placeholder(node: dict[str, Any], where: str, *, refs: bool) -> Any:
        if refs and len(node) == 1 and node.get("Ref") in unknown:
            value = f"local-placeholder:{node['Ref']}"
            changes.append(Change(stack, "placeholder_unknown_getatts", where, f"Ref {node['Ref']} -> {value!r}"))
            return value
        read = _getatt(node)
        if read is None or read[0] not in unknown:
            return None
        value = f"arn:aws:local-placeholder:::{read[0]}/{read[1]}"  # ARN-shaped: IAM parses it
        changes.append(Change(stack, "placeholder_unknown_getatts", where,
                              f"Fn::GetAtt {read[0]}.{read[1]} -> {value!r}"))
        return value

    for lid, res in resources.items():
        if "Properties" in res:
            res["Properties"] = _rewrite(res["Properties"], partial(placeholder, where=lid, refs=False))
    outputs: dict[str, Any] = template.get("Outputs", {})
    for name, output in outputs.items():
        outputs[name] = _rewrite(output, partial(placeholder, where=name, refs=True))
    return changes


TRANSFORMATIONS: tuple[Transformation, ...] = (
    strip_bootstrap_version_rule,
    kms_key_tag_shape,
    kms_key_policy_as_string,
    ssm_parameter_tag_shape,
    drop_custom_resources,
    placeholder_unknown_getatts,
    uppercase_batch_compute_environment_type,
    add_batch_service_role,
    swap_unsupported_instance_types,
    batch_getatt_to_ref,
    batch_job_definition_retry_strategy,
    batch_multinode_container_properties,
    name_ecr_repositories,
)


def adapt_template(stack: str, template: Template, limits: EmulatorLimits = LIMITS) -> tuple[Template, list[Change]]:
    """A deep copy of ``template`` with every transformation applied, and the changes made."""
    adapted: Template = json.loads(json.dumps(template))
    changes: list[Change] = []
    for transformation in TRANSFORMATIONS:
        changes += transformation(stack, adapted, limits)
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
