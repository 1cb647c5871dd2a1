"""How large an IAM policy document will be once CloudFormation has resolved it (pure: no ``aws_cdk`` import).

IAM refuses a customer managed policy over 6,144 characters, white space not counted (IAM User Guide, "IAM and AWS
STS quotas"); CDK does not check it, so the stack fails at deploy (``LimitExceeded: Cannot exceed quota for
PolicySize: 6144``). At synth a document still holds references (``Ref``, ``Fn::GetAtt``, ``Fn::Join``): this
module counts the fewest characters it can have deployed — literal text as it is, pseudo parameters at their
shortest (partition ``aws``, a region such as ``us-east-1``), other references at the length the caller knows
them to have at least (``known``), or zero. A document this count puts over the limit can never deploy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

MANAGED_POLICY_MAX_CHARACTERS = 6144
"""IAM's limit on a customer managed policy document (white space not counted)."""
SHORTEST_PARTITION = "aws"
SHORTEST_REGION = "us-east-1"
"""No AWS region name is shorter (nine characters)."""
EXAMPLE_ACCOUNT = "123456789012"
PSEUDO_PARAMETER_MINIMUM: Mapping[str, int] = {
    "AWS::Partition": len(SHORTEST_PARTITION),
    "AWS::Region": len(SHORTEST_REGION),
    "AWS::AccountId": len(EXAMPLE_ACCOUNT),
    "AWS::URLSuffix": len("amazonaws.com"),
}
_WHITE_SPACE = re.compile(r"\s")


def shortest_arn(service: str, resource: str) -> int:
    """Length of ``arn:aws:<service>:<shortest region>:<account>:<resource>``: the least an ARN of this account can be
    (``resource`` as short as it can be: a generated name counts as its known part only)."""
    return len(f"arn:{SHORTEST_PARTITION}:{service}:{SHORTEST_REGION}:{EXAMPLE_ACCOUNT}:{resource}")


def reference_key(value: object) -> str:
    """The key of a resolved reference (``{"Fn::GetAtt": [...]}``) in ``known``."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def minimum_size(document: object, *, known: Mapping[str, int] | None = None) -> int:
    """The fewest characters ``document`` (a resolved CloudFormation value) has as deployed JSON, white space not
    counted. ``known`` maps :func:`reference_key` of a reference to the least length of the string it resolves to."""
    return _size(document, known or {})


def _is_reference(value: object) -> bool:
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    (function,) = value
    return isinstance(function, str) and (function == "Ref" or function.startswith("Fn::"))


def _string(text: str) -> int:
    return len(_WHITE_SPACE.sub("", json.dumps(text)))


def _size(value: object, known: Mapping[str, int]) -> int:
    if _is_reference(value):
        return 2 + _text(value, known)  # a reference in a policy resolves to a JSON string
    if isinstance(value, Mapping):
        return 2 + sum(_string(str(k)) + 1 + _size(v, known) for k, v in value.items()) + max(len(value) - 1, 0)
    if isinstance(value, list):
        return 2 + sum(_size(v, known) for v in value) + max(len(value) - 1, 0)
    if isinstance(value, str):
        return _string(value)
    return len(json.dumps(value))


def _text(value: object, known: Mapping[str, int]) -> int:
    """Least length of the string ``value`` resolves to (its JSON escaping included, quotes excluded)."""
    if isinstance(value, str):
        return _string(value) - 2
    if not isinstance(value, Mapping) or not _is_reference(value):
        return 0
    ((function, argument),) = value.items()
    if function == "Ref" and isinstance(argument, str) and argument in PSEUDO_PARAMETER_MINIMUM:
        return PSEUDO_PARAMETER_MINIMUM[argument]
    if (function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2
            and isinstance(argument[0], str) and isinstance(argument[1], list)):
        delimiter, parts = argument
        return sum(_text(p, known) for p in parts) + (_string(delimiter) - 2) * max(len(parts) - 1, 0)
    return known.get(reference_key(value), 0)
