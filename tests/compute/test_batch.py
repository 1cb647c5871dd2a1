"""BatchComputeEnv: compliant alone, spot + on-demand fallback behind a FIFO queue (fair share on request), secure
instances, Metaflow outputs, the shared public surface (grants, attributes) and its warnings. One dev app,
synthesized once."""

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
STACKS = ("Batch", "Fargate", "GpuBatch", "FairShare", "Grants", "Consumers")


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
        "FairShare": BatchComputeEnv(stacks["FairShare"], "Batch", cost_center="recs", fair_share=True),
        "Grants": BatchComputeEnv(stacks["Grants"], "Batch", cost_center="recs"),
    }
    granted, fair = constructs["Grants"], constructs["FairShare"]
    for stack, tag_source in ((stacks["Grants"], granted), (stacks["Consumers"], granted)):
        for name, grant in (("Reader", granted.grant_read_datastore), ("Writer", granted.grant_read_write_datastore)):
            role = platform_role(stack, name, assumed_by=iam.AccountRootPrincipal(), description=name)
            grant(role)  # in the Consumers stack: a grant across stacks
            for tag, value in tag_source.tags.items():
                Tags.of(role).add(tag, value)
        submitter = iam.Role(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
        granted.grant_submit(submitter)
        granted.grant_deploy_step_functions(submitter)
        for tag, value in tag_source.tags.items():
            Tags.of(submitter).add(tag, value)
    fair_submitter = iam.Role(stacks["FairShare"], "Submitter", assumed_by=iam.AccountRootPrincipal())
    fair.grant_submit(fair_submitter)
    for tag, value in fair.tags.items():
        Tags.of(fair_submitter).add(tag, value)
    return Dev(synthesize(app), stacks, constructs)  # raises ComplianceError on any unacknowledged finding


def _statements(template: Template, role_prefix: str, policy_prefix: str = "") -> list[dict[str, Any]]:
    found = template.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {"Roles": [
        {"Ref": Match.string_like_regexp(f"^{role_prefix}")}]}})
    (policy,) = [v for k, v in found.items() if k.startswith(policy_prefix)]
    return policy["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


def _by_sid(template: Template, role_prefix: str, policy_prefix: str = "") -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in _statements(template, role_prefix, policy_prefix)}


def _owned(template: Template, name: str) -> dict[str, dict[str, Any]]:
    """The statements (by Sid) of the managed policy named ``name`` that a Batch construct attached to a grantee."""
    (policy,) = [p for p in template.find_resources("AWS::IAM::ManagedPolicy").values()
                 if p["Properties"].get("Description", "").startswith(f"{name} for ")]
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


@pytest.mark.parametrize("stack", STACKS)
def test_compliant_and_cfn_lint_clean(dev: Dev, stack: str) -> None:
    assert cfn_lint(dev.result.template_path(stack)) == []
    unacknowledged = [f for f in check_template(dev.result.template(stack), POLICY, DEV) if not f.acknowledged]
    if stack == "Consumers":  # a user's stack: its grants name the Batch stack's exports, which a check of this
        # template alone cannot resolve (to ARNs; to the bucket a prefix acknowledgment is about); synth, which sees
        # the whole app, passed, and so does platform-check of the whole cdk.out
        assert unacknowledged and all(
            (f.rule_id.startswith("PLAT-IAM2[Unverifiable::Resource::") and "Fn::ImportValue" in f.rule_id) or
            (f.rule_id == "PLAT-ACK1[premise]" and "cannot be verified (check them together)" in f.message)
            for f in unacknowledged)
        return
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


def test_fifo_by_default_and_runnable_jobs_cancelled(dev: Dev) -> None:
    """Metaflow's @batch sends no shareIdentifier, which a fair-share queue rejects: the default queue is FIFO, under
    its own id (a queue cannot lose its scheduling policy, so it cannot become FIFO in place)."""
    template = dev.template("Batch")
    template.resource_count_is("AWS::Batch::SchedulingPolicy", 0)
    queue = template.get_resource_id("AWS::Batch::JobQueue", {"Properties": {
        "SchedulingPolicyArn": Match.absent(),
        "JobStateTimeLimitActions": [
            {"Action": "CANCEL", "State": "RUNNABLE", "Reason": reason,
             "MaxTimeSeconds": POLICY.batch.runnable_cancel_minutes * 60}
            for reason in ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
                           "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
                           "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")]}})
    assert queue.startswith("BatchFifoJobQueue")
    template.has_resource_properties("AWS::Batch::JobDefinition", {"SchedulingPriority": Match.absent()})
    assert dev.constructs["Batch"].share_identifier is None


