"""GoldenImagePipeline's resources (pipeline, lineages, levels, iam, parameters, schedules, build network, package
index, registry settings, provenance and the CDK side of defaults), asserted with ``Template``/``Match`` on two
synths: the default pipeline (every lineage, the registry settings, one project image) in dev, and a second shape
(prod, one CPU lineage, explicit account and region, no published defaults).

The arguments' validation is tested without jsii in ``test_image_settings.py``; the build script in
``test_image_build_script.py``; an approval surviving a stack update in the emulator in
``test_image_approval_deploy.py``.
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
from platform_constructs.images import iam as images_iam
from platform_constructs.images import settings as image_settings
from platform_constructs.images.build import template_text
from platform_constructs.images.defaults import default_image
from platform_constructs.images.level import NEVER_EXPIRE_COUNT, ImageLevel
from platform_constructs.policy import load_policy
from platform_constructs.tags import resolve_tags
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

pytestmark = pytest.mark.xdist_group("images-pipeline")  # the module's synths happen once, on one worker

HASH = "--hash=sha256:" + "0" * 64
LOCKED = [f"einops==0.8.0 {HASH}", f"tenacity==8.3.0 {HASH}"]
PROJECT_LOCK = [f"cachetools==5.3.3 {HASH}"]
STACK = "Images"
DIGEST = "sha256:" + "a" * 64
US_WEST_DLC = f"763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training@{DIGEST}"
"""A base in another region than the prod_cpu stack's (eu-west-1)."""
POLICY = load_policy()
LEVELS = {"Base": "base", "Runtime": "runtime", "TrainingCpuBase": "training-cpu/base",
          "TrainingCpuRuntime": "training-cpu/runtime", "InferenceGpuBase": "inference-gpu/base",
          "InferenceGpuRuntime": "inference-gpu/runtime", "InferenceCpuBase": "inference-cpu/base",
          "InferenceCpuRuntime": "inference-cpu/runtime", "Projectrecs": "projects/recs"}
"""Level scope (as it appears in logical ids) -> its repository suffix."""


@dataclass(frozen=True)
class Synth:
    result: SynthResult
    stack: Stack
    consumer: Stack
    pipeline: GoldenImagePipeline
    defaults: dict[str, str]
    """What ``default_image`` returns to the consumer stack (resolved), by purpose and instance type."""

    @property
    def template(self) -> Template:
        return Template.from_stack(self.stack)  # the app is synthesized already: this reads its assembly


def _consumer(app: Any, name: str) -> Stack:
    """A stack of the images' consumers, carrying the policy's required tags (PLAT-TAG1) like a platform construct."""
    stack = Stack(app, name)
    for key, value in resolve_tags(POLICY, "dev", {"cost_center": "ml-platform"}, None)[0].items():
        Tags.of(stack).add(key, value)
    return stack


CONSUMERS = {"inference": ("inference", None), "inference on ml.m5.xlarge": ("inference", "ml.m5.xlarge"),
             "inference on ml.g4dn.xlarge": ("inference", "ml.g4dn.xlarge"), "training": ("training", None),
             "training on c5.xlarge": ("training", "c5.xlarge"), "batch": ("batch", None),
             "batch on g4dn.xlarge": ("batch", "g4dn.xlarge")}


@pytest.fixture(scope="module")
def images() -> Synth:
    """The pipeline with only cost_center, the lock file and the registry settings, one project image, and a
    consumer role that pulls the approved images."""
    app = new_app()
    stack = Stack(app, STACK)
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                                   registry_settings=True)
    pipeline.add_project_image("recs", requirements=PROJECT_LOCK)
    consumer = _consumer(app, "Consumer")
    puller = baseline.platform_role(consumer, "Puller", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
                                    description="pulls the golden images")
    pipeline.grant_pull(puller)  # the registry login on "*" is the library's decision (registry-login-grant)
    defaults = {label: str(consumer.resolve(default_image(consumer, purpose, instance_type=itype)))  # type: ignore[arg-type]
                for label, (purpose, itype) in CONSUMERS.items()}
    return Synth(synthesize(app), stack, consumer, pipeline, defaults)


@pytest.fixture(scope="module")
def prod_cpu() -> Synth:
    """A second shape: prod, one CPU lineage, an explicit account and region, a base pinned by digest in another
    region, no registry settings, no default parameters, and batch only served (from the runtime parameter)."""
    app = new_app({"env": "prod"})
    stack = Stack(app, STACK, env=Environment(account="111122223333", region="eu-west-1"))
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                                   lineages=["training-cpu"], publish_defaults=False, name="cpu-images",
                                   default_for=("batch",), base_image=US_WEST_DLC)
    consumer = Stack(app, "Consumer")
    defaults = {p: json.dumps(consumer.resolve(default_image(consumer, p))) for p in ("inference", "batch")}
    return Synth(synthesize(app), stack, consumer, pipeline, defaults)


