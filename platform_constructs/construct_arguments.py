"""Checks of construct-typed arguments (``vpc``, ``datastore_bucket``, ...) before jsii sees them (the CDK side of
:mod:`platform_constructs.arguments`).

jsii interfaces (``ec2.IVpc``, ``s3.IBucket``) cannot be used with ``isinstance`` (they are non-runtime protocols),
and a wrong object handed to CDK fails deep inside with an ``AttributeError`` or a jsii deserialisation error, far
from the argument. These read what the platform needs from the object instead: a construct that is a VPC with
isolated subnets, a bucket with a KMS key. Each records one :class:`~platform_constructs.errors.Problem` naming the
argument and what it got, and returns whether the value is good.
"""

from __future__ import annotations

from constructs import Construct

from platform_constructs.errors import Problems
from platform_constructs.values import describe

__all__ = ["expect_encrypted_bucket", "expect_vpc"]


def _attribute(value: object, name: str) -> object:
    try:
        return getattr(value, name)
    except Exception:  # a jsii object without the property raises from the kernel; that means "not one"
        return None


def _is_construct(value: object) -> bool:
    """Whether ``value`` is a construct, asked without handing jsii a value it cannot send: only jsii objects
    (a Python construct, or the proxy of an imported one such as ``Vpc.from_lookup``'s) reach
    ``Construct.is_construct`` — a ``dict`` or a plain ``object()`` makes jsii raise instead of answering."""
    if isinstance(value, Construct):
        return True
    if getattr(value, "__jsii_ref__", None) is None:
        return False
    try:
        return bool(Construct.is_construct(value))
    except Exception:  # a jsii object the kernel cannot judge is not a construct of ours
        return False


def _path(value: object) -> str:
    node = _attribute(value, "node")
    return str(getattr(node, "path", value))


def expect_vpc(problems: Problems, argument: str, value: object, *, isolated_subnets: bool = True) -> bool:
    """``value`` must be an ``ec2.IVpc`` (with isolated subnets, where the platform places its workloads)."""
    fix = (f"pass {argument}=ec2.Vpc.from_lookup(self, 'Vpc', vpc_id='vpc-...') for a VPC with isolated subnets, "
           f"or leave {argument} unset for the platform network")
    if not _is_construct(value) or _attribute(value, "vpc_id") is None:
        problems.add(argument, value, "an ec2.IVpc", fix,
                     reason=f"{argument} must be an ec2.IVpc, got {describe(value)}")
        return False
    if isolated_subnets and not _attribute(value, "isolated_subnets"):
        problems.add(argument, _path(value), "an ec2.IVpc with isolated subnets (PRIVATE_ISOLATED)", fix,
                     reason=f"{argument} has no isolated subnets: the platform runs its workloads only in isolated "
                            "subnets, reaching AWS through VPC endpoints")
        return False
    return True


def expect_encrypted_bucket(problems: Problems, argument: str, value: object) -> bool:
    """``value`` must be an ``s3.IBucket`` encrypted with a KMS key the construct can grant (``encryption_key``)."""
    fix = (f"pass {argument}=s3.Bucket.from_bucket_attributes(self, 'Data', bucket_name=..., encryption_key=key), or "
           f"leave {argument} unset for a new platform bucket")
    if not _is_construct(value) or _attribute(value, "bucket_arn") is None:
        problems.add(argument, value, "an s3.IBucket with a KMS key", fix,
                     reason=f"{argument} must be an s3.IBucket, got {describe(value)}")
        return False
    if _attribute(value, "encryption_key") is None:
        problems.add(argument, _path(value), "an s3.IBucket with a KMS key (encryption_key)", fix,
                     reason=f"{argument} has no KMS key: the platform's data stays encrypted with keys it can grant")
        return False
    return True
