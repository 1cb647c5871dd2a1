"""S3 URLs by their grammar and S3's bucket-naming rules."""

from __future__ import annotations

import pytest

from platform_constructs.s3url import bucket_name_problem, parse_s3_url

TOKEN_STRING = "${Token[TOKEN.23]}"


@pytest.mark.parametrize(("url", "ok"), [
    ("s3://my-bucket/models/model.tar.gz", True),
    ("s3://a.b-c/k", True),
    ("s3://my-bucket/", False),
    ("s3://my-bucket/models/", False),
    ("s3://My-Bucket/k", False),
    ("s3://ab/k", False),
    ("s3://a..b/k", False),
    ("s3://192.168.5.4/k", False),
    ("s3://xn--bucket/k", False),
    ("s3://bucket-s3alias/k", False),
    ("s3://bucket/models/*.tar.gz", False),
    ("s3://bucket/k\n", False),
    ("https://bucket.s3.amazonaws.com/k", False),
    (f"s3://{TOKEN_STRING}/k", False),
    ("s3://bucket/" + "k" * 1025, False),
    (None, False),
])
def test_parse_s3_url(url: object, ok: bool) -> None:
    assert (parse_s3_url(url) is not None) is ok


def test_bucket_name_problem_explains() -> None:
    assert bucket_name_problem("sthree-x") == "not starting with the reserved prefix 'sthree-'"
    assert bucket_name_problem("ok-bucket") is None