def _ids_by_level(template: Template, resource_type: str, child: str) -> dict[str, str]:
    """Level scope -> the logical id of its resource of ``resource_type``, ``Golden<scope><child><8 hex>``."""
    found = template.find_resources(resource_type)
    return {scope: logical_id for logical_id in found for scope in LEVELS
            if logical_id.startswith(f"Golden{scope}{child}") and len(logical_id) == len(f"Golden{scope}{child}") + 8}


def _by_level(template: Template, resource_type: str, child: str) -> dict[str, Mapping[str, Any]]:
    """Level scope -> its resource of ``resource_type`` whose logical id is ``Golden<scope><child><8 hex>``."""
    found = template.find_resources(resource_type)
    return {scope: found[logical_id] for scope, logical_id in _ids_by_level(template, resource_type, child).items()}


def _env(project: Mapping[str, Any]) -> dict[str, Any]:
    return {v["Name"]: v["Value"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]}


def _build_context(project: Mapping[str, Any]) -> dict[str, str]:
    """The files the project's buildspec unpacks (the rendered Dockerfile, lock file, scripts)."""
    spec = json.loads(project["Properties"]["Source"]["BuildSpec"])
    unpack = next(c for c in spec["phases"]["build"]["commands"] if "base64 -d" in c)
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(unpack.split("'")[1])), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers()}  # type: ignore[union-attr]


