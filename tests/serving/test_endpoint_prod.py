"""SecureModelEndpoint in prod: the data scientist's ten-line stack (``ds_templates/endpoint.py``) synthesized once
with every check, holding the policy's prod values."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from ds_templates.endpoint import ModelEndpointStack
from platform_constructs.policy import load_policy
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

PROD = load_policy().environment("prod")
SEED = "prod-rec-model"


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    app = new_app({"env": "prod"}, outdir=tmp_path_factory.mktemp("prod"))
    ModelEndpointStack(app, SEED)
    return synthesize(app)


def test_prod_synthesizes_clean(prod: SynthResult) -> None:
    assert cfn_lint(prod.template_path(SEED)) == []


@pytest.mark.parametrize("rtype", ["AWS::S3::Bucket", "AWS::KMS::Key"])
def test_prod_retains_data_bucket_and_key_under_generated_names(prod: SynthResult, rtype: str) -> None:
    resources = Template.from_json(prod.template(SEED)).find_resources(rtype)
    assert resources
    for resource in resources.values():
        assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")
        assert "BucketName" not in resource["Properties"]  # a retained resource never has a fixed name


def test_the_fixed_name_log_group_goes_with_its_endpoint(prod: SynthResult) -> None:
    """SageMaker names the log group after the endpoint; retained, it would make the next create of that name fail
    ("already exists") after a failed first deploy or a stack delete. The platform owns its lifecycle instead."""
    (group,) = Template.from_json(prod.template(SEED)).find_resources("AWS::Logs::LogGroup").values()
    assert (group["DeletionPolicy"], group["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert group["Properties"]["RetentionInDays"] == PROD.log_retention_days


def test_prod_canary_with_rollback_and_no_sleep(prod: SynthResult) -> None:
    seed = Template.from_json(prod.template(SEED))
    seed.has_resource_properties("AWS::SageMaker::Endpoint", {"DeploymentConfig": {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {
            "Type": "CANARY", "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10}, "WaitIntervalInSeconds": 600},
            "TerminationWaitInSeconds": 600},
        "AutoRollbackConfiguration": {"Alarms": Match.any_value()}}})
    seed.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {"ScheduledActions": Match.absent()})


def test_prod_capacity_bounds(prod: SynthResult) -> None:
    Template.from_json(prod.template(SEED)).has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {"MinCapacity": PROD.endpoint_min_capacity, "MaxCapacity": PROD.endpoint_max_capacity})
