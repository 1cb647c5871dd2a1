"""Data and identity resources read back with boto3: KMS keys, log groups, SSM parameters, IAM roles, S3 buckets
and their policies, SNS topics and their policies, EFS file systems and mount targets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from platform_constructs.local.emulator import Emulator
from platform_constructs.local.verify_base import TEMPLATE, Check, Checker, Deployed, check, expect
from platform_constructs.local.verify_resolve import unresolved_in


def check_kms_key(em: Emulator, res: Deployed) -> list[Check]:
    kms = em.client("kms")
    meta = kms.describe_key(KeyId=res.physical_id)["KeyMetadata"]
    checks = [check(res, "enabled", meta["Enabled"], f"KeyState={meta['KeyState']}")]
    if res.properties.get("EnableKeyRotation") is True:
        rotation = kms.get_key_rotation_status(KeyId=res.physical_id)["KeyRotationEnabled"]
        checks.append(check(res, "rotation", rotation, f"KeyRotationEnabled={rotation}"))
    return checks


def check_log_group(em: Emulator, res: Deployed) -> list[Check]:
    groups = em.client("logs").describe_log_groups(logGroupNamePrefix=res.physical_id)["logGroups"]
    group = next((g for g in groups if g["logGroupName"] == res.physical_id), None)
    if group is None:
        return [check(res, "exists", False, f"log group {res.physical_id} not found")]
    checks = [check(res, "exists", True, res.physical_id)]
    want = res.properties.get("RetentionInDays")
    if want is not None:
        checks.append(check(res, "retention", group.get("retentionInDays") == want,
                             f"retentionInDays={group.get('retentionInDays')} (template {want})"))
    if "KmsKeyId" in res.properties:
        # The emulator's CloudFormation handler drops KmsKeyId (it reads ``kmsKeyId``): read the template.
        checks.append(check(res, "kms", True, f"KmsKeyId={res.properties['KmsKeyId']}",
                             "template (the emulator drops KmsKeyId from CloudFormation)"))
    return checks


def check_ssm_parameter(em: Emulator, res: Deployed) -> list[Check]:
    param = em.client("ssm").get_parameter(Name=res.physical_id)["Parameter"]
    value = param["Value"]
    resolved = bool(value) and "${" not in value and "Token[" not in value
    checks = [check(res, "value resolved", resolved, f"{param['Name']}={value[:80]}")]
    want_type = res.properties.get("Type")
    if want_type:
        checks.append(check(res, "type", param["Type"] == want_type, f"Type={param['Type']}"))
    return checks


def check_role(em: Emulator, res: Deployed) -> list[Check]:
    role = em.client("iam").get_role(RoleName=res.physical_id)["Role"]
    return [check(res, "exists", True, role["Arn"])]


def check_bucket(em: Emulator, res: Deployed) -> list[Check]:
    s3 = em.client("s3")
    checks = [check(res, "exists", True, res.physical_id)]
    if "BucketEncryption" in res.properties:
        rules = s3.get_bucket_encryption(Bucket=res.physical_id)["ServerSideEncryptionConfiguration"]["Rules"]
        algo = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        checks.append(check(res, "encryption", bool(algo), f"SSEAlgorithm={algo}"))
    if res.properties.get("VersioningConfiguration", {}).get("Status") == "Enabled":
        status = s3.get_bucket_versioning(Bucket=res.physical_id).get("Status")
        if status is None:  # the emulator's CloudFormation drops VersioningConfiguration: read the template
            checks.append(check(res, "versioning", True, "VersioningConfiguration.Status=Enabled", source=TEMPLATE))
        else:
            checks.append(check(res, "versioning", status == "Enabled", f"Status={status}"))
    wanted_block = res.properties.get("PublicAccessBlockConfiguration")
    if wanted_block is not None:
        # The emulator's CloudFormation drops PublicAccessBlockConfiguration; the template states it instead.
        flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        checks.append(check(res, "public access blocked", all(wanted_block.get(f) is True for f in flags),
                             str(wanted_block), source=TEMPLATE))
    return checks


def check_sns_topic(em: Emulator, res: Deployed) -> list[Check]:
    attrs = em.client("sns").get_topic_attributes(TopicArn=res.physical_id)["Attributes"]
    checks = [check(res, "exists", True, attrs["TopicArn"])]
    if "KmsMasterKeyId" in res.properties:
        key = attrs.get("KmsMasterKeyId")
        checks.append(check(res, "KMS", bool(key), f"KmsMasterKeyId={key}"))
    return checks


def _statements(document: Any) -> list[Mapping[str, Any]]:
    statements = document.get("Statement", []) if isinstance(document, Mapping) else []
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, Mapping)]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def denies_insecure_transport(document: Any, resources: set[str]) -> bool:
    """A ``Deny`` of every action (``s3:*`` or ``*``) on all of ``resources`` when ``aws:SecureTransport`` is
    false."""
    for statement in _statements(document):
        condition = statement.get("Condition", {})
        if statement.get("Effect") != "Deny" or str(condition.get("Bool", {}).get("aws:SecureTransport")).lower() \
                != "false":
            continue
        actions = {str(a) for a in _listed(statement.get("Action"))}
        if actions & {"s3:*", "*"} and resources <= {str(r) for r in _listed(statement.get("Resource"))}:
            return True
    return False


def check_bucket_policy(em: Emulator, res: Deployed) -> list[Check]:
    bucket, want = res.value("Bucket"), res.value("PolicyDocument")
    missing = unresolved_in([bucket, want])
    if missing is not None:
        return [check(res, "attached", False, f"template value not resolvable with boto3: {missing}")]
    got = json.loads(em.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    arn = f"arn:aws:s3:::{bucket}"
    return [expect(res, "attached", got, want, label=f"policy of {bucket} ({len(_statements(got))} statements)"),
            check(res, "denies non-TLS", denies_insecure_transport(got, {arn, f"{arn}/*"}),
                  f"Deny s3:* on {arn} and {arn}/* when aws:SecureTransport is false")]


def check_topic_policy(em: Emulator, res: Deployed) -> list[Check]:
    topics, want = res.value("Topics", default=[]), res.value("PolicyDocument")
    missing = unresolved_in([topics, want])
    if missing is not None:
        return [check(res, "attached", False, f"template value not resolvable with boto3: {missing}")]
    checks = []
    for topic in topics:
        got = json.loads(em.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
        checks.append(expect(res, "attached", got, want, label=f"policy of {topic.rsplit(':', 1)[-1]}"))
    return checks


def check_efs_file_system(em: Emulator, res: Deployed) -> list[Check]:
    (system,) = em.client("efs").describe_file_systems(FileSystemId=res.physical_id)["FileSystems"]
    checks = [check(res, "exists", True, system["FileSystemId"]),
              expect(res, "encrypted", system.get("Encrypted"), res.value("Encrypted", default=False))]
    if "KmsKeyId" in res.properties:
        checks.append(expect(res, "KMS key", system.get("KmsKeyId"), res.value("KmsKeyId")))
    return checks


def check_efs_mount_target(em: Emulator, res: Deployed) -> list[Check]:
    (target,) = em.client("efs").describe_mount_targets(MountTargetId=res.physical_id)["MountTargets"]
    return [expect(res, "file system and subnet", (target["FileSystemId"], target["SubnetId"]),
                   (res.value("FileSystemId"), res.value("SubnetId")))]


CHECKS: dict[str, Checker] = {
    "AWS::KMS::Key": check_kms_key,
    "AWS::Logs::LogGroup": check_log_group,
    "AWS::SSM::Parameter": check_ssm_parameter,
    "AWS::IAM::Role": check_role,
    "AWS::S3::Bucket": check_bucket,
    "AWS::S3::BucketPolicy": check_bucket_policy,
    "AWS::SNS::Topic": check_sns_topic,
    "AWS::SNS::TopicPolicy": check_topic_policy,
    "AWS::EFS::FileSystem": check_efs_file_system,
    "AWS::EFS::MountTarget": check_efs_mount_target,
}
