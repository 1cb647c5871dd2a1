"""What the emulator created for the types it used to skip, read back with boto3 after the session's deploy
(``conftest.py``): alarms with their metric, dimensions, threshold and actions; the endpoint's scalable target
under its resource id and its policy; bucket policies that deny non-TLS requests (and objects still readable
over TLS); topic policies; the queues' scheduling policies; egress rules; placement groups named by compute
environments; CodeBuild projects; the registry's scanning configuration."""

from __future__ import annotations

import json
from typing import Any

import pytest
from local_deploy_stacks import NETWORK_STACK
from local_deployment import Deployment

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

ENDPOINT_STACK = "prod-rec-model"
BATCH_STACK = "recs-batch"
TRAINING_STACK = "recs-training"
IMAGES_STACK = "platform-images"


def _resources(deployment: Deployment, stack: str, resource_type: str) -> dict[str, str]:
    """Logical id -> physical id of ``stack``'s resources of ``resource_type`` in the emulator."""
    listed = deployment.target.emulator.client("cloudformation").describe_stack_resources(StackName=stack)[
        "StackResources"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in listed if r["ResourceType"] == resource_type}


def _template(deployment: Deployment, stack: str) -> dict[str, Any]:
    return deployment.main_synth.templates[stack]


def test_endpoint_alarms_have_their_metric_dimensions_threshold_and_topic(local_deployment: Deployment) -> None:
    cloudwatch = local_deployment.target.emulator.client("cloudwatch")
    alarms = _resources(local_deployment, ENDPOINT_STACK, "AWS::CloudWatch::Alarm")
    template = _template(local_deployment, ENDPOINT_STACK)["Resources"]
    (topic,) = _resources(local_deployment, ENDPOINT_STACK, "AWS::SNS::Topic").values()
    assert len(alarms) == len([r for r in template.values() if r["Type"] == "AWS::CloudWatch::Alarm"]) >= 5
    described = cloudwatch.describe_alarms(AlarmNames=list(alarms.values()))["MetricAlarms"]
    assert len(described) == len(alarms)
    for alarm in described:
        assert alarm["AlarmActions"] == [topic]
        props = next(template[lid]["Properties"] for lid, name in alarms.items() if name == alarm["AlarmName"])
        assert alarm["Threshold"] == props["Threshold"]
        assert alarm["ComparisonOperator"] == props["ComparisonOperator"]
        if "Metrics" in props:  # metric math (the error rate, two queries) or a labelled metric (the monitor's)
            assert {m["Id"] for m in alarm["Metrics"]} == {m["Id"] for m in props["Metrics"]}
            assert any("Expression" in m for m in alarm["Metrics"]) == any("Expression" in m for m in props["Metrics"])
        else:
            assert (alarm["Namespace"], alarm["MetricName"]) == (props["Namespace"], props["MetricName"])
            assert {(d["Name"], d["Value"]) for d in alarm["Dimensions"]} == {
                (d["Name"], d["Value"]) for d in props["Dimensions"]}
            if props["Namespace"] == "AWS/Events":  # the monitor's violations alarm: its rule's matched events
                continue
            endpoint = next(r for r in template.values() if r["Type"] == "AWS::SageMaker::Endpoint")
            assert ("EndpointName", endpoint["Properties"]["EndpointName"]) in {  # <name>-<generation>
                (d["Name"], d["Value"]) for d in alarm["Dimensions"]}


def test_endpoint_rollback_alarms_name_existing_alarms(local_deployment: Deployment) -> None:
    """The endpoint's deployment config names its rollback alarms by Ref: they now resolve to real alarms."""
    config = _template(local_deployment, ENDPOINT_STACK)["Resources"]
    endpoint = next(r for r in config.values() if r["Type"] == "AWS::SageMaker::Endpoint")
    named = [a["AlarmName"]["Ref"] for a in endpoint["Properties"]["DeploymentConfig"]["AutoRollbackConfiguration"][
        "Alarms"]]
    alarms = _resources(local_deployment, ENDPOINT_STACK, "AWS::CloudWatch::Alarm")
    found = local_deployment.target.emulator.client("cloudwatch").describe_alarms(
        AlarmNames=[alarms[lid] for lid in named])["MetricAlarms"]
    assert len(found) == len(named) == 2


