"""Premises of the decisions on SageMaker, EC2, CodeBuild, EFS, CloudWatch Logs and CDK's default-security-group
provider (see :mod:`platform_constructs.compliance.premises` for what a premise is)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from platform_constructs.catalog import sagemaker_has_instance_store
from platform_constructs.compliance.premises import ACCOUNT, PARTITION, REGION, Premise, Subject, refers_to
from platform_constructs.compliance.rules.base import is_true, props
from platform_constructs.compliance.statements import identity_statements, nag_resource

# --- SageMaker ----------------------------------------------------------------------------------------


def _variants(subject: Subject) -> list[Mapping[str, Any]]:
    variants = subject.properties.get("ProductionVariants")
    return [v for v in variants if isinstance(v, Mapping)] if isinstance(variants, list) else []


def _instance_store(subject: Subject) -> list[str]:
    types = [v.get("InstanceType") for v in _variants(subject)]
    if any(isinstance(t, str) and sagemaker_has_instance_store(t) for t in types):
        return []
    return [f"no variant's instance type has local NVMe instance storage (variants: {types})"]


INSTANCE_STORE = Premise("a variant's instance type has local NVMe instance storage", _instance_store)


def _serverless(subject: Subject) -> list[str]:
    variants = _variants(subject)
    if variants and all("ServerlessConfig" in v and "InstanceType" not in v for v in variants):
        return []
    return ["not every production variant is serverless (ServerlessConfig and no InstanceType)"]


SERVERLESS_CONFIG = Premise("every production variant is serverless", _serverless)


def _serverless_model(subject: Subject) -> list[str]:
    configs = [(i, c) for i, c in subject.others("AWS::SageMaker::EndpointConfig")
               if any(refers_to(v.get("ModelName"), subject.logical_id)
                      for v in props(c).get("ProductionVariants", []) if isinstance(v, Mapping))]
    if not configs:
        return ["no endpoint configuration in the template serves this model"]
    problems: list[str] = []
    for logical_id, config in configs:
        if _serverless(Subject(logical_id, config, subject.ctx, {})):
            problems.append(f"endpoint configuration {logical_id} serves the model on instances, not serverless")
    return problems


SERVERLESS_MODEL = Premise("every endpoint configuration that serves the model is serverless", _serverless_model)


# --- EC2, CodeBuild, EFS, logs, CDK's default-security-group provider ------------------------------------


def _group_of(value: Any) -> str:
    target = value.get("Fn::GetAtt") if isinstance(value, Mapping) else None
    return str(target[0]) if isinstance(target, list) and target else ""


def _ingress_from_itself(subject: Subject) -> list[str]:
    """A security group (its inline ingress rules) or one of its separate ingress/egress rules: open only to
    members of the group itself, never to an address range or another group."""
    resource_type = subject.resource.get("Type")
    if resource_type == "AWS::EC2::SecurityGroupEgress":
        group = _group_of(subject.properties.get("GroupId"))
        destination = subject.properties.get("DestinationSecurityGroupId")
        return [] if group and refers_to(destination, group) else [
            "the egress rule's destination is not the security group itself"]
    if resource_type == "AWS::EC2::SecurityGroup":
        group, rules = subject.logical_id, subject.properties.get("SecurityGroupIngress", [])
    else:
        group, rules = _group_of(subject.properties.get("GroupId")), [subject.properties]
    problems = []
    for index, rule in enumerate(rules if isinstance(rules, list) else [rules]):
        if not isinstance(rule, Mapping):
            problems.append(f"ingress rule {index} is computed at deploy time")
        elif any(k in rule for k in ("CidrIp", "CidrIpv6", "SourcePrefixListId")) or not group or not refers_to(
                rule.get("SourceSecurityGroupId"), group):
            problems.append(f"ingress rule {index} admits a source other than the security group itself")
    return problems


SELF_REFERENCING_GROUP = Premise("the group's open rules admit only members of the group itself", _ingress_from_itself)


def _codebuild_in_vpc(subject: Subject) -> list[str]:
    problems = []
    vpc = subject.properties.get("VpcConfig")
    if not (isinstance(vpc, Mapping) and vpc.get("Subnets") and vpc.get("SecurityGroupIds")):
        problems.append("the project does not run in a VPC (VpcConfig with subnets and security groups)")
    source = subject.properties.get("Source")
    if not (isinstance(source, Mapping) and source.get("Type") == "NO_SOURCE"):
        problems.append("the project has a source repository (Source.Type is not NO_SOURCE)")
    return problems


ISOLATED_BUILD = Premise("the project runs in a VPC and has no source repository (NO_SOURCE)", _codebuild_in_vpc)


def _no_source(subject: Subject) -> list[str]:
    source = subject.properties.get("Source")
    return [] if isinstance(source, Mapping) and source.get("Type") == "NO_SOURCE" else [
        "the project has a source repository (Source.Type is not NO_SOURCE)"]


NO_SOURCE = Premise("the project has no source repository (NO_SOURCE)", _no_source)


def _scratch_file_system(subject: Subject) -> list[str]:
    problems = [] if is_true(subject.properties.get("Encrypted")) and subject.properties.get("KmsKeyId") else [
        "the file system is not encrypted with a KMS key"]
    points = [i for i, a in subject.others("AWS::EFS::AccessPoint")
              if refers_to(props(a).get("FileSystemId"), subject.logical_id)]
    if not points:
        problems.append("no access point of the template serves the file system (it is not a scratch space)")
    policy = subject.properties.get("FileSystemPolicy")
    statements = policy.get("Statement", []) if isinstance(policy, Mapping) else []
    allows = [st for st in statements if isinstance(st, Mapping) and st.get("Effect") == "Allow"]
    if not allows or any("elasticfilesystem:AccessPointArn" not in json.dumps(st.get("Condition", {}))
                         for st in allows):
        problems.append("the file system policy admits clients other than through an access point")
    return problems


SCRATCH_FILE_SYSTEM = Premise("the file system is KMS-encrypted and mounted only through an access point of the "
                              "template (a job's scratch space)", _scratch_file_system)


def _digest_pinned_build_image(subject: Subject) -> list[str]:
    environment = subject.properties.get("Environment")
    image = environment.get("Image") if isinstance(environment, Mapping) else None
    credentials = environment.get("ImagePullCredentialsType") if isinstance(environment, Mapping) else None
    problems = [] if isinstance(image, str) and re.fullmatch(
        r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/[^@]+@sha256:[0-9a-f]{64}", image) else [
        f"the build image {image!r} is not an ECR image pinned by digest"]
    if credentials != "SERVICE_ROLE":
        problems.append("the image is not pulled with the project's service role (ImagePullCredentialsType)")
    return problems


DIGEST_PINNED_BUILD_IMAGE = Premise("the build image is an ECR image pinned by digest, pulled with the service role",
                                    _digest_pinned_build_image)


def _constant_parameter(subject: Subject) -> list[str]:
    problems = [f"the parameter's {name} is computed, not a constant" for name, value in subject.properties.items()
                if not isinstance(value, (str, int, float, bool))]
    if "Tags" in subject.properties:
        problems.append("the template tags the parameter (so an update would rewrite its value)")
    return problems


CONSTANT_PARAMETER = Premise("the parameter's properties are constants and the template carries no Tags",
                             _constant_parameter)


def _environment_retention(subject: Subject) -> list[str]:
    days = subject.properties.get("RetentionInDays")
    expected = subject.ctx.env.log_retention_days
    problems = [] if days == expected else [
        f"RetentionInDays is {days!r}, not the {expected} days the policy sets for {subject.ctx.env.name}"]
    if not subject.properties.get("KmsKeyId"):
        problems.append("the log group is not KMS-encrypted")
    return problems


ENVIRONMENT_RETENTION = Premise("the log group keeps logs exactly as long as the environment's policy says "
                                "(log_retention_days) and is KMS-encrypted", _environment_retention)


def _restricted_default_group(subject: Subject) -> list[str]:
    for _, custom in subject.others("Custom::VpcRestrictDefaultSG"):
        group = props(custom).get("DefaultSecurityGroupId")
        if isinstance(group, Mapping) and group.get("Fn::GetAtt") == [subject.logical_id, "DefaultSecurityGroup"]:
            return []
    return ["no Custom::VpcRestrictDefaultSG resource in the template closes this VPC's default security group"]


DEFAULT_GROUP_RESTRICTED = Premise("a Custom::VpcRestrictDefaultSG resource in the template closes the VPC's "
                                   "default security group", _restricted_default_group)


def _default_group_provider(subject: Subject) -> list[str]:
    """The function serves only Custom::VpcRestrictDefaultSG resources; the role is that function's only role."""
    if subject.resource.get("Type") == "AWS::Lambda::Function":
        function = subject.logical_id
    else:
        function = next((i for i, f in subject.others("AWS::Lambda::Function")
                         if refers_to(props(f).get("Role"), subject.logical_id)), "")
    users = [i for i, c in subject.others("Custom::VpcRestrictDefaultSG")
             if refers_to(props(c).get("ServiceToken"), function)]
    if not function or not users:
        return ["the resource is not the provider of a Custom::VpcRestrictDefaultSG resource in the template"]
    problems: list[str] = []
    if subject.resource.get("Type") == "AWS::IAM::Role":
        for statement in identity_statements(subject.resource):
            actions = statement.values("Action")
            if statement.body is None or any(not re.fullmatch(r"ec2:(Authorize|Revoke)SecurityGroup(In|E)gress", str(a))
                                             for a in actions):
                problems.append(f"{statement.location} grants more than revoking the default security group's rules")
        managed = props(subject.resource).get("ManagedPolicyArns", [])
        if any("AWSLambdaBasicExecutionRole" not in nag_resource(arn) for arn in managed):
            problems.append("the role has managed policies other than AWSLambdaBasicExecutionRole")
    return problems


