"""What a data scientist reads: what was built, how to call it, what to deploy first, what it costs."""

from __future__ import annotations

from describe_templates import batch_template, endpoint_template

from platform_constructs.describe.model import read_stack
from platform_constructs.describe.render import describe_stack, one_line
from platform_constructs.policy import load_policy


def test_a_realtime_endpoint_is_described_with_snippets_for_its_content_type() -> None:
    text = describe_stack(read_stack("churn", endpoint_template()), load_policy())
    assert "a realtime SageMaker endpoint named churn-Model" in text
    assert "variant Primary: ml.m5.large x 1-2 instances (autoscaling)" in text
    assert "2 alarms notify SNS topic Topic (subscribe your team to it):" in text
    assert 'runtime.invoke_endpoint(EndpointName="churn-Model", ContentType="application/json",' in text
    assert 'predictor = Predictor(endpoint_name="churn-Model", serializer=JSONSerializer()' in text
    assert "deploy first: the platform network (a PlatformNetwork stack such as platform-network publishes " \
           "/platform/network/vpc-id)" in text
    assert "estimated cost: USD 84-168/month" in text


def test_the_framework_chooses_the_content_type() -> None:
    template = endpoint_template()
    template["Metadata"]["platform:constructs"][0]["framework"] = "sklearn"
    text = describe_stack(read_stack("churn", template), load_policy())
    assert 'ContentType="text/csv"' in text and "CSVSerializer" in text


def test_async_says_where_inputs_and_results_go() -> None:
    text = describe_stack(read_stack("churn", endpoint_template(mode="async")), load_policy())
    assert 'InputLocation="s3://<Bucket>/async-input/request.json")' in text
    assert "# results: s3://<Bucket>/async-output/ ; failures: s3://<Bucket>/async-failures/" in text


def test_batch_says_how_to_submit_and_configure_metaflow() -> None:
    text = describe_stack(read_stack("train", batch_template()), load_policy())
    assert "job queue Queue (fair share): spot 0-8 vCPUs of g4dn.xlarge, g5.xlarge; ec2 0-11 vCPUs" in text
    assert "GPU budget: at most 4 GPUs at once" in text
    assert "aws batch submit-job --job-name my-job --job-queue \"$(aws cloudformation describe-stacks " \
           "--stack-name train --query \"Stacks[0].Outputs[?OutputKey=='QueueArn'].OutputValue\"" in text
    assert "--share-identifier churn" in text
    assert "> ~/.metaflowconfig/config.json" in text
    fifo = describe_stack(read_stack("train", batch_template(fair_share=False)), load_policy())
    assert "first in, first out" in fifo and "--share-identifier" not in fifo


def test_one_line_per_stack() -> None:
    assert one_line(read_stack("churn", endpoint_template()), load_policy()) == (
        "churn: endpoint churn-Model (realtime, ml.m5.large x 1-2); deploy first: the platform network; "
        "~USD 84-168/month")


def test_an_endpoint_from_a_registry_package_reads_it_at_deploy_and_needs_it_published() -> None:
    template = endpoint_template()
    template["Parameters"]["PackageData"] = {"Type": "AWS::SSM::Parameter::Value<String>",
                                             "Default": "/platform/model-registry/churn/approved-model-data-url"}
    template["Resources"]["Model"]["Properties"]["PrimaryContainer"]["ModelDataUrl"] = {"Ref": "PackageData"}
    summary = read_stack("churn", template)
    text = describe_stack(summary, load_policy())
    assert "model <SSM /platform/model-registry/churn/approved-model-data-url>" in text
    assert "an Approved model package of group churn (the ModelRegistry's approval workflow publishes " \
           "/platform/model-registry/churn/)" in text
    assert "deploy first: the platform network, an Approved model package of group churn" in one_line(
        summary, load_policy())