def _statements(policy: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def _actions(statement: Mapping[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


# --- the whole pipeline: zero findings, cfn-lint clean, one public surface -----------------------------------------
def test_the_default_pipeline_has_zero_findings_and_is_cfn_lint_clean(images: Synth) -> None:
    assert cfn_lint(images.result.template_path(STACK)) == []
    assert [f for f in check_template(images.result.template(STACK), POLICY, POLICY.environment("dev"))
            if not f.acknowledged] == []


def test_an_explicit_account_and_region_pass_the_gate_too(prod_cpu: Synth) -> None:
    """Each build role's network-interface acknowledgment names the ARN as the stack resolves it (literal here)."""
    assert cfn_lint(prod_cpu.result.template_path(STACK)) == []
    policies = _by_level(prod_cpu.template, "AWS::IAM::ManagedPolicy", "BuildRolePolicy")
    acknowledged = [a["id"] for a in policies["TrainingCpuBase"]["Metadata"]["platform:acknowledgments"]]
    assert "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:eu-west-1:111122223333:network-interface/*]" \
        in acknowledged


def test_the_public_surface(images: Synth) -> None:
    pipeline = images.pipeline
    assert [level.name for level in pipeline.levels] == list(LEVELS.values())
    assert list(pipeline.lineage_levels) == ["training-gpu", "training-cpu", "inference-gpu", "inference-cpu"]
    assert pipeline.lineage_levels["training-gpu"] == (pipeline.base, pipeline.runtime)
    assert pipeline.projects == {"recs": pipeline.levels[-1]}
    assert pipeline.projects["recs"].lineage.key == "training-gpu"
    assert all(isinstance(level, ImageLevel) for level in pipeline.levels)
    assert pipeline.registry is not None and pipeline.settings.registry_settings
    stack, template = images.stack, images.template
    key_id = stack.get_logical_id(pipeline.key.node.default_child)  # type: ignore[arg-type]
    template.has_resource_properties("AWS::Logs::LogGroup", {"KmsKeyId": {"Fn::GetAtt": [key_id, "Arn"]}})
    template.all_resources_properties("AWS::CodeBuild::Project", {"VpcConfig": Match.object_like({"SecurityGroupIds": [
        {"Fn::GetAtt": [stack.get_logical_id(pipeline.security_group.node.default_child), "GroupId"]}]})})  # type: ignore[arg-type]


def test_logical_ids_of_the_first_lineage_and_the_project_are_kept(images: Synth) -> None:
    """Logical ids are public API (CDK derives them from the construct path): training-gpu's levels and the project
    keep the paths and repository names they had before lineages; the snapshot tests compare the ids themselves."""
    pipeline = images.pipeline
    paths = {level.name: level.repository.node.default_child.node.path for level in  # type: ignore[union-attr]
             (pipeline.base, pipeline.runtime, pipeline.projects["recs"])}
    assert paths == {"base": "Images/Golden/Base/Repository/Resource",
                     "runtime": "Images/Golden/Runtime/Repository/Resource",
                     "projects/recs": "Images/Golden/Project-recs/Repository/Resource"}
    assert pipeline.key.node.path == "Images/Golden/Key" and pipeline.base.parameter.node.path == \
        "Images/Golden/Base/ApprovedImage"


def test_grant_pull_lets_a_role_pull_every_level_and_read_its_approval(images: Synth) -> None:
    consumer = Template.from_stack(images.consumer)
    statements = _statements(next(iter(consumer.find_resources("AWS::IAM::ManagedPolicy").values())))
    pulls = [s for s in statements if "ecr:BatchGetImage" in _actions(s)]
    assert len(pulls) == len(LEVELS)
    assert {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"} in statements
    assert len([s for s in statements if "ssm:GetParameter" in _actions(s)]) == len(LEVELS)
    assert not [a for s in statements for a in _actions(s) if a.startswith(("ecr:Put", "ssm:Put", "kms:"))]


# --- a role per level -----------------------------------------------------------------------------------------------
def test_each_level_has_its_own_role_that_codebuild_may_assume_for_that_project_only(images: Synth) -> None:
    roles = _by_level(images.template, "AWS::IAM::Role", "BuildRole")
    assert set(roles) == set(LEVELS)
    for scope, role in roles.items():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": "codebuild.amazonaws.com"}
        project = f"golden-{LEVELS[scope].replace('/', '-')}"
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            "ArnEquals": {"aws:SourceArn": {"Fn::Join": ["", [
                "arn:", {"Ref": "AWS::Partition"}, ":codebuild:", {"Ref": "AWS::Region"}, ":",
                {"Ref": "AWS::AccountId"}, f":project/{project}"]]}}}
    projects = _by_level(images.template, "AWS::CodeBuild::Project", "Build")
    assert {scope: p["Properties"]["Name"] for scope, p in projects.items()} == {
        scope: f"golden-{suffix.replace('/', '-')}" for scope, suffix in LEVELS.items()}


def test_a_level_can_write_only_its_own_repository_and_parameters(images: Synth) -> None:
    policies = _by_level(images.template, "AWS::IAM::ManagedPolicy", "BuildRolePolicy")
    repository_ids = _ids_by_level(images.template, "AWS::ECR::Repository", "Repository")
    for scope, policy in policies.items():
        statements = _statements(policy)
        pushes = [s["Resource"] for s in statements if "ecr:PutImage" in _actions(s)]
        assert pushes == [{"Fn::GetAtt": [repository_ids[scope], "Arn"]}], scope
        published = [json.dumps(s["Resource"]) for s in statements if "ssm:PutParameter" in _actions(s)]
        (written,) = published
        assert f"parameter/platform/images/golden/{LEVELS[scope]}" in written
        defaults = {"Runtime": "training", "TrainingCpuRuntime": "batch", "InferenceGpuRuntime": "inference",
                    "InferenceCpuRuntime": "inference-cpu"}
        if scope in defaults:
            assert f"parameter/platform/images/default/{defaults[scope]}\"" in written
            assert written.count("/platform/images/default/") == 1
        else:
            assert "/platform/images/default/" not in written, scope  # a project cannot poison a default
        signs = [s for s in statements if "signer:SignPayload" in _actions(s)]
        assert [json.dumps(s["Resource"]) for s in signs] == [json.dumps({"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":signer:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
            ":/signing-profiles/platform_golden_images"]]})]


def test_build_role_wildcards_are_only_the_acknowledged_service_actions(images: Synth) -> None:
    for scope, policy in _by_level(images.template, "AWS::IAM::ManagedPolicy", "BuildRolePolicy").items():
        statements = _statements(policy)
        expected = {"EcrLogin", "ScanFindingsAndSbom", "CodeBuildVpcDescribe"}
        if scope not in ("Base", "TrainingCpuBase", "InferenceGpuBase", "InferenceCpuBase"):
            expected.add("PackageIndexBearerToken")  # Level 0 installs nothing
        assert {s.get("Sid") for s in statements if s["Resource"] == "*"} == expected, scope
        assert not [a for s in statements for a in _actions(s) if "*" in a]
        assert not [a for s in statements if s["Resource"] == "*" for a in _actions(s)
                    if a.startswith("ec2:") and not a.startswith("ec2:Describe")], scope  # no ENI write on '*'


def test_build_network_interfaces_are_scoped_to_the_pipeline_s_vpc(images: Synth) -> None:
    """CreateNetworkInterface on the new interface, the subnets and the build's group of the VPC only;
    DeleteNetworkInterface on that VPC's interfaces (the ec2:Vpc condition key, Service Authorization Reference)."""
    for scope, policy in _by_level(images.template, "AWS::IAM::ManagedPolicy", "BuildRolePolicy").items():
        statements = {s.get("Sid"): s for s in _statements(policy)}
        create, delete = statements["CodeBuildCreateNetworkInterfaces"], statements["CodeBuildDeleteNetworkInterfaces"]
        vpc = create["Condition"]["ArnEqualsIfExists"]["ec2:Vpc"]
        assert json.dumps(vpc).endswith('":vpc/", ' + json.dumps(vpc["Fn::Join"][1][-1]) + "]]}"), scope
        assert delete["Condition"] == {"ArnEquals": {"ec2:Vpc": vpc}}
        assert [r["Fn::Join"][1][-1] for r in create["Resource"][:2]] == [":network-interface/*", ":subnet/*"]
        assert create["Resource"][2]["Fn::Join"][1][-1]["Fn::GetAtt"][1] == "GroupId"  # its own group only
        assert delete["Action"] == "ec2:DeleteNetworkInterface" and create["Action"] == "ec2:CreateNetworkInterface"


def test_the_events_role_is_for_the_pipelines_rules_and_starts_builds_without_overrides(images: Synth) -> None:
    roles = images.template.find_resources("AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp(
        "^starts the golden image builds")}})
    (role,) = roles.values()
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert json.dumps(trust["Condition"]["ArnLike"]["aws:SourceArn"]).endswith(':rule/golden-img-*"]]}')
    policies = images.template.find_resources("AWS::IAM::ManagedPolicy")
    (policy,) = [p for k, p in policies.items() if k.startswith("GoldenEventsRolePolicy")]
    statements = _statements(policy)
    denies = {key for s in statements if s["Effect"] == "Deny" for key in s["Condition"]["Null"]}
    assert denies == set(images_iam.DENIED_OVERRIDES)
    assert {"codebuild:source.buildspec", "codebuild:environment.image", "codebuild:environment.privilegedMode",
            "codebuild:environment.environmentVariables"} <= denies
    assert all(s["Condition"]["Null"] == {k: "false"} for s in statements if s["Effect"] == "Deny"
               for k in s["Condition"]["Null"])
    starts = [s for s in statements if s["Effect"] == "Allow"]
    assert len(starts) == len(LEVELS) and all(_actions(s) == ["codebuild:StartBuild"] for s in starts)


