"""Mistakes a platform engineer makes with PlatformNetwork beyond the generated catalogue: each one
PlatformValidationError naming the argument, what was given and a fix that fits (the block meant)."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import PlatformNetwork
from platform_constructs.errors import PlatformValidationError
from platform_constructs.testing import new_app

MISTAKES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (label, arguments, the argument named, in the fix, in the reason)
    ("an address without a prefix", {"cidr": "10.40.0.0"}, "cidr", "pass cidr='10.40.0.0/16'", "no prefix length"),
    ("a /8", {"cidr": "10.0.0.0/8"}, "cidr", "pass cidr='10.0.0.0/16' (a /16 inside it)", "is a /8"),
    ("a /28", {"cidr": "10.40.0.0/28"}, "cidr", "pass cidr='10.40.0.0/24'", "is a /28"),
    ("host bits set", {"cidr": "10.40.1.0/16"}, "cidr", "pass cidr='10.40.0.0/16'", "host bits set"),
    ("a netmask", {"cidr": "10.40.0.0/255.255.0.0"}, "cidr", "pass cidr='10.40.0.0/16'", "canonical form"),
    ("a trailing space", {"cidr": "10.40.0.0/16 "}, "cidr", "pass cidr='10.40.0.0/16'", "whitespace"),
    ("a list of one block", {"cidr": ["10.40.0.0/16"]}, "cidr", "pass cidr='10.40.0.0/16' (one string, not a list)",
     "got the list"),
    ("an IPv6 block", {"cidr": "fd00:40::/56"}, "cidr", "pass a block such as cidr='10.40.0.0/16'",
     "not an IPv4 CIDR block"),
    ("zones in quotes", {"max_azs": "2"}, "max_azs", "pass max_azs=2 (an integer, without quotes)",
     "got the string '2'"),
    ("zones as a float", {"max_azs": 2.0}, "max_azs", "pass max_azs=2 (an integer)", "got the float 2.0"),
    ("no zones", {"max_azs": 0}, "max_azs", "pass max_azs=2", "got 0"),
    ("a flag in quotes", {"publish_parameters": "true"}, "publish_parameters",
     "pass publish_parameters=True (a bool, without quotes)", "got the string 'true'"),
    ("a cost centre with capitals", {"cost_center": "ML-Platform"}, "cost_center", "pass cost_center='ml-platform'",
     "does not fit"),
    ("a tag that is a number", {"tags": {"Team": 3}}, "tags['Team']", "pass tags={'Team': '3'}", "got the integer 3"),
    ("tags as a string", {"tags": "Team=ml"}, "tags", "pass tags={'Team': 'recs'}", "got the string 'Team=ml'"),
]


@pytest.mark.parametrize(("arguments", "argument", "fix", "reason"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_clean_error_with_the_fix_meant(arguments: dict[str, Any], argument: str, fix: str,
                                                           reason: str) -> None:
    stack = Stack(new_app({"env": "dev"}), "Net")
    with pytest.raises(PlatformValidationError) as info:
        PlatformNetwork(stack, "Network", **{"publish_parameters": False, **arguments})
    (problem,) = info.value.problems
    assert problem.argument == argument
    assert fix in problem.fix
    assert reason in f"{problem.reason} {problem.allowed}"
