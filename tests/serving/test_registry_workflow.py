"""The model registry's approval workflow, executed: moto's Step Functions interpreter (its port of LocalStack's
Amazon States Language engine) runs the definition against moto's SageMaker, SSM and EventBridge backends.

Each test starts from a group with packages in given states, runs one execution with the approval event
EventBridge would deliver, and reads the two SSM parameters an endpoint resolves at deploy time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from platform_constructs.policy import load_policy
from platform_constructs.serving.registry_settings import approved_parameters
from platform_constructs.serving.registry_workflow import (
    EVENT_SOURCE,
    PUBLISHED,
    approval_workflow,
    approved_image_patterns,
)

REGION, ACCOUNT = "us-east-1", "123456789012"
POLICY = load_policy()
GROUP = "churn"
IMAGE = f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"
METADATA = {"framework": "pytorch", "version": "1.0.0", "input_schema": "{}", "output_schema": "{}"}


def definition() -> str:
    text = approval_workflow(ssm_prefix=POLICY.model_registry.ssm_prefix,
                             image_patterns=approved_image_patterns(POLICY.approved_registries),
                             metadata_fields=POLICY.artifacts.required_metadata_fields)
    return text.replace("${Account}", ACCOUNT).replace("${Region}", REGION).replace("${Partition}", "aws")


class Registry:
    """A moto account with the group, the state machine, and a queue receiving the announcements."""

    def __init__(self) -> None:
        self.sagemaker = boto3.client("sagemaker", region_name=REGION)
        self.ssm = boto3.client("ssm", region_name=REGION)
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self.sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
        self.runs = 0
        self.machine = self.sfn.create_state_machine(
            name="approvals", definition=definition(), roleArn=f"arn:aws:iam::{ACCOUNT}:role/approvals",
        )["stateMachineArn"]
        sqs = boto3.client("sqs", region_name=REGION)
        self.queue = sqs.create_queue(QueueName="published")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events = boto3.client("events", region_name=REGION)
        events.put_rule(Name="published", EventPattern=json.dumps({"source": [EVENT_SOURCE],
                                                                   "detail-type": [PUBLISHED]}))
        events.put_targets(Rule="published", Targets=[{"Id": "queue", "Arn": queue_arn}])

    def register(self, *, status: str = "Approved", url: str = "s3://models/churn/model.tar.gz", image: str = IMAGE,
                 metadata: dict[str, str] | None = None, containers: int = 1) -> str:
        time.sleep(0.002)  # distinct creation times: the workflow takes the newest Approved package
        container = {"Image": image, "ModelDataUrl": url}
        return str(self.sagemaker.create_model_package(
            ModelPackageGroupName=GROUP, ModelApprovalStatus=status,
            CustomerMetadataProperties=METADATA if metadata is None else metadata,
            InferenceSpecification={"Containers": [container] * containers, "SupportedContentTypes": ["text/csv"],
                                    "SupportedResponseMIMETypes": ["text/csv"]})["ModelPackageArn"])

    def set_status(self, arn: str, status: str) -> None:
        self.sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus=status)

    def run(self) -> dict[str, Any]:
        """One execution with the approval event of the group; its description when it has finished."""
        event = {"source": "aws.sagemaker", "detail-type": "SageMaker Model Package State Change",
                 "detail": {"ModelPackageGroupName": GROUP, "ModelApprovalStatus": "Approved"}}
        self.runs += 1
        execution = self.sfn.start_execution(stateMachineArn=self.machine, name=f"run-{self.runs}",
                                             input=json.dumps(event))["executionArn"]
        for _ in range(200):
            described = self.sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                return dict(described)
            time.sleep(0.02)
        raise AssertionError("the execution did not finish")

    def published(self) -> tuple[str | None, str | None]:
        values = []
        for name in approved_parameters(POLICY, GROUP):
            try:
                values.append(self.ssm.get_parameter(Name=name)["Parameter"]["Value"])
            except self.ssm.exceptions.ParameterNotFound:
                values.append(None)
        return values[0], values[1]

    def announcements(self) -> list[dict[str, Any]]:
        messages = boto3.client("sqs", region_name=REGION).receive_message(
            QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"])["detail"] for m in messages]


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    # moto keeps its IAM setting per process: an IAM-enforcing emulator of another test in this worker
    # (platform_constructs/local/iam.py) must not authorise these unauthenticated in-process calls
    from moto import settings

    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", float("inf"))
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield Registry()


def test_an_approved_package_is_published_and_announced(registry: Registry) -> None:
    arn = registry.register(url="s3://models/churn/v1/model.tar.gz")
    assert registry.run()["status"] == "SUCCEEDED"
    assert registry.published() == (arn, "s3://models/churn/v1/model.tar.gz")
    assert registry.announcements() == [{"ModelPackageGroupName": GROUP, "ModelPackageArn": arn,
                                         "ModelDataUrl": "s3://models/churn/v1/model.tar.gz"}]


def test_the_newest_approved_package_wins_and_a_rejection_falls_back(registry: Registry) -> None:
    first = registry.register(url="s3://models/churn/v1/model.tar.gz")
    second = registry.register(url="s3://models/churn/v2/model.tar.gz")
    registry.register(status="PendingManualApproval", url="s3://models/churn/v3/model.tar.gz")
    registry.run()
    assert registry.published() == (second, "s3://models/churn/v2/model.tar.gz")
    registry.set_status(second, "Rejected")
    assert registry.run()["status"] == "SUCCEEDED"
    assert registry.published() == (first, "s3://models/churn/v1/model.tar.gz")


def test_no_approved_package_left_changes_nothing(registry: Registry) -> None:
    only = registry.register()
    registry.run()
    registry.set_status(only, "Rejected")
    failed = registry.run()
    assert (failed["status"], failed.get("error")) == ("FAILED", "NoApprovedPackage")
    assert registry.published()[0] == only


@pytest.mark.parametrize(("package", "why"), [
    ({"url": "s3://models/churn/model.pkl"}, "a bare pickle, not a model.tar.gz"),
    ({"url": "s3://models/churn/*.tar.gz"}, "an IAM wildcard: the endpoint's role could read every model"),
    ({"url": "s3://models/churn/v?/model.tar.gz"}, "an IAM single-character wildcard"),
    ({"url": "s3://models/${aws:username}/model.tar.gz"}, "an IAM policy variable"),
    ({"image": "docker.io/someone/inference:latest"}, "an image outside the approved registries"),
    ({"metadata": {k: v for k, v in METADATA.items() if k != "input_schema"}}, "a required metadata field missing"),
    ({"metadata": {**METADATA, "framework": "pickle"}}, "an unsupported framework"),
    ({"containers": 2}, "two containers"),
])
def test_an_approved_package_breaking_the_artifact_contract_is_not_published(
        registry: Registry, package: dict[str, Any], why: str) -> None:
    good = registry.register()
    registry.run()
    registry.register(**package)
    failed = registry.run()
    assert (failed["status"], failed.get("error")) == ("FAILED", "ArtifactContract"), why
    assert registry.published()[0] == good, why
