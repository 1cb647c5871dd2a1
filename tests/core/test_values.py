"""How values are named in messages, the closest choice, whole-string ASCII matching, CDK tokens."""

from __future__ import annotations

import re

import pytest

from platform_constructs.values import closest, describe, full_match, is_token

TOKEN_STRING = "${Token[TOKEN.23]}"
TOKEN_NUMBER = -1.888154589708755e+289  # Token.as_number(bucket.bucket_name) in aws-cdk-lib 2.275


def test_describe_names_the_type() -> None:
    assert describe("4") == "the string '4'"
    assert describe(2.5) == "the float 2.5"
    assert describe(True) == "the bool True"
    assert describe(4) == "the integer 4"
    assert describe(None) == "None"
    assert describe(["a"]) == "the list ['a']"
    assert describe({"a": 1}) == "the dict {'a': 1}"
    assert describe(object()) == "a object object"
    assert describe(TOKEN_STRING).startswith("a CDK token")
    assert describe(TOKEN_NUMBER).startswith("a CDK token")
    assert describe("x" * 100).endswith("…")


def test_is_token_reads_every_encoding() -> None:
    assert is_token(TOKEN_STRING) and is_token(f"s3://{TOKEN_STRING}/k") and is_token(["#{Token[TOKEN.25]}"])
    assert is_token(TOKEN_NUMBER)
    assert not is_token("s3://b/k") and not is_token(-1.5e289) and not is_token(3) and not is_token(None)


@pytest.mark.parametrize(("value", "choices", "expected"), [
    ("Prod", ["dev", "staging", "prod"], "prod"),
    ("production", ["dev", "staging", "prod"], "prod"),
    ("stagging", ["dev", "staging", "prod"], "staging"),
    ("Serverless", ["realtime", "serverless", "async"], "serverless"),
    ("real-time", ["realtime", "serverless", "async"], "realtime"),
    ("qa", ["dev", "staging", "prod"], None),
    (3, ["dev"], None),
])
def test_closest(value: object, choices: list[str], expected: str | None) -> None:
    assert closest(value, choices) == expected


def test_full_match_is_whole_string_and_ascii() -> None:
    assert full_match(r"\d+", "12")
    assert full_match(r"\d+$", "12\n") is None  # re.match would accept the trailing newline
    assert full_match(r"\d+", "\u0661\u0662") is None  # Arabic-Indic digits are \d in Unicode mode
    assert full_match(re.compile(r"\d+"), "\u0661\u0662") is None  # a compiled pattern is made ASCII too
    assert full_match(r"\d+", 12) is None
