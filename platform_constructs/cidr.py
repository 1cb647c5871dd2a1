"""The platform network's CIDR block, read as :mod:`ipaddress` reads it (pure: no ``aws_cdk``).

A VPC's IPv4 block is ``/16`` (65,536 addresses) to ``/28`` (EC2 API Reference, ``CreateVpc``: "The smallest VPC
you can create uses a /28 netmask ..., and the largest uses a /16 netmask"); the platform network splits it into
isolated subnets four bits longer (at most ``/28``, :class:`~platform_constructs.network.PlatformNetwork`), so its
own smallest block is ``/24``. EC2
would quietly turn ``100.68.0.18/18`` into its canonical form ``100.68.0.0/18`` (``CreateVpc``, ``CidrBlock``); the
platform refuses a block with host bits set and offers the canonical form as the fix, so the template says what
the network is.
"""

from __future__ import annotations

import ipaddress

from platform_constructs.argument_strings import expect_str
from platform_constructs.errors import Problems

__all__ = ["ALLOWED", "EXAMPLE", "MAX_PREFIX", "MIN_PREFIX", "expect_cidr"]

MIN_PREFIX, MAX_PREFIX = 16, 24
"""The platform network's block sizes: AWS's largest VPC (/16) to the smallest that still gives /28 subnets."""
EXAMPLE = "10.40.0.0/16"
ALLOWED = f"an IPv4 CIDR block from /{MIN_PREFIX} to /{MAX_PREFIX}, e.g. {EXAMPLE}"


def _problem(value: str) -> tuple[str, str] | None:
    """(what is wrong, fix) when ``value`` is not a CIDR block the platform network can use, else ``None``."""
    text = value.strip()
    address, slash, _ = text.partition("/")
    try:
        given = ipaddress.IPv4Address(address)
        network = ipaddress.IPv4Network(text, strict=False) if slash else None
    except ValueError:
        return "is not an IPv4 CIDR block (a.b.c.d/n)", f"pass a block such as cidr='{EXAMPLE}'"
    if network is None:
        return "has no prefix length (/n)", f"pass cidr='{given}/{MIN_PREFIX}' (or a longer prefix, up to " \
                                            f"/{MAX_PREFIX})"
    return _size_problem(network) or _form_problem(network, given, text, value)


def _size_problem(network: ipaddress.IPv4Network) -> tuple[str, str] | None:
    if network.prefixlen < MIN_PREFIX:
        inside = ipaddress.IPv4Network(f"{network.network_address}/{MIN_PREFIX}")
        return (f"is a /{network.prefixlen}: larger than a VPC may be (/{MIN_PREFIX} at most)",
                f"pass cidr='{inside}' (a /{MIN_PREFIX} inside it)")
    if network.prefixlen > MAX_PREFIX:
        return (f"is a /{network.prefixlen}: too small for one /28 subnet per zone (/{MAX_PREFIX} at least)",
                f"pass cidr='{network.supernet(new_prefix=MAX_PREFIX)}'")
    return None


def _form_problem(network: ipaddress.IPv4Network, given: ipaddress.IPv4Address, text: str,
                  value: str) -> tuple[str, str] | None:
    if given != network.network_address:
        return f"has host bits set: the block is {network}", f"pass cidr='{network}'"
    if str(network) != text:
        return f"is not written in its canonical form {network}", f"pass cidr='{network}'"
    if text != value:
        return "has leading or trailing whitespace", f"pass cidr='{text}'"
    return None


def expect_cidr(problems: Problems, argument: str, value: object) -> bool:
    """``value`` must be a string naming an IPv4 block of ``/16`` to ``/24``, written in its canonical form."""
    if not expect_str(problems, argument, value, allowed=ALLOWED, example=EXAMPLE):
        return False
    assert isinstance(value, str)
    found = _problem(value)
    if found is None:
        return True
    reason, fix = found
    problems.add(argument, value, ALLOWED, fix, reason=f"{argument} {reason}, got {value!r}")
    return False
