"""GoldenImagePipeline: repositories, builds, scan gate, schedules, published images, refusals.

One app is synthesized per module (every compliance pack + cfn-lint); the build script's scan gate
is exercised by running the shipped ``build.sh`` against recording stand-ins for ``aws``/``docker``.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import GoldenImagePipeline, PlatformValidationError
from platform_constructs.compliance.engine import check_template
from platform_constructs.images.build import template_text
from platform_constructs.images.defaults import default_image
from platform_constructs.policy import load_policy
from platform_constructs.testing import SynthResult, cfn_lint, new_app, synthesize

PINNED = ["torch==2.1.0", "pandas==2.0.3", "numpy==1.24.3", "scikit-learn==1.3.0"]
STACK = "Images"
DIGEST = "sha256:" + "a" * 64


@pytest.fixture(scope="module")
def images() -> tuple[SynthResult, dict[str, str]]:
    """The pipeline with only cost_center and pinned requirements, one project image, and what
    ``default_image`` returns to a consumer stack in the same app (resolved)."""
    app = new_app()
    pipeline = GoldenImagePipeline(Stack(app, STACK), "Golden", cost_center="ml-platform",
                                   runtime_requirements=PINNED)
    pipeline.add_project_image("recs", requirements=["requests==2.31.0", "numpy"])
    consumer = Stack(app, "Consumer")
    defaults = {p: str(consumer.resolve(default_image(consumer, p))) for p in ("inference", "training", "batch")}
    return synthesize(app), defaults


@pytest.fixture(scope="module")
def result(images: tuple[SynthResult, dict[str, str]]) -> SynthResult:
    return images[0]


def _build_context(project: Mapping[str, Any]) -> dict[str, str]:
    """The files the project's buildspec unpacks (the rendered Dockerfile, requirements, scripts)."""
    spec = json.loads(project["Properties"]["Source"]["BuildSpec"])
    unpack = next(c for c in spec["phases"]["build"]["commands"] if "base64 -d" in c)
    packed = base64.b64decode(unpack.split("'")[1])
    with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers()}  # type: ignore[union-attr]


def _project(result: SynthResult, level_id: str) -> Mapping[str, Any]:
    return next(r for k, r in result.resources(STACK, "AWS::CodeBuild::Project").items()
                if k.startswith(f"Golden{level_id}Build"))


def _env(project: Mapping[str, Any]) -> dict[str, Any]:
    return {v["Name"]: v["Value"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]}


# --- acceptance 1: zero findings, cfn-lint clean ---------------------------------------------------------
def test_minimal_pipeline_has_zero_findings_and_is_cfn_lint_clean(result: SynthResult) -> None:
    assert cfn_lint(result.template_path(STACK)) == []
    policy = load_policy()
    assert [f for f in check_template(result.template(STACK), policy, policy.environment("dev"))
            if not f.acknowledged] == []


# --- acceptance 2: one error naming torch and the git line -------------------------------------------------
def test_unpinned_and_vcs_requirements_are_one_error_with_line_numbers() -> None:
    app = new_app()
    with pytest.raises(PlatformValidationError) as info:
        GoldenImagePipeline(Stack(app, STACK), "Golden", cost_center="ml-platform",
                            runtime_requirements=["torch", "pandas==2.0.3", "git+https://github.com/x/y"])
    message = str(info.value)
    assert [p.argument for p in info.value.problems] == ["runtime_requirements line 1", "runtime_requirements line 3"]
    assert "'torch'" in message and "'git+https://github.com/x/y'" in message
    assert message.startswith("2 problem(s) in Images/Golden:")


def test_requirements_file_path_is_read(tmp_path: Path) -> None:
    frozen = tmp_path / "requirements-frozen.txt"
    frozen.write_text("torch==2.1.0\n-U pandas\n", encoding="utf-8")
    with pytest.raises(PlatformValidationError, match=r"runtime_requirements \(.*requirements-frozen.txt\) line 2"):
        GoldenImagePipeline(Stack(new_app(), STACK), "Golden", cost_center="ml-platform",
                            runtime_requirements=str(frozen))


