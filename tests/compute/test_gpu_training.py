"""GpuTrainingCluster: budget guards, secure instances, a dedicated multi-node environment, security groups
everywhere and scratch through an access point; a staging and a prod app, each synthesized once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_cdk import Stack
from aws_cdk.assertions import Annotations, Match, Template

from platform_constructs import GpuTrainingCluster, PlatformValidationError, catalog
from platform_constructs.catalog import worst_case_gpus
from platform_constructs.compliance.engine import check_template
from platform_constructs.images.build import DOCKER_UID
from platform_constructs.policy import default_policy_file, load_policy
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

POLICY = load_policy()
STAGING = POLICY.environment("staging")
PROD = POLICY.environment("prod")


@dataclass(frozen=True)
class Synth:
    result: SynthResult
    stack: Stack
    cluster: GpuTrainingCluster

    @property
    def template(self) -> Template:
        return Template.from_stack(self.stack)  # already synthesized: no second synth


@pytest.fixture(scope="module")
def staging() -> Synth:
    """The ten-line stack of the issue, in staging (caps: 8 GPUs, 24 h)."""
    app = new_app({"env": "staging"})
    stack = Stack(app, "Train")
    cluster = GpuTrainingCluster(stack, "Train", cost_center="recs", max_gpus=8, max_job_hours=24)
    return Synth(synthesize(app), stack, cluster)


@pytest.fixture(scope="module")
def prod_efa(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """prod's p4d.24xlarge (8 GPUs, EFA-capable), on-demand only (policy spot=false), EFS scratch. Two p4d nodes
    (16 GPUs) plus one single-node p4d (8) need 24 GPUs: the policy here raises prod's cap from 16 to 24."""
    policy = yaml.safe_load(default_policy_file().read_text(encoding="utf-8"))
    policy["environments"]["prod"]["max_gpus"] = 24
    file = Path(tmp_path_factory.mktemp("policy")) / "platform.yaml"
    file.write_text(yaml.safe_dump(policy), encoding="utf-8")
    app = new_app({"env": "prod", "policy_file": str(file)})
    stack = Stack(app, "Train")
    cluster = GpuTrainingCluster(stack, "Train", cost_center="recs", instance_types=["p4d.24xlarge"],
                                 shared_scratch=True)
    return Synth(synthesize(app), stack, cluster)


def _environments(synth: Synth) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"]["ComputeResources"]
            for k, v in synth.template.find_resources("AWS::Batch::ComputeEnvironment").items()}


def _max_concurrent_gpus(synth: Synth) -> int:
    """Recompute, from the template alone, the most GPUs the compute environments can run together."""
    total = 0
    for resources in _environments(synth).values():
        specs = [s for t in resources["InstanceTypes"] if (s := catalog.ec2(t)) is not None]
        assert len(specs) == len(resources["InstanceTypes"])
        total += worst_case_gpus(specs, resources["MaxvCpus"], overshoot=catalog.overshoots(
            resources["AllocationStrategy"], resources["Type"]))
    return total


def test_zero_findings_and_cfn_lint_clean(staging: Synth, prod_efa: Synth) -> None:
    prod = load_policy(None).environment("prod")
    for synth, policy, env in ((staging, POLICY, STAGING), (prod_efa, None, prod)):
        assert cfn_lint(synth.result.template_path("Train")) == []
        chosen = POLICY if policy is None else policy
        found = check_template(synth.result.template("Train"), chosen, env)
        unacknowledged = [f for f in found if not f.acknowledged]
        if synth is prod_efa:  # checked against the default policy: only the raised GPU cap differs
            assert {f.rule_id for f in unacknowledged} <= {"PLAT-BATCH2"}
        else:
            assert unacknowledged == []


def test_compute_environments_are_the_plan(staging: Synth, prod_efa: Synth) -> None:
    for synth in (staging, prod_efa):
        for plan in synth.cluster.plans:
            expected = {"Type": plan.provisioning, "MaxvCpus": plan.max_vcpus,
                        "AllocationStrategy": plan.allocation_strategy, "InstanceTypes": list(plan.instance_types),
                        "Ec2Configuration": [{"ImageType": "ECS_AL2023_NVIDIA"}]}
            synth.template.has_resource_properties("AWS::Batch::ComputeEnvironment", {
                "ComputeResources": Match.object_like(expected)})


def test_cannot_run_more_than_8_gpus(staging: Synth) -> None:
    assert _max_concurrent_gpus(staging) <= 8
    for resources in _environments(staging).values():
        assert resources["MaxvCpus"] <= STAGING.max_vcpus
        assert all(catalog.ec2(t) is not None and catalog.ec2(t).gpu for t in resources["InstanceTypes"])  # type: ignore[union-attr]
    (output,) = [v for k, v in staging.template.find_outputs("*").items() if k.startswith("TrainMaxGpus")]
    assert int(output["Value"]) == staging.cluster.settings.worst_case_gpus <= 8


