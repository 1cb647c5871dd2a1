"""An endpoint from the model registry's latest Approved package, deployed by the real CDK CLI into the session's
IAM-enforcing emulator (``conftest.py``: the example app's ``platform-model-registry`` and ``platform-network`` are
there), after the package is published:

1. a package of the registry's ``recommendations`` group is registered and approved, and its ARN and ``ModelDataUrl``
   published to the group's two SSM parameters as the approval workflow's ``PublishPackage``/``PublishModelData``
   states write them (the workflow itself runs in ``tests/serving/test_registry_workflow.py``: moto's Step Functions
   interpreter calls the emulator with credentials of its own, which IAM enforcement refuses);
2. the stack is deployed: the model serves that artifact, the execution role reads it and nothing else of its bucket
   (the endpoint's runtime-call table, made with the role as SageMaker assumes it);
3. deployed again unchanged: nothing changes and ``cdk diff`` finds nothing;
4. a newer package is approved and published, and the same assembly deployed again: the model serves the new
   artifact, the role reads it, and the previous package's artifact is refused.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from local_deployment import Deployment

from platform_constructs import ApprovedModelPackage, SecureModelEndpoint
from platform_constructs.local.deploy import DeployResult, explicit_parameter_defaults
from platform_constructs.local.runtime import tables as runtime
from platform_constructs.local.runtime.runner import CallResult
from platform_constructs.policy import load_policy
from platform_constructs.runtime_calls import Call, RoleCalls, RuntimeTable
from platform_constructs.serving.registry_settings import approved_parameters
from platform_constructs.serving.runtime_calls import ENDPOINT_CALLS
from platform_constructs.testing import new_app, synthesize

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

STACK = "registry-package-endpoint"
GROUP = "recommendations"
"""A project of the example app's ModelRegistry (deployed in the session as ``platform-model-registry``)."""
VERSIONS = ("s3://registry-artifacts-local/recommendations/v1/model.tar.gz",
            "s3://registry-artifacts-local/recommendations/v2/model.tar.gz")
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"
METADATA = {"framework": "pytorch", "version": "1.0.0", "input_schema": "{}", "output_schema": "{}"}
ARTIFACT_READ, OTHER_OBJECT = "reads the model artifact", "reads another object of the model artifact's bucket"
PREVIOUS = "reads the artifact of the package approved before"


@dataclass
class Served:
    packages: list[str]
    first: DeployResult
    first_model: dict[str, Any]
    again_model: dict[str, Any]
    diff: str
    after_model: dict[str, Any]
    after_outputs: dict[str, str]
    after_calls: list[CallResult]


def _approve(deployment: Deployment, url: str) -> str:
    """Register an Approved package of the group and publish it as the approval workflow does."""
    em = deployment.target.emulator
    time.sleep(0.002)  # distinct creation times
    arn = str(em.client("sagemaker").create_model_package(
        ModelPackageGroupName=GROUP, ModelApprovalStatus="Approved", CustomerMetadataProperties=METADATA,
        InferenceSpecification={"Containers": [{"Image": IMAGE, "ModelDataUrl": url}],
                                "SupportedContentTypes": ["application/json"],
                                "SupportedResponseMIMETypes": ["application/json"]})["ModelPackageArn"])
    for name, value in zip(approved_parameters(load_policy(), GROUP), (arn, url), strict=True):
        em.client("ssm").put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    return arn


