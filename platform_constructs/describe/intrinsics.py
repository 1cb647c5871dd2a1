"""Template values as text for people: literals, references, pseudo parameters, SSM references (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["number", "ref", "show"]

_SSM_DISPLAY = re.compile(r"\{\{resolve:ssm:([^}]+)\}\}")
_PSEUDO = {"AWS::Region": "{region}", "AWS::AccountId": "{account}", "AWS::Partition": "aws",
           "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "{stack}"}


def show(value: object) -> str:
    """A template value as text: literals as they are, references as ``<LogicalId>``, pseudo parameters as
    ``{region}``/``{account}``, ``{{resolve:ssm:/p}}`` as ``<SSM /p>``."""
    if isinstance(value, str):
        return _SSM_DISPLAY.sub(r"<SSM \1>", value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        return f"{value:,.0f}".replace(",", "") if float(value).is_integer() else f"{value}"
    if isinstance(value, Mapping) and len(value) == 1:
        ((fn, arg),) = value.items()
        return _intrinsic(str(fn), arg)
    return "<a value known at deploy time>"


def _intrinsic(fn: str, arg: object) -> str:
    if fn == "Ref":
        return _PSEUDO.get(str(arg), f"<{arg}>")
    if fn == "Fn::GetAtt":
        return f"<{'.'.join(map(str, arg)) if isinstance(arg, list) else arg}>"
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        return str(arg[0]).join(show(part) for part in arg[1])
    if fn == "Fn::Sub" and isinstance(arg, str):
        return re.sub(r"\$\{([^}]+)\}", lambda m: _PSEUDO.get(m[1], f"<{m[1]}>"), arg)
    return "<a value known at deploy time>"


def ref(value: object) -> str | None:
    """The logical id a ``Ref``/``Fn::GetAtt`` names, else ``None``."""
    if isinstance(value, Mapping):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value and isinstance(value["Fn::GetAtt"], list):
            return str(value["Fn::GetAtt"][0])
    return None


def number(value: object, default: float = 0) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default
