"""BatchComputeEnv: compliant alone, spot + on-demand fallback, fair share, secure instances, Metaflow outputs,
the shared public surface (grants, attributes) and its warnings. One dev app, synthesized once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import CfnResource, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from platform_constructs import BatchComputeEnv, PlatformValidationError
from platform_constructs.baseline import platform_role
from platform_constructs.compliance.engine import check_template
from platform_constructs.compute.job_definition import SPOT_RECLAIM_STATUS_REASON
from platform_constructs.policy import load_policy
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

POLICY = load_policy()
DEV = POLICY.environment("dev")
STACKS = ("Batch", "Fargate", "GpuBatch", "Grants")


@dataclass(frozen=True)
class Dev:
    result: SynthResult
    stacks: dict[str, Stack]
    constructs: dict[str, BatchComputeEnv]

    def template(self, stack: str) -> Template:
        return Template.from_stack(self.stacks[stack])  # the app is synthesized already: no second synth


@pytest.fixture(scope="module")
def dev() -> Dev:
    """One dev app, synthesized once with every check: the ten-line default, Fargate, GPU, and grants."""
    app = new_app({"env": "dev"})
    stacks = {name: Stack(app, name) for name in STACKS}
    constructs = {
        "Batch": BatchComputeEnv(stacks["Batch"], "Batch", cost_center="recs"),
        "Fargate": BatchComputeEnv(stacks["Fargate"], "Batch", cost_center="recs", fargate=True),
        "GpuBatch": BatchComputeEnv(stacks["GpuBatch"], "Batch", cost_center="recs", gpu=True),
        "Grants": BatchComputeEnv(stacks["Grants"], "Batch", cost_center="recs", fair_share=False),
    }
    granted = constructs["Grants"]
    for name, grant in (("Submitter", granted.grant_submit), ("Reader", granted.grant_read_datastore),
                        ("Writer", granted.grant_read_write_datastore)):
        role = platform_role(stacks["Grants"], name, assumed_by=iam.AccountRootPrincipal(), description=name)
        grant(role)
        for tag, value in granted.tags.items():
            Tags.of(role).add(tag, value)
    return Dev(synthesize(app), stacks, constructs)  # raises ComplianceError on any unacknowledged finding


def _statements(template: Template, role_prefix: str) -> list[dict[str, Any]]:
    (policy,) = template.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {"Roles": [
        {"Ref": Match.string_like_regexp(f"^{role_prefix}")}]}}).values()
    return policy["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("stack", STACKS)
def test_compliant_and_cfn_lint_clean(dev: Dev, stack: str) -> None:
    assert cfn_lint(dev.result.template_path(stack)) == []
    unacknowledged = [f for f in check_template(dev.result.template(stack), POLICY, DEV) if not f.acknowledged]
    assert unacknowledged == []


def test_compute_environments_are_the_plan(dev: Dev) -> None:
    """The L1s carry exactly what plan.batch_settings decided (so the plan's property tests cover the construct)."""
    for name in ("Batch", "Fargate", "GpuBatch"):
        construct = dev.constructs[name]
        assert len(construct.compute_environments) == len(construct.plans)
        for plan, environment in zip(construct.plans, construct.compute_environments, strict=True):
            props: dict[str, Any] = {"Type": plan.provisioning, "MaxvCpus": plan.max_vcpus}
            if plan.allocation_strategy is not None:
                props |= {"AllocationStrategy": plan.allocation_strategy, "InstanceTypes": list(plan.instance_types)}
            dev.template(name).has_resource_properties("AWS::Batch::ComputeEnvironment", {
                "ComputeResources": Match.object_like(props)})
            assert environment.node.id == plan.name


def test_spot_first_with_on_demand_fallback_behind_one_queue(dev: Dev) -> None:
    template = dev.template("Batch")
    spot = template.get_resource_id("AWS::Batch::ComputeEnvironment", {"Properties": {"ComputeResources": {
        "Type": "SPOT", "AllocationStrategy": "SPOT_PRICE_CAPACITY_OPTIMIZED", "MinvCpus": 0,
        "Ec2Configuration": [{"ImageType": "ECS_AL2023"}]}}})
    on_demand = template.get_resource_id("AWS::Batch::ComputeEnvironment", {"Properties": {"ComputeResources": {
        "Type": "EC2", "AllocationStrategy": "BEST_FIT_PROGRESSIVE", "MinvCpus": 0}}})
    template.resource_count_is("AWS::Batch::JobQueue", 1)
    template.has_resource_properties("AWS::Batch::JobQueue", {"ComputeEnvironmentOrder": [
        {"ComputeEnvironment": {"Ref": spot}, "Order": 1}, {"ComputeEnvironment": {"Ref": on_demand}, "Order": 2}]})
    total = sum(e["Properties"]["ComputeResources"]["MaxvCpus"]
                for e in template.find_resources("AWS::Batch::ComputeEnvironment").values())
    assert total <= DEV.max_vcpus
    subnets = next(k for k in dev.result.template("Batch")["Parameters"] if "isolatedsubnetids" in k)
    for environment in template.find_resources("AWS::Batch::ComputeEnvironment").values():
        resources = environment["Properties"]["ComputeResources"]
        assert resources["Subnets"] == {"Ref": subnets}
        assert set(resources["InstanceTypes"]) <= set(DEV.ec2_instance_types)


def test_fair_share_per_team_and_runnable_jobs_cancelled(dev: Dev) -> None:
    template = dev.template("Batch")
    fair_share = template.get_resource_id("AWS::Batch::SchedulingPolicy", {})
    shares = [{"ShareIdentifier": k, "WeightFactor": v}
              for k, v in sorted({**POLICY.batch.team_shares, "recs": 1.0}.items())]
    template.has_resource_properties("AWS::Batch::SchedulingPolicy", {"FairsharePolicy": {
        "ShareDecaySeconds": POLICY.batch.share_decay_seconds, "ShareDistribution": shares,
        "ComputeReservation": POLICY.batch.compute_reservation_percent}})
    template.has_resource_properties("AWS::Batch::JobQueue", {
        "SchedulingPolicyArn": {"Ref": fair_share},
        "JobStateTimeLimitActions": [
            {"Action": "CANCEL", "State": "RUNNABLE", "Reason": reason,
             "MaxTimeSeconds": POLICY.batch.runnable_cancel_minutes * 60}
            for reason in ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
                           "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
                           "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")]})
    dev.template("Grants").resource_count_is("AWS::Batch::SchedulingPolicy", 0)  # fair_share=False: FIFO
    dev.template("Grants").has_resource_properties("AWS::Batch::JobDefinition", {
        "SchedulingPriority": Match.absent()})