def test_grant_start_builds_gives_an_operator_the_same_denies() -> None:
    stack = Stack(new_app(), STACK)
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                                   lineages=["training-cpu"])
    operator = baseline.platform_role(stack, "Operator", assumed_by=iam.AccountRootPrincipal(),
                                      description="starts golden image builds")
    pipeline.grant_start_builds(operator)
    document = stack.resolve(operator.policy.document)
    denied = {key for s in document["Statement"] if s["Effect"] == "Deny" for key in s["Condition"]["Null"]}
    assert denied == set(images_iam.DENIED_OVERRIDES)


# --- parameters that stay approved, repositories that never expire an approval ----------------------------------------
def test_build_owned_parameters_have_only_constant_properties_and_no_tags(images: Synth) -> None:
    parameters = images.template.find_resources("AWS::SSM::Parameter")
    names = sorted(p["Properties"]["Name"] for p in parameters.values())
    assert names == sorted([f"/platform/images/golden/{s}" for s in LEVELS.values()] + [
        f"/platform/images/default/{d}" for d in ("training", "batch", "inference", "inference-cpu")])
    for parameter in parameters.values():
        properties = parameter["Properties"]
        assert set(properties) == {"Name", "Type", "Value", "Description"}  # no Tags: a tag change would rewrite it
        assert properties["Value"] == image_settings.PENDING_VALUE and isinstance(properties["Description"], str)
        assert [a["id"] for a in parameter["Metadata"]["platform:acknowledgments"]] == ["PLAT-TAG1"]