def test_no_job_timeout_above_24_hours(staging: Synth) -> None:
    staging.template.resource_properties_count_is("AWS::Batch::JobDefinition", {
        "Timeout": {"AttemptDurationSeconds": 24 * 3600},
        "RetryStrategy": Match.object_like({"EvaluateOnExit": Match.array_with([
            {"Action": "RETRY", "OnStatusReason": "Host EC2*"}])})}, 2)


def test_launch_templates_secure(staging: Synth, prod_efa: Synth) -> None:
    for synth in (staging, prod_efa):
        for template in synth.template.find_resources("AWS::EC2::LaunchTemplate").values():
            data = template["Properties"]["LaunchTemplateData"]
            assert data["MetadataOptions"]["HttpTokens"] == "required"
            assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
            assert all(m["Ebs"]["Encrypted"] is True and "KmsKeyId" in m["Ebs"] for m in data["BlockDeviceMappings"])
            assert all(ni["AssociatePublicIpAddress"] is False for ni in data.get("NetworkInterfaces", []))


def test_spot_first_then_on_demand_and_a_dedicated_multi_node_queue(staging: Synth) -> None:
    template = staging.template
    spot = template.get_resource_id("AWS::Batch::ComputeEnvironment", {"Properties": {"ComputeResources": {
        "Type": "SPOT"}}})
    on_demand = template.get_resource_id("AWS::Batch::ComputeEnvironment", {"Properties": {"ComputeResources": {
        "Type": "EC2", "PlacementGroup": Match.absent()}}})
    multi_node = template.get_resource_id("AWS::Batch::ComputeEnvironment", {"Properties": {"ComputeResources": {
        "Type": "EC2", "PlacementGroup": Match.any_value()}}})
    template.resource_count_is("AWS::Batch::SchedulingPolicy", 0)  # FIFO: Metaflow sends no share identifier
    for order in ([{"ComputeEnvironment": {"Ref": spot}, "Order": 1},
                   {"ComputeEnvironment": {"Ref": on_demand}, "Order": 2}],
                  [{"ComputeEnvironment": {"Ref": multi_node}, "Order": 1}]):
        template.has_resource_properties("AWS::Batch::JobQueue", {
            "ComputeEnvironmentOrder": order, "SchedulingPolicyArn": Match.absent(),
            "JobStateTimeLimitActions": Match.array_with([Match.object_like({"Action": "CANCEL"})])})
    assert staging.cluster.job_queues == (staging.cluster.job_queue, staging.cluster.multi_node_job_queue)
    assert staging.cluster.multi_node_compute_environment is staging.cluster.compute_environments[-1]


def test_gpu_requirements_and_multi_node_job(staging: Synth) -> None:
    gpu = Match.array_with([{"Type": "GPU", "Value": "1"}])
    staging.template.has_resource_properties("AWS::Batch::JobDefinition", {
        "Type": "container", "ContainerProperties": Match.object_like({"ResourceRequirements": gpu})})
    staging.template.has_resource_properties("AWS::Batch::JobDefinition", {
        "Type": "multinode", "NodeProperties": {"NumNodes": 2, "MainNode": 0, "NodeRangeProperties": [
            {"TargetNodes": "0:", "Container": Match.object_like({"ResourceRequirements": gpu})}]}})
    assert staging.cluster.job_definitions == (staging.cluster.job_definition,
                                               staging.cluster.multi_node_job_definition)


def test_multi_node_environment_has_one_subnet_and_the_cluster_placement_group(staging: Synth, prod_efa: Synth,
                                                                                ) -> None:
    """A cluster placement group is in one Availability Zone: the multi-node environment gets the first isolated
    subnet only; single-node jobs keep every subnet and no placement group."""
    for synth in (staging, prod_efa):
        group = synth.template.get_resource_id("AWS::EC2::PlacementGroup", {"Properties": {"Strategy": "cluster"}})
        environments = _environments(synth)
        placed = [e for e in environments.values() if "PlacementGroup" in e]
        assert [e["PlacementGroup"] for e in placed] == [{"Ref": group}]
        (subnet,) = placed[0]["Subnets"]
        assert list(subnet) == ["Fn::Select"] and subnet["Fn::Select"][0] == 0
        for other in (e for e in environments.values() if "PlacementGroup" not in e):
            assert not isinstance(other["Subnets"], list) or len(other["Subnets"]) > 1