def test_scalable_target_registered_under_the_endpoint_resource_id(local_deployment: Deployment) -> None:
    emulator = local_deployment.target.emulator
    (endpoint_arn,) = _resources(local_deployment, ENDPOINT_STACK, "AWS::SageMaker::Endpoint").values()
    endpoint = emulator.client("sagemaker").describe_endpoint(EndpointName=endpoint_arn.rsplit("/", 1)[-1])
    variant = endpoint["ProductionVariants"][0]["VariantName"]
    resource_id = f"endpoint/{endpoint['EndpointName']}/variant/{variant}"
    scaling = emulator.client("application-autoscaling")
    (target,) = scaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[resource_id])[
        "ScalableTargets"]
    assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert 1 <= target["MinCapacity"] <= target["MaxCapacity"]
    (policy,) = scaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=resource_id)[
        "ScalingPolicies"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
        "PredefinedMetricType"] == "SageMakerVariantInvocationsPerInstance"


def test_every_bucket_policy_denies_non_tls_and_tls_requests_still_work(local_deployment: Deployment) -> None:
    s3 = local_deployment.target.emulator.client("s3")
    policies = {stack: _resources(local_deployment, stack, "AWS::S3::BucketPolicy")
                for stack in local_deployment.main_synth.templates}
    buckets = [bucket for found in policies.values() for bucket in found.values()]
    assert len(buckets) >= 10
    for bucket in buckets:
        statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   and set(s["Resource"]) == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
                   for s in statements), bucket
    bucket = buckets[0]  # the bucket-level evaluation treats clients as TLS clients, as AWS's endpoints are
    s3.put_object(Bucket=bucket, Key="probe.txt", Body=b"probe")
    assert s3.get_object(Bucket=bucket, Key="probe.txt")["Body"].read() == b"probe"


def test_topic_policies_are_attached(local_deployment: Deployment) -> None:
    sns = local_deployment.target.emulator.client("sns")
    (topic,) = _resources(local_deployment, ENDPOINT_STACK, "AWS::SNS::Topic").values()
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    statements = {(s["Effect"], s["Action"], s["Resource"], json.dumps(s["Principal"])) for s in policy["Statement"]}
    assert statements == {("Deny", "sns:Publish", topic, '"*"'),  # TLS only
                          ("Allow", "sns:Publish", topic, '{"Service": "cloudwatch.amazonaws.com"}')}  # alarms


def test_batch_queue_runs_under_its_fair_share_scheduling_policy(local_deployment: Deployment) -> None:
    """fair_share=True (the default queue is FIFO: Metaflow's @batch sends no share identifier)."""
    batch = local_deployment.target.emulator.client("batch")
    (policy_arn,) = _resources(local_deployment, "snap-batch-fair-share", "AWS::Batch::SchedulingPolicy").values()
    queues = batch.describe_job_queues(jobQueues=list(
        _resources(local_deployment, "snap-batch-fair-share", "AWS::Batch::JobQueue").values()))["jobQueues"]
    assert queues and all(q["schedulingPolicyArn"] == policy_arn for q in queues)
    (policy,) = batch.describe_scheduling_policies(arns=[policy_arn])["schedulingPolicies"]
    shares = {s["shareIdentifier"] for s in policy["fairsharePolicy"]["shareDistribution"]}
    assert "recs" in shares