def test_lifecycle_rules_never_expire_an_approved_image(images: Synth) -> None:
    images.template.all_resources_properties("AWS::ECR::Repository", {
        "ImageTagMutability": "IMMUTABLE", "ImageScanningConfiguration": {"ScanOnPush": True},
        "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": {"Fn::GetAtt": Match.any_value()}},
        "EmptyOnDelete": True})
    for repository in images.template.find_resources("AWS::ECR::Repository").values():
        rules = json.loads(repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
        assert [(r["rulePriority"], r["selection"]) for r in rules] == [
            (1, {"tagStatus": "tagged", "tagPrefixList": ["approved-"], "countType": "imageCountMoreThan",
                 "countNumber": NEVER_EXPIRE_COUNT}),
            (2, {"tagStatus": "tagged", "tagPrefixList": ["build-"], "countType": "imageCountMoreThan",
                 "countNumber": POLICY.images.keep_images})]  # no untagged rule: managed signatures are untagged


# --- builds: CPU hosts, offline, the lineage's contract ---------------------------------------------------------------
def test_builds_run_on_cpu_hosts_in_the_network_encrypted_and_logged(images: Synth) -> None:
    template = images.template
    template.all_resources_properties("AWS::CodeBuild::Project", {
        "VpcConfig": {"Subnets": Match.any_value(), "SecurityGroupIds": Match.any_value(), "VpcId": Match.any_value()},
        "EncryptionKey": {"Fn::GetAtt": Match.any_value()},
        "LogsConfig": {"CloudWatchLogs": Match.object_like({"Status": "ENABLED"}), "S3Logs": {"Status": "DISABLED"}},
        "Environment": Match.object_like({"PrivilegedMode": True, "Type": "LINUX_CONTAINER",
                                          "Image": "aws/codebuild/standard:7.0",
                                          "ImagePullCredentialsType": "CODEBUILD"}),
        "Source": {"Type": "NO_SOURCE", "BuildSpec": Match.any_value()},
        "ConcurrentBuildLimit": 1,
    })
    for scope, project in _by_level(template, "AWS::CodeBuild::Project", "Build").items():
        env = _env(project)
        assert env["GPU_HOST"] == "0" and env["GPU"] == ("0" if "Cpu" in scope else "1"), scope
        assert env["SERVING"] == ("1" if scope.startswith("Inference") else "0"), scope
        assert "AwsSolutions-CB3" not in json.dumps(project.get("Metadata", {}))
        acknowledged = {a["id"]: a["reason"] for a in project["Metadata"]["platform:acknowledgments"]}
        assert "Docker daemon" in acknowledged["cdk-validator-cfnguard::codebuild_project_environment_privileged_check"]
    template.resource_count_is("AWS::IAM::Policy", 0)  # no inline policies


def test_a_gpu_build_image_puts_the_gpu_lineages_on_gpu_hosts() -> None:
    image = f"111122223333.dkr.ecr.eu-west-1.amazonaws.com/platform/codebuild-gpu@{DIGEST}"
    stack = Stack(new_app(), STACK, env=Environment(account="111122223333", region="eu-west-1"))
    GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                        lineages=["training-gpu", "training-cpu"], gpu_build_image=image)
    template = Template.from_stack(stack)
    projects = _by_level(template, "AWS::CodeBuild::Project", "Build")
    assert projects["Runtime"]["Properties"]["Environment"]["Type"] == "LINUX_GPU_CONTAINER"
    assert projects["Runtime"]["Properties"]["Environment"]["Image"] == image
    assert projects["Runtime"]["Properties"]["Environment"]["ImagePullCredentialsType"] == "SERVICE_ROLE"
    assert _env(projects["Runtime"])["GPU_HOST"] == "1"
    assert projects["TrainingCpuRuntime"]["Properties"]["Environment"]["Type"] == "LINUX_CONTAINER"
    pulls = [s for s in _statements(_by_level(template, "AWS::IAM::ManagedPolicy", "BuildRolePolicy")["Runtime"])
             if s.get("Sid") == "PullBuildImage"]
    assert [s["Resource"] for s in pulls] == [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ecr:eu-west-1:111122223333:repository/platform/"
                                                              "codebuild-gpu"]]}]


def test_dockerfiles_end_as_the_lineages_user_and_install_lock_files_with_hashes(images: Synth) -> None:
    contexts = {scope: _build_context(p) for scope, p in _by_level(images.template, "AWS::CodeBuild::Project",
                                                                    "Build").items()}
    for scope, context in contexts.items():
        dockerfile = context["Dockerfile"]
        assert "FROM ${BASE_IMAGE}" in dockerfile and "smoke_test.py --level" in dockerfile
        user = "root" if scope.startswith("Inference") else "mluser"
        assert dockerfile.rstrip().splitlines()[-2:] == [f"USER {user}", "WORKDIR /app"], scope
        assert context["build.sh"] == template_text("build.sh")
        assert context["serving_contract.py"] == template_text("serving_contract.py")
    base, runtime, project = contexts["Base"], contexts["Runtime"], contexts["Projectrecs"]
    assert "useradd --system --uid 1001" in base["Dockerfile"]
    assert "PLATFORM_CUDA_VERSION=12.1.1" in base["Dockerfile"] and "PLATFORM_GPU=1" in base["Dockerfile"]
    assert "PLATFORM_SERVING=1" in contexts["InferenceCpuBase"]["Dockerfile"]
    assert runtime["requirements.lock"] == "".join(f"{r}\n" for r in LOCKED)
    assert project["requirements.lock"] == "".join(f"{r}\n" for r in PROJECT_LOCK)
    for dockerfile in (runtime["Dockerfile"], project["Dockerfile"]):
        assert "pip install --no-cache-dir --require-hashes --no-deps --only-binary=:all: -r" in dockerfile
    assert "pip install" not in contexts["InferenceGpuRuntime"]["Dockerfile"]  # an empty lock file installs nothing