# --- acceptance 3: every repository immutable, scanned, KMS-encrypted, with a lifecycle -------------------
def test_every_repository_is_immutable_scanned_encrypted_and_bounded(result: SynthResult) -> None:
    repositories = result.resources(STACK, "AWS::ECR::Repository")
    names = sorted(r["Properties"]["RepositoryName"] for r in repositories.values())
    assert names == ["platform/golden/base", "platform/golden/projects/recs", "platform/golden/runtime"]
    keep = load_policy().images.keep_images
    for repository in repositories.values():
        props = repository["Properties"]
        assert props["ImageTagMutability"] == "IMMUTABLE"
        assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
        assert props["EncryptionConfiguration"]["EncryptionType"] == "KMS"
        assert "Fn::GetAtt" in props["EncryptionConfiguration"]["KmsKey"]
        rules = json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
        assert {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep} in [
            r["selection"] for r in rules]
    (scanning,) = result.resources(STACK, "AWS::ECR::RegistryScanningConfiguration").values()
    assert scanning["Properties"]["ScanType"] == "ENHANCED"
    filters = {r["ScanFrequency"]: r["RepositoryFilters"][0]["Filter"] for r in scanning["Properties"]["Rules"]}
    assert filters == {"CONTINUOUS_SCAN": "platform/*", "SCAN_ON_PUSH": "*"}


# --- acceptance 4: a Level 2 on any base but the approved Level 1 is refused -------------------------------
@pytest.mark.parametrize("base", ["python:3.11", "base-level", "runtime-uri"])
def test_level2_with_a_wrong_base_is_refused(base: str) -> None:
    pipeline = GoldenImagePipeline(Stack(new_app(), STACK), "Golden", cost_center="ml-platform",
                                   runtime_requirements=PINNED)
    wrong: Any = {"base-level": pipeline.base, "runtime-uri": pipeline.runtime.repository_uri}.get(base, base)
    refused = r"argument 'base' = .* Allowed: this pipeline's approved Level 1"
    with pytest.raises(PlatformValidationError, match=refused):
        pipeline.add_project_image("recs", requirements=["requests==2.31.0"], base=wrong)
    assert pipeline.add_project_image("okay", requirements=["requests==2.31.0"], base=pipeline.runtime).level == 2
    assert pipeline.add_project_image("also-okay", requirements=[], base=pipeline.runtime.image_uri).level == 2


def test_level2_may_not_redefine_level1_packages_and_names_are_unique() -> None:
    pipeline = GoldenImagePipeline(Stack(new_app(), STACK), "Golden", cost_center="ml-platform",
                                   runtime_requirements=PINNED)
    with pytest.raises(PlatformValidationError) as info:
        pipeline.add_project_image("recs", requirements=["requests==2.31.0", "NumPy==1.26.0", "--upgrade"])
    assert [p.argument for p in info.value.problems] == ["requirements line 2", "requirements line 3"]
    assert "numpy==1.24.3" in str(info.value)
    pipeline.add_project_image("recs", requirements=["requests==2.31.0"])
    with pytest.raises(PlatformValidationError, match="not yet added"):
        pipeline.add_project_image("recs", requirements=["requests==2.31.0"])


# --- acceptance 5: consumers default to the pipeline's approved images --------------------------------------
def test_default_image_is_the_pipelines_published_image(images: tuple[SynthResult, dict[str, str]]) -> None:
    _, defaults = images
    assert defaults == {p: f"{{{{resolve:ssm:/platform/images/default/{p}}}}}" for p in defaults}


