"""Shared scratch storage of a GpuTrainingCluster: an encrypted EFS file system mounted at ``/scratch``.

Jobs mount it through an access point: without ``elasticfilesystem:ClientRootAccess`` EFS squashes root to the
anonymous user, so a file system's root directory (root-owned, 0755) is writable by nobody. The access point
enforces the golden images' user (:data:`platform_constructs.images.build.DOCKER_USER`, uid and gid
:data:`~platform_constructs.images.build.DOCKER_UID`) for every operation and creates its root directory owned
by that user (EFS User Guide, "Working with Amazon EFS access points"); jobs mount with IAM authorization and TLS.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Fn, Stack, Token
from aws_cdk import aws_batch as batch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from platform_constructs.acknowledge import acknowledge
from platform_constructs.core import PlatformContext
from platform_constructs.images.build import DOCKER_UID

SCRATCH_MOUNT_PATH = "/scratch"
"""Where jobs see the shared scratch file system."""
SCRATCH_VOLUME = "scratch"
ACCESS_POINT_ROOT = "/scratch"
"""The access point's root directory in the file system (created on first mount with :data:`ROOT_PERMISSIONS`)."""
ROOT_PERMISSIONS = "0750"


@dataclass(frozen=True)
class Scratch:
    file_system: efs.CfnFileSystem
    access_point: efs.CfnAccessPoint
    security_group: ec2.SecurityGroup


def scratch_file_system(scope: Construct, *, vpc: ec2.IVpc, subnet_ids: list[str], key: kms.IKey,
                        clients: ec2.SecurityGroup, zones: int, role: iam.Role) -> Scratch:
    """Encrypted EFS scratch space shared by a job's nodes: KMS at rest, TLS + IAM enforced, NFS only from the
    Batch instances' security group, one mount target per isolated subnet, the environment's removal policy."""
    group = ec2.SecurityGroup(scope, "ScratchSecurityGroup", vpc=vpc, allow_all_outbound=False,
                              description="NFS from the Batch instances of this construct only")
    stack = Stack.of(scope)
    access_points = f"arn:{stack.partition}:elasticfilesystem:{stack.region}:{stack.account}:access-point/fsap-*"
    group.add_ingress_rule(clients, ec2.Port.tcp(2049), "NFS from the Batch instances")
    clients.add_egress_rule(group, ec2.Port.tcp(2049), "NFS to the shared scratch file system")
    file_system = efs.CfnFileSystem(
        scope, "Scratch", encrypted=True, kms_key_id=key.key_arn, performance_mode="generalPurpose",
        throughput_mode="elastic",
        lifecycle_policies=[efs.CfnFileSystem.LifecyclePolicyProperty(transition_to_ia="AFTER_7_DAYS")],
        backup_policy=efs.CfnFileSystem.BackupPolicyProperty(status="DISABLED"),
        file_system_policy={"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyWithoutTls", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "JobRoleThroughAccessPointOnly", "Effect": "Allow", "Principal": {"AWS": role.role_arn},
             "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], "Resource": "*",
             "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"},
                           "ArnLike": {"elasticfilesystem:AccessPointArn": access_points}}},
        ]})
    # retained where the environment retains stateful resources (prod), as every file system of the platform
    file_system.apply_removal_policy(PlatformContext.of(scope).removal_policy)
    acknowledge(file_system, "scratch-not-backed-up")
    posix = str(DOCKER_UID)
    access_point = efs.CfnAccessPoint(
        scope, "ScratchAccessPoint", file_system_id=file_system.ref,
        posix_user=efs.CfnAccessPoint.PosixUserProperty(uid=posix, gid=posix),
        root_directory=efs.CfnAccessPoint.RootDirectoryProperty(
            path=ACCESS_POINT_ROOT, creation_info=efs.CfnAccessPoint.CreationInfoProperty(
                owner_uid=posix, owner_gid=posix, permissions=ROOT_PERMISSIONS)))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="MountScratchThroughAccessPoint",
        actions=["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        resources=[f"arn:{stack.partition}:elasticfilesystem:{stack.region}:{stack.account}:file-system/"
                   f"{file_system.ref}"],  # Ref: the id
        conditions={"ArnEquals": {"elasticfilesystem:AccessPointArn": f"arn:{stack.partition}:elasticfilesystem:"
                                                                         f"{stack.region}:{stack.account}:access-point/"
                                                                         f"{access_point.ref}"}}))
    count = zones if Token.is_unresolved(subnet_ids) or (len(subnet_ids) == 1 and Token.is_unresolved(
        subnet_ids[0])) else len(subnet_ids)
    for i in range(count):
        efs.CfnMountTarget(scope, f"ScratchMountTarget{i}", file_system_id=file_system.ref,
                           subnet_id=Fn.select(i, subnet_ids), security_groups=[group.security_group_id])
    return Scratch(file_system=file_system, access_point=access_point, security_group=group)


def scratch_volume(scratch: Scratch) -> tuple[batch.CfnJobDefinition.VolumesProperty,
                                              batch.CfnJobDefinition.MountPointsProperty]:
    """The job-definition volume and mount point of the scratch file system: through its access point, with TLS
    and IAM authorization (an access point requires TLS, and the volume's root directory must then be left
    unset: AWS Batch API reference, ``EFSVolumeConfiguration``)."""
    return (batch.CfnJobDefinition.VolumesProperty(
        name=SCRATCH_VOLUME, efs_volume_configuration=batch.CfnJobDefinition.EfsVolumeConfigurationProperty(
            file_system_id=scratch.file_system.ref, transit_encryption="ENABLED",
            authorization_config=batch.CfnJobDefinition.AuthorizationConfigProperty(
                access_point_id=scratch.access_point.ref, iam="ENABLED"))),
        batch.CfnJobDefinition.MountPointsProperty(source_volume=SCRATCH_VOLUME, container_path=SCRATCH_MOUNT_PATH,
                                                   read_only=False))
