"""ModelRegistry synthesized once with every check and cfn-lint, asserted with ``Template``/``Match``; its arguments
validated by the pure settings; the group policy linted by parliament like every resource policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Match, Template

from platform_constructs import PlatformNetwork, PlatformValidationError
from platform_constructs.errors import Problems
from platform_constructs.policy import load_policy
from platform_constructs.serving.registry import ModelRegistry
from platform_constructs.serving.registry_settings import (
    ApprovedModelPackage,
    approved_package_problems,
    approved_parameters,
    registry_settings,
)
from platform_constructs.testing import ComplianceError, SynthResult, cfn_lint, new_app, synthesize

POLICY = load_policy()
STACK = "registry"


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    app = new_app(outdir=tmp_path_factory.mktemp("registry"))
    ModelRegistry(Stack(app, STACK), "Registry", projects=["churn", "next-best-offer"], cost_center="ml-platform")
    return synthesize(app)


@pytest.fixture(scope="module")
def template(synth: SynthResult) -> Template:
    return Template.from_json(synth.template(STACK))


def test_the_registry_is_compliant_and_cfn_lint_clean(synth: SynthResult) -> None:
    assert cfn_lint(synth.template_path(STACK)) == []


def test_one_group_per_project_readable_by_the_workload_accounts(template: Template) -> None:
    principals = [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{account}:root"]]}
                  for account in POLICY.model_registry.workload_accounts]
    for lid, name in (("RegistryChurnGroup", "churn"), ("RegistryNextBestOfferGroup", "next-best-offer")):
        groups = template.find_resources("AWS::SageMaker::ModelPackageGroup", {"Properties": {
            "ModelPackageGroupName": name}})
        (found, group), = groups.items()
        assert found.startswith(lid)
        statements = group["Properties"]["ModelPackageGroupPolicy"]["Statement"]
        assert [(s["Action"], s["Principal"]["AWS"]) for s in statements] == [
            ("sagemaker:DescribeModelPackageGroup", principals),
            (["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"], principals)]
        assert json.dumps(statements[1]["Resource"]).endswith(f':model-package/{name}/*"]]}}')
        assert group["DeletionPolicy"] == "Delete"  # dev; retained where the policy retains stateful resources


def test_the_workflow_is_logged_traced_and_started_by_approvals(template: Template) -> None:
    template.has_resource_properties("AWS::StepFunctions::StateMachine", {
        "StateMachineType": "STANDARD", "TracingConfiguration": {"Enabled": True},
        "LoggingConfiguration": Match.object_like({"Level": "ALL"}),
        "DefinitionSubstitutions": {"Account": {"Ref": "AWS::AccountId"}, "Region": {"Ref": "AWS::Region"},
                                    "Partition": {"Ref": "AWS::Partition"}}})
    template.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"],
                         "detail": {"ModelPackageGroupName": ["churn", "next-best-offer"]}},
        "Targets": [Match.object_like({"Arn": {"Ref": Match.string_like_regexp("ApprovalWorkflow")}})]})
    template.has_resource_properties("AWS::Events::Rule", {"EventPattern": {
        "source": ["platform-constructs.model-registry"], "detail-type": ["Approved Model Package Published"],
        "detail": {"ModelPackageGroupName": ["churn", "next-best-offer"]}}})


def test_the_workflow_writes_only_the_groups_parameters(template: Template) -> None:
    (policy,) = [r for lid, r in template.find_resources("AWS::IAM::ManagedPolicy").items()
                 if lid.startswith("RegistryApprovalRolePolicy")]
    by_sid: dict[str, Any] = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    written = json.dumps(by_sid["PublishApprovedPackages"]["Resource"])
    assert ":parameter/platform/model-registry/churn/*" in written
    assert ":parameter/platform/model-registry/next-best-offer/*" in written
    assert by_sid["AnnouncePublished"]["Condition"] == {
        "StringEquals": {"events:source": "platform-constructs.model-registry"}}


def test_a_wrong_action_in_a_group_policy_is_a_parliament_finding() -> None:
    app = new_app()
    stack = Stack(app, "raw")
    PlatformNetwork(stack, "Network", publish_parameters=False)  # any platform construct installs the gate
    sagemaker.CfnModelPackageGroup(stack, "Group", model_package_group_name="raw", model_package_group_policy={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sagemaker:DescribeModelPackages", "Resource": "arn:aws:sagemaker:us-east-1:123456789012:"
                                                                     "model-package/raw/*"}]})
    with pytest.raises(ComplianceError, match=r"PLAT-IAM1.*DescribeModelPackages"):
        synthesize(app)


def test_registry_settings() -> None:
    problems = Problems("stack/Registry")
    settings = registry_settings(POLICY, problems, projects=["churn"])
    assert not problems and settings.projects == ("churn",)
    assert approved_parameters(POLICY, "churn") == ("/platform/model-registry/churn/approved-package-arn",
                                                    "/platform/model-registry/churn/approved-model-data-url")


@pytest.mark.parametrize(("projects", "match"), [
    ([], r"argument 'projects' = \[\].*non-empty list"),
    (["Churn Model"], r"projects\[0\]' = 'Churn Model'.*Fix: pass projects\[0\]='churn-model'"),
    (["churn", "churn"], r"projects\[1\]' = 'churn'.*each project once"),
])
def test_bad_projects_are_one_error(projects: object, match: str) -> None:
    app = new_app()
    with pytest.raises(PlatformValidationError, match=match):
        ModelRegistry(Stack(app, "bad"), "Registry", projects=projects, cost_center="ml-platform")  # type: ignore[arg-type]


def test_an_approved_package_names_a_group() -> None:
    problems = Problems("stack/Model")
    assert approved_package_problems(problems, "model_package", ApprovedModelPackage("churn")) is not None
    assert approved_package_problems(problems, "model_package", "churn") is None
    with pytest.raises(PlatformValidationError, match=r"^stack/Model: argument 'model_package' = 'churn'.*"
                                                      r"ApprovedModelPackage\(group='<project>'\)"):
        problems.raise_if_any()