def test_level_bases_chain_through_the_approved_parameters(images: Synth) -> None:
    projects = _by_level(images.template, "AWS::CodeBuild::Project", "Build")
    base, runtime, project = (_env(projects[scope]) for scope in ("Base", "Runtime", "Projectrecs"))
    assert "pytorch-training" in json.dumps(base["BASE_IMAGE"])
    assert base["BASE_POLICY_FIELD"] == "the policy's images.training"
    assert "BASE_PARAMETER" not in base and "BASE_REGISTRY" not in runtime
    assert base["BASE_REGISTRY"] == {"Fn::Join": ["", [
        "763104351884.dkr.ecr.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}  # the policy's base, in the stack's region
    assert runtime["BASE_PARAMETER"] == "/platform/images/golden/base"
    assert project["BASE_PARAMETER"] == "/platform/images/golden/runtime"
    assert _env(projects["InferenceCpuRuntime"])["BASE_PARAMETER"] == "/platform/images/golden/inference-cpu/base"
    assert "pytorch-inference:2.3.0-cpu" in json.dumps(_env(projects["InferenceCpuBase"])["BASE_IMAGE"])
    assert base["SCAN_BLOCK_SEVERITIES"] == "HIGH CRITICAL"
    assert json.loads(runtime["PARAMETER_TAGS"])[0] == {"Key": "CostCenter", "Value": "ml-platform"}


def test_level2_accepts_any_runtime_of_the_pipeline_and_refuses_anything_else(images: Synth) -> None:
    pipeline = images.pipeline
    for wrong in ("python:3.11", pipeline.base, pipeline.runtime.repository_uri):
        with pytest.raises(PlatformValidationError, match=r"argument 'base' = .* Allowed: one of this pipeline's"):
            pipeline.add_project_image("wrong-base", requirements=PROJECT_LOCK, base=wrong)
    assert "wrong-base" not in pipeline.projects
    with pytest.raises(PlatformValidationError, match="not yet added"):
        pipeline.add_project_image("recs", requirements=[])


def test_a_project_can_build_on_another_lineages_runtime() -> None:
    stack = Stack(new_app(), STACK)
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                                   lineages=["training-gpu", "inference-cpu"])
    _, serving = pipeline.lineage_levels["inference-cpu"]
    level = pipeline.add_project_image("scoring", requirements=PROJECT_LOCK, base=serving.image_uri)
    assert level.lineage.key == "inference-cpu" and level.level == 2
    projects = Template.from_stack(stack).find_resources("AWS::CodeBuild::Project")
    (context,) = [_build_context(p) for k, p in projects.items() if k.startswith("GoldenProjectscoringBuild")]
    assert context["Dockerfile"].rstrip().splitlines()[-2] == "USER root"


def test_the_policy_size_check_stays_and_names_the_role() -> None:
    """Per-level roles keep every policy small; the synth-time check still names a role that would overflow."""
    stack = Stack(new_app(), STACK)
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                                   lineages=["training-cpu"])
    for index in range(6):  # the shared build role overflowed with a third project image; each level has its own now
        pipeline.add_project_image(f"project-{index}", requirements=PROJECT_LOCK)
    role = pipeline.projects["project-0"].role
    role.policy.add_library_statements(iam.PolicyStatement(actions=["s3:GetObject"], resources=[  # the sealed one
        f"arn:aws:s3:::bucket-{index}-{'x' * 40}/*" for index in range(120)]))
    with pytest.raises(RuntimeError, match=r"argument 'project images \(build role of projects/project-0\)'"):
        Template.from_stack(stack)


# --- schedules, approvals, network, package index, registry settings, provenance ------------------------------------
def test_schedules_and_approval_events_trigger_dependants_with_named_rules(images: Synth) -> None:
    rules = list(images.template.find_resources("AWS::Events::Rule").values())
    schedules = sorted(r["Properties"]["ScheduleExpression"] for r in rules if "ScheduleExpression" in r["Properties"])
    assert schedules == ["cron(0 3 1 * ? *)"] * 4 + ["cron(0 3 1 1/3 ? *)"] * 4
    on_approval = {r["Properties"]["EventPattern"]["detail"]["name"][0]: r["Properties"]["Targets"][0]["Arn"]
                   for r in rules if "EventPattern" in r["Properties"]}
    assert on_approval["/platform/images/golden/base"]["Fn::GetAtt"][0].startswith("GoldenRuntimeBuild")
    assert on_approval["/platform/images/golden/runtime"]["Fn::GetAtt"][0].startswith("GoldenProjectrecsBuild")
    assert on_approval["/platform/images/golden/inference-gpu/base"]["Fn::GetAtt"][0].startswith(
        "GoldenInferenceGpuRuntimeBuild")
    assert all(r["Properties"]["Name"].startswith("golden-img-") and len(r["Properties"]["Name"]) <= 64 for r in rules)
    assert len({r["Properties"]["Name"] for r in rules}) == len(rules)
    images.template.all_resources_properties("AWS::Events::Rule", {"Targets": [Match.object_like({
        "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("^GoldenEventsRole"), "Arn"]}})]})


def test_build_endpoints_are_created_once_per_network(images: Synth) -> None:
    template = images.template
    for service in ("ssm", "codeartifact.api", "codeartifact.repositories", "inspector2"):
        template.has_resource_properties("AWS::EC2::VPCEndpoint", {
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{service}"]]},
            "PrivateDnsEnabled": True, "VpcEndpointType": "Interface"})
    template.has_resource_properties("AWS::EC2::SecurityGroup", {
        "GroupDescription": Match.string_like_regexp("^Golden image builds"),
        "SecurityGroupEgress": [Match.object_like({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443})]})
    app = new_app()
    first = Stack(app, "First")
    second = Stack(app, "Second")
    GoldenImagePipeline(first, "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                        lineages=["training-cpu"], publish_defaults=False)
    GoldenImagePipeline(second, "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                        lineages=["training-cpu"], publish_defaults=False, name="other")
    assert Template.from_stack(first).find_resources("AWS::EC2::VPCEndpoint") != {}
    Template.from_stack(second).resource_count_is("AWS::EC2::VPCEndpoint", 0)  # the same VPC: no duplicate DNS


def test_the_package_index_serves_only_the_allowed_packages(images: Synth) -> None:
    template = images.template
    template.has_resource_properties("AWS::CodeArtifact::Domain", {
        "DomainName": "golden-images", "EncryptionKey": {"Fn::GetAtt": Match.any_value()}})
    template.has_resource_properties("AWS::CodeArtifact::Repository", {
        "RepositoryName": "pypi", "ExternalConnections": ["public:pypi"]})
    groups = {g["Properties"]["Pattern"]: g["Properties"]["OriginConfiguration"]["Restrictions"]
              for g in template.find_resources("AWS::CodeArtifact::PackageGroup").values()}
    assert groups.pop("/pypi/*") == {"ExternalUpstream": {"RestrictionMode": "BLOCK"},
                                     "Publish": {"RestrictionMode": "BLOCK"}}
    assert set(groups) == {f"/pypi//{p}$" for p in POLICY.images.allowed_packages}
    assert all(r["ExternalUpstream"]["RestrictionMode"] == "ALLOW_SPECIFIC_REPOSITORIES" for r in groups.values())


def test_the_registry_settings_scan_and_sign_only_the_platforms_repositories(images: Synth) -> None:
    template = images.template
    template.has_resource_properties("AWS::ECR::RegistryScanningConfiguration", {
        "ScanType": "ENHANCED", "Rules": [{"ScanFrequency": "CONTINUOUS_SCAN", "RepositoryFilters": [
            {"Filter": "platform/*", "FilterType": "WILDCARD"}]}]})
    template.has_resource_properties("AWS::Signer::SigningProfile", {
        "ProfileName": "platform_golden_images", "PlatformId": "Notation-OCI-SHA384-ECDSA"})
    template.has_resource_properties("AWS::ECR::SigningConfiguration", {"Rules": [{
        "SigningProfileArn": {"Fn::GetAtt": [Match.string_like_regexp("^GoldenSigningProfile"), "Arn"]},
        "RepositoryFilters": [{"Filter": "platform/*", "FilterType": "WILDCARD_MATCH"}]}]})
    annotations = Annotations.from_stack(images.stack)
    annotations.has_warning("/Images/Golden", Match.string_like_regexp("one each per account and region"))
    annotations.has_warning("/Images/Golden", Match.string_like_regexp("pinned by the tag"))


def test_inspector_may_write_sboms_beside_the_approvals_for_this_account_only(images: Synth) -> None:
    template = images.template
    conditions = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                  "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", [
                      "arn:", {"Ref": "AWS::Partition"}, ":inspector2:", {"Ref": "AWS::Region"}, ":",
                      {"Ref": "AWS::AccountId"}, ":report/*"]]}}}
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Sid": "InspectorSbomExports", "Principal": {"Service": "inspector2.amazonaws.com"},
                           "Condition": conditions})])}})
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": Match.array_with([
        Match.object_like({"Sid": "InspectorSbomExports", "Condition": conditions})])}})


