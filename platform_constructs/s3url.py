"""S3 URLs parsed by their grammar: ``s3://bucket/key`` with S3's bucket-naming rules (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from platform_constructs.values import is_token

__all__ = ["MAX_KEY_BYTES", "S3Url", "bucket_name_problem", "parse_s3_url"]


@dataclass(frozen=True)
class S3Url:
    bucket: str
    key: str


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", re.ASCII)
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}", re.ASCII)
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
MAX_KEY_BYTES = 1024
"""S3's limit on an object key (UTF-8 bytes)."""


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an S3 general purpose bucket, or ``None``. The rules are S3's ("General purpose
    bucket naming rules", Amazon S3 User Guide): 3-63 lowercase letters, digits, dots and hyphens, beginning and
    ending with a letter or digit, no two adjacent dots, not an IP address, no reserved prefix or suffix."""
    if not _BUCKET.fullmatch(name):
        return "3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
    if ".." in name:
        return "no two adjacent dots"
    if _IP_ADDRESS.fullmatch(name):
        return "not formatted as an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"not starting with the reserved prefix {prefix!r}"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"not ending with the reserved suffix {suffix!r}"
    return None


def parse_s3_url(url: object) -> S3Url | None:
    """``s3://bucket/key`` of one object (bucket by S3's naming rules; a non-empty key of at most 1,024 UTF-8
    bytes, no wildcard, not a prefix ending in ``/``), else ``None``. A CDK token is never parsed."""
    if not isinstance(url, str) or is_token(url) or not url.startswith("s3://"):
        return None
    bucket, slash, key = url.removeprefix("s3://").partition("/")
    if not slash or not key or bucket_name_problem(bucket) is not None:
        return None
    if key.endswith("/") or "*" in key or "?" in key or any(ord(c) < 32 for c in key):
        return None
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        return None
    return S3Url(bucket=bucket, key=key)