def test_default_parameters_start_as_the_policy_images_and_level1_publishes_them(result: SynthResult) -> None:
    parameters = {p["Properties"]["Name"]: p["Properties"]["Value"]
                  for p in result.resources(STACK, "AWS::SSM::Parameter").values()}
    assert "pytorch-inference" in json.dumps(parameters["/platform/images/default/inference"])
    assert "pytorch-training" in json.dumps(parameters["/platform/images/default/training"])
    for level in ("base", "runtime", "projects/recs"):
        assert parameters[f"/platform/images/golden/{level}"].startswith("pending")
    published = _env(_project(result, "Runtime"))["DEFAULT_PARAMETERS"].split()
    assert published == [f"/platform/images/default/{p}" for p in ("inference", "training", "batch")]


def test_without_a_pipeline_defaults_are_the_policy_or_opted_in_published_images() -> None:
    plain = Stack(new_app(), "Plain")
    assert "pytorch-inference" in json.dumps(plain.resolve(default_image(plain, "inference")))
    opted = Stack(new_app({"golden_images": "true"}), "Opted")
    assert opted.resolve(default_image(opted, "training")) == "{{resolve:ssm:/platform/images/default/training}}"


# --- builds: network, encryption, logs, privileged acknowledged, Dockerfiles --------------------------------
def test_builds_run_in_the_network_encrypted_and_logged(result: SynthResult) -> None:
    projects = result.resources(STACK, "AWS::CodeBuild::Project")
    assert len(projects) == 3
    for project in projects.values():
        props = project["Properties"]
        assert props["VpcConfig"]["Subnets"] and props["VpcConfig"]["SecurityGroupIds"]
        assert "Fn::GetAtt" in props["EncryptionKey"]
        assert props["LogsConfig"]["CloudWatchLogs"]["Status"] == "ENABLED"
        assert props["Environment"]["PrivilegedMode"] is True
        acknowledged = {a["id"]: a["reason"] for a in project["Metadata"]["platform:acknowledgments"]}
        assert "Docker daemon" in acknowledged["cdk-validator-cfnguard::codebuild_project_environment_privileged_check"]
    (group,) = result.resources(STACK, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["RetentionInDays"] == load_policy().environment("dev").log_retention_days
    assert "KmsKeyId" in group["Properties"]
    assert not result.resources(STACK, "AWS::IAM::Policy")  # no inline policies


def test_dockerfiles_are_rendered_non_root_from_the_approved_base_with_frozen_requirements(
        result: SynthResult) -> None:
    base, runtime, project = (_build_context(_project(result, level)) for level in ("Base", "Runtime", "Projectrecs"))
    for context in (base, runtime, project):
        dockerfile = context["Dockerfile"]
        assert "FROM ${BASE_IMAGE}" in dockerfile
        assert dockerfile.rstrip().splitlines()[-2:] == ["USER mluser", "WORKDIR /app"]
        assert "smoke_test.py --level" in dockerfile
        assert context["build.sh"] == template_text("build.sh")
    assert "useradd --system --uid 1001" in base["Dockerfile"]
    assert "PLATFORM_CUDA_VERSION=12.1.1" in base["Dockerfile"] and "PLATFORM_GPU=1" in base["Dockerfile"]
    assert runtime["requirements-frozen.txt"] == "".join(f"{r}\n" for r in PINNED)
    assert project["requirements.txt"] == "requests==2.31.0\nnumpy\n"
    assert "-c /opt/platform/runtime-constraints.txt" in project["Dockerfile"]


def test_level_bases_chain_through_the_approved_parameters(result: SynthResult) -> None:
    base, runtime, project = (_env(_project(result, level)) for level in ("Base", "Runtime", "Projectrecs"))
    assert "pytorch-training" in json.dumps(base["BASE_IMAGE"])
    assert runtime["BASE_PARAMETER"] == "/platform/images/golden/base"
    assert project["BASE_PARAMETER"] == "/platform/images/golden/runtime"
    assert base["SCAN_BLOCK_SEVERITIES"] == "HIGH CRITICAL"


# --- schedules and dependants -----------------------------------------------------------------------------
def test_schedules_and_approval_events_trigger_dependants(result: SynthResult) -> None:
    rules = list(result.resources(STACK, "AWS::Events::Rule").values())
    schedules = sorted(r["Properties"]["ScheduleExpression"] for r in rules if "ScheduleExpression" in r["Properties"])
    assert schedules == ["cron(0 3 1 * ? *)", "cron(0 3 1 1/3 ? *)"]
    on_approval = {r["Properties"]["EventPattern"]["detail"]["name"][0]: r["Properties"]["Targets"][0]["Arn"]
                   for r in rules if "EventPattern" in r["Properties"]}
    assert on_approval["/platform/images/golden/base"]["Fn::GetAtt"][0].startswith("GoldenRuntimeBuild")
    assert on_approval["/platform/images/golden/runtime"]["Fn::GetAtt"][0].startswith("GoldenProjectrecsBuild")


# --- the scan gate, run for real against recording stand-ins of the aws and docker CLIs ---------------------
_FAKE_AWS = r"""#!/usr/bin/env bash
echo "aws $*" >> "$CALLS"
case "$1 $2" in
  "ecr get-login-password") echo token ;;
  "ssm get-parameter") echo "$FAKE_BASE" ;;
  "codeartifact get-authorization-token") echo secret-token ;;
  "codeartifact get-repository-endpoint") echo "https://d-1.d.codeartifact.us-east-1.amazonaws.com/pypi/pypi/" ;;
  "ecr describe-images") echo "$FAKE_DIGEST" ;;
  "ecr describe-image-scan-findings")
    if [[ "$*" == *imageScanStatus* ]]; then echo COMPLETE; else echo "$FAKE_COUNTS"; fi ;;
  "ecr batch-get-image")
    if [[ "$*" == *MediaType* ]]; then echo application/vnd.oci.image.manifest.v1+json; else echo '{"m":1}'; fi ;;
esac
"""
_FAKE_DOCKER = r"""#!/usr/bin/env bash
echo "docker $*" >> "$CALLS"
case "$1" in
  inspect) echo "763104351884.dkr.ecr.us-east-1.amazonaws.com/base@$FAKE_DIGEST" ;;
  login) cat >/dev/null ;;
  run) exit "${FAKE_SMOKE_EXIT:-0}" ;;
esac
"""
REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/runtime"


def _run_build(tmp_path: Path, *, level: int, counts: str = "{}", base: str = "", smoke_exit: int = 0
               ) -> tuple[int, str, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("aws", _FAKE_AWS), ("docker", _FAKE_DOCKER)):
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    (tmp_path / "build.sh").write_text(template_text("build.sh"), encoding="utf-8")
    calls = tmp_path / "calls.log"
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "CALLS": str(calls), "FAKE_DIGEST": DIGEST,
        "FAKE_COUNTS": counts, "FAKE_BASE": base, "FAKE_SMOKE_EXIT": str(smoke_exit),
        "LEVEL": str(level), "REPOSITORY_NAME": "platform/golden/runtime", "REPOSITORY_URI": REPO,
        "APPROVED_PARAMETER": "/platform/images/golden/runtime",
        "DEFAULT_PARAMETERS": "/platform/images/default/inference /platform/images/default/training",
        "SCAN_BLOCK_SEVERITIES": "HIGH CRITICAL", "SCAN_TIMEOUT_SECONDS": "60", "GPU": "1",
        "BASE_IMAGE": "763104351884.dkr.ecr.us-east-1.amazonaws.com/base:12.1", "BASE_PARAMETER": "/p/base",
        "BASE_REPOSITORY_URI": "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base",
        "CODEARTIFACT_DOMAIN": "golden-images", "CODEARTIFACT_OWNER": "123456789012",
        "CODEARTIFACT_REPOSITORY": "pypi", "CODEBUILD_BUILD_NUMBER": "7",
    }
    done = subprocess.run(["bash", str(tmp_path / "build.sh")], env=env, capture_output=True, text=True, check=False)
    recorded = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return done.returncode, done.stderr + done.stdout, recorded


