"""GpuTrainingCluster: budget guards, secure instances, multi-node jobs, EFA and scratch; staging and prod apps,
each synthesized once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Annotations, Match, Template

from platform_constructs import GpuTrainingCluster, PlatformValidationError, catalog
from platform_constructs.catalog import worst_case_gpus
from platform_constructs.compliance.engine import check_template
from platform_constructs.policy import load_policy
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
def prod_efa() -> Synth:
    """prod: on-demand only (policy spot=false), p4d.24xlarge (8 GPUs, EFA), the default GPU cap, EFS scratch."""
    app = new_app({"env": "prod"})
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
        total += worst_case_gpus(specs, resources["MaxvCpus"], overshoot=resources["AllocationStrategy"] != "BEST_FIT")
    return total


def test_zero_findings_and_cfn_lint_clean(staging: Synth, prod_efa: Synth) -> None:
    for synth, env in ((staging, STAGING), (prod_efa, PROD)):
        assert cfn_lint(synth.result.template_path("Train")) == []
        assert [f for f in check_template(synth.result.template("Train"), POLICY, env) if not f.acknowledged] == []


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


def test_spot_first_then_on_demand_and_multi_node_queue_on_demand_only(staging: Synth) -> None:
    template = staging.template
    spot = template.get_resource_id("AWS::Batch::ComputeEnvironment", {"Properties": {"ComputeResources": {
        "Type": "SPOT"}}})
    on_demand = template.get_resource_id("AWS::Batch::ComputeEnvironment", {"Properties": {"ComputeResources": {
        "Type": "EC2"}}})
    fair_share = template.get_resource_id("AWS::Batch::SchedulingPolicy", {})
    for order in ([{"ComputeEnvironment": {"Ref": spot}, "Order": 1},
                   {"ComputeEnvironment": {"Ref": on_demand}, "Order": 2}],
                  [{"ComputeEnvironment": {"Ref": on_demand}, "Order": 1}]):
        template.has_resource_properties("AWS::Batch::JobQueue", {
            "ComputeEnvironmentOrder": order, "SchedulingPolicyArn": {"Ref": fair_share},
            "JobStateTimeLimitActions": Match.array_with([Match.object_like({"Action": "CANCEL"})])})
    assert staging.cluster.job_queues == (staging.cluster.job_queue, staging.cluster.multi_node_job_queue)


def test_gpu_requirements_and_multi_node_job(staging: Synth) -> None:
    gpu = Match.array_with([{"Type": "GPU", "Value": "1"}])
    staging.template.has_resource_properties("AWS::Batch::JobDefinition", {
        "Type": "container", "ContainerProperties": Match.object_like({"ResourceRequirements": gpu})})
    staging.template.has_resource_properties("AWS::Batch::JobDefinition", {
        "Type": "multinode", "NodeProperties": {"NumNodes": 2, "MainNode": 0, "NodeRangeProperties": [
            {"TargetNodes": "0:", "Container": Match.object_like({"ResourceRequirements": gpu})}]}})
    assert staging.cluster.job_definitions == (staging.cluster.job_definition,
                                               staging.cluster.multi_node_job_definition)


def test_on_demand_environment_in_cluster_placement_group(staging: Synth) -> None:
    group = staging.template.get_resource_id("AWS::EC2::PlacementGroup", {"Properties": {"Strategy": "cluster"}})
    assert [e.get("PlacementGroup") for e in _environments(staging).values() if e["Type"] == "EC2"] == [
        {"Ref": group}]
    assert [e.get("PlacementGroup") for e in _environments(staging).values() if e["Type"] == "SPOT"] == [None]


def test_efa_where_every_type_supports_it(staging: Synth, prod_efa: Synth) -> None:
    assert "efa" not in json.dumps(staging.template.find_resources("AWS::EC2::LaunchTemplate"))
    assert not staging.cluster.efa and prod_efa.cluster.efa
    prod_efa.template.has_resource_properties("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": Match.object_like({
        "NetworkInterfaces": [Match.object_like({"InterfaceType": "efa", "AssociatePublicIpAddress": False})]})})
    (resources,) = _environments(prod_efa).values()
    assert resources["Type"] == "EC2"  # prod policy: no spot
    assert "SecurityGroupIds" not in resources  # the EFA interface carries the group


def test_prod_budget_holds(prod_efa: Synth) -> None:
    assert _max_concurrent_gpus(prod_efa) <= PROD.max_gpus
    for job in prod_efa.template.find_resources("AWS::Batch::JobDefinition").values():
        assert job["Properties"]["Timeout"]["AttemptDurationSeconds"] <= PROD.max_job_hours * 3600


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


def test_gpu_budget_that_whole_instances_cannot_reach_is_a_warning() -> None:
    app = new_app({"env": "prod"})
    stack = Stack(app, "S")
    cluster = GpuTrainingCluster(stack, "Train", cost_center="recs", max_gpus=11, instance_types=["g5.12xlarge"])
    assert cluster.settings.worst_case_gpus == 8  # two 4-GPU instances; a third would make 12 > 11
    Annotations.from_stack(stack).has_warning("/S/Train", Match.string_like_regexp(
        "at most 8 of the 11 GPUs of max_gpus"))


def test_ten_line_default_is_valid_in_every_environment() -> None:
    for env in ("dev", "staging", "prod"):
        app = new_app({"env": env})
        cluster = GpuTrainingCluster(Stack(app, "T"), "Train", cost_center="recs")
        policy = POLICY.environment(env)
        assert sum(p.worst_case_gpus for p in cluster.plans) <= policy.max_gpus
        assert all(p.worst_case_gpus <= p.gpu_budget for p in cluster.plans)
        assert cluster.max_job_hours == policy.max_job_hours
        assert cluster.node.validate() == []


def test_invalid_arguments_raise_before_any_resource() -> None:
    app = new_app({"env": "staging"})
    with pytest.raises(PlatformValidationError, match=r"argument 'max_gpus' = 9 .*the staging cap 8"):
        GpuTrainingCluster(Stack(app, "S"), "Train", cost_center="recs", max_gpus=9)
    assert not app.node.find_child("S").node.find_child("Train").node.children
