"""Reading templates as what was built: endpoints, Batch compute, prerequisites, template values as text."""

from __future__ import annotations

from describe_templates import batch_template, endpoint_template

from platform_constructs.describe.model import read_stack


def test_a_realtime_endpoint() -> None:
    summary = read_stack("churn", endpoint_template(low=2, high=4))
    assert (summary.environment, summary.policy) == ("dev", "default")
    assert summary.prerequisites == ("/platform/network/vpc-id",)
    (built,) = summary.built
    assert (built.path, built.construct, built.cost_center) == ("churn/Model", "SecureModelEndpoint", "churn")
    endpoint = built.endpoint
    assert endpoint is not None and endpoint.name == "churn-Model" and endpoint.mode == "realtime"
    (variant,) = endpoint.variants
    assert (variant.instance_type, variant.min_instances, variant.max_instances) == ("ml.m5.large", 2, 4)
    assert variant.image == "763104351884.dkr.ecr.{region}.amazonaws.com/x:1"
    assert [a.what for a in endpoint.alarms] == ["Invocation5XXErrors Sum > 10", "ModelLatency p99 > 2000000"]
    assert {t for a in endpoint.alarms for t in a.notifies} == {"Topic"}


def test_serverless_and_async_endpoints() -> None:
    serverless = read_stack("s", endpoint_template(mode="serverless")).built[0].endpoint
    assert serverless is not None and serverless.mode == "serverless"
    assert (serverless.variants[0].serverless_memory_mb, serverless.variants[0].serverless_max_concurrency) == (2048, 5)
    asynchronous = read_stack("a", endpoint_template(mode="async")).built[0].endpoint
    assert asynchronous is not None and asynchronous.mode == "async"
    assert asynchronous.async_output == "s3://<Bucket>/async-output"
    assert asynchronous.async_failure == "s3://<Bucket>/async-failures"


def test_batch_compute() -> None:
    (built,) = read_stack("train", batch_template()).built
    compute = built.compute
    assert compute is not None and built.facts == {"gpu_budget": 4}
    (queue,) = compute.queues
    assert (queue.fair_share, queue.compute_environments, queue.output) == (True, ("Spot", "OnDemand"), "QueueArn")
    assert {e.logical_id: (e.provisioning, e.max_vcpus) for e in compute.environments} == {
        "Spot": ("SPOT", 8), "OnDemand": ("EC2", 11), "Fargate": ("FARGATE", 4)}
    assert compute.job_definitions == (("Job", "JobArn"),) and compute.metaflow_output == "TrainMetaflowConfig"


def test_a_template_without_platform_metadata_is_read_as_one_stack() -> None:
    template = endpoint_template()
    del template["Metadata"]
    summary = read_stack("raw", template)
    assert summary.environment is None and [b.construct for b in summary.built] == ["stack"]
    assert summary.built[0].endpoint is not None


def test_parameters_the_stack_publishes_itself_are_no_prerequisite() -> None:
    template = endpoint_template()
    template["Resources"]["Published"] = {"Type": "AWS::SSM::Parameter",
                                          "Properties": {"Name": "/platform/network/vpc-id", "Value": "v"}}
    assert read_stack("s", template).prerequisites == ()
    template["Resources"]["Model"]["Properties"]["PrimaryContainer"]["Image"] = (
        "{{resolve:ssm:/platform/images/default/inference}}")
    assert read_stack("s", template).prerequisites == ("/platform/images/default/inference",)