def test_every_compute_environment_has_the_cluster_security_group(staging: Synth, prod_efa: Synth) -> None:
    """Without securityGroupIds Batch uses the VPC's default security group (closed by the platform network), also
    for a multi-node job's awsvpc interfaces; the group lets the nodes talk (all traffic within itself)."""
    for synth in (staging, prod_efa):
        group = synth.template.get_resource_id("AWS::EC2::SecurityGroup", {"Properties": Match.object_like({
            "GroupDescription": "Batch instances: HTTPS to VPC endpoints only"})})
        for resources in _environments(synth).values():
            assert resources["SecurityGroupIds"] == [{"Fn::GetAtt": [group, "GroupId"]}]
        synth.template.has_resource_properties("AWS::EC2::SecurityGroupIngress", {
            "IpProtocol": "-1", "GroupId": {"Fn::GetAtt": [group, "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [group, "GroupId"]}})
        synth.template.has_resource_properties("AWS::EC2::SecurityGroupEgress", {
            "IpProtocol": "-1", "GroupId": {"Fn::GetAtt": [group, "GroupId"]},
            "DestinationSecurityGroupId": {"Fn::GetAtt": [group, "GroupId"]}})


def test_no_efa_interface_where_batch_refuses_it_beside_security_groups(prod_efa: Synth) -> None:
    """Batch refuses launch-template network interfaces (the only way to attach an EFA) together with compute
    environment security groups; the security groups win (see the training module), so no job definition names
    an EFA device that would not exist on the host."""
    for template in prod_efa.template.find_resources("AWS::EC2::LaunchTemplate").values():
        assert "NetworkInterfaces" not in template["Properties"]["LaunchTemplateData"]
    assert "/dev/infiniband" not in json.dumps(prod_efa.template.find_resources("AWS::Batch::JobDefinition"))
    prod_efa.template.resource_count_is("AWS::EC2::LaunchTemplate", 1)


def test_metadata_service_blocked_for_multi_node_tasks(staging: Synth) -> None:
    (template,) = staging.template.find_resources("AWS::EC2::LaunchTemplate").values()
    user_data = template["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]
    assert "ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config" in user_data
    assert user_data.startswith("MIME-Version: 1.0")  # Batch requires MIME multi-part user data


def test_prod_budget_holds(prod_efa: Synth) -> None:
    assert _max_concurrent_gpus(prod_efa) == prod_efa.cluster.max_gpus == 24  # the raised cap, exactly
    for job in prod_efa.template.find_resources("AWS::Batch::JobDefinition").values():
        assert job["Properties"]["Timeout"]["AttemptDurationSeconds"] <= PROD.max_job_hours * 3600


def test_scratch_is_mounted_through_an_access_point_as_the_images_user(prod_efa: Synth) -> None:
    template = prod_efa.template
    file_system = template.get_resource_id("AWS::EFS::FileSystem", {})
    uid = str(DOCKER_UID)
    access_point = template.get_resource_id("AWS::EFS::AccessPoint", {"Properties": Match.object_like({
        "FileSystemId": {"Ref": file_system}, "PosixUser": {"Uid": uid, "Gid": uid},
        "RootDirectory": {"Path": "/scratch", "CreationInfo": {"OwnerUid": uid, "OwnerGid": uid,
                                                                "Permissions": "0750"}}})})
    volume = {"Name": "scratch", "EfsVolumeConfiguration": {
        "FileSystemId": {"Ref": file_system}, "TransitEncryption": "ENABLED",
        "AuthorizationConfig": {"AccessPointId": {"Ref": access_point}, "Iam": "ENABLED"}}}
    template.has_resource_properties("AWS::Batch::JobDefinition", {"ContainerProperties": Match.object_like({
        "Volumes": [volume]})})
    template.has_resource_properties("AWS::Batch::JobDefinition", {"NodeProperties": Match.object_like({
        "NodeRangeProperties": [Match.object_like({"Container": Match.object_like({"Volumes": [volume]})})]})})
    # the job role may mount and write only through that access point (and never as root)
    (policy,) = [p for p in template.find_resources("AWS::IAM::ManagedPolicy").values()
                 if any(s.get("Sid") == "MountScratchThroughAccessPoint"
                        for s in p["Properties"]["PolicyDocument"]["Statement"])]
    mount = next(s for s in policy["Properties"]["PolicyDocument"]["Statement"]
                 if s.get("Sid") == "MountScratchThroughAccessPoint")
    assert mount["Action"] == ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    assert mount["Condition"] == {"ArnEquals": {"elasticfilesystem:AccessPointArn": {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":elasticfilesystem:", {"Ref": "AWS::Region"}, ":",
        {"Ref": "AWS::AccountId"}, ":access-point/", {"Ref": access_point}]]}}}
    assert "ClientRootAccess" not in json.dumps(template.to_json())


def test_shared_scratch_is_encrypted_tls_only_and_reachable_only_from_the_cluster(prod_efa: Synth) -> None:
    template = prod_efa.template
    file_system = template.get_resource_id("AWS::EFS::FileSystem", {"Properties": Match.object_like({
        "Encrypted": True, "KmsKeyId": Match.any_value(),
        "FileSystemPolicy": Match.object_like({"Statement": Match.array_with([Match.object_like({
            "Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}),
        "FileSystemTags": Match.array_with([Match.object_like({"Key": "CostCenter"}),
                                            Match.object_like({"Key": "Environment"})])})})
    template.resource_count_is("AWS::EFS::MountTarget", POLICY.network.max_azs)
    scratch_group = template.get_resource_id("AWS::EC2::SecurityGroup", {"Properties": Match.object_like({
        "GroupDescription": Match.string_like_regexp("NFS"), "SecurityGroupIngress": Match.absent()})})
    template.resource_properties_count_is("AWS::EC2::SecurityGroupIngress", {
        "GroupId": {"Fn::GetAtt": [scratch_group, "GroupId"]}, "FromPort": 2049, "ToPort": 2049,
        "IpProtocol": "tcp", "SourceSecurityGroupId": Match.any_value(), "Description": Match.any_value()}, 1)
    volume = [{"Name": "scratch", "EfsVolumeConfiguration": Match.object_like({
        "FileSystemId": {"Ref": file_system}, "TransitEncryption": "ENABLED"})}]
    mount = [Match.object_like({"ContainerPath": "/scratch", "SourceVolume": "scratch"})]
    container = Match.object_like({"Volumes": volume, "MountPoints": mount})
    template.has_resource_properties("AWS::Batch::JobDefinition", {"ContainerProperties": container})
    template.has_resource_properties("AWS::Batch::JobDefinition", {"NodeProperties": Match.object_like({
        "NodeRangeProperties": [Match.object_like({"Container": container})]})})
    assert prod_efa.cluster.scratch is not None
    template.has_resource("AWS::EFS::FileSystem", {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})


def test_gpu_budget_that_whole_instances_cannot_reach_is_a_warning() -> None:
    app = new_app({"env": "prod"})
    stack = Stack(app, "S")
    cluster = GpuTrainingCluster(stack, "Train", cost_center="recs", max_gpus=15, instance_types=["g5.12xlarge"])
    # 8 for the two multi-node nodes; the on-demand environment's 7 hold one 4-GPU instance only
    assert cluster.settings.worst_case_gpus == 12
    Annotations.from_stack(stack).has_warning("/S/Train", Match.string_like_regexp(
        "at most 12 of the 15 GPUs of max_gpus"))


def test_the_policy_spot_default_that_does_not_fit_is_a_warning() -> None:
    app = new_app({"env": "dev"})
    stack = Stack(app, "S")
    cluster = GpuTrainingCluster(stack, "Train", cost_center="recs")
    assert [p.provisioning for p in cluster.plans] == ["EC2", "EC2"]
    Annotations.from_stack(stack).has_warning("/S/Train", Match.string_like_regexp(
        "the cluster is on-demand: the policy's default spot=True does not fit max_gpus=4"))
    quiet = Stack(app, "Q")
    GpuTrainingCluster(quiet, "Train", cost_center="recs", spot=False)
    Annotations.from_stack(quiet).has_no_warning("*", Match.any_value())


def test_ten_line_default_is_valid_in_every_environment() -> None:
    for env in ("dev", "staging", "prod"):
        app = new_app({"env": env})
        cluster = GpuTrainingCluster(Stack(app, "T"), "Train", cost_center="recs")
        policy = POLICY.environment(env)
        assert sum(p.worst_case_gpus for p in cluster.plans) <= policy.max_gpus
        assert [p.name for p in cluster.plans][-1] == "MultiNodeComputeEnvironment"
        assert all(p.worst_case_gpus <= p.gpu_budget for p in cluster.plans)
        assert cluster.max_job_hours == policy.max_job_hours
        assert cluster.node.validate() == []


def test_invalid_arguments_raise_before_any_resource() -> None:
    app = new_app({"env": "staging"})
    with pytest.raises(PlatformValidationError, match=r"argument 'max_gpus' = 9 .*the staging cap 8"):
        GpuTrainingCluster(Stack(app, "S"), "Train", cost_center="recs", max_gpus=9)
    assert not app.node.find_child("S").node.find_child("Train").node.children
