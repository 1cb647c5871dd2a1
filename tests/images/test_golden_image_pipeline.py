"""GoldenImagePipeline's resources (pipeline, level, iam, schedules, build_network, package_index, scanning and the
CDK side of defaults), asserted with ``Template``/``Match`` on two synths: the minimal pipeline with one project image
in dev, and a second shape (prod, CPU, explicit account and region, no scanning, no published defaults).

The arguments' validation is tested without jsii in ``test_image_settings.py``; the build script in
``test_image_build_script.py``. What can only be checked once every project image is added (the roles' policy size)
and the warnings are asserted at synth here.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import Environment, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from platform_constructs import GoldenImagePipeline, PlatformValidationError, baseline
from platform_constructs.compliance.engine import check_template
from platform_constructs.images import settings as image_settings
from platform_constructs.images.build import template_text
from platform_constructs.images.defaults import default_image
from platform_constructs.images.level import ImageLevel
from platform_constructs.policy import load_policy
from platform_constructs.tags import resolve_tags
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

pytestmark = pytest.mark.xdist_group("images-pipeline")  # the module's synths happen once, on one worker

PINNED = ["torch==2.1.0", "pandas==2.0.3", "numpy==1.24.3", "scikit-learn==1.3.0"]
STACK = "Images"
DIGEST = "sha256:" + "a" * 64
US_WEST_DLC = f"763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training@{DIGEST}"
"""A base in another region than the prod_cpu stack's (eu-west-1)."""
POLICY = load_policy()


@dataclass(frozen=True)
class Synth:
    result: SynthResult
    stack: Stack
    consumer: Stack
    pipeline: GoldenImagePipeline
    defaults: dict[str, str]
    """What ``default_image`` returns to the consumer stack (resolved)."""

    @property
    def template(self) -> Template:
        return Template.from_stack(self.stack)  # the app is synthesized already: this reads its assembly


def _consumer(app: Any, name: str) -> Stack:
    """A stack of the images' consumers, carrying the policy's required tags (PLAT-TAG1) like a platform construct."""
    stack = Stack(app, name)
    for key, value in resolve_tags(POLICY, "dev", {"cost_center": "ml-platform"}, None)[0].items():
        Tags.of(stack).add(key, value)
    return stack


@pytest.fixture(scope="module")
def images() -> Synth:
    """The pipeline with only cost_center and pinned requirements, one project image, and a consumer role that
    pulls the approved images."""
    app = new_app()
    stack = Stack(app, STACK)
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=PINNED)
    pipeline.add_project_image("recs", requirements=["requests==2.31.0", "numpy"])
    consumer = _consumer(app, "Consumer")
    puller = baseline.platform_role(consumer, "Puller", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
                                    description="pulls the golden images")
    pipeline.grant_pull(puller)  # the registry login on "*" is the library's decision (registry-login-grant)
    defaults = {p: str(consumer.resolve(default_image(consumer, p))) for p in ("inference", "training", "batch")}
    return Synth(synthesize(app), stack, consumer, pipeline, defaults)


@pytest.fixture(scope="module")
def prod_cpu() -> Synth:
    """A second shape: prod, CPU images, an explicit account and region, a base pinned by digest in another region,
    no registry scanning configuration, no default parameters, and batch only served (from the Level 1 parameter)."""
    app = new_app({"env": "prod"})
    stack = Stack(app, STACK, env=Environment(account="111122223333", region="eu-west-1"))
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=PINNED, gpu=False,
                                   enhanced_scanning=False, publish_defaults=False, name="cpu-images",
                                   default_for=("batch",), base_image=US_WEST_DLC)
    consumer = Stack(app, "Consumer")
    defaults = {p: json.dumps(consumer.resolve(default_image(consumer, p))) for p in ("inference", "batch")}
    return Synth(synthesize(app), stack, consumer, pipeline, defaults)


