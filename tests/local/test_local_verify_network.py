"""The security-group checks of the deploy verification (``verify_network.check_security_group``) on groups the
emulator's models create in the session's emulator (in the platform network's VPC; deleted afterwards): egress as
declared, none to the internet (for a platform construct's group), and the prefix lists it names exist under their
names."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from local_deployment import Deployment
from moto.ec2.models import ec2_backends

from platform_constructs.describe.model import FACTS_KEY
from platform_constructs.local.emulator import ACCOUNT, REGION, Emulator
from platform_constructs.local.models import ec2 as ec2_models
from platform_constructs.local.verify_base import Check, Deployed
from platform_constructs.local.verify_network import check_security_group
from platform_constructs.local.verify_resolve import Resolver
from platform_constructs.prefix_lists import S3_PREFIX_LISTS

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

S3_LIST = S3_PREFIX_LISTS[REGION]
_names = itertools.count()


@pytest.fixture
def emulator(local_deployment: Deployment) -> Iterator[Emulator]:
    """The session's emulator; the groups a test creates are deleted after it."""
    backend = ec2_backends[ACCOUNT][REGION]
    before = {g.id for g in backend.describe_security_groups()}
    yield local_deployment.target.emulator
    for group in backend.describe_security_groups():
        if group.id not in before:
            backend.delete_security_group(group_id=group.id)


def _https(**destination: str) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, **destination}


def _checks(em: Emulator, egress: list[dict[str, Any]], *, platform: bool = True) -> dict[str, Check]:
    """The checks of one group with ``egress``, made by a platform construct (listed in the template's
    ``platform:constructs``) or, with ``platform=False``, a raw one."""
    vpc = em.client("ssm").get_parameter(Name="/platform/network/vpc-id")["Parameter"]["Value"]
    props = {"GroupDescription": "verify test", "VpcId": vpc, "SecurityGroupEgress": egress}
    group = ec2_models.SecurityGroupWithEgress.create_from_cloudformation_json(
        f"verify-test-{next(_names)}", {"Properties": props}, ACCOUNT, REGION)
    template: dict[str, Any] = {"Resources": {"Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": props}}}
    if platform:
        template["Metadata"] = {FACTS_KEY: [{"construct": "BatchComputeEnv", "resources": ["Group"]}]}
    res = Deployed("st", "Group", "AWS::EC2::SecurityGroup", group.id, props,
                   Resolver(em, "st", template, {"Group": group.id}))
    return {c.name: c for c in check_security_group(em, res)}


def test_https_to_the_vpc_and_s3_passes_every_check(emulator: Emulator) -> None:
    checks = _checks(emulator, [_https(CidrIp="10.40.0.0/16"), _https(DestinationPrefixListId=S3_LIST)])
    assert all(c.passed for c in checks.values()), checks
    assert checks["no egress to the internet"].passed
    assert checks["egress prefix lists exist"].detail == f"{S3_LIST}=com.amazonaws.{REGION}.s3"


@pytest.mark.parametrize("internet", [{"CidrIp": "0.0.0.0/0"}, {"CidrIpv6": "::/0"}])
def test_egress_to_the_internet_fails_even_when_declared(emulator: Emulator, internet: dict[str, str]) -> None:
    checks = _checks(emulator, [_https(**internet)])
    assert checks["egress as declared"].passed  # the emulator did as the template said ...
    assert not checks["no egress to the internet"].passed  # ... and what it said is refused
    assert next(iter(internet.values())) in checks["no egress to the internet"].detail


def test_a_raw_group_is_compared_with_its_template_only(emulator: Emulator) -> None:
    """Groups no platform construct made are judged by platform-check (PLAT-NET1), not here."""
    checks = _checks(emulator, [_https(CidrIp="0.0.0.0/0")], platform=False)
    assert checks["egress as declared"].passed and "no egress to the internet" not in checks
