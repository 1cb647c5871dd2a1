"""The AWS-managed prefix lists of S3 and DynamoDB per region: where workloads send traffic to the network's gateway
endpoints.

Pure data and one lookup, no ``aws_cdk``: :mod:`platform_constructs.egress` writes the table into templates and the
local emulator (:mod:`platform_constructs.local.models.ec2`) gives its AWS-managed lists the same ids.

**Why a table.** CloudFormation exposes no attribute for a gateway endpoint's prefix list
(aws-cloudformation/cloudformation-coverage-roadmap#453, open) and synth stays offline, so the ids are listed, as
``aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.<service>``
prints them.

**Why one id per region fits every account.** An AWS-managed prefix list is owned by AWS, not by the account that
reads it (VPC User Guide, "AWS-managed prefix lists": "You cannot create, modify, share, or delete an AWS-managed
prefix list"; DescribeManagedPrefixLists reports ``OwnerId`` ``AWS`` and the ARN
``arn:aws:ec2:<region>:aws:prefix-list/pl-...``, e.g. ``com.amazonaws.eu-central-1.s3`` = ``pl-6ea54007`` in
turbot/steampipe-plugin-aws#1577). Ids are unique within a region only: ``pl-78a54011`` is S3 in ap-south-1 *and*
ap-northeast-2 (and DynamoDB in ap-northeast-1), as the table of cloudformation-coverage-roadmap#453 shows.

**Sources of the ids.** The raw ``describe-prefix-lists`` output of all 15 regions of the time, S3 and DynamoDB
(sharadchhetri/aws, README "AWS - prefix-lists"); for S3 the same ids in cloudformation-coverage-roadmap#453, the
PrefixListIdMap of Juniper/vSRX-AWS (#14; #2 for eu-west-2, "obtained using aws ec2 describe-prefix-lists") and
aws-cli's ``describe-prefix-lists`` example (us-east-1: ``pl-63a5400a``); for DynamoDB #453's table and AWS Tools
for PowerShell's ``Get-EC2PrefixList`` example (eu-west-1: ``pl-6fa54006``). eu-north-1 (S3 ``pl-c3aa4faa``,
DynamoDB ``pl-adae4bc4``): two CDK constant tables found by code search, and steampipe-plugin-aws#1577's output
for DynamoDB. Regions without agreeing sources are left out (eu-south-1, ap-east-1, ap-northeast-3,
af-south-1, me-south-1, ...): a stack whose region is known at synth and missing here fails synth
(:func:`prefix_list_problem`); an environment-agnostic stack deployed there fails before creating anything
("Unable to get mapping for PlatformS3PrefixLists::<region>::s3"). Add a region after reading its ids from
``describe-managed-prefix-lists`` in that region.
"""

from __future__ import annotations

S3_PREFIX_LISTS: dict[str, str] = {
    "us-east-1": "pl-63a5400a", "us-east-2": "pl-7ba54012", "us-west-1": "pl-6ba54002", "us-west-2": "pl-68a54001",
    "ca-central-1": "pl-7da54014", "sa-east-1": "pl-6aa54003", "eu-west-1": "pl-6da54004",
    "eu-west-2": "pl-7ca54015", "eu-west-3": "pl-23ad484a", "eu-central-1": "pl-6ea54007",
    "eu-north-1": "pl-c3aa4faa",
    "ap-south-1": "pl-78a54011", "ap-northeast-1": "pl-61a54008", "ap-northeast-2": "pl-78a54011",
    "ap-southeast-1": "pl-6fa54006", "ap-southeast-2": "pl-6ca54005",
}
"""The AWS-managed prefix list ``com.amazonaws.<region>.s3`` per region (see the module docstring for sources)."""

DYNAMODB_PREFIX_LISTS: dict[str, str] = {
    "us-east-1": "pl-02cd2c6b", "us-east-2": "pl-4ca54025", "us-west-1": "pl-6ea54007", "us-west-2": "pl-00a54069",
    "ca-central-1": "pl-4ea54027", "sa-east-1": "pl-60a54009", "eu-west-1": "pl-6fa54006",
    "eu-west-2": "pl-b3a742da", "eu-west-3": "pl-abb451c2", "eu-central-1": "pl-66a5400f",
    "eu-north-1": "pl-adae4bc4",
    "ap-south-1": "pl-66a7420f", "ap-northeast-1": "pl-78a54011", "ap-northeast-2": "pl-48a54021",
    "ap-southeast-1": "pl-67a5400e", "ap-southeast-2": "pl-62a5400b",
}
"""The AWS-managed prefix list ``com.amazonaws.<region>.dynamodb`` per region, the destination of traffic to the
DynamoDB gateway endpoint (the Batch jobs' Metaflow foreach table; see the module docstring for sources)."""

PREFIX_LISTS: dict[str, dict[str, str]] = {"s3": S3_PREFIX_LISTS, "dynamodb": DYNAMODB_PREFIX_LISTS}
"""Service (the gateway endpoint's) -> region -> its AWS-managed prefix list."""

TABLE_NAMES = {"s3": "S3_PREFIX_LISTS", "dynamodb": "DYNAMODB_PREFIX_LISTS"}
PREFIX_LIST_NAME = "com.amazonaws.{region}.{service}"
"""The name of a service's AWS-managed prefix list in a region (VPC User Guide, "AWS-managed prefix lists")."""
S3_PREFIX_LIST_NAME = PREFIX_LIST_NAME.replace("{service}", "s3")


def prefix_list_problem(region: str, service: str = "s3") -> tuple[str, str] | None:
    """(allowed, fix) when ``region`` (a literal region) has no prefix list of ``service`` (``s3``, ``dynamodb``) in
    :data:`PREFIX_LISTS`, else ``None``."""
    table = PREFIX_LISTS[service]
    if region in table:
        return None
    name = TABLE_NAMES[service]
    return (f"a region whose {service} prefix list the platform knows (platform_constructs.prefix_lists.{name}: "
            f"{', '.join(sorted(table))})",
            f"deploy the stack to a listed region, or add this region's id to {name} (aws ec2 "
            f"describe-managed-prefix-lists --region {region} --filters "
            f"Name=prefix-list-name,Values={PREFIX_LIST_NAME.format(region=region, service=service)})")


def s3_prefix_list_problem(region: str) -> tuple[str, str] | None:
    """:func:`prefix_list_problem` of S3."""
    return prefix_list_problem(region, "s3")