def _projects(template: Template) -> dict[str, Mapping[str, Any]]:
    """Level construct id (``Base``, ``Runtime``, ``Projectrecs``) -> its CodeBuild project."""
    found = template.find_resources("AWS::CodeBuild::Project")
    levels = ("Base", "Runtime", "Projectrecs", "Projectchurn")
    return {level: project for logical_id, project in found.items() for level in levels
            if logical_id.startswith(f"Golden{level}Build")}


def _env(project: Mapping[str, Any]) -> dict[str, Any]:
    return {v["Name"]: v["Value"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]}


def _build_context(project: Mapping[str, Any]) -> dict[str, str]:
    """The files the project's buildspec unpacks (the rendered Dockerfile, requirements, scripts)."""
    spec = json.loads(project["Properties"]["Source"]["BuildSpec"])
    unpack = next(c for c in spec["phases"]["build"]["commands"] if "base64 -d" in c)
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(unpack.split("'")[1])), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers()}  # type: ignore[union-attr]


# --- the whole pipeline: zero findings, cfn-lint clean, one public surface -----------------------------------------
def test_minimal_pipeline_has_zero_findings_and_is_cfn_lint_clean(images: Synth) -> None:
    assert cfn_lint(images.result.template_path(STACK)) == []
    assert [f for f in check_template(images.result.template(STACK), POLICY, POLICY.environment("dev"))
            if not f.acknowledged] == []