def test_fair_share_on_request_with_the_team_share_identifier(dev: Dev) -> None:
    template, construct = dev.template("FairShare"), dev.constructs["FairShare"]
    fair_share = template.get_resource_id("AWS::Batch::SchedulingPolicy", {})
    shares = [{"ShareIdentifier": k, "WeightFactor": v}
              for k, v in sorted({**POLICY.batch.team_shares, "recs": 1.0}.items())]
    template.has_resource_properties("AWS::Batch::SchedulingPolicy", {"FairsharePolicy": {
        "ShareDecaySeconds": POLICY.batch.share_decay_seconds, "ShareDistribution": shares,
        "ComputeReservation": POLICY.batch.compute_reservation_percent}})
    queue = template.get_resource_id("AWS::Batch::JobQueue", {"Properties": {"SchedulingPolicyArn": {
        "Ref": fair_share}}})
    assert queue.startswith("BatchJobQueue")  # the fair-share queue keeps its id
    template.has_resource_properties("AWS::Batch::JobDefinition", {"SchedulingPriority": 1})
    assert construct.share_identifier == "recs"
    (output,) = [v for k, v in template.find_outputs("*").items() if k.startswith("BatchShareIdentifier")]
    assert output["Value"] == "recs"
    submit = _owned(template, "BatchSubmit")["SubmitToQueues"]
    assert submit["Condition"] == {"StringEquals": {"batch:ShareIdentifier": "recs"}}


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


