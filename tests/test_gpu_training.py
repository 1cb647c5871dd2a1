"""GpuTrainingCluster: acceptance 1-3 of issue 4 (budget guards, secure instances, multi-node jobs)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import GpuTrainingCluster, PlatformValidationError, catalog
from platform_constructs.catalog import worst_case_gpus
from platform_constructs.compliance.engine import check_template
from platform_constructs.policy import load_policy
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

POLICY = load_policy()
STAGING = POLICY.environment("staging")
PROD = POLICY.environment("prod")


@pytest.fixture(scope="module")
def staging() -> SynthResult:
    """Acceptance 1: the ten-line stack of the issue, in staging (caps: 8 GPUs, 24 h)."""
    app = new_app({"env": "staging"})
    GpuTrainingCluster(Stack(app, "Train"), "Train", cost_center="recs", max_gpus=8, max_job_hours=24)
    return synthesize(app)


@pytest.fixture(scope="module")
def prod_efa() -> SynthResult:
    """prod: on-demand only (policy spot=false), p4d.24xlarge (8 GPUs, EFA), the default GPU cap, EFS scratch."""
    app = new_app({"env": "prod"})
    GpuTrainingCluster(Stack(app, "Train"), "Train", cost_center="recs", instance_types=["p4d.24xlarge"],
                       shared_scratch=True)
    return synthesize(app)


def _props(result: SynthResult, rtype: str) -> dict[str, Mapping[str, Any]]:
    return {k: v["Properties"] for k, v in result.resources("Train", rtype).items()}


def _max_concurrent_gpus(result: SynthResult) -> int:
    """Recompute, from the template alone, the most GPUs the compute environments can run together."""
    total = 0
    for env in _props(result, "AWS::Batch::ComputeEnvironment").values():
        r = env["ComputeResources"]
        specs = [s for t in r["InstanceTypes"] if (s := catalog.ec2(t)) is not None]
        assert len(specs) == len(r["InstanceTypes"])
        total += worst_case_gpus(specs, r["MaxvCpus"], overshoot=r["AllocationStrategy"] != "BEST_FIT")
    return total


def test_acceptance_zero_findings_and_cfn_lint_clean(staging: SynthResult) -> None:
    assert cfn_lint(staging.template_path("Train")) == []
    assert [f for f in check_template(staging.template("Train"), POLICY, STAGING) if not f.acknowledged] == []


def test_acceptance_cannot_run_more_than_8_gpus(staging: SynthResult) -> None:
    assert _max_concurrent_gpus(staging) <= 8
    for env in _props(staging, "AWS::Batch::ComputeEnvironment").values():
        r = env["ComputeResources"]
        assert r["MaxvCpus"] <= STAGING.max_vcpus
        assert all(catalog.ec2(t) is not None and catalog.ec2(t).gpu for t in r["InstanceTypes"])  # type: ignore[union-attr]
        assert r["Ec2Configuration"] == [{"ImageType": "ECS_AL2023_NVIDIA"}]
    output = next(v for k, v in staging.template("Train")["Outputs"].items() if "MaxGpus" in k)
    assert int(output["Value"]) <= 8


def test_acceptance_no_job_timeout_above_24_hours(staging: SynthResult) -> None:
    jobs = _props(staging, "AWS::Batch::JobDefinition")
    assert len(jobs) == 2
    for job in jobs.values():
        assert 0 < job["Timeout"]["AttemptDurationSeconds"] <= 24 * 3600
        assert job["RetryStrategy"]["EvaluateOnExit"][0] == {"Action": "RETRY", "OnStatusReason": "Host EC2*"}


def test_acceptance_launch_templates_secure(staging: SynthResult, prod_efa: SynthResult) -> None:
    for result in (staging, prod_efa):
        for lt in _props(result, "AWS::EC2::LaunchTemplate").values():
            data = lt["LaunchTemplateData"]
            assert data["MetadataOptions"]["HttpTokens"] == "required"
            assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
            assert all(m["Ebs"]["Encrypted"] is True and "KmsKeyId" in m["Ebs"] for m in data["BlockDeviceMappings"])
            assert all(ni["AssociatePublicIpAddress"] is False for ni in data.get("NetworkInterfaces", []))


def test_spot_first_then_on_demand_and_multi_node_queue_on_demand_only(staging: SynthResult) -> None:
    envs = _props(staging, "AWS::Batch::ComputeEnvironment")
    queues = _props(staging, "AWS::Batch::JobQueue")
    orders = {k: [envs[o["ComputeEnvironment"]["Ref"]]["ComputeResources"]["Type"]
                  for o in sorted(q["ComputeEnvironmentOrder"], key=lambda o: o["Order"])] for k, q in queues.items()}
    assert sorted(orders.values()) == [["EC2"], ["SPOT", "EC2"]]
    for queue in queues.values():
        assert "SchedulingPolicyArn" in queue
        assert {a["Action"] for a in queue["JobStateTimeLimitActions"]} == {"CANCEL"}


def test_gpu_requirements_and_multi_node_job(staging: SynthResult) -> None:
    jobs = {p["Type"]: p for p in _props(staging, "AWS::Batch::JobDefinition").values()}
    assert {"Type": "GPU", "Value": "1"} in jobs["container"]["ContainerProperties"]["ResourceRequirements"]
    nodes = jobs["multinode"]["NodeProperties"]
    assert nodes["NumNodes"] == 2 and nodes["MainNode"] == 0
    (node_range,) = nodes["NodeRangeProperties"]
    assert {"Type": "GPU", "Value": "1"} in node_range["Container"]["ResourceRequirements"]


def test_on_demand_environment_in_cluster_placement_group(staging: SynthResult) -> None:
    (group_id, group), = staging.resources("Train", "AWS::EC2::PlacementGroup").items()
    assert group["Properties"]["Strategy"] == "cluster"
    envs = [e["ComputeResources"] for e in _props(staging, "AWS::Batch::ComputeEnvironment").values()]
    assert [e.get("PlacementGroup") for e in envs if e["Type"] == "EC2"] == [{"Ref": group_id}]


def test_efa_where_every_type_supports_it(staging: SynthResult, prod_efa: SynthResult) -> None:
    assert "efa" not in json.dumps(_props(staging, "AWS::EC2::LaunchTemplate"))
    efa = [lt for lt in _props(prod_efa, "AWS::EC2::LaunchTemplate").values()
           if lt["LaunchTemplateData"].get("NetworkInterfaces")]
    (template,) = efa
    (interface,) = template["LaunchTemplateData"]["NetworkInterfaces"]
    assert interface["InterfaceType"] == "efa"
    (env,) = _props(prod_efa, "AWS::Batch::ComputeEnvironment").values()
    assert env["ComputeResources"]["Type"] == "EC2"  # prod policy: no spot
    assert "SecurityGroupIds" not in env["ComputeResources"]  # the EFA interface carries the group


def test_prod_budget_holds_and_is_compliant(prod_efa: SynthResult) -> None:
    assert _max_concurrent_gpus(prod_efa) <= PROD.max_gpus
    assert cfn_lint(prod_efa.template_path("Train")) == []
    for job in _props(prod_efa, "AWS::Batch::JobDefinition").values():
        assert job["Timeout"]["AttemptDurationSeconds"] <= PROD.max_job_hours * 3600


def test_shared_scratch_is_encrypted_tls_only_and_reachable_only_from_the_cluster(prod_efa: SynthResult) -> None:
    (fs_id, fs), = prod_efa.resources("Train", "AWS::EFS::FileSystem").items()
    props = fs["Properties"]
    assert props["Encrypted"] is True and "KmsKeyId" in props
    deny = props["FileSystemPolicy"]["Statement"][0]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    assert {t["Key"] for t in props["FileSystemTags"]} >= {"CostCenter", "Environment"}
    targets = _props(prod_efa, "AWS::EFS::MountTarget")
    assert len(targets) == POLICY.network.max_azs
    groups = _props(prod_efa, "AWS::EC2::SecurityGroup")
    (scratch_sg,) = [k for k, g in groups.items() if "NFS" in g["GroupDescription"]]
    assert "SecurityGroupIngress" not in groups[scratch_sg]  # no address-range ingress
    ingress = [i for i in _props(prod_efa, "AWS::EC2::SecurityGroupIngress").values()
               if i["GroupId"] == {"Fn::GetAtt": [scratch_sg, "GroupId"]}]
    assert [(i["FromPort"], i["ToPort"], "SourceSecurityGroupId" in i) for i in ingress] == [(2049, 2049, True)]
    for job in _props(prod_efa, "AWS::Batch::JobDefinition").values():
        container = job.get("ContainerProperties") or job["NodeProperties"]["NodeRangeProperties"][0]["Container"]
        (volume,) = container["Volumes"]
        assert volume["EfsVolumeConfiguration"]["FileSystemId"] == {"Ref": fs_id}
        assert volume["EfsVolumeConfiguration"]["TransitEncryption"] == "ENABLED"
        assert container["MountPoints"][0]["ContainerPath"] == "/scratch"


def test_ten_line_default_is_valid_in_every_environment() -> None:
    for env in ("dev", "staging", "prod"):
        app = new_app({"env": env})
        cluster = GpuTrainingCluster(Stack(app, "T"), "Train", cost_center="recs")
        policy = POLICY.environment(env)
        assert sum(p.worst_case_gpus for p in cluster.plans) <= policy.max_gpus
        assert all(p.worst_case_gpus <= p.gpu_budget for p in cluster.plans)
        assert cluster.max_job_hours == policy.max_job_hours


@pytest.mark.parametrize(("env", "kwargs", "message"), [
    ("staging", {"max_gpus": 9}, r"argument 'max_gpus' = 9 .*the staging cap 8.*Fix: pass max_gpus<=8"),
    ("dev", {"max_gpus": 0}, r"argument 'max_gpus' = 0"),
    ("staging", {"max_job_hours": 25}, r"argument 'max_job_hours' = 25 .*cap 24"),
    ("staging", {"instance_types": ["m5.xlarge"]}, r"'m5.xlarge' .*GPU-bearing instance types only"),
    ("staging", {"instance_types": ["g9.xlarge"]}, r"'g9.xlarge' .*platform catalog"),
    ("dev", {"instance_types": ["p4d.24xlarge"]}, r"'p4d.24xlarge' .*dev environment's ec2_instance_types"),
    ("dev", {"max_gpus": 1}, r"argument 'max_gpus' = 1 .*at least 4 .*Fix: pass max_gpus>=4"),
    ("staging", {"instance_types": ["g5.12xlarge"], "max_gpus": 4}, r"argument 'max_gpus' = 4 .*at least 8"),
    ("staging", {"instance_types": ["g5.12xlarge"], "max_gpus": 8}, r"argument 'nodes' = 2 .*at most 1 nodes"),
    ("dev", {"nodes": 1}, r"argument 'nodes' = 1"),
    ("dev", {"spot": "yes"}, r"argument 'spot' = 'yes'"),
])
def test_invalid_arguments_are_clean_errors(env: str, kwargs: dict[str, Any], message: str) -> None:
    app = new_app({"env": env})
    with pytest.raises(PlatformValidationError, match=message):
        GpuTrainingCluster(Stack(app, "S"), "Train", cost_center="recs", **kwargs)


def test_worst_case_covers_mixed_types_and_overshoot() -> None:
    small, big = catalog.ec2("g4dn.xlarge"), catalog.ec2("g4dn.12xlarge")
    assert small is not None and big is not None
    # 47 vCPUs of 4-vCPU single-GPU instances (11 GPUs) plus one overshooting 4-GPU instance
    assert worst_case_gpus([small, big], 48, overshoot=True) == 11 + 4
    # without overshoot the densest mix in 48 vCPUs: 12 x g4dn.xlarge
    assert worst_case_gpus([small, big], 48, overshoot=False) == 12
    assert worst_case_gpus([big], 48, overshoot=False) == 4