def test_launch_template_imdsv2_encrypted_ebs_no_public_ip(dev: Dev) -> None:
    template = dev.template("Batch")
    key = template.get_resource_id("AWS::KMS::Key", {})
    template.has_resource_properties("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {
        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled",
                            "InstanceMetadataTags": "disabled"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": Match.object_like({
            "Encrypted": True, "KmsKeyId": {"Fn::GetAtt": [key, "Arn"]}, "VolumeType": "gp3",
            "VolumeSize": POLICY.batch.root_volume_gib})}],
        "NetworkInterfaces": Match.absent(), "Monitoring": {"Enabled": True},
        "TagSpecifications": Match.any_value()}})
    template_id = template.get_resource_id("AWS::EC2::LaunchTemplate", {})
    construct = dev.constructs["Batch"]
    assert construct.launch_template is not None
    assert Stack.of(construct).resolve(construct.launch_template.ref) == {"Ref": template_id}
    for environment in template.find_resources("AWS::Batch::ComputeEnvironment").values():
        assert environment["Properties"]["ComputeResources"]["LaunchTemplate"]["LaunchTemplateId"] == {
            "Ref": template_id}


def test_key_lets_ec2_encrypt_volumes_for_this_account_only(dev: Dev) -> None:
    dev.template("Batch").has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": Match.array_with([
        Match.object_like({"Sid": sid, "Condition": Match.object_like({"StringEquals": {
            "kms:CallerAccount": {"Ref": "AWS::AccountId"}, "kms:ViaService": Match.any_value()}})})
        for sid in ("AllowEbsThroughEc2InThisAccount", "AllowEbsGrantsThroughEc2InThisAccount")])}})


