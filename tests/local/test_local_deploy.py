"""End to end: the platform app (example app, every construct mode, a data-scientist stack) and a raw L1 app
deployed with the real CDK CLI into the embedded emulator, verified with boto3: the deploy flow itself
(ordering, SSM-typed parameters, outputs, updates, ``cdk diff``), the CLI entry points, and the quiet,
honest result (no emulator warnings, every resource created or checked on the template with a reason).

The session's one emulator and deploy come from ``conftest.py`` (``local_deployment``); the per-type checks
of what the emulator created are in ``test_local_deploy_resources.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from local_deploy_stacks import BATCH_STACK, NETWORK_STACK, RESOLVER_STACK, SAGEMAKER_STACK, ResolverStack
from local_deployment import Deployment

import app as example
from platform_constructs.local.deploy import LocalTarget
from platform_constructs.local.models import TEMPLATE_ONLY, unmodelled
from platform_constructs.testing import SynthResult, new_app, synthesize

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]


def _outputs(target: LocalTarget, stack: str) -> dict[str, str]:
    described = target.emulator.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def test_every_stack_deploys_and_every_check_passes(local_deployment: Deployment) -> None:
    stacks = {s.stack: s for s in [*local_deployment.main.stacks, *local_deployment.raw.stacks]}
    assert set(stacks) >= {NETWORK_STACK, RESOLVER_STACK, SAGEMAKER_STACK, BATCH_STACK,
                           *local_deployment.main_synth.templates}
    failed = [str(c) for s in stacks.values() for c in s.failed]
    assert not failed, "\n".join(failed)
    assert all(s.passed > s.resources for s in stacks.values())  # a "created" check per resource and more


def test_every_resource_is_created_or_checked_on_the_template_with_a_reason(local_deployment: Deployment) -> None:
    """No type is skipped silently: created in the emulator, or in the template-only table with its reason."""
    for stack in [*local_deployment.main.stacks, *local_deployment.raw.stacks]:
        assert stack.created + sum(stack.template_only.values()) == stack.resources, stack.stack
        assert set(stack.template_only) <= set(TEMPLATE_ONLY), stack.stack
    emitted = {r["Type"] for t in local_deployment.main_synth.templates.values() for r in t["Resources"].values()}
    assert unmodelled(emitted) == []
    assert {"AWS::CloudWatch::Alarm", "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::S3::BucketPolicy",
            "AWS::SNS::TopicPolicy", "AWS::Batch::SchedulingPolicy", "AWS::EC2::SecurityGroupEgress",
            "AWS::CodeBuild::Project", "AWS::ECR::RegistryScanningConfiguration", "AWS::EFS::MountTarget"} <= emitted


def test_the_emulator_logged_nothing(local_deployment: Deployment) -> None:
    """Quiet and honest: no "No Moto CloudFormation support" or failed request during any deploy."""
    assert local_deployment.main.emulator_log == []
    assert local_deployment.raw.emulator_log == []


def test_network_deployed_and_published_to_ssm(local_deployment: Deployment) -> None:
    em = local_deployment.target.emulator
    vpc_id = em.client("ssm").get_parameter(Name="/platform/network/vpc-id")["Parameter"]["Value"]
    subnets = em.client("ssm").get_parameter(Name="/platform/network/isolated-subnet-ids")["Parameter"]
    vpc = em.client("ec2").describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.40.0.0/16"
    assert subnets["Type"] == "StringList"
    subnet_ids = subnets["Value"].split(",")
    described = em.client("ec2").describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    assert len(described) == 2 and {s["VpcId"] for s in described} == {vpc_id}
    endpoints = em.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    services = {e["ServiceName"].rsplit(".", 1)[-1] for e in endpoints["VpcEndpoints"]}
    # S3 gateway + the network's 12 interface endpoints (other example stacks may add their own)
    assert {"s3", "api", "runtime", "dkr", "logs", "monitoring", "sts", "kms", "batch", "ecs", "ecs-agent",
            "ecs-telemetry"} <= services
    keys = [c for s in local_deployment.main.stacks for c in s.checks if c.name == "rotation"]
    assert keys and all(c.passed for c in keys)


def test_ssm_typed_parameters_resolve_at_deploy_time(local_deployment: Deployment) -> None:
    """The data-scientist stack's String and List<AWS::EC2::Subnet::Id> SSM parameters resolve in the emulator."""
    em = local_deployment.target.emulator
    outputs = _outputs(local_deployment.target, RESOLVER_STACK)
    published = em.client("ssm").get_parameter(Name="/platform/network/isolated-subnet-ids")["Parameter"]["Value"]
    assert outputs["SubnetIds"] == published
    assert outputs["VpcId"] == em.client("ssm").get_parameter(Name="/platform/network/vpc-id")["Parameter"]["Value"]
    groups = em.client("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [outputs["VpcId"]]}])
    assert any(g.get("Description") == "local deploy test" for g in groups["SecurityGroups"])


def test_sagemaker_endpoint_in_service_with_kms_capture_and_vpc(local_deployment: Deployment) -> None:
    em = local_deployment.target.emulator
    sm = em.client("sagemaker")
    endpoint = sm.describe_endpoint(EndpointName=_outputs(local_deployment.target, SAGEMAKER_STACK)["EndpointName"])
    assert endpoint["EndpointStatus"] == "InService"
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert config["KmsKeyId"].startswith("arn:aws:kms:")
    assert config["DataCaptureConfig"]["EnableCapture"] is True
    # ml.g5.xlarge is not in the emulator's list: the adapter swapped it, and said so.
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.g4dn.xlarge"
    assert any(c.detail == "InstanceType ml.g5.xlarge -> ml.g4dn.xlarge" for c in local_deployment.raw.changes)
    model = sm.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    published = em.client("ssm").get_parameter(Name="/platform/network/isolated-subnet-ids")["Parameter"]["Value"]
    assert sorted(model["VpcConfig"]["Subnets"]) == sorted(published.split(","))
    assert model["VpcConfig"]["SecurityGroupIds"]


def test_model_network_isolation_asserted_on_the_template(local_deployment: Deployment) -> None:
    """The emulator stores EnableNetworkIsolation=False whatever it is given: this reads the template."""
    (check,) = [c for s in local_deployment.raw.stacks for c in s.checks if c.name == "network isolation"]
    assert check.passed and check.source.startswith("template")


def test_batch_compute_environment_and_queue_valid_and_enabled(local_deployment: Deployment) -> None:
    batch = local_deployment.target.emulator.client("batch")
    outputs = _outputs(local_deployment.target, BATCH_STACK)
    assert set(outputs) == {"ComputeEnvironmentArn", "JobQueueArn", "JobDefinitionArn"}  # GetAtt -> Ref kept them
    (ce,) = batch.describe_compute_environments(computeEnvironments=[outputs["ComputeEnvironmentArn"]])[
        "computeEnvironments"]
    assert (ce["status"], ce["state"], ce["type"]) == ("VALID", "ENABLED", "MANAGED")
    assert ce["serviceRole"].endswith("LocalBatchServiceRole") or "LocalBatchServiceRole" in ce["serviceRole"]
    (queue,) = batch.describe_job_queues(jobQueues=[outputs["JobQueueArn"]])["jobQueues"]
    assert (queue["status"], queue["state"]) == ("VALID", "ENABLED")
    assert queue["computeEnvironmentOrder"][0]["computeEnvironment"] == outputs["ComputeEnvironmentArn"]
    (job,) = batch.describe_job_definitions(jobDefinitions=[outputs["JobDefinitionArn"]])["jobDefinitions"]
    assert job["status"] == "ACTIVE"


def test_every_adapter_change_is_reported(local_deployment: Deployment) -> None:
    changes = {c.transformation for c in [*local_deployment.main.changes, *local_deployment.raw.changes]}
    assert {"strip_bootstrap_version_rule", "drop_custom_resources", "kms_key_tag_shape", "kms_key_policy_as_string",
            "ssm_parameter_tag_shape", "uppercase_batch_compute_environment_type", "add_batch_service_role",
            "swap_unsupported_instance_types", "batch_getatt_to_ref",
            "batch_job_definition_retry_strategy"} <= changes
    dropped = [c.detail for c in local_deployment.main.changes if c.transformation == "drop_custom_resources"]
    assert any("Custom::VpcRestrictDefaultSG" in d for d in dropped)


def test_default_security_group_rule_asserted_on_the_template(example_app: SynthResult) -> None:
    """The custom resource that closes the default security group cannot run in the emulator (its Lambda needs
    Docker), so the adapter drops it: this asserts it is in the real template."""
    custom = example_app.resources("platform-network", "Custom::VpcRestrictDefaultSG")
    assert len(custom) == 1


def test_cdk_diff_shows_no_changes_after_deploy(local_deployment: Deployment) -> None:
    output, _ = local_deployment.target.diff(local_deployment.main_local)
    assert "Number of stacks with differences: 0" in output
    assert output.count("There were no differences") == len(local_deployment.main.stacks)


def test_second_deploy_updates(local_deployment: Deployment, tmp_path: Path) -> None:
    """A changed stack re-deploys as an update (UPDATE_COMPLETE), and an unchanged one is left alone."""
    app = new_app(outdir=tmp_path / "v2")
    ResolverStack(app, RESOLVER_STACK, extra_output="v2")
    result = local_deployment.target.deploy_assembly(synthesize(app).outdir, run_platform_check=False,
                                               local_dir=tmp_path / "v2.local")
    (stack,) = result.stacks
    assert not stack.failed, "\n".join(map(str, stack.failed))
    cfn = local_deployment.target.emulator.client("cloudformation")
    assert cfn.describe_stacks(StackName=RESOLVER_STACK)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert _outputs(local_deployment.target, RESOLVER_STACK)["Revision"] == "v2"
    again = local_deployment.target.deploy_assembly(local_deployment.main.assembly, run_platform_check=False,
                                              local_dir=local_deployment.main_local, runtime_calls=False)
    assert all(not s.failed for s in again.stacks)


def test_prod_retains_stateful_resources(tmp_path: Path) -> None:
    """In prod, KMS keys and log groups carry DeletionPolicy/UpdateReplacePolicy Retain (asserted on the
    template: a local deploy cannot show retention)."""
    synth = synthesize(example.build_app(new_app(context={"env": "prod"}, outdir=tmp_path)))
    stateful = {"AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::ECR::Repository",
                "AWS::EFS::FileSystem", "AWS::FSx::FileSystem"}
    found = [(name, lid, r) for name, t in synth.templates.items() for lid, r in t["Resources"].items()
             if r["Type"] in stateful and not _sagemaker_endpoint_log_group(r)]
    assert len(found) >= 3
    for name, lid, resource in found:
        assert resource.get("DeletionPolicy") == "Retain", f"{name}/{lid}"
        assert resource.get("UpdateReplacePolicy") == "Retain", f"{name}/{lid}"


def _sagemaker_endpoint_log_group(resource: dict[str, Any]) -> bool:
    """SageMaker fixes its endpoint's log group name; the endpoint deletes that group with itself so that no later
    create meets a retained one (tests/serving/test_endpoint_prod.py asserts it)."""
    name = resource.get("Properties", {}).get("LogGroupName")
    return resource["Type"] == "AWS::Logs::LogGroup" and isinstance(name, str) and name.startswith(
        "/aws/sagemaker/Endpoints/")


def test_emulator_name_appears_only_in_the_local_package() -> None:
    package = ROOT / "platform_constructs"
    offenders = [str(p.relative_to(ROOT)) for p in package.rglob("*.py")
                 if "local" not in p.relative_to(package).parts[:1]
                 and re.search(r"moto", p.read_text(encoding="utf-8"), re.IGNORECASE)]
    assert offenders == []


def test_standalone_command_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "platform_constructs.local", "--help"], capture_output=True,
                          text=True, check=False, cwd=ROOT, timeout=120)
    assert proc.returncode == 0 and "--app DIR" in proc.stdout and "--env" in proc.stdout


