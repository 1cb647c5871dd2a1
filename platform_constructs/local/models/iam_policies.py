"""IAM managed policies (``AWS::IAM::ManagedPolicy``) that can be updated and deleted, with moto's IAM backend.

moto's own model only creates them: an update dropped the policy from the stack, and deleting the stack left it
attached, so deleting its role failed ("Cannot delete entity, must detach all policies first") and no stack with a
role and a managed policy could be deleted. Here, as CloudFormation does: an update writes the new document as the
policy's default version (the ARN stays) and attaches or detaches it to match ``Roles``/``Users``/``Groups``; a
delete detaches it from every principal, then deletes it. Creating stays moto's.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.models import IAMBackend, iam_backends
from moto.iam.models import ManagedPolicy as MotoManagedPolicy
from moto.utilities.utils import get_partition

from platform_constructs.local.models._base import Model, properties

MAX_POLICY_VERSIONS = 5
"""IAM keeps at most five versions of a managed policy."""


def _backend(account_id: str, region_name: str) -> IAMBackend:
    return iam_backends[account_id][get_partition(region_name)]


class ManagedPolicy(Model, CloudFormationModel):
    CFN_TYPE = "AWS::IAM::ManagedPolicy"
    ATTRIBUTES = ("PolicyArn",)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> MotoManagedPolicy:
        return MotoManagedPolicy.create_from_cloudformation_json(resource_name, cloudformation_json, account_id,
                                                                 region_name, **kwargs)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> MotoManagedPolicy:
        props = properties(cloudformation_json)
        backend = _backend(account_id, region_name)
        arn = original_resource.arn
        versions = backend.list_policy_versions(arn)
        for old in [v for v in versions if not v.is_default][:max(0, len(versions) - MAX_POLICY_VERSIONS + 1)]:
            backend.delete_policy_version(arn, old.version_id)
        backend.create_policy_version(arn, json.dumps(props.get("PolicyDocument")), set_as_default=True)
        wanted = {kind: set(props.get(kind, [])) for kind in ("Roles", "Users", "Groups")}
        attached = _attachments(backend, arn)
        for kind in ("Roles", "Users", "Groups"):
            for name in attached[kind] - wanted[kind]:
                _detach(backend, kind, arn, name)
            for name in wanted[kind] - attached[kind]:
                getattr(backend, f"attach_{kind[:-1].lower()}_policy")(policy_arn=arn, **{
                    f"{kind[:-1].lower()}_name": name})
        return backend.get_policy(arn)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        for kind, names in _attachments(backend, resource_name).items():
            for name in names:
                _detach(backend, kind, resource_name, name)
        backend.delete_policy(resource_name)


def _attachments(backend: IAMBackend, arn: str) -> dict[str, set[str]]:
    """Principal kind -> the names of the roles, users and groups ``arn`` is attached to."""
    return {"Roles": {r.name for r in backend.roles.values() if arn in r.managed_policies},
            "Users": {u.name for u in backend.users.values() if arn in u.managed_policies},
            "Groups": {g.name for g in backend.groups.values() if arn in g.managed_policies}}


def _detach(backend: IAMBackend, kind: str, arn: str, name: str) -> None:
    getattr(backend, f"detach_{kind[:-1].lower()}_policy")(policy_arn=arn, **{f"{kind[:-1].lower()}_name": name})