def test_training_security_group_egress_is_the_declared_rules_only(local_deployment: Deployment) -> None:
    ec2 = local_deployment.target.emulator.client("ec2")
    rule_ids = _resources(local_deployment, TRAINING_STACK, "AWS::EC2::SecurityGroupEgress").values()
    groups = _resources(local_deployment, TRAINING_STACK, "AWS::EC2::SecurityGroup")
    (group,) = [g for g in ec2.describe_security_groups(GroupIds=list(groups.values()))["SecurityGroups"]
                if any(p.get("UserIdGroupPairs") for p in g.get("IpPermissionsEgress", []))]
    egress = group["IpPermissionsEgress"]
    to_groups = {(p["IpProtocol"], p.get("FromPort"), pair["GroupId"]) for p in egress
                 for pair in p.get("UserIdGroupPairs", [])}
    (scratch,) = [g for g in groups.values() if g != group["GroupId"]]
    # multi-node traffic within the group, NFS to the shared scratch file system's group (the egress resources)
    assert to_groups == {("-1", None, group["GroupId"]), ("tcp", 2049, scratch)}
    to_cidrs = {(p["IpProtocol"], p.get("FromPort"), r["CidrIp"]) for p in egress for r in p.get("IpRanges", [])}
    (vpc,) = ec2.describe_vpcs(VpcIds=[group["VpcId"]])["Vpcs"]
    # HTTPS to the VPC endpoints: the network's CIDR (the inline rule, from the network's SSM parameter), nothing
    # else; the default allow-all rule is gone (AWS removes it when the template declares egress rules)
    assert to_cidrs == {("tcp", 443, vpc["CidrBlock"])}
    to_lists = {(p["IpProtocol"], p.get("FromPort"), pl["PrefixListId"]) for p in egress
                for pl in p.get("PrefixListIds", [])}
    # HTTPS to S3 and to DynamoDB (the foreach table) through the gateways: us-east-1's AWS-managed lists
    assert to_lists == {("tcp", 443, "pl-63a5400a"), ("tcp", 443, "pl-02cd2c6b")}
    named = {pl["PrefixListId"]: (pl["PrefixListName"], pl["OwnerId"]) for pl in ec2.describe_managed_prefix_lists(
        PrefixListIds=["pl-63a5400a", "pl-02cd2c6b"])["PrefixLists"]}
    assert named == {"pl-63a5400a": ("com.amazonaws.us-east-1.s3", "AWS"),
                     "pl-02cd2c6b": ("com.amazonaws.us-east-1.dynamodb", "AWS")}
    assert len(rule_ids) == 4 and all(r.startswith("sgr-") for r in rule_ids)


def test_compute_environments_name_the_placement_group(local_deployment: Deployment) -> None:
    """The placement group itself is template-only (the emulator's EC2 has none); the compute environments
    that use it receive its name."""
    (group_name,) = _resources(local_deployment, TRAINING_STACK, "AWS::EC2::PlacementGroup").values()
    environments = local_deployment.target.emulator.client("batch").describe_compute_environments(
        computeEnvironments=list(_resources(local_deployment, TRAINING_STACK,
                                            "AWS::Batch::ComputeEnvironment").values()))["computeEnvironments"]
    assert group_name in {e["computeResources"].get("placementGroup") for e in environments}


def test_golden_image_builds_run_in_the_network_encrypted_and_privileged(local_deployment: Deployment) -> None:
    emulator = local_deployment.target.emulator
    projects = emulator.client("codebuild").batch_get_projects(
        names=list(_resources(local_deployment, IMAGES_STACK, "AWS::CodeBuild::Project").values()))["projects"]
    vpc_id = emulator.client("ssm").get_parameter(Name="/platform/network/vpc-id")["Parameter"]["Value"]
    (key,) = _resources(local_deployment, IMAGES_STACK, "AWS::KMS::Key").values()
    key_arn = emulator.client("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"]
    assert len(projects) == 9  # each of the four lineages' base and runtime, one project image
    for project in projects:
        assert project["vpcConfig"]["vpcId"] == vpc_id and project["vpcConfig"]["securityGroupIds"]
        assert project["encryptionKey"] == key_arn
        assert project["environment"]["privilegedMode"] is True
        assert project["environment"]["type"] == "LINUX_CONTAINER"  # CPU hosts: no toolkit from the internet
        assert project["source"]["type"] == "NO_SOURCE" and project["source"]["buildspec"]


def test_registry_scans_platform_repositories_continuously(local_deployment: Deployment) -> None:
    config = local_deployment.target.emulator.client("ecr").get_registry_scanning_configuration()[
        "scanningConfiguration"]
    assert config["scanType"] == "ENHANCED"
    assert {(r["scanFrequency"], f["filter"]) for r in config["rules"] for f in r["repositoryFilters"]} >= {
        ("CONTINUOUS_SCAN", "platform/*")}


def test_network_stack_lists_every_resource_with_a_logical_id(local_deployment: Deployment) -> None:
    listed = local_deployment.target.emulator.client("cloudformation").describe_stack_resources(
        StackName=NETWORK_STACK)["StackResources"]
    assert all(r.get("LogicalResourceId") for r in listed)
