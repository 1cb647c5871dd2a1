"""Prefix lists in security-group rules, as AWS treats them.

* **AWS's ids.** moto's EC2 backend creates the region's AWS-managed lists (``com.amazonaws.<region>.s3``,
  ``...dynamodb``, owner ``AWS``) under random ids (``moto/ec2/models/managed_prefixes.py``: ``create_default_pls``),
  while AWS gives each one id per region in every account (:mod:`platform_constructs.prefix_lists`) and templates
  name that id. :func:`known_prefix_lists` gives moto's S3 and DynamoDB lists their AWS ids first (a list moves to
  that key; its ARN follows), so a template's ``pl-63a5400a`` is S3 in the emulator's us-east-1 as it is in AWS.
* **Unknown ids fail.** moto's ``authorize_security_group_egress`` accepts any ``PrefixListId`` without looking it
  up. AWS refuses a rule naming a prefix list that does not exist in the region: the error code
  ``InvalidPrefixListID.NotFound``, "The prefix list ID 'pl-...' does not exist" (the message CloudFormation
  relays for ``AWS::EC2::SecurityGroupIngress``, aws-cloudformation/rain#308; the code floci-io/floci's EC2 returns
  for AuthorizeSecurityGroupIngress/Egress, verified there against AWS, floci#2269). :func:`check_prefix_lists`
  raises exactly that before a rule is authorized, so the deploy fails as CloudFormation's would.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend

from platform_constructs.prefix_lists import PREFIX_LIST_NAME, PREFIX_LISTS

NOT_FOUND = "InvalidPrefixListID.NotFound"


def known_prefix_lists(backend: EC2Backend) -> dict[str, Any]:
    """The region's prefix lists by id, with S3's and DynamoDB's AWS-managed lists under their AWS ids."""
    lists: dict[str, Any] = backend.managed_prefix_lists
    region = backend.region_name
    for service, table in PREFIX_LISTS.items():
        aws_id = table.get(region)
        if aws_id is None or aws_id in lists:
            continue
        name = PREFIX_LIST_NAME.format(region=region, service=service)
        managed = next((pl for pl in lists.values() if pl.prefix_list_name == name and pl.owner_id == "AWS"), None)
        if managed is not None:
            del lists[managed.id]
            managed.id = aws_id
            managed.prefix_list_arn = managed.arn(region, managed.owner_id)
            lists[aws_id] = managed
    return lists


def check_prefix_lists(backend: EC2Backend, prefix_list_ids: Iterable[str]) -> None:
    """Raise AWS's ``InvalidPrefixListID.NotFound`` for the first id that is no prefix list of the region."""
    lists = known_prefix_lists(backend)
    for prefix_list_id in prefix_list_ids:
        if prefix_list_id not in lists:
            raise EC2ClientError(NOT_FOUND, f"The prefix list ID '{prefix_list_id}' does not exist")
