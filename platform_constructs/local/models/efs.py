"""EFS access points, with moto's EFS backend.

``AWS::EFS::AccessPoint`` replaces moto's own model, which defines no ``physical_resource_id`` (so a ``Ref`` to an
access point resolves to the model object itself, and the Batch job definition that names it cannot be described:
"Object of type AccessPoint is not JSON serializable") and no ``Fn::GetAtt``. This one calls moto's
``create_access_point`` with the POSIX user and root directory in the API's shape (numbers for uids and gids, as
``DescribeAccessPoints`` returns them), answers ``Ref`` with the access point id and ``Fn::GetAtt`` ``AccessPointId``
/ ``Arn`` (the type's read-only properties), and, since every property but the tags is create-only, replaces the
access point when any other property changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.efs.models import AccessPoint, EFSBackend, efs_backends

from platform_constructs.local.models._base import Model, as_int, properties, tag_list, tag_map


def _backend(account_id: str, region_name: str) -> EFSBackend:
    return efs_backends[account_id][region_name]


def _posix_user(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    user: dict[str, Any] = {"Uid": as_int(value.get("Uid")), "Gid": as_int(value.get("Gid"))}
    if value.get("SecondaryGids"):
        user["SecondaryGids"] = [as_int(g) for g in value["SecondaryGids"]]
    return user


def _root_directory(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {"Path": "/"}
    root: dict[str, Any] = {"Path": value.get("Path", "/")}
    info = value.get("CreationInfo")
    if isinstance(info, Mapping):
        root["CreationInfo"] = {"OwnerUid": as_int(info.get("OwnerUid")), "OwnerGid": as_int(info.get("OwnerGid")),
                                "Permissions": str(info.get("Permissions"))}
    return root


class EfsAccessPoint(Model, CloudFormationModel):
    CFN_TYPE = "AWS::EFS::AccessPoint"
    ATTRIBUTES = ("AccessPointId", "Arn")

    def __init__(self, access_point: AccessPoint) -> None:
        self.access_point = access_point

    @property
    def physical_resource_id(self) -> str:
        return str(self.access_point.access_point_id)

    def attributes(self) -> Mapping[str, Any]:
        return {"AccessPointId": self.access_point.access_point_id, "Arn": self.access_point.access_point_arn}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> EfsAccessPoint:
        props = properties(cloudformation_json)
        access_point = _backend(account_id, region_name).create_access_point(
            client_token=str(props.get("ClientToken") or resource_name), tags=tag_list(props.get("AccessPointTags")),
            file_system_id=str(props["FileSystemId"]), posix_user=_posix_user(props.get("PosixUser")),
            root_directory=_root_directory(props.get("RootDirectory")))
        return cls(access_point)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> EfsAccessPoint:
        props = properties(cloudformation_json)
        current = original_resource.access_point
        before = {"FileSystemId": current.file_system_id, "PosixUser": current.posix_user,
                  "RootDirectory": current.root_directory}
        after = {"FileSystemId": str(props["FileSystemId"]), "PosixUser": _posix_user(props.get("PosixUser")),
                 "RootDirectory": _root_directory(props.get("RootDirectory"))}
        if before != after:  # create-only properties: replacement
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                       region_name)
        backend = _backend(account_id, region_name)
        old = backend.list_tags_for_resource(current.access_point_id)
        if old:
            backend.untag_resource(current.access_point_id, [t["Key"] for t in old])
        backend.tag_resource(current.access_point_id, tag_map(props.get("AccessPointTags")))
        return cls(current)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_access_point(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.physical_resource_id, {}, account_id, region_name)