def test_instance_role_is_ours_not_the_aws_managed_wildcard(dev: Dev) -> None:
    template = dev.template("Batch")
    template.resource_count_is("AWS::IAM::Policy", 0)  # no inline policies
    for role in template.find_resources("AWS::IAM::Role").values():
        assert "aws:policy" not in json.dumps(role["Properties"].get("ManagedPolicyArns", []))
    statements = _statements(template, "BatchInstanceRole")
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"ecs:RegisterContainerInstance", "ecs:Poll", "ecr:BatchGetImage", "logs:PutLogEvents"} <= actions
    assert not any("*" in a for a in actions)
    unscoped = [s for s in statements if s["Resource"] == "*"]
    assert [sorted(s["Action"]) for s in unscoped] == [["ecr:GetAuthorizationToken", "ecs:DiscoverPollEndpoint"]]


def test_job_role_reads_and_writes_only_the_team_prefix(dev: Dev) -> None:
    by_sid = {s["Sid"]: s for s in _statements(dev.template("Batch"), "BatchJobRole")}
    assert set(by_sid) == {"ListTeamPrefix", "ReadWriteTeamPrefix", "DatastoreKeyThroughS3"}
    assert by_sid["ListTeamPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["recs/*"]}}
    assert json.dumps(by_sid["ReadWriteTeamPrefix"]["Resource"]).endswith('"/recs/*"]]}')
    assert by_sid["DatastoreKeyThroughS3"]["Condition"]["StringEquals"]["kms:ViaService"]


def test_job_definition_timeout_and_retries_on_spot_reclamation_only(dev: Dev) -> None:
    for stack in STACKS:
        dev.template(stack).has_resource_properties("AWS::Batch::JobDefinition", {
            "Timeout": {"AttemptDurationSeconds": DEV.max_job_hours * 3600},
            "RetryStrategy": {"Attempts": POLICY.batch.spot_retry_attempts, "EvaluateOnExit": [
                {"Action": "RETRY", "OnStatusReason": SPOT_RECLAIM_STATUS_REASON},
                {"Action": "EXIT", "OnReason": "*"}]},
            "PropagateTags": True,
            "ContainerProperties": Match.object_like({
                "Privileged": False, "LogConfiguration": Match.object_like({"LogDriver": "awslogs"})})})


def test_log_group_encrypted_with_policy_retention(dev: Dev) -> None:
    dev.template("Batch").has_resource_properties("AWS::Logs::LogGroup", {
        "RetentionInDays": DEV.log_retention_days, "KmsKeyId": Match.any_value()})


def test_fargate_option_runs_cpu_jobs_without_public_ips(dev: Dev) -> None:
    template = dev.template("Fargate")
    for kind in ("FARGATE", "FARGATE_SPOT"):
        template.has_resource_properties("AWS::Batch::ComputeEnvironment", {"ComputeResources": {
            "Type": kind, "MaxvCpus": Match.any_value(), "Subnets": Match.any_value(),
            "SecurityGroupIds": Match.any_value()}})
    template.has_resource_properties("AWS::Batch::JobDefinition", {
        "PlatformCapabilities": ["FARGATE"],
        "ContainerProperties": Match.object_like({"NetworkConfiguration": {"AssignPublicIp": "DISABLED"},
                                                  "ExecutionRoleArn": Match.any_value()})})
    template.resource_count_is("AWS::EC2::LaunchTemplate", 0)
    fargate = dev.constructs["Fargate"]
    assert fargate.launch_template is None  # readable, not an AttributeError
    assert fargate.execution_role is not None


def test_gpu_option_uses_gpu_ami_and_stays_within_gpu_cap(dev: Dev) -> None:
    from platform_constructs import catalog

    total = 0
    for environment in dev.template("GpuBatch").find_resources("AWS::Batch::ComputeEnvironment").values():
        resources = environment["Properties"]["ComputeResources"]
        assert resources["Ec2Configuration"] == [{"ImageType": "ECS_AL2023_NVIDIA"}]
        specs = [s for t in resources["InstanceTypes"] if (s := catalog.ec2(t)) is not None]
        assert specs and all(s.gpu for s in specs)
        total += catalog.worst_case_gpus(specs, resources["MaxvCpus"],
                                         overshoot=resources["AllocationStrategy"] != "BEST_FIT")
    assert total <= DEV.max_gpus
    dev.template("GpuBatch").has_resource_properties("AWS::Batch::JobDefinition", {"ContainerProperties": {
        "ResourceRequirements": Match.array_with([{"Type": "GPU", "Value": "1"}])}})


def test_metaflow_outputs_use_ref_for_batch_resources(dev: Dev) -> None:
    template = dev.template("Batch")
    queue = template.get_resource_id("AWS::Batch::JobQueue", {})
    outputs = template.find_outputs("*")
    (queue_output,) = [v for k, v in outputs.items() if k.startswith("BatchJobQueueArn")]
    assert queue_output["Value"] == {"Ref": queue}
    (config,) = [v for k, v in outputs.items() if k.startswith("BatchMetaflowConfig")]
    for key in ("METAFLOW_BATCH_JOB_QUEUE", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "METAFLOW_DATASTORE_SYSROOT_S3",
                "METAFLOW_DEFAULT_DATASTORE"):
        assert key in json.dumps(config["Value"])
    batch_ids = set(template.find_resources("AWS::Batch::JobQueue")) | set(
        template.find_resources("AWS::Batch::JobDefinition"))
    for output in outputs.values():
        value = output["Value"]
        assert not (isinstance(value, dict) and value.get("Fn::GetAtt", [None])[0] in batch_ids)


def test_alarms_notify_the_encrypted_topic_and_dashboard_exists(dev: Dev) -> None:
    template, construct = dev.template("Batch"), dev.constructs["Batch"]
    topic = template.get_resource_id("AWS::SNS::Topic", {"Properties": {"KmsMasterKeyId": Match.any_value()}})
    assert Stack.of(construct).resolve(construct.alarm_topic.topic_arn) == {"Ref": topic}
    assert set(construct.alarms) == {"queue_depth", "failed_jobs", "stuck_runnable"}
    template.resource_count_is("AWS::CloudWatch::Alarm", 3)
    template.resource_properties_count_is("AWS::CloudWatch::Alarm", {
        "AlarmActions": [{"Ref": topic}], "OKActions": [{"Ref": topic}]}, 3)
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_public_surface_is_the_shared_one(dev: Dev) -> None:
    construct = dev.constructs["Batch"]
    stack = Stack.of(construct)
    template = dev.template("Batch")
    assert stack.resolve(construct.role.role_arn) == {"Fn::GetAtt": [
        template.get_resource_id("AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp(
            "^AWS Batch jobs")}}), "Arn"]}
    assert stack.resolve(construct.bucket.bucket_name) == {"Ref": template.get_resource_id(
        "AWS::S3::Bucket", {"Properties": {"BucketEncryption": Match.object_like({
            "ServerSideEncryptionConfiguration": [Match.object_like({
                "ServerSideEncryptionByDefault": Match.object_like({"SSEAlgorithm": "aws:kms"})})]})}})}
    assert construct.job_queues == (construct.job_queue,)
    assert construct.job_definitions == (construct.job_definition,)
    assert construct.security_group is not None and construct.key is not None and construct.log_group is not None
    for old in ("job_role", "datastore_bucket", "monitoring"):
        assert not hasattr(construct, old)


def test_grant_submit_names_exactly_the_queue_and_job_definition(dev: Dev) -> None:
    template = dev.template("Grants")
    queue = template.get_resource_id("AWS::Batch::JobQueue", {})
    job = template.get_resource_id("AWS::Batch::JobDefinition", {})
    assert _statements(template, "Submitter") == [{"Action": "batch:SubmitJob", "Effect": "Allow",
                                                   "Resource": [{"Ref": queue}, {"Ref": job}]}]


def test_datastore_grants_cover_the_team_prefix_only(dev: Dev) -> None:
    template = dev.template("Grants")
    reader = {json.dumps(s["Action"]): s for s in _statements(template, "Reader")}
    writer = {json.dumps(s["Action"]): s for s in _statements(template, "Writer")}
    assert set(reader) == {'"s3:ListBucket"', '"s3:GetObject"', '"kms:Decrypt"'}
    assert set(writer) == {'"s3:ListBucket"', '["s3:GetObject", "s3:PutObject", "s3:DeleteObject", '
                                              '"s3:AbortMultipartUpload"]', '["kms:Decrypt", "kms:GenerateDataKey"]'}
    for statements in (reader, writer):
        assert statements['"s3:ListBucket"']["Condition"] == {"StringLike": {"s3:prefix": ["recs/*"]}}
        assert all("Sid" not in s for s in statements.values())
    assert json.dumps(reader['"s3:GetObject"']["Resource"]).endswith('"/recs/*"]]}')
    # the one wildcard of each grant is acknowledged on the grantee's (sealed) policy, for exactly that resource
    acknowledged = {a["id"] for p in template.find_resources("AWS::IAM::ManagedPolicy").values()
                    if p["Properties"]["Roles"][0]["Ref"].startswith(("Reader", "Writer"))
                    for a in p.get("Metadata", {}).get("platform:acknowledgments", [])}
    assert all(a.endswith("/recs/*]") for a in acknowledged) and len(acknowledged) == 1


def test_fair_share_queues_warn_about_share_identifiers(dev: Dev) -> None:
    message = Match.string_like_regexp("fair-share queues: AWS Batch rejects a job submitted without a shareIdentifier")
    Annotations.from_stack(dev.stacks["Batch"]).has_warning("/Batch/Batch", message)
    Annotations.from_stack(dev.stacks["Grants"]).has_no_warning("*", message)


def test_metaflow_config_method(dev: Dev) -> None:
    config = dev.constructs["Batch"].metaflow_config()
    assert set(config) >= {"METAFLOW_BATCH_JOB_QUEUE", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE",
                           "METAFLOW_DATASTORE_SYSROOT_S3", "METAFLOW_DEFAULT_DATASTORE"}
    assert config["METAFLOW_DEFAULT_DATASTORE"] == "s3"
    assert config["METAFLOW_DATASTORE_SYSROOT_S3"].endswith("/recs/metaflow")
    assert "METAFLOW_ECS_FARGATE_EXECUTION_ROLE" in dev.constructs["Fargate"].metaflow_config()


def test_all_problems_reported_together_tags_first() -> None:
    app = new_app({"env": "dev"})
    with pytest.raises(PlatformValidationError) as info:
        BatchComputeEnv(Stack(app, "S"), "Batch", cost_center="Bad Center", max_vcpus=1000,
                        instance_types=["nope.large"], max_job_hours=99)
    assert [p.argument for p in info.value.problems] == ["cost_center", "max_job_hours", "instance_types", "max_vcpus"]
    assert "S/Batch: argument 'max_vcpus' = 1000" in str(info.value)
    assert not [c for c in app.node.find_child("S").node.find_all() if isinstance(c, CfnResource)]  # none built


# --- the platform rule pack sees Batch launch templates and EFS tags (cdk-nag does not) -----------------------------
def _tags() -> list[dict[str, str]]:
    return [{"Key": t.name, "Value": v} for t, v in zip(POLICY.tags, (
        "recs", "dev", "confidential", "platform-constructs", "ml-platform", "a@example.com"), strict=True)]


def _raw_launch_template(data: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": {"Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
        "LaunchTemplateData": dict(data),
        "TagSpecifications": [{"ResourceType": "launch-template", "Tags": _tags()}]}}}}


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


def test_rule_pack_fails_an_insecure_raw_launch_template() -> None:
    insecure = {
        "MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": False}}],
        "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}],
    }
    found = {f.rule_id for f in check_template(_raw_launch_template(insecure), POLICY, DEV)}
    assert {"PLAT-LT1[http-tokens]", "PLAT-LT1[hop-limit]", "PLAT-LT2[encrypted]", "PLAT-LT3"} <= found
    secure = {f.rule_id for f in check_template(_raw_launch_template(SECURE_DATA), POLICY, DEV)}
    assert not {rule_id for rule_id in secure if rule_id.startswith(("PLAT-LT1", "PLAT-LT2", "PLAT-LT3"))}


def test_required_tags_rule_reads_efs_file_system_tags() -> None:
    tagged = {"Resources": {"Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {"FileSystemTags": _tags()}}}}
    assert [f for f in check_template(tagged, POLICY, DEV) if f.rule_id == "PLAT-TAG1"] == []
    untagged = {"Resources": {"Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {}}}}
    assert {f.rule_id for f in check_template(untagged, POLICY, DEV)} >= {"PLAT-TAG1"}
