"""S3 bucket policies (``AWS::S3::BucketPolicy``), put on the bucket with moto's S3 backend
(``put_bucket_policy``), so ``GetBucketPolicy`` returns what the template attached.

moto's CloudFormation has no bucket-policy model. Ref returns the bucket name (the type's
``primaryIdentifier`` is ``Bucket``).

**The emulator's bucket-level evaluation, corrected for these buckets.** Once a bucket has a policy, moto
checks it on every object request (``moto/s3/responses.py`` ``_key_response``: ``bucket.get_permission(action,
resource)``, with no principal and no request context). Its statement evaluation
(``moto/iam/access_control.py`` ``IAMPolicyStatement.is_action_permitted``) returns DENIED whenever a
statement's condition does not hold, whatever the statement's effect, so the TLS-only statement every
platform bucket carries (``Deny s3:* when aws:SecureTransport is false``) denies every request, TLS or not
(measured: ``is_action_permitted`` is DENIED with ``aws:SecureTransport`` ``"true"``, ``"false"`` or absent).
With that, the CDK CLI could not publish assets to the bootstrap bucket and no object could be read or written.

So the model gives each bucket whose policy it attaches an evaluation with IAM's semantics
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html): a
statement applies when its action, resource and conditions match; an applicable Deny denies, else an
applicable Allow allows, else neutral. The request context is a TLS client's (``aws:SecureTransport`` is
``"true"``: AWS's endpoints, which the emulator stands in for, are HTTPS; the loopback HTTP is the emulator's
transport, not the client's). A condition key absent from that context does not match, except under the
negated (``...Not...``) operators, ``...IfExists`` operators and ``Null``, as IAM documents. Like moto, it
evaluates only statements whose principal is everyone (``"*"`` or ``{"AWS": "*"}``): moto passes no caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from types import MethodType
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from platform_constructs.local.models._base import Model, properties

REQUEST_CONTEXT: Mapping[str, str] = {"aws:SecureTransport": "true"}
"""The condition keys the emulator's bucket-level evaluation knows: a TLS client's request."""


def _backend(account_id: str, region_name: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region_name)]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _everyone(principal: Any) -> bool:
    return principal == "*" or (isinstance(principal, Mapping) and _listed(principal.get("AWS")) == ["*"])


_OPERATORS: Mapping[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.lower() == actual.lower(),
    "StringLike": _matches,
    "ArnEquals": lambda expected, actual: expected == actual,
    "ArnLike": _matches,
    "Bool": lambda expected, actual: expected.lower() == actual.lower(),
}
"""The (positive) condition operators the bucket-level evaluation knows; ``...Not...`` negates them."""


def _compare(operator: str, expected: str, actual: str) -> bool:
    if operator not in _OPERATORS:
        raise ValueError(f"condition operator {operator!r} is not evaluated by the emulator's bucket-level check "
                         f"(known: {sorted(_OPERATORS)}, their Not... and ...IfExists forms, Null)")
    return bool(_OPERATORS[operator](expected, actual))


IAM_OPERATORS = frozenset({
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
    "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
    "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
    "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"})
"""IAM's condition operators (without ``...IfExists``); a name outside them is a typo in the policy."""


def condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    """One ``{operator: {key: expected}}`` entry of a ``Condition`` against ``context`` (IAM's rules)."""
    base = operator.removesuffix("IfExists")
    if base not in IAM_OPERATORS:
        raise ValueError(f"unknown condition operator {operator!r} (IAM's are {sorted(IAM_OPERATORS)}, "
                         "each also as ...IfExists)")
    if base == "Null":
        return (key not in context) == (str(expected).lower() == "true")
    if key not in context:
        return operator.endswith("IfExists") or "Not" in base
    values = [str(v) for v in _listed(expected)]
    if "Not" in base:
        return not any(_compare(base.replace("Not", "", 1), v, context[key]) for v in values)
    return any(_compare(base, v, context[key]) for v in values)


def statement_applies(statement: Mapping[str, Any], action: str, resource: str,
                      context: Mapping[str, str] = REQUEST_CONTEXT) -> bool:
    if not _everyone(statement.get("Principal")):
        return False
    if "Action" in statement:
        if not any(_matches(str(a), action, ignore_case=True) for a in _listed(statement["Action"])):
            return False
    elif any(_matches(str(a), action, ignore_case=True) for a in _listed(statement.get("NotAction", []))):
        return False
    if "Resource" in statement and not any(_matches(str(r), resource) for r in _listed(statement["Resource"])):
        return False
    return all(condition_holds(operator, key, expected, context)
               for operator, entries in (statement.get("Condition") or {}).items()
               for key, expected in entries.items())


def evaluate(policy: Mapping[str, Any], action: str, resource: str,
             context: Mapping[str, str] = REQUEST_CONTEXT) -> PermissionResult:
    """The bucket policy's verdict on ``action`` on ``resource`` for an anonymous-principal TLS request."""
    applicable = [s for s in _listed(policy.get("Statement", [])) if statement_applies(s, action, resource, context)]
    if any(s.get("Effect") == "Deny" for s in applicable):
        return PermissionResult.DENIED
    if any(s.get("Effect") == "Allow" for s in applicable):
        return PermissionResult.PERMITTED
    return PermissionResult.NEUTRAL


def _get_permission(bucket: FakeBucket, action: str, resource: str) -> PermissionResult:
    if bucket.policy is None:
        return PermissionResult.NEUTRAL
    return evaluate(json.loads(bucket.policy), action, resource)


class BucketPolicy(Model, CloudFormationModel):
    CFN_TYPE = "AWS::S3::BucketPolicy"

    def __init__(self, bucket_name: str, document: Mapping[str, Any]) -> None:
        self.bucket_name = bucket_name
        self.document = document

    @property
    def physical_resource_id(self) -> str:
        return self.bucket_name

    @classmethod
    def _put(cls, props: Mapping[str, Any], account_id: str, region_name: str) -> BucketPolicy:
        backend = _backend(account_id, region_name)
        document = props["PolicyDocument"]
        if isinstance(document, str):
            document = json.loads(document)
        backend.put_bucket_policy(props["Bucket"], json.dumps(document).encode("utf-8"))
        bucket = backend.get_bucket(props["Bucket"])
        bucket.get_permission = MethodType(_get_permission, bucket)  # type: ignore[method-assign]
        return cls(props["Bucket"], document)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> BucketPolicy:
        return cls._put(properties(cloudformation_json), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> BucketPolicy:
        props = properties(cloudformation_json)
        if props["Bucket"] != original_resource.bucket_name:  # Bucket is create-only
            original_resource.delete(account_id, region_name)
        return cls._put(props, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if resource_name in backend.buckets:  # a deleted bucket's policy went with it (moto deletes in any order)
            backend.delete_bucket_policy(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.bucket_name, {}, account_id, region_name)