def _model(deployment: Deployment) -> dict[str, Any]:
    em = deployment.target.emulator
    resources = em.client("cloudformation").describe_stack_resources(StackName=STACK)["StackResources"]
    (physical,) = (r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::SageMaker::Model")
    return dict(em.client("sagemaker").describe_model(ModelName=physical.rsplit("/", 1)[-1]))


def _outputs(deployment: Deployment) -> dict[str, str]:
    described = deployment.target.emulator.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


@pytest.fixture(scope="module")
def served(local_deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Served:
    target = local_deployment.target
    packages = [_approve(local_deployment, VERSIONS[0])]
    app = new_app(outdir=tmp_path_factory.mktemp("model-package"))
    SecureModelEndpoint(Stack(app, STACK), "Recommendations", model_package=ApprovedModelPackage(group=GROUP),
                        instance_type="ml.m5.xlarge", cost_center="product-recommendations")
    synth = synthesize(app)
    first = target.deploy_assembly(synth.outdir, run_platform_check=False, local_dir=Path(f"{synth.outdir}.local"))
    first_model = _model(local_deployment)
    parameters, _ = explicit_parameter_defaults(first.adapted)
    target.deploy(first.adapted.directory, parameters)
    again_model = _model(local_deployment)
    diff, _ = target.diff(first.adapted.directory)
    packages.append(_approve(local_deployment, VERSIONS[1]))
    target.deploy(first.adapted.directory, parameters)  # the same assembly: only the published values changed
    role = next(r for r in ENDPOINT_CALLS.roles if r.role == "ExecutionRole")
    previous = RuntimeTable(construct=ENDPOINT_CALLS.construct, anchor=ENDPOINT_CALLS.anchor, roles=(RoleCalls(
        role=role.role, service=role.service, context=role.context, calls=(
            Call("s3:GetObject", {"url": VERSIONS[0]}, PREVIOUS, expect="deny"),)),))
    calls = runtime.run(target.emulator, synth.templates, tables=[ENDPOINT_CALLS, previous])
    return Served(packages, first, first_model, again_model, diff, _model(local_deployment),
                  _outputs(local_deployment), calls)


def _calls(results: list[CallResult], does: str) -> list[CallResult]:
    found = [r for r in results if r.role.startswith("RecommendationsExecutionRole") and r.does == does]
    assert found, does
    return found


def test_the_stack_deploys_after_the_package_is_published_and_serves_it(served: Served) -> None:
    failed = [str(c) for s in served.first.stacks for c in s.failed]
    assert not failed, "\n".join(failed)
    assert served.first_model["PrimaryContainer"]["ModelDataUrl"] == VERSIONS[0]


def test_the_role_reads_the_package_artifact_and_nothing_else_of_its_bucket(served: Served) -> None:
    results = [r for s in served.first.stacks for r in s.runtime]
    assert not [str(r) for r in results if not r.ok]
    (read,) = _calls(results, ARTIFACT_READ)
    assert (read.outcome, read.source) == ("allowed", "emulator")
    assert read.resource == "arn:aws:s3:::registry-artifacts-local/recommendations/v1/model.tar.gz"
    (other,) = _calls(results, OTHER_OBJECT)
    assert (other.outcome, other.source) == ("denied", "emulator")
    assert other.resource.startswith("arn:aws:s3:::registry-artifacts-local/")


def test_a_second_deploy_without_a_new_approval_changes_nothing(served: Served) -> None:
    assert served.again_model["ModelArn"] == served.first_model["ModelArn"]
    assert "Number of stacks with differences: 0" in served.diff


def test_after_a_new_approval_the_same_assembly_deploys_the_new_package(served: Served) -> None:
    assert served.after_model["PrimaryContainer"]["ModelDataUrl"] == VERSIONS[1]
    assert served.after_model["ModelArn"] != served.first_model["ModelArn"]  # a new model, as CloudFormation makes it
    (output,) = (v for k, v in served.after_outputs.items() if k.startswith("RecommendationsModelPackageArn"))
    assert output == served.packages[1] != served.packages[0]
    (read,) = _calls(served.after_calls, ARTIFACT_READ)
    assert (read.outcome, read.resource) == (
        "allowed", "arn:aws:s3:::registry-artifacts-local/recommendations/v2/model.tar.gz")
    (previous,) = _calls(served.after_calls, PREVIOUS)
    assert (previous.outcome, previous.source) == ("denied", "emulator")
    assert not [str(r) for r in served.after_calls if not r.ok]
