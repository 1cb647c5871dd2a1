"""Endpoints from an approved model package (``serving/packages.py``): synthesized once with every check and
cfn-lint, asserted with ``Template``/``Match``; the deploy-time values evaluated as CloudFormation would, with the
published parameter's value; the arguments validated by the pure settings.

The emulator deploys such an endpoint after the parameters are published, and its role's runtime calls are made
there, in ``tests/local/test_local_model_package.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Match, Template

from platform_constructs import ApprovedModelPackage, ModelVariant, PlatformValidationError, SecureModelEndpoint
from platform_constructs.compliance.decisions import DECISIONS
from platform_constructs.compliance.engine import check_template, unacknowledged
from platform_constructs.local.runtime.resolve import resolve
from platform_constructs.policy import load_policy
from platform_constructs.serving.registry_settings import approved_parameters
from platform_constructs.serving.settings import endpoint_settings
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

POLICY = load_policy()
DEV = POLICY.environment("dev")
PACKAGE, AB = "pkg-endpoint", "pkg-ab"
URL = "s3://my-bucket/models/champion.tar.gz"
_CHURN, _CHALLENGER = approved_parameters(POLICY, "churn"), approved_parameters(POLICY, "churn-challenger")
PUBLISHED = {
    _CHURN[0]: "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/7",
    _CHURN[1]: "s3://churn-models/v7/model.tar.gz",
    _CHALLENGER[0]: "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-challenger/2",
    _CHALLENGER[1]: "s3://churn-models/challenger/v2/model.tar.gz"}
"""What the approval workflow has published when the stacks are deployed."""


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    app = new_app(outdir=tmp_path_factory.mktemp("packages"))
    SecureModelEndpoint(Stack(app, PACKAGE), "Churn", model_package=ApprovedModelPackage(group="churn"),
                        framework="sklearn", instance_type="ml.m5.xlarge", cost_center="churn")
    SecureModelEndpoint(Stack(app, AB), "Churn", model_data_url=URL, cost_center="churn", primary_weight=0.9,
                        variants=[ModelVariant("Challenger", weight=0.1,
                                               model_package=ApprovedModelPackage(group="churn-challenger"))])
    return synthesize(app)  # raises ComplianceError on any unacknowledged finding of the five packs


def _template(synth: SynthResult, stack: str) -> Template:
    return Template.from_json(synth.template(stack))


def _parameter(synth: SynthResult, stack: str, name: str) -> str:
    """The logical id of the SSM-typed template parameter that reads ``name``."""
    (found,) = (lid for lid, p in synth.template(stack)["Parameters"].items()
                if p == {"Type": "AWS::SSM::Parameter::Value<String>", "Default": name})
    return str(found)


def _artifact_statement(synth: SynthResult, stack: str) -> tuple[str, dict[str, Any]]:
    """(the policy's logical id, its ReadModelArtifacts statement) of the stack's execution role."""
    for lid, resource in synth.template(stack)["Resources"].items():
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and "ExecutionRole" in lid:
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                if statement.get("Sid") == "ReadModelArtifacts":
                    return lid, statement
    raise AssertionError("no ReadModelArtifacts statement")


class Deployed:
    """The stack's values as CloudFormation resolves them (the runtime tables' resolver), with :data:`PUBLISHED`."""

    partition, region, account = "aws", "us-east-1", "123456789012"

    def physical_id(self, stack: str, logical_id: str) -> str | None:
        return None

    def ssm(self, name: str) -> str:
        return PUBLISHED[name]

    def batch_cluster(self, environment: str) -> str:
        raise AssertionError("no Batch here")


def _deployed(synth: SynthResult, stack: str, value: object) -> Any:
    return resolve(value, stack, synth.template(stack), Deployed())


# --- what the deploy reads --------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", [PACKAGE, AB])
def test_compliant_and_cfn_lint_clean(synth: SynthResult, stack: str) -> None:
    assert cfn_lint(synth.template_path(stack)) == []
    assert unacknowledged(check_template(synth.template(stack), POLICY, DEV)) == []


def test_the_model_serves_the_published_artifact_read_at_every_deploy(synth: SynthResult) -> None:
    package_arn, model_data = approved_parameters(POLICY, "churn")
    url = _parameter(synth, PACKAGE, model_data)  # an SSM-typed parameter: fetched again on every stack update
    _template(synth, PACKAGE).has_resource_properties("AWS::SageMaker::Model", {
        "PrimaryContainer": {"ModelDataUrl": {"Ref": url}, "Image": Match.any_value(), "Mode": "SingleModel"},
        "EnableNetworkIsolation": True, "VpcConfig": Match.any_value()})
    assert "{{resolve:" not in json.dumps(synth.template(PACKAGE))  # no dynamic reference (not fetched again)
    outputs = synth.template(PACKAGE)["Outputs"]
    (served,) = (o for lid, o in outputs.items() if lid.startswith("ChurnModelPackageArn"))
    assert served["Value"] == {"Ref": _parameter(synth, PACKAGE, package_arn)}
    (model,) = (r for r in synth.template(PACKAGE)["Resources"].values() if r["Type"] == "AWS::SageMaker::Model")
    assert _deployed(synth, PACKAGE, model["Properties"]["PrimaryContainer"]["ModelDataUrl"]) == \
        PUBLISHED[model_data]


def test_the_execution_role_reads_only_the_published_object(synth: SynthResult) -> None:
    _, statement = _artifact_statement(synth, PACKAGE)
    url = _parameter(synth, PACKAGE, approved_parameters(POLICY, "churn")[1])
    assert (statement["Action"], statement["Resource"]) == ("s3:GetObject", {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Fn::Select": [1, {"Fn::Split": ["s3://", {"Ref": url}]}]}]]})
    assert _deployed(synth, PACKAGE, statement["Resource"]) == "arn:aws:s3:::churn-models/v7/model.tar.gz"
    lid, _ = _artifact_statement(synth, PACKAGE)
    statements = synth.template(PACKAGE)["Resources"][lid]["Properties"]["PolicyDocument"]["Statement"]
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if a.startswith("sagemaker:")]  # no ModelPackageName: no SageMaker permission


def test_its_acknowledgment_is_the_one_deploy_time_resource(synth: SynthResult) -> None:
    lid, statement = _artifact_statement(synth, PACKAGE)
    acks = {a["id"]: a["reason"] for a in synth.template(PACKAGE)["Resources"][lid]["Metadata"][
        "platform:acknowledgments"]}
    resource = json.dumps(statement["Resource"], separators=(",", ":"), sort_keys=True)
    expected = f"PLAT-IAM2[Unverifiable::Resource::{resource}]"
    assert acks[expected] == DECISIONS["sagemaker-role-published-artifact"].reason
    # besides it, of the IAM rules' findings only the VPC's deploy-time conditions (the sealed policy also carries
    # the role's cdk-nag acknowledgments: a decision applied to a PlatformRole covers its sealed policy)
    others = [a for a in acks if a != expected and a.startswith("PLAT-")]
    assert others and all(a.startswith("PLAT-IAM3[Unverifiable::Condition::") for a in others)


def test_an_ab_variant_serves_its_own_group_beside_a_literal_artifact(synth: SynthResult) -> None:
    _, statement = _artifact_statement(synth, AB)
    assert _deployed(synth, AB, statement["Resource"]) == [
        "arn:aws:s3:::my-bucket/models/champion.tar.gz", "arn:aws:s3:::churn-models/challenger/v2/model.tar.gz"]
    models = {lid: r["Properties"]["PrimaryContainer"]["ModelDataUrl"]
              for lid, r in synth.template(AB)["Resources"].items() if r["Type"] == "AWS::SageMaker::Model"}
    assert sorted(_deployed(synth, AB, url) for url in models.values()) == [
        "s3://churn-models/challenger/v2/model.tar.gz", URL]
    outputs = [lid for lid in synth.template(AB)["Outputs"] if "ModelPackageArn" in lid]
    assert len(outputs) == 1 and outputs[0].startswith("ChurnChallengerModelPackageArn")


# --- arguments ------------------------------------------------------------------------------------------------
def _settings(**kwargs: Any) -> object:
    return endpoint_settings(POLICY, DEV, stack_name="S", construct_id="E", **kwargs)


def test_the_settings_know_the_groups_and_the_literal_artifacts() -> None:
    settings = endpoint_settings(POLICY, DEV, stack_name="S", construct_id="E", model_data_url=URL, variants=[
        ModelVariant("B", model_package=ApprovedModelPackage("churn")),
        ModelVariant("C", model_package=ApprovedModelPackage("churn"))])
    assert settings.model_packages == ("churn",) and settings.model_artifacts == ("my-bucket/models/champion.tar.gz",)
    assert [(v.model_data_url, v.model_package) for v in settings.variants] == [
        (URL, None), (None, ApprovedModelPackage("churn")), (None, ApprovedModelPackage("churn"))]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, r"argument 'model_data_url' = None .*exactly one of model_data_url .* and model_package .*got neither.*"
         r"Fix: pass model_data_url='s3://.*model_package=ApprovedModelPackage\(group='churn'\)"),
    ({"model_data_url": URL, "model_package": ApprovedModelPackage("churn")},
     r"argument 'model_package' = ApprovedModelPackage\(group='churn'\) .*model_data_url or model_package, not both"),
    ({"model_package": "churn"}, r"argument 'model_package' = 'churn' .*got the string 'churn'.*"
                                 r"Fix: pass model_package=ApprovedModelPackage\(group='churn'\)"),
    ({"model_package": ApprovedModelPackage("Churn_Model")},
     r"argument 'model_package.group' = 'Churn_Model' .*project slug.*"
     r"Fix: pass model_package=ApprovedModelPackage\(group='churn-model'\)"),
    ({"model_data_url": URL, "variants": [ModelVariant("B")]},
     r"argument 'variants\[0\].model_data_url' = None .*got neither.*variants\[0\].model_package=ApprovedModelPackage"),
    ({"model_data_url": URL, "variants": [ModelVariant("B", URL, model_package=ApprovedModelPackage("churn"))]},
     r"argument 'variants\[0\].model_package' = .*not both.*remove variants\[0\].model_data_url"),
])
def test_exactly_one_model_source_is_one_clean_error(kwargs: Mapping[str, Any], message: str) -> None:
    with pytest.raises(PlatformValidationError, match=message) as raised:
        _settings(**kwargs)
    assert len(raised.value.problems) == 1


def test_the_construct_raises_it_before_any_resource() -> None:
    stack = Stack(new_app(), "S")
    with pytest.raises(PlatformValidationError, match=r"^S/Model: argument 'model_data_url' = None .*got neither"):
        SecureModelEndpoint(stack, "Model", cost_center="churn")
    assert not stack.node.find_child("Model").node.children  # nothing was created before the error
