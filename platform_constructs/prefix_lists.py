"""The AWS-managed prefix list of S3 per region: where workloads send S3 traffic (the S3 gateway endpoint).

Pure data and one lookup, no ``aws_cdk``: :mod:`platform_constructs.egress` writes the table into templates and the
local emulator (:mod:`platform_constructs.local.models.ec2`) gives its AWS-managed S3 list the same id.

**Why a table.** CloudFormation exposes no attribute for a gateway endpoint's prefix list
(aws-cloudformation/cloudformation-coverage-roadmap#453, open) and synth stays offline, so the ids are listed, as
``aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3`` prints
them.

**Why one id per region fits every account.** An AWS-managed prefix list is owned by AWS, not by the account that
reads it (VPC User Guide, "AWS-managed prefix lists": "You cannot create, modify, share, or delete an AWS-managed
prefix list"; DescribeManagedPrefixLists reports ``OwnerId`` ``AWS`` and the ARN
``arn:aws:ec2:<region>:aws:prefix-list/pl-...``, e.g. ``com.amazonaws.eu-central-1.s3`` = ``pl-6ea54007`` in
turbot/steampipe-plugin-aws#1577). Ids are unique within a region only: ``pl-78a54011`` is S3 in ap-south-1 *and*
ap-northeast-2 (and DynamoDB in ap-northeast-1), as the table of cloudformation-coverage-roadmap#453 shows.

**Sources of the ids.** Each id below appears in at least two independent published tables:
cloudformation-coverage-roadmap#453 (S3 and DynamoDB per region), the PrefixListIdMap of Juniper/vSRX-AWS (#14;
#2 for eu-west-2, "obtained using aws ec2 describe-prefix-lists"), aws-cli's ``describe-prefix-lists`` example
(us-east-1: ``pl-63a5400a``); eu-north-1's ``pl-c3aa4faa`` in two CDK constant tables found by code search (no AWS
page lists it). Regions without two agreeing sources are left out (eu-south-1, ap-east-1, ap-northeast-3,
af-south-1, me-south-1, ...): a stack whose region is known at synth and missing here fails synth
(:func:`s3_prefix_list_problem`); an environment-agnostic stack deployed there fails before creating anything
("Unable to get mapping for PlatformS3PrefixLists::<region>::s3"). Add a region after reading its id from
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

S3_PREFIX_LIST_NAME = "com.amazonaws.{region}.s3"
"""The name of S3's AWS-managed prefix list in a region (VPC User Guide, "AWS-managed prefix lists")."""


def s3_prefix_list_problem(region: str) -> tuple[str, str] | None:
    """(allowed, fix) when ``region`` (a literal region) has no S3 prefix list in :data:`S3_PREFIX_LISTS`, else
    ``None``."""
    if region in S3_PREFIX_LISTS:
        return None
    return (f"a region whose S3 prefix list the platform knows (platform_constructs.prefix_lists.S3_PREFIX_LISTS: "
            f"{', '.join(sorted(S3_PREFIX_LISTS))})",
            "deploy the stack to a listed region, or add this region's id to S3_PREFIX_LISTS (aws ec2 "
            f"describe-managed-prefix-lists --region {region} --filters "
            f"Name=prefix-list-name,Values={S3_PREFIX_LIST_NAME.format(region=region)})")