# --- defaults: consumers default to the pipeline's approved image of their lineage -----------------------------------
def test_default_image_is_the_pipelines_image_of_the_consumers_lineage(images: Synth) -> None:
    parameter = {"inference": "inference", "inference on ml.m5.xlarge": "inference-cpu",
                 "inference on ml.g4dn.xlarge": "inference", "training": "training",
                 "training on c5.xlarge": "batch", "batch": "batch", "batch on g4dn.xlarge": "training"}
    assert images.defaults == {label: f"{{{{resolve:ssm:/platform/images/default/{parameter[label]}}}}}"
                               for label in CONSUMERS}


def test_without_a_pipeline_defaults_are_the_policy_or_opted_in_published_images() -> None:
    plain = Stack(new_app(), "Plain")
    assert "pytorch-inference:2.3.0-gpu" in json.dumps(plain.resolve(default_image(plain, "inference")))
    assert "pytorch-inference:2.3.0-cpu" in json.dumps(plain.resolve(
        default_image(plain, "inference", instance_type="ml.m5.xlarge")))
    opted = Stack(new_app({"golden_images": "true"}), "Opted")
    assert opted.resolve(default_image(opted, "training")) == "{{resolve:ssm:/platform/images/default/training}}"


def test_a_second_pipeline_serves_its_lineages_and_leaves_the_others_to_the_first() -> None:
    app = new_app()
    first = GoldenImagePipeline(Stack(app, "First"), "Golden", cost_center="ml-platform", runtime_requirements=LOCKED,
                                publish_defaults=False, default_for=("inference", "training"),
                                lineages=["training-gpu", "inference-gpu"])
    second = GoldenImagePipeline(Stack(app, "Second"), "Golden", cost_center="ml-platform",
                                 runtime_requirements=LOCKED, name="cpu", publish_defaults=False,
                                 default_for=("training", "batch"), lineages=["training-gpu", "training-cpu"])
    consumer = Stack(app, "Consumer")
    served = {p: consumer.resolve(default_image(consumer, p)) for p in ("inference", "training", "batch")}
    assert served == {"inference": consumer.resolve(first.lineage_levels["inference-gpu"][1].image_uri),
                      "training": consumer.resolve(second.runtime.image_uri),
                      "batch": consumer.resolve(second.lineage_levels["training-cpu"][1].image_uri)}
    warnings = [m.data for m in second.node.metadata if m.type == "aws:cdk:warning"]
    assert any("already serves the default images of training-gpu" in str(w) for w in warnings)
    assert not any("already serves" in str(m.data) for m in first.node.metadata)