def _published(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith(("aws ecr put-image", "aws ssm put-parameter"))]


def test_scan_gate_refuses_an_image_with_findings_at_the_policy_severity(tmp_path: Path) -> None:
    code, output, calls = _run_build(tmp_path, level=1, counts='{"HIGH": 2, "LOW": 7}',
                                     base=f"123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base@{DIGEST}")
    assert code == 1
    assert "REFUSED (level 1): 2 finding(s) at severity HIGH, CRITICAL" in output
    assert any(c.startswith("docker push") for c in calls)
    assert _published(calls) == []  # never tagged approved, never published


def test_scan_gate_approves_and_publishes_a_clean_image(tmp_path: Path) -> None:
    code, output, calls = _run_build(tmp_path, level=1, counts='{"MEDIUM": 3, "LOW": 1}',
                                     base=f"123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base@{DIGEST}")
    assert code == 0, output
    published = _published(calls)
    assert published[0].startswith("aws ecr put-image --repository-name platform/golden/runtime --image-tag approved-")
    assert [c.split()[4] for c in published[1:]] == [
        "/platform/images/golden/runtime", "/platform/images/default/inference", "/platform/images/default/training"]
    assert all(f"--value {REPO}@{DIGEST}" in c for c in published[1:])
    build = next(c for c in calls if c.startswith("docker build"))
    assert "--secret id=pip_index_url" in build and "secret-token" not in build
    assert any(c.startswith("docker run --rm --gpus all") for c in calls)