def test_deploy_local_subparser_wires_into_a_cli() -> None:
    import argparse

    from platform_constructs.local.cli import add_deploy_local_parser, run

    parser = argparse.ArgumentParser(prog="platform")
    add_deploy_local_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["deploy-local", "--app", "proj", "--env", "prod"])
    assert (args.command, args.app, args.env_name, args.func) == ("deploy-local", Path("proj"), "prod", run)


def _resource_ids(target: LocalTarget, stack: str, resource_type: str) -> list[str]:
    resources = target.emulator.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    return [r["PhysicalResourceId"] for r in resources if r.get("ResourceType") == resource_type]


def test_example_endpoint_stack_in_service_with_kms_capture_and_isolated_vpc(local_deployment: Deployment) -> None:
    """The seed's ten-line SecureModelEndpoint stack (ds_templates/endpoint.py), deployed by the real CLI."""
    sm = local_deployment.target.emulator.client("sagemaker")
    (arn,) = _resource_ids(local_deployment.target, "prod-rec-model", "AWS::SageMaker::Endpoint")
    endpoint = sm.describe_endpoint(EndpointName=arn.rsplit("/", 1)[-1])  # the emulator names it itself
    assert endpoint["EndpointStatus"] == "InService"
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    capture = config["DataCaptureConfig"]
    assert capture["EnableCapture"] is True and capture["KmsKeyId"]
    assert {o["CaptureMode"] for o in capture["CaptureOptions"]} == {"Input", "Output"}
    model = sm.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    subnets = local_deployment.target.emulator.client("ssm").get_parameter(
        Name="/platform/network/isolated-subnet-ids")["Parameter"]["Value"].split(",")
    assert set(model["VpcConfig"]["Subnets"]) == set(subnets) and model["VpcConfig"]["SecurityGroupIds"]
    for key in _resource_ids(local_deployment.target, "prod-rec-model", "AWS::KMS::Key"):
        assert local_deployment.target.emulator.client("kms").get_key_rotation_status(KeyId=key)["KeyRotationEnabled"]