# --- the second shape ---------------------------------------------------------------------------------------------
def test_prod_cpu_pipeline_is_retained_and_pulls_its_base_from_its_region(prod_cpu: Synth) -> None:
    template = prod_cpu.template
    template.all_resources("AWS::ECR::Repository", {"DeletionPolicy": "Retain"})
    template.all_resources_properties("AWS::ECR::Repository", {"EmptyOnDelete": False})
    for absent in ("AWS::ECR::RegistryScanningConfiguration", "AWS::ECR::SigningConfiguration",
                   "AWS::Signer::SigningProfile"):
        template.resource_count_is(absent, 0)
    names = sorted(p["Properties"]["Name"] for p in template.find_resources("AWS::SSM::Parameter").values())
    assert names == [f"/platform/images/cpu-images/training-cpu/{level}" for level in ("base", "runtime")]
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Sid": "PullLevel0Base", "Resource": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":ecr:us-west-2:763104351884:repository/pytorch-training"]]}})])}})
    base = _env(_by_level(template, "AWS::CodeBuild::Project", "Build")["TrainingCpuBase"])
    assert (base["BASE_IMAGE"], base["BASE_REGISTRY"]) == (US_WEST_DLC, "763104351884.dkr.ecr.us-west-2.amazonaws.com")
    assert base["BASE_POLICY_FIELD"] == "the base_image argument"


def test_prod_cpu_consumers_default_to_the_runtime_parameter_and_are_warned(prod_cpu: Synth) -> None:
    assert prod_cpu.defaults["batch"] == '"{{resolve:ssm:/platform/images/cpu-images/training-cpu/runtime}}"'
    assert "pytorch-inference" in prod_cpu.defaults["inference"]
    annotations = Annotations.from_stack(prod_cpu.stack)
    annotations.has_warning("/Images/Golden", Match.string_like_regexp(
        "for batch reference this pipeline's approved-image parameters"))
    annotations.has_no_warning("/Images/Golden", Match.string_like_regexp("pinned by the tag|one each per account"))


def test_example_app_has_the_golden_images_stack(example_app: SynthResult) -> None:
    assert cfn_lint(example_app.template_path("platform-images")) == []
    names = {r["Properties"]["RepositoryName"]
             for r in example_app.resources("platform-images", "AWS::ECR::Repository").values()}
    assert names == {f"platform/golden/{s}" for s in LEVELS.values() if s != "projects/recs"} | {
        "platform/golden/projects/recommendations"}
