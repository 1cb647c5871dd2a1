"""Verify a local deploy with boto3: one check function per CloudFormation resource type.

Every resource in a deployed stack gets at least the check that the emulator reports it
``CREATE_COMPLETE``/``UPDATE_COMPLETE``. Types the emulator really creates are then read back with boto3 and
compared with the template (endpoint ``InService``, endpoint config KMS key and data capture, model VPC config
and network isolation, Batch compute environment / job queue ``VALID``+``ENABLED``, ECR repositories, KMS
rotation, SSM parameter values, log groups...). Types the emulator silently skips (alarms, autoscaling, bucket
policies, CodeBuild, Image Builder) are asserted on the template instead, and their checks say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.local.emulator import LIMITS, Emulator, EmulatorLimits

EMULATED = "emulator"
TEMPLATE_ONLY = "template (emulator skips this type)"
TEMPLATE = "template (emulator drops this property)"


@dataclass(frozen=True)
class Check:
    stack: str
    logical_id: str
    resource_type: str
    name: str
    passed: bool
    detail: str
    source: str = EMULATED
    """Where the fact was read: the emulator (boto3) or, for types it skips, the template."""

    def __str__(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        return (f"{mark} {self.stack}/{self.logical_id} [{self.resource_type}] {self.name}: {self.detail} "
                f"({self.source})")


@dataclass(frozen=True)
class Deployed:
    """One resource as deployed: its template entry and its physical id."""

    stack: str
    logical_id: str
    resource_type: str
    physical_id: str
    status: str
    properties: Mapping[str, Any]


Checker = Callable[[Emulator, Deployed], list[Check]]


def _check(res: Deployed, name: str, passed: bool, detail: str, source: str = EMULATED) -> Check:
    return Check(res.stack, res.logical_id, res.resource_type, name, bool(passed), detail, source)


def _literal(value: Any) -> bool:
    return isinstance(value, (str, int, bool, float))


# --- per-type checks -----------------------------------------------------------------------------------------


def check_kms_key(em: Emulator, res: Deployed) -> list[Check]:
    kms = em.client("kms")
    meta = kms.describe_key(KeyId=res.physical_id)["KeyMetadata"]
    checks = [_check(res, "enabled", meta["Enabled"], f"KeyState={meta['KeyState']}")]
    if res.properties.get("EnableKeyRotation") is True:
        rotation = kms.get_key_rotation_status(KeyId=res.physical_id)["KeyRotationEnabled"]
        checks.append(_check(res, "rotation", rotation, f"KeyRotationEnabled={rotation}"))
    return checks


def check_log_group(em: Emulator, res: Deployed) -> list[Check]:
    groups = em.client("logs").describe_log_groups(logGroupNamePrefix=res.physical_id)["logGroups"]
    group = next((g for g in groups if g["logGroupName"] == res.physical_id), None)
    if group is None:
        return [_check(res, "exists", False, f"log group {res.physical_id} not found")]
    checks = [_check(res, "exists", True, res.physical_id)]
    want = res.properties.get("RetentionInDays")
    if want is not None:
        checks.append(_check(res, "retention", group.get("retentionInDays") == want,
                             f"retentionInDays={group.get('retentionInDays')} (template {want})"))
    if "KmsKeyId" in res.properties:
        # The emulator's CloudFormation handler drops KmsKeyId (it reads ``kmsKeyId``): read the template.
        checks.append(_check(res, "kms", True, f"KmsKeyId={res.properties['KmsKeyId']}",
                             "template (the emulator drops KmsKeyId from CloudFormation)"))
    return checks


def check_ssm_parameter(em: Emulator, res: Deployed) -> list[Check]:
    param = em.client("ssm").get_parameter(Name=res.physical_id)["Parameter"]
    value = param["Value"]
    resolved = bool(value) and "${" not in value and "Token[" not in value
    checks = [_check(res, "value resolved", resolved, f"{param['Name']}={value[:80]}")]
    want_type = res.properties.get("Type")
    if want_type:
        checks.append(_check(res, "type", param["Type"] == want_type, f"Type={param['Type']}"))
    return checks


def check_vpc(em: Emulator, res: Deployed) -> list[Check]:
    vpc = em.client("ec2").describe_vpcs(VpcIds=[res.physical_id])["Vpcs"][0]
    want = res.properties.get("CidrBlock")
    return [_check(res, "cidr", not _literal(want) or vpc["CidrBlock"] == want, f"CidrBlock={vpc['CidrBlock']}")]


def check_subnet(em: Emulator, res: Deployed) -> list[Check]:
    subnet = em.client("ec2").describe_subnets(SubnetIds=[res.physical_id])["Subnets"][0]
    public = subnet.get("MapPublicIpOnLaunch", False)
    return [_check(res, "exists", True, f"{subnet['SubnetId']} in {subnet['VpcId']}"),
            _check(res, "no public IPs", not public or res.properties.get("MapPublicIpOnLaunch") is True,
                   f"MapPublicIpOnLaunch={public}")]


def check_security_group(em: Emulator, res: Deployed) -> list[Check]:
    ec2 = em.client("ec2")
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [res.physical_id]}])[
        "SecurityGroups"]
    if not groups:
        groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [res.physical_id]}])[
            "SecurityGroups"]
    if not groups:
        return [_check(res, "exists", False, f"security group {res.physical_id} not found")]
    group = groups[0]
    open_world = [p for p in group.get("IpPermissions", []) if any(
        r.get("CidrIp") == "0.0.0.0/0" for r in p.get("IpRanges", []))]
    return [_check(res, "exists", True, f"{group['GroupId']} in {group.get('VpcId')}"),
            _check(res, "no ingress from 0.0.0.0/0", not open_world, f"{len(group.get('IpPermissions', []))} rules")]


def check_vpc_endpoint(em: Emulator, res: Deployed) -> list[Check]:
    endpoint = em.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[res.physical_id])["VpcEndpoints"][0]
    checks = [_check(res, "exists", True, endpoint["ServiceName"])]
    if res.properties.get("PrivateDnsEnabled") is True:
        checks.append(_check(res, "private DNS", endpoint.get("PrivateDnsEnabled") is True,
                             f"PrivateDnsEnabled={endpoint.get('PrivateDnsEnabled')}"))
    return checks


def check_flow_log(em: Emulator, res: Deployed) -> list[Check]:
    logs = em.client("ec2").describe_flow_logs(FlowLogIds=[res.physical_id])["FlowLogs"]
    return [_check(res, "exists", bool(logs), f"traffic={logs[0].get('TrafficType') if logs else None}")]


def check_role(em: Emulator, res: Deployed) -> list[Check]:
    role = em.client("iam").get_role(RoleName=res.physical_id)["Role"]
    return [_check(res, "exists", True, role["Arn"])]


def check_bucket(em: Emulator, res: Deployed) -> list[Check]:
    s3 = em.client("s3")
    checks = [_check(res, "exists", True, res.physical_id)]
    if "BucketEncryption" in res.properties:
        rules = s3.get_bucket_encryption(Bucket=res.physical_id)["ServerSideEncryptionConfiguration"]["Rules"]
        algo = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        checks.append(_check(res, "encryption", bool(algo), f"SSEAlgorithm={algo}"))
    if res.properties.get("VersioningConfiguration", {}).get("Status") == "Enabled":
        status = s3.get_bucket_versioning(Bucket=res.physical_id).get("Status")
        if status is None:  # the emulator's CloudFormation drops VersioningConfiguration: read the template
            checks.append(_check(res, "versioning", True, "VersioningConfiguration.Status=Enabled", source=TEMPLATE))
        else:
            checks.append(_check(res, "versioning", status == "Enabled", f"Status={status}"))
    wanted_block = res.properties.get("PublicAccessBlockConfiguration")
    if wanted_block is not None:
        # The emulator's CloudFormation drops PublicAccessBlockConfiguration; the template states it instead.
        flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        checks.append(_check(res, "public access blocked", all(wanted_block.get(f) is True for f in flags),
                             str(wanted_block), source=TEMPLATE))
    return checks


def _sagemaker_name(physical_id: str) -> str:
    return physical_id.rsplit("/", maxsplit=1)[-1]


def check_sagemaker_model(em: Emulator, res: Deployed) -> list[Check]:
    model = em.client("sagemaker").describe_model(ModelName=_sagemaker_name(res.physical_id))
    checks = [_check(res, "exists", True, model["ModelArn"])]
    # The emulator always stores EnableNetworkIsolation=False, whatever it is given: read the template.
    isolation = res.properties.get("EnableNetworkIsolation")
    checks.append(_check(res, "network isolation", isolation is True, f"EnableNetworkIsolation={isolation}",
                         "template (the emulator does not store this property)"))
    if "VpcConfig" in res.properties:
        vpc = model.get("VpcConfig", {})
        ok = bool(vpc.get("Subnets")) and bool(vpc.get("SecurityGroupIds"))
        checks.append(_check(res, "VPC config", ok, f"subnets={vpc.get('Subnets')} sgs={vpc.get('SecurityGroupIds')}"))
    return checks


def check_sagemaker_endpoint_config(em: Emulator, res: Deployed) -> list[Check]:
    config = em.client("sagemaker").describe_endpoint_config(EndpointConfigName=_sagemaker_name(res.physical_id))
    checks = [_check(res, "exists", True, config["EndpointConfigArn"])]
    if "KmsKeyId" in res.properties:
        checks.append(_check(res, "KMS key", bool(config.get("KmsKeyId")), f"KmsKeyId={config.get('KmsKeyId')}"))
    capture = res.properties.get("DataCaptureConfig")
    if isinstance(capture, Mapping) and capture.get("EnableCapture") is True:
        got = config.get("DataCaptureConfig", {})
        checks.append(_check(res, "data capture", got.get("EnableCapture") is True,
                             f"EnableCapture={got.get('EnableCapture')} to {got.get('DestinationS3Uri')}"))
    return checks


def check_sagemaker_endpoint(em: Emulator, res: Deployed) -> list[Check]:
    endpoint = em.client("sagemaker").describe_endpoint(EndpointName=_sagemaker_name(res.physical_id))
    return [_check(res, "InService", endpoint["EndpointStatus"] == "InService",
                   f"EndpointStatus={endpoint['EndpointStatus']}")]


def check_batch_compute_environment(em: Emulator, res: Deployed) -> list[Check]:
    envs = em.client("batch").describe_compute_environments(computeEnvironments=[res.physical_id])[
        "computeEnvironments"]
    if not envs:
        return [_check(res, "exists", False, f"{res.physical_id} not found")]
    env = envs[0]
    return [_check(res, "VALID and ENABLED", env["status"] == "VALID" and env["state"] == "ENABLED",
                   f"status={env['status']} state={env['state']}")]


def check_batch_job_queue(em: Emulator, res: Deployed) -> list[Check]:
    queues = em.client("batch").describe_job_queues(jobQueues=[res.physical_id])["jobQueues"]
    if not queues:
        return [_check(res, "exists", False, f"{res.physical_id} not found")]
    queue = queues[0]
    return [_check(res, "VALID and ENABLED", queue["status"] == "VALID" and queue["state"] == "ENABLED",
                   f"status={queue['status']} state={queue['state']}")]


def check_batch_job_definition(em: Emulator, res: Deployed) -> list[Check]:
    defs = em.client("batch").describe_job_definitions(jobDefinitions=[res.physical_id])["jobDefinitions"]
    status = defs[0]["status"] if defs else None
    return [_check(res, "ACTIVE", status == "ACTIVE", f"status={status}")]


def check_ecr_repository(em: Emulator, res: Deployed) -> list[Check]:
    repo = em.client("ecr").describe_repositories(repositoryNames=[res.physical_id])["repositories"][0]
    checks = [_check(res, "exists", True, repo["repositoryUri"])]
    want_scan = res.properties.get("ImageScanningConfiguration", {}).get("ScanOnPush")
    if want_scan is not None:
        got = repo.get("imageScanningConfiguration", {}).get("scanOnPush")
        if got is None:  # the emulator's CloudFormation drops ImageScanningConfiguration: read the template
            checks.append(_check(res, "scan on push", want_scan is True, f"ScanOnPush={want_scan}", source=TEMPLATE))
        else:
            checks.append(_check(res, "scan on push", got == want_scan, f"scanOnPush={got}"))
    want_mutability = res.properties.get("ImageTagMutability")
    if want_mutability is not None:
        got = repo.get("imageTagMutability")
        checks.append(_check(res, "tag mutability", got == want_mutability, f"imageTagMutability={got}"))
    return checks


def check_sns_topic(em: Emulator, res: Deployed) -> list[Check]:
    attrs = em.client("sns").get_topic_attributes(TopicArn=res.physical_id)["Attributes"]
    checks = [_check(res, "exists", True, attrs["TopicArn"])]
    if "KmsMasterKeyId" in res.properties:
        key = attrs.get("KmsMasterKeyId")
        checks.append(_check(res, "KMS", bool(key), f"KmsMasterKeyId={key}"))
    return checks


def check_dashboard(em: Emulator, res: Deployed) -> list[Check]:
    board = em.client("cloudwatch").get_dashboard(DashboardName=res.physical_id)
    return [_check(res, "exists", bool(board.get("DashboardBody")), board["DashboardName"])]


CHECKS: dict[str, Checker] = {
    "AWS::KMS::Key": check_kms_key,
    "AWS::Logs::LogGroup": check_log_group,
    "AWS::SSM::Parameter": check_ssm_parameter,
    "AWS::EC2::VPC": check_vpc,
    "AWS::EC2::Subnet": check_subnet,
    "AWS::EC2::SecurityGroup": check_security_group,
    "AWS::EC2::VPCEndpoint": check_vpc_endpoint,
    "AWS::EC2::FlowLog": check_flow_log,
    "AWS::IAM::Role": check_role,
    "AWS::S3::Bucket": check_bucket,
    "AWS::SageMaker::Model": check_sagemaker_model,
    "AWS::SageMaker::EndpointConfig": check_sagemaker_endpoint_config,
    "AWS::SageMaker::Endpoint": check_sagemaker_endpoint,
    "AWS::Batch::ComputeEnvironment": check_batch_compute_environment,
    "AWS::Batch::JobQueue": check_batch_job_queue,
    "AWS::Batch::JobDefinition": check_batch_job_definition,
    "AWS::ECR::Repository": check_ecr_repository,
    "AWS::SNS::Topic": check_sns_topic,
    "AWS::CloudWatch::Dashboard": check_dashboard,
}
"""Resource type -> boto3 check against the emulator."""


# --- what the emulator skips: asserted on the template ------------------------------------------------------


def template_bucket_policy(stack: str, lid: str, res: Mapping[str, Any]) -> list[Check]:
    statements = res.get("Properties", {}).get("PolicyDocument", {}).get("Statement", [])
    denies_insecure = any(s.get("Effect") == "Deny" and "aws:SecureTransport" in str(s.get("Condition"))
                          for s in statements)
    return [Check(stack, lid, res["Type"], "denies insecure transport", denies_insecure,
                  f"{len(statements)} statements", TEMPLATE_ONLY)]


def template_alarm(stack: str, lid: str, res: Mapping[str, Any]) -> list[Check]:
    props = res.get("Properties", {})
    has_metric = "MetricName" in props or "Metrics" in props
    return [Check(stack, lid, res["Type"], "has metric and threshold",
                  has_metric and ("Threshold" in props or "ThresholdMetricId" in props),
                  f"actions={len(props.get('AlarmActions', []))}", TEMPLATE_ONLY)]


def template_scalable_target(stack: str, lid: str, res: Mapping[str, Any]) -> list[Check]:
    props = res.get("Properties", {})
    lo, hi = props.get("MinCapacity"), props.get("MaxCapacity")
    ok = isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi
    return [Check(stack, lid, res["Type"], "capacity bounds", ok, f"min={lo} max={hi}", TEMPLATE_ONLY)]


def template_present(stack: str, lid: str, res: Mapping[str, Any]) -> list[Check]:
    props = res.get("Properties", {})
    return [Check(stack, lid, res["Type"], "declared", bool(props), f"{len(props)} properties", TEMPLATE_ONLY)]


TEMPLATE_CHECKS: dict[str, Callable[[str, str, Mapping[str, Any]], list[Check]]] = {
    "AWS::S3::BucketPolicy": template_bucket_policy,
    "AWS::CloudWatch::Alarm": template_alarm,
    "AWS::ApplicationAutoScaling::ScalableTarget": template_scalable_target,
    "AWS::ApplicationAutoScaling::ScalingPolicy": template_present,
}
"""Types the emulator reports CREATE_COMPLETE without creating anything: checked on the template."""

def template_checker(resource_type: str, limits: EmulatorLimits = LIMITS,
                     ) -> Callable[[str, str, Mapping[str, Any]], list[Check]] | None:
    """The template check for a type the emulator does not create (e.g. CodeBuild, Image Builder, FSx,
    Batch scheduling policies); ``None`` when the emulator creates it."""
    if resource_type in TEMPLATE_CHECKS:
        return TEMPLATE_CHECKS[resource_type]
    if not limits.creates_resource_type(resource_type):
        return template_present
    return None


# --- a stack -------------------------------------------------------------------------------------------------


def verify_stack(em: Emulator, stack: str, template: Mapping[str, Any], limits: EmulatorLimits = LIMITS,
                 ) -> list[Check]:
    """Every check for ``stack`` (deployed from the adapted ``template``)."""
    cfn = em.client("cloudformation")
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    checks = [Check(stack, stack, "AWS::CloudFormation::Stack", "deployed",
                    described["StackStatus"] in {"CREATE_COMPLETE", "UPDATE_COMPLETE"},
                    described["StackStatus"])]
    want_outputs = set(template.get("Outputs", {}))
    got_outputs = {o["OutputKey"] for o in described.get("Outputs", [])}
    if want_outputs:
        checks.append(Check(stack, stack, "AWS::CloudFormation::Stack", "outputs", want_outputs <= got_outputs,
                            f"{len(got_outputs)}/{len(want_outputs)} outputs"))
    # the emulator lists types it does not support (e.g. AWS::CDK::Metadata) without a logical id
    physical = {r["LogicalResourceId"]: r for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]
                if "LogicalResourceId" in r}
    for lid, body in template.get("Resources", {}).items():
        rtype = body["Type"]
        if rtype == "AWS::CDK::Metadata":
            continue
        by_template = template_checker(rtype, limits)
        if by_template is not None:
            checks += by_template(stack, lid, body)
            continue
        entry = physical.get(lid)
        status = entry["ResourceStatus"] if entry else "MISSING"
        checks.append(Check(stack, lid, rtype, "status", status in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}, status))
        checker = CHECKS.get(rtype)
        if entry is None or checker is None:
            continue
        res = Deployed(stack, lid, rtype, entry.get("PhysicalResourceId", ""), status, body.get("Properties", {}))
        try:
            checks += checker(em, res)
        except Exception as exc:  # a boto3 error is a failed check, reported with its message
            checks.append(Check(stack, lid, rtype, checker.__name__, False, f"{type(exc).__name__}: {exc}"))
    return checks
