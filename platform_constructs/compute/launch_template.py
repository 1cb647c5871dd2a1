"""The secure launch template of every EC2 instance AWS Batch starts for a platform construct.

cdk-nag's EC2 rules do not follow launch templates that only AWS Batch uses (they look at instances and
auto-scaling groups); the platform rule pack's PLAT-LT1..3 check what this module writes.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnTag, Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from constructs import Construct

ROOT_DEVICE_NAME = "/dev/xvda"
"""Root device of the ECS-optimised Amazon Linux AMIs (CPU and NVIDIA)."""


ECS_AGENT_CONFIG = "ECS_AWSVPC_BLOCK_IMDS=true"
"""Written to ``/etc/ecs/ecs.config`` at boot: the ECS agent blocks the instance metadata service for tasks in the
``awsvpc`` network mode (ECS developer guide, "Amazon ECS container agent configuration"), which AWS Batch uses for
multi-node parallel jobs ("Networking modes for AWS Batch jobs")."""

USER_DATA = "\n".join([
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="==PLATFORM=="',
    "",
    "--==PLATFORM==",
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    "#!/bin/bash",
    f"echo {ECS_AGENT_CONFIG} >> /etc/ecs/ecs.config",
    "",
    "--==PLATFORM==--",
    "",
])
"""The launch template's user data, in the MIME multi-part format AWS Batch requires of launch templates
(AWS Batch User Guide, "Use Amazon EC2 launch templates with AWS Batch"): Batch merges its own part into it."""


def launch_template(scope: Construct, id: str, *, key: kms.IKey, volume_gib: int,
                    tags: Mapping[str, str]) -> ec2.CfnLaunchTemplate:
    """A launch template with IMDSv2 only, a KMS-encrypted gp3 root volume and no public IP.

    What the metadata settings do and do not do: IMDSv2 is required (no token, no answer) and the hop limit is 1,
    so a container on Docker's bridge network (one hop further) cannot reach the instance metadata. AWS Batch does
    not use the bridge network for EC2 jobs: single-node jobs run in the ``host`` network mode and multi-node
    parallel jobs in ``awsvpc`` ("Networking modes for AWS Batch jobs", AWS Batch User Guide). In ``host`` mode a
    job's processes share the instance's network stack, so the hop limit does not stop them: a single-node job
    *can* read the instance role's credentials from the metadata service. That role is ours and small (the ECS
    agent's register/poll/state actions on Batch's clusters, pulls from the approved registries, writes to this
    construct's log streams and Batch's default job log group), which is what such a job could do with them. For
    ``awsvpc`` (multi-node) jobs the ECS agent blocks the metadata service (:data:`ECS_AGENT_CONFIG`). The jobs'
    own permissions come from the job role, not from the instance.

    Detailed monitoring is on, and the required tags go on the instance and its volumes.
    """
    tag_list = [CfnTag(key=k, value=v) for k, v in sorted(tags.items())]
    data = ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
        metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1,
            instance_metadata_tags="disabled"),
        block_device_mappings=[ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
            device_name=ROOT_DEVICE_NAME,
            ebs=ec2.CfnLaunchTemplate.EbsProperty(encrypted=True, kms_key_id=key.key_arn, volume_type="gp3",
                                                  volume_size=volume_gib, delete_on_termination=True))],
        monitoring=ec2.CfnLaunchTemplate.MonitoringProperty(enabled=True),
        user_data=Fn.base64(USER_DATA),
        tag_specifications=[ec2.CfnLaunchTemplate.TagSpecificationProperty(resource_type=t, tags=tag_list)
                            for t in ("instance", "volume")],
    )
    return ec2.CfnLaunchTemplate(
        scope, id, launch_template_data=data,
        tag_specifications=[ec2.CfnLaunchTemplate.LaunchTemplateTagSpecificationProperty(
            resource_type="launch-template", tags=tag_list)])
