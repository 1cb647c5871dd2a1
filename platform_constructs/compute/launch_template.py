"""The secure launch template of every EC2 instance AWS Batch starts for a platform construct.

cdk-nag's EC2 rules do not follow launch templates that only AWS Batch uses (they look at instances and
auto-scaling groups); the platform rule pack's PLAT-LT1..3 check what this module writes.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnTag
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from constructs import Construct

ROOT_DEVICE_NAME = "/dev/xvda"
"""Root device of the ECS-optimised Amazon Linux AMIs (CPU and NVIDIA)."""


def launch_template(scope: Construct, id: str, *, key: kms.IKey, volume_gib: int, tags: Mapping[str, str],
                    efa_security_group: ec2.ISecurityGroup | None = None) -> ec2.CfnLaunchTemplate:
    """A launch template with IMDSv2 only, a KMS-encrypted gp3 root volume and no public IP.

    The metadata hop limit is 1, detailed monitoring is on, and the required tags go on the instance, its
    volumes and (with EFA) its network interfaces. With ``efa_security_group`` the primary interface is an EFA
    interface in that group.
    """
    tag_list = [CfnTag(key=k, value=v) for k, v in sorted(tags.items())]
    resource_types = ["instance", "volume"] + (["network-interface"] if efa_security_group is not None else [])
    data = ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
        metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1,
            instance_metadata_tags="disabled"),
        block_device_mappings=[ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
            device_name=ROOT_DEVICE_NAME,
            ebs=ec2.CfnLaunchTemplate.EbsProperty(encrypted=True, kms_key_id=key.key_arn, volume_type="gp3",
                                                  volume_size=volume_gib, delete_on_termination=True))],
        monitoring=ec2.CfnLaunchTemplate.MonitoringProperty(enabled=True),
        network_interfaces=[ec2.CfnLaunchTemplate.NetworkInterfaceProperty(
            device_index=0, interface_type="efa", associate_public_ip_address=False, delete_on_termination=True,
            groups=[efa_security_group.security_group_id])] if efa_security_group is not None else None,
        tag_specifications=[ec2.CfnLaunchTemplate.TagSpecificationProperty(resource_type=t, tags=tag_list)
                            for t in resource_types],
    )
    return ec2.CfnLaunchTemplate(
        scope, id, launch_template_data=data,
        tag_specifications=[ec2.CfnLaunchTemplate.LaunchTemplateTagSpecificationProperty(
            resource_type="launch-template", tags=tag_list)])
