"""The platform network's CIDR block: every way it is mistyped gets the block that was meant."""

from __future__ import annotations

import pytest

from platform_constructs.cidr import expect_cidr
from platform_constructs.errors import Problems


@pytest.mark.parametrize("value", ["10.40.0.0/16", "192.168.0.0/20", "172.16.8.0/24"])
def test_canonical_blocks_from_16_to_24_are_accepted(value: str) -> None:
    assert expect_cidr(Problems("S/N"), "cidr", value)


@pytest.mark.parametrize(("value", "reason", "fix"), [
    ("10.40.0.0", "cidr has no prefix length (/n), got '10.40.0.0'",
     "pass cidr='10.40.0.0/16' (or a longer prefix, up to /24)"),
    ("10.40.0.0/8", "cidr is a /8: larger than a VPC may be (/16 at most), got '10.40.0.0/8'",
     "pass cidr='10.0.0.0/16' (a /16 inside it)"),
    ("10.40.0.0/26", "cidr is a /26: too small for one /28 subnet per zone (/24 at least), got '10.40.0.0/26'",
     "pass cidr='10.40.0.0/24'"),
    ("10.40.1.0/16", "cidr has host bits set: the block is 10.40.0.0/16, got '10.40.1.0/16'",
     "pass cidr='10.40.0.0/16'"),
    ("10.40.0.0/255.255.0.0", "cidr is not written in its canonical form 10.40.0.0/16, got '10.40.0.0/255.255.0.0'",
     "pass cidr='10.40.0.0/16'"),
    (" 10.40.0.0/16", "cidr has leading or trailing whitespace, got ' 10.40.0.0/16'", "pass cidr='10.40.0.0/16'"),
    ("10.40.0.0/16\n", "cidr has leading or trailing whitespace, got '10.40.0.0/16\\n'", "pass cidr='10.40.0.0/16'"),
    ("10.400.0.0/16", "cidr is not an IPv4 CIDR block (a.b.c.d/n), got '10.400.0.0/16'",
     "pass a block such as cidr='10.40.0.0/16'"),
    ("fd00::/48", "cidr is not an IPv4 CIDR block (a.b.c.d/n), got 'fd00::/48'",
     "pass a block such as cidr='10.40.0.0/16'"),
    (["10.40.0.0/16"], "cidr must be a string, got the list ['10.40.0.0/16']",
     "pass cidr='10.40.0.0/16' (one string, not a list)"),
    (16, "cidr must be a string, got the integer 16", "pass cidr='10.40.0.0/16' (a string, in quotes)"),
])
def test_mistyped_blocks_get_the_block_meant(value: object, reason: str, fix: str) -> None:
    problems = Problems("S/N")
    assert not expect_cidr(problems, "cidr", value)
    (problem,) = problems.problems
    assert (problem.argument, problem.reason, problem.fix) == ("cidr", reason, fix)
