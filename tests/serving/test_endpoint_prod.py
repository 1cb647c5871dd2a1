"""SecureModelEndpoint in prod: the data scientist's ten-line stack (``ds_templates/endpoint.py``) synthesized once
with every check, holding the policy's prod values."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

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


@pytest.mark.parametrize("rtype", ["AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup"])
def test_prod_retains_data_bucket_key_and_logs(prod: SynthResult, rtype: str) -> None:
    resources = Template.from_json(prod.template(SEED)).find_resources(rtype)
    assert resources
    for resource in resources.values():
        assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_prod_capacity_bounds(prod: SynthResult) -> None:
    Template.from_json(prod.template(SEED)).has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {"MinCapacity": PROD.endpoint_min_capacity, "MaxCapacity": PROD.endpoint_max_capacity})
