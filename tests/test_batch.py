"""BatchComputeEnv: compliant alone, spot + on-demand fallback, fair share, secure instances, Metaflow outputs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import BatchComputeEnv, PlatformValidationError
from platform_constructs.compliance.engine import check_template
from platform_constructs.compliance.rules import ALL_RULES
from platform_constructs.compute._shared import SPOT_RECLAIM_STATUS_REASON
from platform_constructs.policy import load_policy
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

POLICY = load_policy()
DEV = POLICY.environment("dev")
STACKS = ("Batch", "Fargate", "GpuBatch")


@pytest.fixture(scope="module")
def dev() -> SynthResult:
    """One dev app, synthesized once with every check: the ten-line default, Fargate, and GPU variants."""
    app = new_app({"env": "dev"})
    BatchComputeEnv(Stack(app, "Batch"), "Batch", cost_center="recs")
    BatchComputeEnv(Stack(app, "Fargate"), "Batch", cost_center="recs", fargate=True)
    BatchComputeEnv(Stack(app, "GpuBatch"), "Batch", cost_center="recs", gpu=True)
    return synthesize(app)  # raises ComplianceError on any unacknowledged finding


def _one(result: SynthResult, stack: str, rtype: str) -> Mapping[str, Any]:
    (resource,) = result.resources(stack, rtype).values()
    return resource["Properties"]  # type: ignore[no-any-return]


def _by_suffix(result: SynthResult, stack: str, rtype: str) -> dict[str, Mapping[str, Any]]:
    return {k: v["Properties"] for k, v in result.resources(stack, rtype).items()}


@pytest.mark.parametrize("stack", STACKS)
def test_compliant_and_cfn_lint_clean(dev: SynthResult, stack: str) -> None:
    assert cfn_lint(dev.template_path(stack)) == []
    unacknowledged = [f for f in check_template(dev.template(stack), POLICY, DEV) if not f.acknowledged]
    assert unacknowledged == []


def test_spot_first_with_on_demand_fallback_behind_one_queue(dev: SynthResult) -> None:
    envs = dev.resources("Batch", "AWS::Batch::ComputeEnvironment")
    queue = _one(dev, "Batch", "AWS::Batch::JobQueue")
    order = sorted(queue["ComputeEnvironmentOrder"], key=lambda o: o["Order"])
    resources = [envs[o["ComputeEnvironment"]["Ref"]]["Properties"]["ComputeResources"] for o in order]
    assert [(r["Type"], r["AllocationStrategy"]) for r in resources] == [
        ("SPOT", "SPOT_PRICE_CAPACITY_OPTIMIZED"), ("EC2", "BEST_FIT_PROGRESSIVE")]
    assert sum(r["MaxvCpus"] for r in resources) <= DEV.max_vcpus
    for r in resources:
        assert r["MinvCpus"] == 0
        assert set(r["InstanceTypes"]) <= set(DEV.ec2_instance_types)
        assert r["Subnets"] == {"Ref": next(k for k in dev.template("Batch")["Parameters"] if "isolatedsubnetids" in k)}
        assert r["Ec2Configuration"] == [{"ImageType": "ECS_AL2023"}]


def test_fair_share_per_team_and_runnable_jobs_cancelled(dev: SynthResult) -> None:
    queue = _one(dev, "Batch", "AWS::Batch::JobQueue")
    (policy_id,) = dev.resources("Batch", "AWS::Batch::SchedulingPolicy")
    assert queue["SchedulingPolicyArn"] == {"Ref": policy_id}
    fair = _one(dev, "Batch", "AWS::Batch::SchedulingPolicy")["FairsharePolicy"]
    shares = {s["ShareIdentifier"]: s["WeightFactor"] for s in fair["ShareDistribution"]}
    assert shares == {**POLICY.batch.team_shares, "recs": 1.0}
    assert fair["ShareDecaySeconds"] == POLICY.batch.share_decay_seconds
    actions = queue["JobStateTimeLimitActions"]
    assert {a["Reason"] for a in actions} == {"CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
                                              "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
                                              "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"}
    for action in actions:
        assert (action["Action"], action["State"]) == ("CANCEL", "RUNNABLE")
        assert action["MaxTimeSeconds"] == POLICY.batch.runnable_cancel_minutes * 60


def test_launch_template_imdsv2_encrypted_ebs_no_public_ip(dev: SynthResult) -> None:
    (lt_id,) = dev.resources("Batch", "AWS::EC2::LaunchTemplate")
    data = _one(dev, "Batch", "AWS::EC2::LaunchTemplate")["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    (key_id,) = dev.resources("Batch", "AWS::KMS::Key")
    for mapping in data["BlockDeviceMappings"]:
        assert mapping["Ebs"]["Encrypted"] is True
        assert mapping["Ebs"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert all(ni.get("AssociatePublicIpAddress") is False for ni in data.get("NetworkInterfaces", []))
    for env in _by_suffix(dev, "Batch", "AWS::Batch::ComputeEnvironment").values():
        assert env["ComputeResources"]["LaunchTemplate"]["LaunchTemplateId"] == {"Ref": lt_id}


def test_key_lets_ec2_encrypt_volumes_for_this_account_only(dev: SynthResult) -> None:
    statements = _one(dev, "Batch", "AWS::KMS::Key")["KeyPolicy"]["Statement"]
    ebs = [s for s in statements if s.get("Sid", "").startswith("AllowEbs")]
    assert len(ebs) == 2
    for statement in ebs:
        assert statement["Condition"]["StringEquals"]["kms:CallerAccount"] == {"Ref": "AWS::AccountId"}
        assert "kms:ViaService" in statement["Condition"]["StringEquals"]


def _policy_statements(result: SynthResult, stack: str, role_prefix: str) -> list[Mapping[str, Any]]:
    roles = {k for k in result.resources(stack, "AWS::IAM::Role") if role_prefix in k}
    statements: list[Mapping[str, Any]] = []
    for policy in result.resources(stack, "AWS::IAM::ManagedPolicy").values():
        if any(r.get("Ref") in roles for r in policy["Properties"].get("Roles", [])):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_instance_role_is_ours_not_the_aws_managed_wildcard(dev: SynthResult) -> None:
    assert not dev.resources("Batch", "AWS::IAM::Policy")  # no inline policies
    for role in dev.resources("Batch", "AWS::IAM::Role").values():
        assert "aws:policy" not in json.dumps(role["Properties"].get("ManagedPolicyArns", []))
    statements = _policy_statements(dev, "Batch", "InstanceRole")
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"ecs:RegisterContainerInstance", "ecs:Poll", "ecr:BatchGetImage", "logs:PutLogEvents"} <= actions
    assert not any("*" in a for a in actions)
    unscoped = [s for s in statements if s["Resource"] == "*"]
    assert [sorted(s["Action"]) for s in unscoped] == [["ecr:GetAuthorizationToken", "ecs:DiscoverPollEndpoint"]]


def test_job_role_reads_and_writes_only_the_team_prefix(dev: SynthResult) -> None:
    statements = _policy_statements(dev, "Batch", "JobRole")
    by_sid = {s["Sid"]: s for s in statements}
    assert set(by_sid) == {"ListTeamPrefix", "ReadWriteTeamPrefix", "DatastoreKeyThroughS3"}
    assert by_sid["ListTeamPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["recs/*"]}}
    resource = json.dumps(by_sid["ReadWriteTeamPrefix"]["Resource"])
    assert resource.endswith('"/recs/*"]]}')
    assert by_sid["DatastoreKeyThroughS3"]["Condition"]["StringEquals"]["kms:ViaService"]


def test_job_definition_timeout_and_retries_on_spot_reclamation_only(dev: SynthResult) -> None:
    for stack in STACKS:
        job = _one(dev, stack, "AWS::Batch::JobDefinition")
        assert 60 <= job["Timeout"]["AttemptDurationSeconds"] <= DEV.max_job_hours * 3600
        assert job["RetryStrategy"] == {"Attempts": POLICY.batch.spot_retry_attempts, "EvaluateOnExit": [
            {"Action": "RETRY", "OnStatusReason": SPOT_RECLAIM_STATUS_REASON}, {"Action": "EXIT", "OnReason": "*"}]}
        assert job["ContainerProperties"]["Privileged"] is False
        assert job["ContainerProperties"]["LogConfiguration"]["LogDriver"] == "awslogs"


def test_log_group_encrypted_with_policy_retention(dev: SynthResult) -> None:
    group = _one(dev, "Batch", "AWS::Logs::LogGroup")
    assert group["RetentionInDays"] == DEV.log_retention_days
    assert "KmsKeyId" in group


def test_fargate_option_runs_cpu_jobs_without_public_ips(dev: SynthResult) -> None:
    envs = _by_suffix(dev, "Fargate", "AWS::Batch::ComputeEnvironment")
    assert sorted(e["ComputeResources"]["Type"] for e in envs.values()) == ["FARGATE", "FARGATE_SPOT"]
    job = _one(dev, "Fargate", "AWS::Batch::JobDefinition")
    assert job["PlatformCapabilities"] == ["FARGATE"]
    assert job["ContainerProperties"]["NetworkConfiguration"] == {"AssignPublicIp": "DISABLED"}
    assert "ExecutionRoleArn" in job["ContainerProperties"]
    assert not dev.resources("Fargate", "AWS::EC2::LaunchTemplate")


def test_gpu_option_uses_gpu_ami_and_stays_within_gpu_cap(dev: SynthResult) -> None:
    from platform_constructs import catalog
    from platform_constructs.catalog import worst_case_gpus

    total = 0
    for env in _by_suffix(dev, "GpuBatch", "AWS::Batch::ComputeEnvironment").values():
        resources = env["ComputeResources"]
        assert resources["Ec2Configuration"] == [{"ImageType": "ECS_AL2023_NVIDIA"}]
        specs = [s for t in resources["InstanceTypes"] if (s := catalog.ec2(t)) is not None]
        assert all(s.gpu for s in specs)
        total += worst_case_gpus(specs, resources["MaxvCpus"], overshoot=resources["AllocationStrategy"] != "BEST_FIT")
    assert total <= DEV.max_gpus
    job = _one(dev, "GpuBatch", "AWS::Batch::JobDefinition")
    assert {"Type": "GPU", "Value": "1"} in job["ContainerProperties"]["ResourceRequirements"]


def test_metaflow_outputs_use_ref_for_batch_resources(dev: SynthResult) -> None:
    outputs = dev.template("Batch")["Outputs"]
    (queue_id,) = dev.resources("Batch", "AWS::Batch::JobQueue")
    queue_output = next(v for k, v in outputs.items() if "JobQueueArn" in k)
    assert queue_output["Value"] == {"Ref": queue_id}
    config = json.dumps(next(v for k, v in outputs.items() if "MetaflowConfig" in k)["Value"])
    for key in ("METAFLOW_BATCH_JOB_QUEUE", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "METAFLOW_DATASTORE_SYSROOT_S3",
                "METAFLOW_DEFAULT_DATASTORE"):
        assert key in config
    batch_types = {k for k, v in dev.template("Batch")["Resources"].items() if v["Type"].startswith("AWS::Batch::")}
    assert not any(isinstance(v["Value"], dict) and v["Value"].get("Fn::GetAtt", [None])[0] in batch_types
                   for v in outputs.values())


def test_alarms_notify_an_encrypted_topic_and_dashboard_exists(dev: SynthResult) -> None:
    topic = _one(dev, "Batch", "AWS::SNS::Topic")
    assert "KmsMasterKeyId" in topic
    (topic_id,) = dev.resources("Batch", "AWS::SNS::Topic")
    alarms = _by_suffix(dev, "Batch", "AWS::CloudWatch::Alarm")
    assert {k.split("Batch", 1)[1].split("Alarm")[0] for k in alarms} == {"QueueDepth", "FailedJobs", "StuckRunnable"}
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
    assert dev.resources("Batch", "AWS::CloudWatch::Dashboard")


def test_metaflow_config_method() -> None:
    app = new_app({"env": "dev"})
    env = BatchComputeEnv(Stack(app, "S"), "Batch", cost_center="recs")
    config = env.metaflow_config()
    assert set(config) >= {"METAFLOW_BATCH_JOB_QUEUE", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE",
                           "METAFLOW_DATASTORE_SYSROOT_S3", "METAFLOW_DEFAULT_DATASTORE"}
    assert config["METAFLOW_DEFAULT_DATASTORE"] == "s3"
    assert config["METAFLOW_DATASTORE_SYSROOT_S3"].endswith("/recs/metaflow")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"max_vcpus": 65}, r"argument 'max_vcpus' = 65 .*the dev cap 64.*Fix: pass max_vcpus<=64"),
    ({"max_vcpus": 0}, r"argument 'max_vcpus' = 0"),
    ({"instance_types": ["m5.huge"]}, r"argument 'instance_types' = 'm5.huge' .*platform catalog"),
    ({"instance_types": ["r5.large"]}, r"argument 'instance_types' = 'r5.large' .*ec2_instance_types"),
    ({"instance_types": ["g5.xlarge"]}, r"'g5.xlarge' .*non-GPU instance types.*pass gpu=True"),
    ({"gpu": True, "instance_types": ["m5.large"]}, r"'m5.large' .*GPU-bearing instance types only"),
    ({"fargate": True, "gpu": True}, r"argument 'fargate' = True .*Fargate has no GPUs"),
    ({"max_job_hours": 13}, r"argument 'max_job_hours' = 13 .*cap 12"),
    ({"max_job_hours": -1}, r"argument 'max_job_hours' = -1"),
    ({"data_prefix": "/abs"}, r"argument 'data_prefix' = '/abs'"),
    ({"team_shares": {"recs": 0}}, r"argument 'team_shares'"),
    ({"image": "docker.io/library/python:3.11"}, r"argument 'image' = 'docker.io/library/python:3.11'"),
    ({"max_vcpus": 4, "instance_types": ["m5.2xlarge"]}, r"argument 'max_vcpus' = 4 .*at least 16"),
    ({"max_vcpus": 1, "fargate": True, "spot": True}, r"argument 'max_vcpus' = 1 .*at least 2 for one 1-vCPU job"),
])
def test_invalid_arguments_are_clean_errors(kwargs: dict[str, Any], message: str) -> None:
    app = new_app({"env": "dev"})
    with pytest.raises(PlatformValidationError, match=message):
        BatchComputeEnv(Stack(app, "S"), "Batch", cost_center="recs", **kwargs)


def test_all_problems_reported_together() -> None:
    app = new_app({"env": "dev"})
    with pytest.raises(PlatformValidationError) as info:
        BatchComputeEnv(Stack(app, "S"), "Batch", cost_center="Bad Center", max_vcpus=1000,
                        instance_types=["nope.large"], max_job_hours=99)
    assert [p.argument for p in info.value.problems] == ["cost_center", "max_job_hours", "instance_types", "max_vcpus"]
    assert "S/Batch: argument 'max_vcpus' = 1000" in str(info.value)


# --- the platform rule pack sees Batch launch templates (cdk-nag does not) ------------------------------------
def _raw_launch_template(data: Mapping[str, Any]) -> dict[str, Any]:
    tags = [{"Key": t.name, "Value": v} for t, v in zip(POLICY.tags, (
        "recs", "dev", "confidential", "platform-constructs", "ml-platform", "a@example.com"), strict=True)]
    return {"Resources": {"Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
        "LaunchTemplateData": dict(data),
        "TagSpecifications": [{"ResourceType": "launch-template", "Tags": tags}]}}}}


SECURE_DATA = {
    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "KmsKeyId": "arn:aws:kms:k"}}],
}


def test_required_tags_rule_reads_launch_template_tag_specifications() -> None:
    compliant = [f for f in check_template(_raw_launch_template(SECURE_DATA), POLICY, DEV) if f.rule_id == "PLAT-TAG1"]
    assert compliant == []
    untagged = _raw_launch_template(SECURE_DATA)
    del untagged["Resources"]["Lt"]["Properties"]["TagSpecifications"]
    assert {f.rule_id for f in check_template(untagged, POLICY, DEV)} >= {"PLAT-TAG1"}


@pytest.mark.skipif(not {"PLAT-LT1", "PLAT-LT2", "PLAT-LT3"} <= {r.id for r in ALL_RULES},
                    reason="the launch-template rules PLAT-LT1..3 are not in this branch's rule pack yet")
def test_rule_pack_fails_an_insecure_raw_launch_template() -> None:
    insecure = {
        "MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": False}}],
        "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}],
    }
    found = {f.rule_id for f in check_template(_raw_launch_template(insecure), POLICY, DEV)}
    assert {"PLAT-LT1", "PLAT-LT2", "PLAT-LT3"} <= found
    secure = {f.rule_id for f in check_template(_raw_launch_template(SECURE_DATA), POLICY, DEV)}
    assert not secure & {"PLAT-LT1", "PLAT-LT2", "PLAT-LT3"}


def test_required_tags_rule_reads_efs_file_system_tags() -> None:
    tags = [{"Key": t.name, "Value": v} for t, v in zip(POLICY.tags, (
        "recs", "dev", "confidential", "platform-constructs", "ml-platform", "a@example.com"), strict=True)]
    tagged = {"Resources": {"Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {"FileSystemTags": tags}}}}
    assert [f for f in check_template(tagged, POLICY, DEV) if f.rule_id == "PLAT-TAG1"] == []
    untagged = {"Resources": {"Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {}}}}
    assert {f.rule_id for f in check_template(untagged, POLICY, DEV)} >= {"PLAT-TAG1"}