def test_key_lets_only_auto_scalings_service_linked_role_encrypt_volumes(dev: Dev) -> None:
    """No "any principal through EC2": the statements match only the role that creates the instances' volumes
    (principal ``*`` narrowed by ``aws:PrincipalArn``: the role may not exist yet, and a statement for the
    account root would leave the decision to the role's fixed IAM permissions, which hold no customer key)."""
    statements = dev.template("Batch").find_resources("AWS::KMS::Key")
    (key,) = statements.values()
    by_sid = {s.get("Sid"): s for s in key["Properties"]["KeyPolicy"]["Statement"]}
    launcher = {"ArnEquals": {"aws:PrincipalArn": {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"},
        ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"]]}},
        "StringEquals": {"kms:CallerAccount": {"Ref": "AWS::AccountId"}}}
    use = by_sid["AllowEbsByAutoScalingServiceLinkedRole"]
    grant = by_sid["AllowEbsGrantsByAutoScalingServiceLinkedRole"]
    assert use["Condition"] == launcher and use["Principal"] == {"AWS": "*"}
    assert grant["Action"] == "kms:CreateGrant" and grant["Principal"] == {"AWS": "*"}
    assert grant["Condition"] == {**launcher, "Bool": {"kms:GrantIsForAWSResource": "true"}}
    unconditioned = [s for s in key["Properties"]["KeyPolicy"]["Statement"]
                     if s.get("Principal") == {"AWS": "*"} and s["Effect"] == "Allow"
                     and "aws:PrincipalArn" not in json.dumps(s.get("Condition", {}))]
    assert not unconditioned


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
    by_sid = {s["Sid"]: s for s in statements}
    # UpdateContainerInstancesState acts on container instances (its only resource type)
    assert "ecs:UpdateContainerInstancesState" in by_sid["EcsAgentInstances"]["Action"]
    assert json.dumps(by_sid["EcsAgentInstances"]["Resource"]).endswith(':container-instance/AWSBatch-*"]]}')
    assert "ecs:UpdateContainerInstancesState" not in by_sid["EcsAgentClusters"]["Action"]
    # Metaflow's job definitions have no log configuration: their logs go to Batch's default group
    assert json.dumps(by_sid["WriteJobLogs"]["Resource"]).count("log-group:/aws/batch/job:*") == 1


def test_ecs_task_roles_trust_this_accounts_tasks_only(dev: Dev) -> None:
    for name, prefix in (("Batch", "BatchJobRole"), ("Fargate", "BatchExecutionRole")):
        roles = dev.template(name).find_resources("AWS::IAM::Role")
        (role,) = [v for k, v in roles.items() if k.startswith(prefix)]
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        assert "aws:SourceArn" in statement["Condition"]["ArnLike"]


def test_job_role_reads_and_writes_only_the_team_prefix(dev: Dev) -> None:
    by_sid = {s["Sid"]: s for s in _statements(dev.template("Batch"), "BatchJobRole")}
    assert set(by_sid) == {"ListTeamPrefix", "ReadWriteTeamPrefix", "DatastoreKeyThroughS3", "ForeachTableItems",
                           "ForeachTableItemsKey"}
    assert by_sid["ListTeamPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["recs/*"]}}
    assert json.dumps(by_sid["ReadWriteTeamPrefix"]["Resource"]).endswith('"/recs/*"]]}')
    assert by_sid["DatastoreKeyThroughS3"]["Condition"]["StringEquals"]["kms:ViaService"]


def test_job_definition_timeout_and_retries_on_spot_reclamation_only(dev: Dev) -> None:
    for stack in STACKS[:-1]:  # every stack with a construct
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


def test_grant_submit_is_an_owned_policy_for_the_queue_and_job_definitions(dev: Dev) -> None:
    template = dev.template("Grants")
    queue = template.get_resource_id("AWS::Batch::JobQueue", {})
    job = template.get_resource_id("AWS::Batch::JobDefinition", {})
    by_sid = _owned(template, "BatchSubmit")
    assert set(by_sid) == {"SubmitToQueues", "RegisterMetaflowJobDefinitions", "PassJobRole", "ReadBatchState",
                           "StopJobs"}
    submit = by_sid["SubmitToQueues"]
    assert submit["Action"] == "batch:SubmitJob" and "Condition" not in submit  # FIFO: no share identifier
    assert submit["Resource"][:2] == [{"Ref": queue}, {"Ref": job}]
    assert json.dumps(submit["Resource"][2]).endswith(':job-definition/metaflow_*"]]}')
    assert by_sid["RegisterMetaflowJobDefinitions"]["Condition"] == {"BoolIfExists": {"batch:Privileged": "false"}}
    assert by_sid["PassJobRole"]["Resource"] == {"Fn::GetAtt": [template.get_resource_id(
        "AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp("^AWS Batch jobs")}}), "Arn"]}
    assert by_sid["ReadBatchState"]["Resource"] == "*"
    assert all(a.startswith(("batch:Describe", "batch:List")) for a in by_sid["ReadBatchState"]["Action"])


def test_grant_deploy_step_functions_is_limited_to_the_prefix_and_our_roles(dev: Dev) -> None:
    template, construct = dev.template("Grants"), dev.constructs["Grants"]
    prefix = construct.step_functions.prefix
    assert prefix == "Grants-Batch"
    by_sid, deploy = _owned(template, "BatchSubmit"), _owned(template, "StepFunctionsDeploy")
    assert json.dumps(deploy["ManageStateMachines"]["Resource"]).endswith(f':stateMachine:{prefix}_*"]]}}')
    assert json.dumps(deploy["ManageSchedules"]["Resource"]).endswith(f':rule/{prefix}_*"]]}}')
    assert deploy["PassStateMachineRole"]["Condition"] == {"StringEquals": {"iam:PassedToService":
                                                                           "states.amazonaws.com"}}
    assert deploy["PassScheduleRole"]["Condition"] == {"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}}
    assert deploy["ListStateMachines"]["Resource"] == "*" and deploy["ListStateMachines"]["Action"] == \
        "states:ListStateMachines"
    assert by_sid["RegisterMetaflowJobDefinitions"] == deploy["RegisterMetaflowJobDefinitions"]


def test_client_grants_need_a_role_user_or_group(dev: Dev) -> None:
    with pytest.raises(PlatformValidationError, match=r"argument 'grantee' .*an IAM role, user or group"):
        dev.constructs["Grants"].grant_submit(iam.AccountRootPrincipal())


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
    across = {a["id"] for p in dev.template("Consumers").find_resources("AWS::IAM::ManagedPolicy").values()
              if p["Properties"]["Roles"][0]["Ref"].startswith(("Reader", "Writer"))
              for a in p.get("Metadata", {}).get("platform:acknowledgments", [])}
    assert len(across) == 1 and "ExportsOutput" in next(iter(across))  # the imported bucket ARN


def test_only_fair_share_queues_warn_about_share_identifiers(dev: Dev) -> None:
    message = Match.string_like_regexp("fair-share queues .*AWS Batch rejects a job submitted without a "
                                       "shareIdentifier")
    Annotations.from_stack(dev.stacks["FairShare"]).has_warning("/FairShare/Batch", message)
    for stack in ("Batch", "Grants"):
        Annotations.from_stack(dev.stacks[stack]).has_no_warning("*", Match.any_value())


def test_metaflow_config_method(dev: Dev) -> None:
    construct = dev.constructs["Batch"]
    config = construct.metaflow_config()
    stack = Stack.of(construct)
    assert set(config) == {
        "METAFLOW_BATCH_JOB_QUEUE", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "METAFLOW_DATASTORE_SYSROOT_S3",
        "METAFLOW_DEFAULT_DATASTORE", "METAFLOW_DATATOOLS_S3ROOT", "METAFLOW_BATCH_CONTAINER_IMAGE",
        "METAFLOW_DEFAULT_RUNTIME_LIMIT", "METAFLOW_DEFAULT_DECOSPECS", "METAFLOW_SFN_IAM_ROLE",
        "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE", "METAFLOW_SFN_DYNAMO_DB_TABLE", "METAFLOW_SFN_STATE_MACHINE_PREFIX"}
    assert config["METAFLOW_DEFAULT_DATASTORE"] == "s3"
    assert config["METAFLOW_DATASTORE_SYSROOT_S3"].endswith("/recs/metaflow")
    assert config["METAFLOW_DEFAULT_RUNTIME_LIMIT"] == str(int(DEV.max_job_hours * 3600))  # not Metaflow's 5 days
    assert config["METAFLOW_DEFAULT_DECOSPECS"] == 'environment:vars={"METAFLOW_SKIP_INSTALL_DEPENDENCIES":"1"}'
    assert stack.resolve(config["METAFLOW_SFN_IAM_ROLE"]) == stack.resolve(
        construct.step_functions.state_machine_role.role_arn)
    assert stack.resolve(config["METAFLOW_SFN_DYNAMO_DB_TABLE"]) == stack.resolve(
        construct.step_functions.table.table_name)
    assert config["METAFLOW_SFN_STATE_MACHINE_PREFIX"] == "Batch-Batch"
    assert "METAFLOW_ECS_FARGATE_EXECUTION_ROLE" in dev.constructs["Fargate"].metaflow_config()


def test_step_functions_roles_and_foreach_table_are_private_and_least_privilege(dev: Dev) -> None:
    template, construct = dev.template("Batch"), dev.constructs["Batch"]
    key = template.get_resource_id("AWS::KMS::Key", {})
    table = template.get_resource_id("AWS::DynamoDB::Table", {"Properties": {
        "KeySchema": [{"AttributeName": "pathspec", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": [key, "Arn"]}},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True}}})
    roles = template.find_resources("AWS::IAM::Role")
    states = next(v for k, v in roles.items() if k.startswith("BatchStepFunctionsRole"))
    (trust,) = states["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "states.amazonaws.com"}
    assert json.dumps(trust["Condition"]["ArnLike"]["aws:SourceArn"]).endswith(':stateMachine:Batch-Batch_*"]]}')
    by_sid = _by_sid(template, "BatchStepFunctionsRole")
    assert set(by_sid) == {"SubmitToQueues", "FollowJobs", "StopJobs", "BatchSyncRule", "ReadForeachTable",
                           "ForeachTableKey"}
    queue = template.get_resource_id("AWS::Batch::JobQueue", {})
    assert by_sid["SubmitToQueues"]["Resource"][0] == {"Ref": queue}
    assert by_sid["ReadForeachTable"] == {"Sid": "ReadForeachTable", "Effect": "Allow", "Action": "dynamodb:GetItem",
                                          "Resource": {"Fn::GetAtt": [table, "Arn"]}}
    assert json.dumps(by_sid["BatchSyncRule"]["Resource"]).endswith(':rule/StepFunctionsGetEventsForBatchJobsRule"]]}')
    schedule = _by_sid(template, "BatchScheduleRole")
    assert set(schedule) == {"StartStateMachines"} and schedule["StartStateMachines"]["Action"] == \
        "states:StartExecution"
    jobs = _by_sid(template, "BatchJobRole")
    assert jobs["ForeachTableItems"]["Resource"] == {"Fn::GetAtt": [table, "Arn"]}
    assert jobs["ForeachTableItemsKey"]["Condition"]["StringEquals"]["kms:ViaService"] == {"Fn::Join": ["", [
        "dynamodb.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}
    assert construct.step_functions.table is not None


def test_run_time_guardrail_terminates_jobs_over_max_job_hours(dev: Dev) -> None:
    template, construct = dev.template("Batch"), dev.constructs["Batch"]
    machine = template.get_resource_id("AWS::StepFunctions::StateMachine", {"Properties": Match.object_like({
        "StateMachineName": "Batch-Batch-run-time-limit", "StateMachineType": "STANDARD",
        "LoggingConfiguration": Match.object_like({"Level": "ALL"}),
        "TracingConfiguration": {"Enabled": True}})})
    definition = json.loads(template.find_resources("AWS::StepFunctions::StateMachine")[machine]["Properties"][
        "DefinitionString"]["Fn::Sub"])
    assert definition["States"]["WaitForRunTimeLimit"]["Seconds"] == DEV.max_job_hours * 3600 + 300
    queue = template.get_resource_id("AWS::Batch::JobQueue", {})
    template.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": {"source": ["aws.batch"], "detail-type": ["Batch Job State Change"],
                         "detail": {"status": ["RUNNING"], "jobQueue": [{"Ref": queue}]}},
        "Targets": [Match.object_like({"Arn": {"Ref": machine}})]})
    assert construct.guardrail.limit_seconds == DEV.max_job_hours * 3600
    by_sid = _by_sid(template, "BatchRunTimeLimitRole")
    assert json.dumps(by_sid["TerminateJobs"]["Resource"]).endswith(':job/*"]]}')


def test_all_problems_reported_together_tags_first() -> None:
    app = new_app({"env": "dev"})
    with pytest.raises(PlatformValidationError) as info:
        BatchComputeEnv(Stack(app, "S"), "Batch", cost_center="Bad Center", max_vcpus=1000,
                        instance_types=["nope.large"], max_job_hours=99)
    assert [p.argument for p in info.value.problems] == ["cost_center", "max_job_hours", "instance_types", "max_vcpus"]
    assert "S/Batch: argument 'max_vcpus' = 1000" in str(info.value)
    assert not [c for c in app.node.find_child("S").node.find_all() if isinstance(c, CfnResource)]  # none built


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"vpc": "vpc-123"}, r"argument 'vpc' = 'vpc-123' .*an ec2.IVpc"),
    ({"datastore_bucket": "my-bucket"}, r"argument 'datastore_bucket' = 'my-bucket' .*an s3.IBucket"),
])
def test_construct_typed_arguments_are_checked_before_jsii(kwargs: dict[str, Any], message: str) -> None:
    app = new_app({"env": "dev"})
    with pytest.raises(PlatformValidationError, match=message):
        BatchComputeEnv(Stack(app, "S"), "Batch", cost_center="recs", **kwargs)


def test_a_bucket_without_its_key_and_a_vpc_without_isolated_subnets_are_refused() -> None:
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_s3 as s3

    app = new_app({"env": "dev"})
    stack = Stack(app, "S")
    bucket = s3.Bucket.from_bucket_name(stack, "Imported", "some-bucket")
    vpc = ec2.Vpc.from_vpc_attributes(stack, "Vpc", vpc_id="vpc-1", availability_zones=["eu-west-1a"])
    with pytest.raises(PlatformValidationError) as info:
        BatchComputeEnv(stack, "Batch", cost_center="recs", datastore_bucket=bucket, vpc=vpc)
    assert [p.argument for p in info.value.problems] == ["vpc", "datastore_bucket"]
    assert "with isolated subnets" in str(info.value) and "with a KMS key (encryption_key)" in str(info.value)


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