@pytest.mark.parametrize("stack", ["recs-batch", "recs-training"])
def test_example_batch_stacks_queue_and_compute_valid_enabled(local_deployment: Deployment, stack: str) -> None:
    batch = local_deployment.target.emulator.client("batch")
    queues = batch.describe_job_queues(jobQueues=_resource_ids(local_deployment.target, stack, "AWS::Batch::JobQueue"))
    assert queues["jobQueues"] and all(q["state"] == "ENABLED" and q["status"] == "VALID"
                                       for q in queues["jobQueues"])
    environments = batch.describe_compute_environments(
        computeEnvironments=_resource_ids(local_deployment.target, stack, "AWS::Batch::ComputeEnvironment"))
    assert len(environments["computeEnvironments"]) == 2  # spot first, on-demand fallback
    assert all(e["state"] == "ENABLED" and e["status"] == "VALID" for e in environments["computeEnvironments"])


def test_example_golden_image_repositories_exist_immutable(local_deployment: Deployment) -> None:
    ecr = local_deployment.target.emulator.client("ecr")
    names = {r["repositoryName"]: r for r in ecr.describe_repositories()["repositories"]}
    for level in ("platform/golden/base", "platform/golden/runtime", "platform/golden/projects/recommendations"):
        assert names[level]["imageTagMutability"] == "IMMUTABLE"  # (KMS and scanning: on the template, PLAT-ECR*)
