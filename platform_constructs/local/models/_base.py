"""What every emulator model shares: the CloudFormation-model boilerplate and property-shape helpers.

moto builds its CloudFormation type map from the *direct* subclasses of its ``CloudFormationModel``
(``moto/cloudformation/parsing.py``: ``get_model_list()`` is ``CloudFormationModel.__subclasses__()``). So
each model here is declared ``class X(Model, CloudFormationModel)``: :class:`Model` is a plain mixin that
supplies the boilerplate and is never itself in the map.

A model instance is what moto's resource map stores for a logical id: ``physical_resource_id`` answers
``Ref`` and :meth:`Model.get_cfn_attribute` answers ``Fn::GetAtt`` from :meth:`Model.attributes`, both as the
AWS CloudFormation resource reference documents them (the registry schemas' ``primaryIdentifier`` and
``readOnlyProperties``, shipped with cfn-lint under ``cfnlint/data/schemas``).
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar


class Model:
    """Mixin for an emulator model; subclasses set the class variables and implement the hooks."""

    CFN_TYPE: ClassVar[str]
    """The CloudFormation resource type this model creates."""
    NAME_PROPERTY: ClassVar[str] = ""
    """The property that names the resource (moto generates ``stack-LogicalId-SUFFIX`` when it is absent)."""
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()
    """The ``Fn::GetAtt`` attributes the model answers."""

    logical_resource_id: str
    cf_resource_type: str

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def is_created(self) -> bool:
        return True

    @property
    @abstractmethod
    def physical_resource_id(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define physical_resource_id")

    def attributes(self) -> Mapping[str, Any]:
        """``Fn::GetAtt`` name -> value."""
        return {}

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        values = self.attributes()
        if attribute_name not in values:
            raise UnformattedGetAttTemplateException()
        return values[attribute_name]


def properties(cloudformation_json: Mapping[str, Any]) -> dict[str, Any]:
    """The resolved ``Properties`` of a resource as moto hands it to a model."""
    return dict(cloudformation_json.get("Properties") or {})


def name_for(props: Mapping[str, Any], name_property: str, generated: str) -> str:
    """The name property's value when the template gives one, else the name moto generated."""
    value = props.get(name_property)
    return str(value) if value else generated


def lower_first(key: str) -> str:
    return key[:1].lower() + key[1:]


def api_shape(value: Any, *, renames: Mapping[str, str] | None = None) -> Any:
    """CloudFormation's property shape (``PascalCase`` keys) -> the service API's (``camelCase``), recursively:
    what CloudFormation does before calling the API. ``renames`` maps keys whose API name is not simply the
    lower-cased first letter (e.g. CodeBuild's ``BuildSpec`` -> ``buildspec``)."""
    renames = renames or {}
    if isinstance(value, Mapping):
        return {renames.get(k, lower_first(k)): api_shape(v, renames=renames) for k, v in value.items()}
    if isinstance(value, list):
        return [api_shape(v, renames=renames) for v in value]
    return value


def tag_list(tags: Any) -> list[dict[str, str]]:
    """Tags in either CloudFormation shape (``[{Key, Value}]`` or a ``{key: value}`` map) as ``[{Key, Value}]``."""
    if isinstance(tags, Mapping):
        return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]
    if isinstance(tags, list):
        return [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in tags if isinstance(t, Mapping)]
    return []


def tag_map(tags: Any) -> dict[str, str]:
    """Tags in either CloudFormation shape as a ``{key: value}`` map."""
    return {t["Key"]: t["Value"] for t in tag_list(tags)}


def as_int(value: Any) -> int | None:
    """A template integer (CloudFormation passes numbers as numbers or strings) or None."""
    if value is None or value == "":
        return None
    return int(value)


def arn_name(arn: str) -> str:
    """The last path segment of an ARN (``...:topic/x`` or ``...:topic:x`` -> ``x``)."""
    return re.split(r"[:/]", arn)[-1]