@pytest.mark.parametrize("base", ["python:3.11", "pending: no image approved yet",
                                  "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base:latest"])
def test_build_refuses_a_base_that_is_not_the_approved_level_below(tmp_path: Path, base: str) -> None:
    code, output, calls = _run_build(tmp_path, level=2, base=base)
    assert code == 1
    assert "is not an approved image of 123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base" in output
    assert not any(c.startswith("docker build") for c in calls)


def test_level0_builds_from_the_base_digest_and_a_failed_smoke_test_is_never_pushed(tmp_path: Path) -> None:
    code, output, calls = _run_build(tmp_path, level=0, smoke_exit=1)
    assert code == 1 and "smoke test failed" in output
    build = next(c for c in calls if c.startswith("docker build"))
    assert f"BASE_IMAGE=763104351884.dkr.ecr.us-east-1.amazonaws.com/base@{DIGEST}" in build
    assert not any(c.startswith("docker push") for c in calls)


# --- the smoke test itself -----------------------------------------------------------------------------------
def _smoke(tmp_path: Path, lines: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "smoke_test.py"
    script.write_text(template_text("smoke_test.py"), encoding="utf-8")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, str(script), "--level", "1", "--requirements", str(requirements)],
                          env={**os.environ, "PLATFORM_GPU": "0", **env}, capture_output=True, text=True, check=False)


def test_smoke_test_checks_pins_imports_and_python_version(tmp_path: Path) -> None:
    import importlib.metadata

    yaml_version = importlib.metadata.version("PyYAML")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert _smoke(tmp_path, [f"PyYAML=={yaml_version}"], PLATFORM_PYTHON_VERSION=python).returncode == 0
    wrong = _smoke(tmp_path, ["PyYAML==0.0.1", "not-installed-pkg==1.0"], PLATFORM_PYTHON_VERSION="2.7")
    assert wrong.returncode == 1
    assert "PyYAML is" in wrong.stderr and "not-installed-pkg" in wrong.stderr and "python is" in wrong.stderr
    gpu = _smoke(tmp_path, [], PLATFORM_GPU="1", PLATFORM_CUDA_VERSION="99.9", PLATFORM_PYTHON_VERSION=python)
    assert gpu.returncode == 1
    assert "no CUDA runtime" in gpu.stderr or "the policy requires 99.9" in gpu.stderr


