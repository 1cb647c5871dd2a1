"""The emulator's Batch applies SubmitJob's share-identifier rule both ways, on the queues the session deployed
(``snap-batch-fair-share``: a fair-share queue; ``recs-batch``: the default FIFO queue), and the rule's pure
decision; without Docker a submitted job fails saying so."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from local_deployment import Deployment

from platform_constructs.local.models.batch_jobs import NO_DOCKER, docker_available, share_identifier_problem

FAIR_SHARE_STACK = "snap-batch-fair-share"
FIFO_STACK = "recs-batch"


def test_the_rule_both_ways() -> None:
    assert share_identifier_problem("q", "arn:policy", "recs") is None
    assert share_identifier_problem("q", None, None) is None
    assert "shareIdentifier must be specified" in str(share_identifier_problem("q", "arn:policy", None))
    assert "must not be specified" in str(share_identifier_problem("q", None, "recs"))


def _queue_and_job_definition(deployment: Deployment, stack: str) -> tuple[str, str]:
    listed = deployment.target.emulator.client("cloudformation").describe_stack_resources(StackName=stack)[
        "StackResources"]
    by_type = {r["ResourceType"]: r["PhysicalResourceId"] for r in listed}
    return by_type["AWS::Batch::JobQueue"], by_type["AWS::Batch::JobDefinition"]


@pytest.mark.deploy
@pytest.mark.xdist_group("deploy")
def test_a_fair_share_queue_refuses_a_job_without_a_share_identifier(local_deployment: Deployment) -> None:
    batch = local_deployment.target.emulator.client("batch")
    queue, job_definition = _queue_and_job_definition(local_deployment, FAIR_SHARE_STACK)
    with pytest.raises(ClientError, match=r"ClientException.*fair-share scheduling policy.*must be specified"):
        batch.submit_job(jobName="no-share", jobQueue=queue, jobDefinition=job_definition)
    accepted = batch.submit_job(jobName="with-share", jobQueue=queue, jobDefinition=job_definition,
                                shareIdentifier="recs", schedulingPriorityOverride=1)
    assert accepted["jobId"]


@pytest.mark.deploy
@pytest.mark.xdist_group("deploy")
def test_a_fifo_queue_refuses_a_share_identifier_and_takes_a_job_without(local_deployment: Deployment) -> None:
    batch = local_deployment.target.emulator.client("batch")
    queue, job_definition = _queue_and_job_definition(local_deployment, FIFO_STACK)
    with pytest.raises(ClientError, match=r"ClientException.*no fair-share scheduling policy.*must not be"):
        batch.submit_job(jobName="with-share", jobQueue=queue, jobDefinition=job_definition, shareIdentifier="recs")
    assert batch.submit_job(jobName="no-share", jobQueue=queue, jobDefinition=job_definition)["jobId"]


@pytest.mark.deploy
@pytest.mark.xdist_group("deploy")
@pytest.mark.skipif(docker_available(), reason="a Docker daemon answers: moto runs the job's container")
def test_without_docker_a_job_fails_saying_why(local_deployment: Deployment) -> None:
    batch = local_deployment.target.emulator.client("batch")
    queue, job_definition = _queue_and_job_definition(local_deployment, FIFO_STACK)
    job = batch.submit_job(jobName="no-docker", jobQueue=queue, jobDefinition=job_definition)["jobId"]
    for _ in range(100):  # moto's job thread marks it stopped at once; the loop bounds the wait, it times nothing
        (described,) = batch.describe_jobs(jobs=[job])["jobs"]
        if described["status"] == "FAILED":
            break
        time.sleep(0.05)
    assert (described["status"], described.get("statusReason")) == ("FAILED", NO_DOCKER)
