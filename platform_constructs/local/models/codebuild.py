"""CodeBuild projects (``AWS::CodeBuild::Project``), created with moto's CodeBuild backend (``create_project``),
so ``BatchGetProjects`` returns each project's source, environment (image, compute type, privileged mode,
variables), service role, VPC config, logs config and KMS key.

moto's CloudFormation has no project model. The template's ``PascalCase`` shapes are converted to CodeBuild's
``camelCase`` API shapes, as CloudFormation does (``Source.BuildSpec`` is the API's ``buildspec``). The
request is checked with moto's own ``CreateProject`` validators (``moto/codebuild/responses.py``), except
the source check: moto requires a ``location`` for every source type, while CodeBuild takes none for
``NO_SOURCE`` and ``CODEPIPELINE`` sources (the project's buildspec is inline). moto's ``create_project``
also drops ``encryptionKey`` (it reports ``alias/aws/s3`` for every project) and ``concurrentBuildLimit``;
the model stores the template's values on the project, where ``CreateProject`` puts them in AWS.

Ref returns the project name, ``Fn::GetAtt Arn`` its ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.codebuild.exceptions import InvalidInputException, ResourceAlreadyExistsException
from moto.codebuild.models import CodeBuildBackend, codebuild_backends
from moto.codebuild.responses import (
    _validate_required_params_artifacts,
    _validate_required_params_environment,
    _validate_required_params_project_name,
    _validate_required_params_service_role,
    _validate_required_params_source,
)
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

from platform_constructs.local.models._base import Model, api_shape, as_int, name_for, properties

_RENAMES = {"BuildSpec": "buildspec"}
_INLINE_SOURCES = {"NO_SOURCE", "CODEPIPELINE"}


def _backend(account_id: str, region_name: str) -> CodeBuildBackend:
    return codebuild_backends[account_id][region_name]


def project_arn(name: str, account_id: str, region_name: str) -> str:
    return f"arn:{get_partition(region_name)}:codebuild:{region_name}:{account_id}:project/{name}"


class CodeBuildProject(Model, CloudFormationModel):
    CFN_TYPE = "AWS::CodeBuild::Project"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Arn",)

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.name

    def attributes(self) -> Mapping[str, Any]:
        return {"Arn": self.arn}

    @classmethod
    def _create(cls, name: str, props: Mapping[str, Any], account_id: str, region_name: str) -> CodeBuildProject:
        source = api_shape(props["Source"], renames=_RENAMES)
        artifacts = api_shape(props["Artifacts"])
        environment = api_shape(props["Environment"])
        if source.get("type") in _INLINE_SOURCES:
            if source.get("location"):
                raise InvalidInputException(f"Invalid source: type {source['type']} takes no location")
        else:
            _validate_required_params_source(source)
        _validate_required_params_service_role(account_id, region_name, str(props["ServiceRole"]))
        _validate_required_params_artifacts(artifacts)
        _validate_required_params_environment(environment)
        _validate_required_params_project_name(name)
        backend = _backend(account_id, region_name)
        if name in backend.codebuild_projects:
            existing = project_arn(name, account_id, region_name)
            raise ResourceAlreadyExistsException(f"Project already exists: {existing}")
        metadata = backend.create_project(
            project_name=name, description=props.get("Description"), project_source=source,
            artifacts=artifacts, environment=environment, service_role=str(props["ServiceRole"]),
            tags=api_shape(props.get("Tags") or []), cache=api_shape(props["Cache"]) if "Cache" in props else None,
            timeout=as_int(props.get("TimeoutInMinutes")), queued_timeout=as_int(props.get("QueuedTimeoutInMinutes")),
            source_version=props.get("SourceVersion"),
            logs_config=api_shape(props["LogsConfig"]) if "LogsConfig" in props else None,
            vpc_config=api_shape(props["VpcConfig"]) if "VpcConfig" in props else None,
        )
        if props.get("EncryptionKey"):
            metadata["encryptionKey"] = props["EncryptionKey"]
        if props.get("ConcurrentBuildLimit") is not None:
            metadata["concurrentBuildLimit"] = as_int(props["ConcurrentBuildLimit"])
        return cls(name, str(metadata["arn"]))

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> CodeBuildProject:
        props = properties(cloudformation_json)
        return cls._create(name_for(props, cls.NAME_PROPERTY, resource_name), props, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> CodeBuildProject:
        # moto has no UpdateProject: delete and create again, under the same name unless Name changed
        props = properties(cloudformation_json)
        original_resource.delete(account_id, region_name)
        return cls._create(name_for(props, cls.NAME_PROPERTY, original_resource.name), props, account_id,
                           region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_project(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_project(self.name)