def test_an_explicit_account_and_region_pass_the_gate_too(prod_cpu: Synth) -> None:
    """The build role's network-interface acknowledgment names the ARN as the stack resolves it (literal here),
    so the gate (run by the fixture's synth) passes; the recorded id says which ARN it covers."""
    assert cfn_lint(prod_cpu.result.template_path(STACK)) == []
    policies = prod_cpu.template.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {  # the role's sealed one
        "Description": "Least-privilege permissions of golden image builds of Images/Golden"}})
    (acknowledged,) = [[a["id"] for a in r["Metadata"]["platform:acknowledgments"] if a["id"].startswith("AwsSol")]
                       for r in policies.values()]
    assert acknowledged == [
        "AwsSolutions-IAM5[Resource::*]",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:eu-west-1:111122223333:network-interface/*]"]


def test_the_public_surface(images: Synth) -> None:
    pipeline = images.pipeline
    assert [level.name for level in pipeline.levels] == ["base", "runtime", "projects/recs"]
    assert pipeline.levels[0] is pipeline.base and pipeline.levels[1] is pipeline.runtime
    assert pipeline.projects == {"recs": pipeline.levels[2]}
    assert all(isinstance(level, ImageLevel) for level in pipeline.levels)
    stack = images.stack
    template = images.template
    key_id = stack.get_logical_id(pipeline.key.node.default_child)  # type: ignore[arg-type]
    template.has_resource_properties("AWS::Logs::LogGroup", {"KmsKeyId": {"Fn::GetAtt": [key_id, "Arn"]}})
    template.has_resource_properties("AWS::CodeBuild::Project", {"VpcConfig": {"SecurityGroupIds": [
        {"Fn::GetAtt": [stack.get_logical_id(pipeline.security_group.node.default_child), "GroupId"]}]}})  # type: ignore[arg-type]
    assert pipeline.settings.name == "golden" and pipeline.settings.block_severities == ("HIGH", "CRITICAL")


def test_grant_pull_lets_a_role_pull_every_level_and_read_its_approval(images: Synth) -> None:
    consumer = Template.from_stack(images.consumer)
    statements = next(iter(consumer.find_resources("AWS::IAM::ManagedPolicy").values()))[
        "Properties"]["PolicyDocument"]["Statement"]
    pulls = [s for s in statements if "ecr:BatchGetImage" in s["Action"]]
    assert len(pulls) == 3 and all(s["Action"] == ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                                                   "ecr:BatchGetImage"] for s in pulls)
    assert {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"} in statements
    reads = [s for s in statements if "ssm:GetParameter" in s["Action"]]
    assert len(reads) == 3
    assert not [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
                if a.startswith(("ecr:Put", "ssm:Put", "kms:"))]


# --- per level: repository, parameter, build project -------------------------------------------------------------
def test_every_repository_is_immutable_scanned_encrypted_and_bounded(images: Synth) -> None:
    template = images.template
    repositories = template.find_resources("AWS::ECR::Repository")
    names = sorted(r["Properties"]["RepositoryName"] for r in repositories.values())
    assert names == ["platform/golden/base", "platform/golden/projects/recs", "platform/golden/runtime"]
    template.all_resources_properties("AWS::ECR::Repository", {
        "ImageTagMutability": "IMMUTABLE",
        "ImageScanningConfiguration": {"ScanOnPush": True},
        "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": {"Fn::GetAtt": Match.any_value()}},
        "EmptyOnDelete": True,
    })
    keep = POLICY.images.keep_images
    for repository in repositories.values():
        rules = json.loads(repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
        assert {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep} in [
            r["selection"] for r in rules]
    template.all_resources("AWS::ECR::Repository", {"DeletionPolicy": "Delete"})
    assert not template.find_resources("AWS::Lambda::Function")  # EmptyOnDelete: no custom resource behind it


def test_builds_run_in_the_network_encrypted_logged_and_privileged_with_its_reason(images: Synth) -> None:
    template = images.template
    template.resource_count_is("AWS::CodeBuild::Project", 3)
    template.all_resources_properties("AWS::CodeBuild::Project", {
        "VpcConfig": {"Subnets": Match.any_value(), "SecurityGroupIds": Match.any_value(), "VpcId": Match.any_value()},
        "EncryptionKey": {"Fn::GetAtt": Match.any_value()},
        "LogsConfig": {"CloudWatchLogs": {"Status": "ENABLED"}, "S3Logs": {"Status": "DISABLED"}},
        "Environment": Match.object_like({"PrivilegedMode": True, "Type": "LINUX_GPU_CONTAINER"}),
        "Source": {"Type": "NO_SOURCE", "BuildSpec": Match.any_value()},
        "ConcurrentBuildLimit": 1,
    })
    for project in _projects(template).values():
        acknowledged = {a["id"]: a["reason"] for a in project["Metadata"]["platform:acknowledgments"]}
        assert "Docker daemon" in acknowledged["cdk-validator-cfnguard::codebuild_project_environment_privileged_check"]
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "RetentionInDays": POLICY.environment("dev").log_retention_days, "KmsKeyId": Match.any_value()})
    template.resource_count_is("AWS::IAM::Policy", 0)  # no inline policies


def test_dockerfiles_are_rendered_non_root_from_the_approved_base_with_frozen_requirements(images: Synth) -> None:
    contexts = {level: _build_context(project) for level, project in _projects(images.template).items()}
    for context in contexts.values():
        dockerfile = context["Dockerfile"]
        assert "FROM ${BASE_IMAGE}" in dockerfile
        assert dockerfile.rstrip().splitlines()[-2:] == ["USER mluser", "WORKDIR /app"]
        assert "smoke_test.py --level" in dockerfile
        assert context["build.sh"] == template_text("build.sh")
    base, runtime, project = contexts["Base"], contexts["Runtime"], contexts["Projectrecs"]
    assert "useradd --system --uid 1001" in base["Dockerfile"]
    assert "PLATFORM_CUDA_VERSION=12.1.1" in base["Dockerfile"] and "PLATFORM_GPU=1" in base["Dockerfile"]
    assert runtime["requirements-frozen.txt"] == "".join(f"{r}\n" for r in PINNED)
    assert project["requirements.txt"] == "requests==2.31.0\nnumpy\n"
    assert "-c /opt/platform/runtime-constraints.txt" in project["Dockerfile"]


def test_level_bases_chain_through_the_approved_parameters(images: Synth) -> None:
    projects = _projects(images.template)
    base, runtime, project = (_env(projects[level]) for level in ("Base", "Runtime", "Projectrecs"))
    assert "pytorch-training" in json.dumps(base["BASE_IMAGE"])
    assert "BASE_PARAMETER" not in base and "BASE_REGISTRY" not in runtime
    assert base["BASE_REGISTRY"] == {"Fn::Join": ["", [
        "763104351884.dkr.ecr.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}  # the policy's base, in the stack's region
    assert runtime["BASE_PARAMETER"] == "/platform/images/golden/base"
    assert project["BASE_PARAMETER"] == "/platform/images/golden/runtime"
    assert base["SCAN_BLOCK_SEVERITIES"] == "HIGH CRITICAL"
    assert {base["LEVEL"], runtime["LEVEL"], project["LEVEL"]} == {"0", "1", "2"}


def test_level2_with_a_wrong_base_is_refused_and_the_runtime_is_accepted(images: Synth) -> None:
    """The construct decides whether ``base`` is its runtime (the message itself is tested in the settings)."""
    pipeline = images.pipeline
    for wrong in ("python:3.11", pipeline.base, pipeline.runtime.repository_uri):
        with pytest.raises(PlatformValidationError, match=r"argument 'base' = .* Allowed: this pipeline's approved"):
            pipeline.add_project_image("wrong-base", requirements=["requests==2.31.0"], base=wrong)
    assert "wrong-base" not in pipeline.projects
    with pytest.raises(PlatformValidationError, match="not yet added"):
        pipeline.add_project_image("recs", requirements=[])


def test_level2_accepts_the_runtime_or_a_copy_of_its_reference() -> None:
    pipeline = GoldenImagePipeline(Stack(new_app(), STACK), "Golden", cost_center="ml-platform",
                                   runtime_requirements=PINNED)
    assert pipeline.add_project_image("okay", requirements=["requests==2.31.0"], base=pipeline.runtime).level == 2
    assert pipeline.add_project_image("also-okay", requirements=[], base=pipeline.runtime.image_uri).level == 2


# --- the IAM: wildcards only where IAM allows nothing else; the size limit, checked at synth ------------------------
def test_build_role_wildcards_are_only_the_acknowledged_service_actions(images: Synth) -> None:
    policies = images.template.find_resources("AWS::IAM::ManagedPolicy")
    (policy,) = [p for k, p in policies.items() if "BuildRole" in k]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert {s.get("Sid") for s in statements if s["Resource"] == "*"} == {
        "EcrLogin", "CodeBuildVpcNetworkInterfaces", "PackageIndexBearerToken", "ReadScanFindings"}
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if "*" in a]
    Template.from_json({"Resources": {"P": policy}}).has_resource_properties("AWS::IAM::ManagedPolicy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Sid": "PackageIndexBearerToken",
            "Condition": {"StringEquals": {"sts:AWSServiceName": "codeartifact.amazonaws.com"}}})])}})
    sids = [s.get("Sid") for s in statements]
    assert sids.index("PushAndGateLevel2ProjectsRecs") > sids.index("PullLevel0Base") > sids.index("PublishLevel0Base")


def test_the_roles_policy_size_is_checked_once_every_project_image_is_added() -> None:
    """Each project image adds four statements to the shared build role, whose managed policy IAM caps at 6,144
    characters: a third project cannot deploy, and synth says so (the check can only run once all are added)."""
    stack = Stack(new_app(), STACK)
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=PINNED)
    for name in ("recommendations", "forecasting"):
        pipeline.add_project_image(name, requirements=["requests==2.31.0"])
    pipeline.add_project_image("churn-prediction", requirements=["requests==2.31.0"])  # accepted: checked at synth
    with pytest.raises(RuntimeError, match=(
            r"Images/Golden: argument 'project images \(build role\)' = \['recommendations', 'forecasting', "
            r"'churn-prediction'\] is not allowed\. Allowed: .* at most 6144 characters .* it needs at least \d+\. "
            r"Fix: add at most 2 project images")):
        Template.from_stack(stack)


# --- schedules, approvals, network, package index, scanning -------------------------------------------------------
def test_schedules_and_approval_events_trigger_dependants(images: Synth) -> None:
    template = images.template
    rules = list(template.find_resources("AWS::Events::Rule").values())
    schedules = sorted(r["Properties"]["ScheduleExpression"] for r in rules if "ScheduleExpression" in r["Properties"])
    assert schedules == ["cron(0 3 1 * ? *)", "cron(0 3 1 1/3 ? *)"]
    on_approval = {r["Properties"]["EventPattern"]["detail"]["name"][0]: r["Properties"]["Targets"][0]["Arn"]
                   for r in rules if "EventPattern" in r["Properties"]}
    assert on_approval["/platform/images/golden/base"]["Fn::GetAtt"][0].startswith("GoldenRuntimeBuild")
    assert on_approval["/platform/images/golden/runtime"]["Fn::GetAtt"][0].startswith("GoldenProjectrecsBuild")
    template.all_resources_properties("AWS::Events::Rule", {"Targets": [Match.object_like({
        "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("^GoldenEventsRole"), "Arn"]}})]})


def test_build_network_endpoints_and_package_index(images: Synth) -> None:
    template = images.template
    for service in ("ssm", "codeartifact.api", "codeartifact.repositories"):
        template.has_resource_properties("AWS::EC2::VPCEndpoint", {
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{service}"]]},
            "PrivateDnsEnabled": True, "VpcEndpointType": "Interface"})
    template.has_resource_properties("AWS::EC2::SecurityGroup", {
        "GroupDescription": Match.string_like_regexp("^Golden image builds"),
        "SecurityGroupEgress": [Match.object_like({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443})]})
    template.has_resource_properties("AWS::CodeArtifact::Domain", {
        "DomainName": "golden-images", "EncryptionKey": {"Fn::GetAtt": Match.any_value()}})
    template.has_resource_properties("AWS::CodeArtifact::Repository", {
        "RepositoryName": "pypi", "ExternalConnections": ["public:pypi"]})


def test_registry_scanning_is_enhanced_for_the_platform_and_warned_about(images: Synth) -> None:
    images.template.has_resource_properties("AWS::ECR::RegistryScanningConfiguration", {
        "ScanType": "ENHANCED",
        "Rules": [{"ScanFrequency": "CONTINUOUS_SCAN", "RepositoryFilters": [
                      {"Filter": "platform/*", "FilterType": "WILDCARD"}]},
                  {"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]}]})
    annotations = Annotations.from_stack(images.stack)
    annotations.has_warning("/Images/Golden", Match.string_like_regexp("one per account and region"))
    annotations.has_warning("/Images/Golden", Match.string_like_regexp("pinned by the tag"))
    annotations.has_no_warning("/Images/Golden", Match.string_like_regexp("holds 'pending"))


# --- defaults: consumers default to the pipeline's approved images ------------------------------------------------
def test_default_image_is_the_pipelines_published_image(images: Synth) -> None:
    assert images.defaults == {p: f"{{{{resolve:ssm:/platform/images/default/{p}}}}}" for p in images.defaults}


def test_default_parameters_start_as_the_policy_images_and_level1_publishes_them(images: Synth) -> None:
    template = images.template
    parameters = {p["Properties"]["Name"]: p["Properties"]["Value"]
                  for p in template.find_resources("AWS::SSM::Parameter").values()}
    assert "pytorch-inference" in json.dumps(parameters["/platform/images/default/inference"])
    assert "pytorch-training" in json.dumps(parameters["/platform/images/default/training"])
    for level in ("base", "runtime", "projects/recs"):
        assert parameters[f"/platform/images/golden/{level}"] == image_settings.PENDING_VALUE
    published = _env(_projects(template)["Runtime"])["DEFAULT_PARAMETERS"].split()
    assert published == [f"/platform/images/default/{p}" for p in ("inference", "training", "batch")]


def test_without_a_pipeline_defaults_are_the_policy_or_opted_in_published_images() -> None:
    plain = Stack(new_app(), "Plain")
    assert "pytorch-inference" in json.dumps(plain.resolve(default_image(plain, "inference")))
    opted = Stack(new_app({"golden_images": "true"}), "Opted")
    assert opted.resolve(default_image(opted, "training")) == "{{resolve:ssm:/platform/images/default/training}}"


def test_a_second_pipeline_serves_its_purposes_and_leaves_the_others_to_the_first() -> None:
    app = new_app()
    first = GoldenImagePipeline(Stack(app, "First"), "Golden", cost_center="ml-platform", runtime_requirements=PINNED,
                                publish_defaults=False, default_for=("inference", "training"))
    second = GoldenImagePipeline(Stack(app, "Second"), "Golden", cost_center="ml-platform",
                                 runtime_requirements=PINNED, name="cpu", publish_defaults=False,
                                 default_for=("training", "batch"), enhanced_scanning=False)
    consumer = Stack(app, "Consumer")
    served = {p: consumer.resolve(default_image(consumer, p)) for p in ("inference", "training", "batch")}
    assert served == {"inference": consumer.resolve(first.runtime.image_uri),
                      "training": consumer.resolve(second.runtime.image_uri),
                      "batch": consumer.resolve(second.runtime.image_uri)}
    warnings = [m.data for m in second.node.metadata if m.type == "aws:cdk:warning"]
    assert any("already serves the default images for training" in str(w) for w in warnings)
    assert not any("already serves" in str(m.data) for m in first.node.metadata)


# --- the second shape ---------------------------------------------------------------------------------------------
def test_prod_cpu_pipeline_is_retained_cpu_built_and_pulls_its_base_from_its_region(prod_cpu: Synth) -> None:
    template = prod_cpu.template
    template.all_resources("AWS::ECR::Repository", {"DeletionPolicy": "Retain"})
    template.all_resources_properties("AWS::ECR::Repository", {"EmptyOnDelete": False})
    template.resource_count_is("AWS::ECR::RegistryScanningConfiguration", 0)
    template.all_resources_properties("AWS::CodeBuild::Project", {"Environment": Match.object_like({
        "Type": "LINUX_CONTAINER", "EnvironmentVariables": Match.array_with([
            {"Name": "GPU", "Type": "PLAINTEXT", "Value": "0"}])})})
    names = sorted(p["Properties"]["Name"] for p in template.find_resources("AWS::SSM::Parameter").values())
    assert names == ["/platform/images/cpu-images/base", "/platform/images/cpu-images/runtime"]
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Sid": "PullLevel0Base", "Resource": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":ecr:us-west-2:763104351884:repository/pytorch-training"]]}})])}})
    base = _env(_projects(template)["Base"])
    assert (base["BASE_IMAGE"], base["BASE_REGISTRY"]) == (US_WEST_DLC, "763104351884.dkr.ecr.us-west-2.amazonaws.com")


def test_prod_cpu_consumers_default_to_the_level1_parameter_and_are_warned(prod_cpu: Synth) -> None:
    assert prod_cpu.defaults["batch"] == '"{{resolve:ssm:/platform/images/cpu-images/runtime}}"'
    assert "pytorch-inference" in prod_cpu.defaults["inference"]
    annotations = Annotations.from_stack(prod_cpu.stack)
    annotations.has_warning("/Images/Golden", Match.string_like_regexp(
        "/platform/images/cpu-images/runtime, which holds 'pending: no image approved yet'"))
    annotations.has_no_warning("/Images/Golden", Match.string_like_regexp("pinned by the tag|one per account"))


def test_example_app_has_the_golden_images_stack(example_app: SynthResult) -> None:
    assert cfn_lint(example_app.template_path("platform-images")) == []
    names = {r["Properties"]["RepositoryName"]
             for r in example_app.resources("platform-images", "AWS::ECR::Repository").values()}
    assert names == {"platform/golden/base", "platform/golden/runtime", "platform/golden/projects/recommendations"}