DEFAULT_GROUP_PROVIDER = Premise("the resource is CDK's provider of Custom::VpcRestrictDefaultSG and its role only "
                                 "revokes the default security group's rules", _default_group_provider)


def _logs_encryption_context(subject: Subject) -> list[str]:
    policy = subject.properties.get("KeyPolicy")
    statements = policy.get("Statement", []) if isinstance(policy, Mapping) else []
    for statement in statements if isinstance(statements, list) else []:
        principal = statement.get("Principal", {}) if isinstance(statement, Mapping) else {}
        service = nag_resource(principal.get("Service")) if isinstance(principal, Mapping) else ""
        condition = statement.get("Condition", {}).get("ArnLike", {}) if isinstance(statement, Mapping) else {}
        if not isinstance(condition, Mapping):
            continue
        arn = nag_resource(condition.get("kms:EncryptionContext:aws:logs:arn"))
        # the stack's account and region, as pseudo parameters or as the literal values of an explicit environment
        if service.startswith("logs.") and re.fullmatch(
                rf"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:\*", arn):
            return []
    return ["no key policy statement lets CloudWatch Logs use the key only for the log groups of one account and "
            "region (ArnLike kms:EncryptionContext:aws:logs:arn)"]


LOGS_ENCRYPTION_CONTEXT = Premise("the key policy limits CloudWatch Logs to the log groups of one account and region "
                                  "by the kms:EncryptionContext:aws:logs:arn ARN condition", _logs_encryption_context)


def _recoverable_expiring_table(subject: Subject) -> list[str]:
    properties = subject.properties
    recovery = properties.get("PointInTimeRecoverySpecification")
    ttl = properties.get("TimeToLiveSpecification")
    sse = properties.get("SSESpecification")
    problems = []
    if not (isinstance(recovery, Mapping) and is_true(recovery.get("PointInTimeRecoveryEnabled"))):
        problems.append("point-in-time recovery is not enabled")
    if not (isinstance(ttl, Mapping) and is_true(ttl.get("Enabled"))):
        problems.append("items do not expire (TimeToLiveSpecification.Enabled)")
    if not (isinstance(sse, Mapping) and is_true(sse.get("SSEEnabled")) and sse.get("SSEType") == "KMS"
            and sse.get("KMSMasterKeyId")):
        problems.append("the table is not encrypted with a customer managed KMS key")
    return problems


RECOVERABLE_EXPIRING_TABLE = Premise("the table has point-in-time recovery, items that expire by TTL and a customer "
                                     "managed KMS key", _recoverable_expiring_table)