def test_example_app_has_the_golden_images_stack(example_app: SynthResult) -> None:
    assert cfn_lint(example_app.template_path("platform-images")) == []
    names = {r["Properties"]["RepositoryName"]
             for r in example_app.resources("platform-images", "AWS::ECR::Repository").values()}
    assert names == {"platform/golden/base", "platform/golden/runtime", "platform/golden/projects/recommendations"}


@pytest.fixture(scope="module")
def prod_cpu() -> SynthResult:
    """A second pipeline shape: prod, CPU images, no registry scanning config, no default parameters."""
    app = new_app({"env": "prod"})
    stack = Stack(app, STACK)
    GoldenImagePipeline(stack, "Golden", cost_center="ml-platform", runtime_requirements=PINNED, gpu=False,
                        enhanced_scanning=False, publish_defaults=False, name="cpu-images",
                        default_for=("batch",))
    consumer = Stack(app, "Consumer")
    assert consumer.resolve(default_image(consumer, "batch")) == "{{resolve:ssm:/platform/images/cpu-images/runtime}}"
    assert "pytorch-inference" in json.dumps(consumer.resolve(default_image(consumer, "inference")))
    return synthesize(app)


def test_prod_cpu_pipeline_is_clean_retained_and_cpu_built(prod_cpu: SynthResult) -> None:
    assert cfn_lint(prod_cpu.template_path(STACK)) == []
    for repository in prod_cpu.resources(STACK, "AWS::ECR::Repository").values():
        assert repository["DeletionPolicy"] == "Retain"
        assert repository["Properties"]["EmptyOnDelete"] is False
    assert not prod_cpu.resources(STACK, "AWS::ECR::RegistryScanningConfiguration")
    for project in prod_cpu.resources(STACK, "AWS::CodeBuild::Project").values():
        assert project["Properties"]["Environment"]["Type"] == "LINUX_CONTAINER"
        assert _env(project)["GPU"] == "0"
    names = sorted(p["Properties"]["Name"] for p in prod_cpu.resources(STACK, "AWS::SSM::Parameter").values())
    assert names == ["/platform/images/cpu-images/base", "/platform/images/cpu-images/runtime"]


def test_dev_repositories_are_emptied_on_delete(result: SynthResult) -> None:
    for repository in result.resources(STACK, "AWS::ECR::Repository").values():
        assert repository["DeletionPolicy"] == "Delete"
        assert repository["Properties"]["EmptyOnDelete"] is True
    assert not result.resources(STACK, "AWS::Lambda::Function")  # no custom resource behind it


def test_bad_arguments_are_reported_together() -> None:
    with pytest.raises(PlatformValidationError) as info:
        GoldenImagePipeline(Stack(new_app(), STACK), "Golden", cost_center="ml-platform", runtime_requirements=[],
                            name="Bad_Name", cuda_version="twelve", python_version="3", default_for=("serving",),
                            base_image="docker.io/library/python:latest")
    assert [p.argument for p in info.value.problems] == [
        "name", "cuda_version", "python_version", "base_image", "base_image", "default_for", "runtime_requirements"]


def test_build_role_wildcards_are_only_the_acknowledged_service_actions(result: SynthResult) -> None:
    (policy,) = [p for k, p in result.resources(STACK, "AWS::IAM::ManagedPolicy").items() if "BuildRole" in k]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    on_star = {s.get("Sid") for s in statements if s["Resource"] == "*"}
    assert on_star == {"EcrLogin", "CodeBuildVpcNetworkInterfaces", "PackageIndexBearerToken"}
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if "*" in a]
    bearer = next(s for s in statements if s.get("Sid") == "PackageIndexBearerToken")
    assert bearer["Condition"] == {"StringEquals": {"sts:AWSServiceName": "codeartifact.amazonaws.com"}}
