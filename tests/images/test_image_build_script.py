"""The build a CodeBuild project runs: ``dockerfiles/build.sh`` — its base rules, offline smoke tests, scan gate,
signature check, SBOM and approval — run for real against recording stand-ins of the ``aws`` and ``docker`` CLIs
(no jsii), and images/build.py's rendering."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from platform_constructs.images.build import build_context, build_environment, buildspec, template_text

DIGEST = "sha256:" + "a" * 64
PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/platform_golden_images"
TAGS = '[{"Key":"CostCenter","Value":"ml-platform"}]'

# --- recording stand-ins of the aws and docker CLIs ---------------------------------------------------------------
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
  "ecr describe-image-signing-status")
    if [[ "$*" == *"signingProfileArn=='$FAKE_PROFILE'"* ]]; then echo "$FAKE_SIGNING"; else echo None; fi ;;
  "inspector2 create-sbom-export") echo 0123abcd-0000-4000-8000-000000000000 ;;
  "inspector2 get-sbom-export") echo "$FAKE_SBOM" ;;
  "s3 cp")
    local_file=""; destination=""
    for argument in "${@:3}"; do
      case "$argument" in
        s3://*) destination="$argument" ;;
        -*) ;;
        *) [ -n "$local_file" ] || local_file="$argument" ;;
      esac
    done
    mkdir -p "$WORK/s3"; cp "$local_file" "$WORK/s3/$(basename "$destination")" ;;
  "ecr batch-get-image")
    if [[ "$*" == *MediaType* ]]; then echo application/vnd.oci.image.manifest.v1+json; else echo '{"m":1}'; fi ;;
esac
"""
_FAKE_DOCKER = r"""#!/usr/bin/env bash
echo "docker $*" >> "$CALLS"
case "$1" in
  inspect) echo "763104351884.dkr.ecr.us-east-1.amazonaws.com/base@$FAKE_DIGEST" ;;
  login) cat >/dev/null ;;
  run)
    if [[ "$*" == *" -d "* ]]; then echo container-1; exit 0; fi
    if [[ "$*" == *serving_contract.py* ]]; then exit 0; fi
    exit "${FAKE_SMOKE_EXIT:-0}" ;;
  exec) exit "${FAKE_CONTRACT_EXIT:-0}" ;;
esac
"""
REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/runtime"
BASE_IMAGE = f"763104351884.dkr.ecr.us-east-1.amazonaws.com/base@{DIGEST}"
APPROVED_BASE = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base@{DIGEST}"


def _run_build(tmp_path: Path, *, level: int, counts: str = "{}", base: str = APPROVED_BASE, smoke_exit: int = 0,
               base_image: str = BASE_IMAGE, base_registry: str | None = None, signing: str = "COMPLETE",
               sbom: str = "SUCCEEDED", serving: bool = False, gpu_host: bool = False,
               contract_exit: int = 0, timeout: int = 60) -> tuple[int, str, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("aws", _FAKE_AWS), ("docker", _FAKE_DOCKER)):
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    (tmp_path / "build.sh").write_text(template_text("build.sh"), encoding="utf-8")
    calls = tmp_path / "calls.log"
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "CALLS": str(calls), "WORK": str(tmp_path),
        "FAKE_DIGEST": DIGEST, "FAKE_COUNTS": counts, "FAKE_BASE": base, "FAKE_SMOKE_EXIT": str(smoke_exit),
        "FAKE_SIGNING": signing, "FAKE_SBOM": sbom, "FAKE_PROFILE": PROFILE, "FAKE_CONTRACT_EXIT": str(contract_exit),
        "POLL_SECONDS": "0",
        "LEVEL": str(level), "REPOSITORY_NAME": "platform/golden/runtime", "REPOSITORY_URI": REPO,
        "APPROVED_PARAMETER": "/platform/images/golden/runtime",
        "DEFAULT_PARAMETERS": "/platform/images/default/training",
        "SCAN_BLOCK_SEVERITIES": "HIGH CRITICAL", "SCAN_TIMEOUT_SECONDS": str(timeout), "GPU": "1",
        "GPU_HOST": "1" if gpu_host else "0", "SERVING": "1" if serving else "0",
        "PARAMETER_TAGS": TAGS, "SBOM_BUCKET": "sboms-bucket", "SIGNING_PROFILE_ARN": PROFILE,
        "SBOM_KEY_ARN": "arn:aws:kms:us-east-1:123456789012:key/k",
        "BASE_IMAGE": base_image, "BASE_POLICY_FIELD": "the policy's images.training",
        "BASE_REGISTRY": base_image.split("/", maxsplit=1)[0] if base_registry is None else base_registry,
        "BASE_PARAMETER": "/p/base",
        "BASE_REPOSITORY_URI": "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base",
        "CODEARTIFACT_DOMAIN": "golden-images", "CODEARTIFACT_OWNER": "123456789012",
        "CODEARTIFACT_REPOSITORY": "pypi", "CODEBUILD_BUILD_NUMBER": "7",
    }
    done = subprocess.run(["bash", str(tmp_path / "build.sh")], env=env, capture_output=True, text=True, check=False)
    recorded = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return done.returncode, done.stderr + done.stdout, recorded


def _published(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith(("aws ecr put-image", "aws ssm put-parameter", "aws s3 cp",
                                              "aws ssm add-tags-to-resource"))]


# --- the gates ----------------------------------------------------------------------------------------------------
def test_a_high_finding_blocks_the_image(tmp_path: Path) -> None:
    code, output, calls = _run_build(tmp_path, level=1, counts='{"HIGH": 2, "LOW": 7}')
    assert code == 1
    assert "REFUSED (level 1): 2 finding(s) at severity HIGH, CRITICAL" in output
    assert any(c.startswith("docker push") for c in calls)
    assert _published(calls) == []  # never tagged approved, never published
    assert not any(c.startswith("aws inspector2 create-sbom-export") for c in calls)


def test_no_findings_approve_a_signed_image_with_its_sbom_and_publish_it_by_digest(tmp_path: Path) -> None:
    code, output, calls = _run_build(tmp_path, level=1, counts='{"MEDIUM": 3, "LOW": 1}')
    assert code == 0, output
    signing = next(c for c in calls if c.startswith("aws ecr describe-image-signing-status"))
    assert f"imageDigest={DIGEST}" in signing and PROFILE in signing
    export = next(c for c in calls if c.startswith("aws inspector2 create-sbom-export"))
    assert "--report-format SPDX_2_3" in export
    assert '"ecrRepositoryName": [{"comparison": "EQUALS", "value": "platform/golden/runtime"}]' in export
    assert f"keyPrefix=platform/golden/runtime/sha256-{'a' * 64}" in export and "bucketName=sboms-bucket" in export
    record = json.loads((tmp_path / "s3" / "approval.json").read_text(encoding="utf-8"))
    assert (record["digest"], record["base"], record["signing_profile"]) == (DIGEST, APPROVED_BASE, PROFILE)
    assert record["scan_counts"] == {"MEDIUM": 3, "LOW": 1} and record["approved_tag"].startswith("approved-")
    published = _published(calls)
    assert published[0].startswith("aws s3 cp") and published[0].endswith(
        f"s3://sboms-bucket/platform/golden/runtime/sha256-{'a' * 64}/approval.json --sse aws:kms "
        "--sse-kms-key-id arn:aws:kms:us-east-1:123456789012:key/k")
    assert published[1].startswith("aws ecr put-image --repository-name platform/golden/runtime --image-tag approved-")
    puts = [c for c in published if c.startswith("aws ssm put-parameter")]
    assert [c.split()[4] for c in puts] == ["/platform/images/golden/runtime", "/platform/images/default/training"]
    assert all(f"--value {REPO}@{DIGEST} --overwrite" in c for c in puts)
    tags = [c for c in published if c.startswith("aws ssm add-tags-to-resource")]
    assert [c.split()[6] for c in tags] == ["/platform/images/golden/runtime", "/platform/images/default/training"]
    assert all(c.endswith(f"--tags {TAGS}") for c in tags)
    order = [i for i, c in enumerate(calls) if c.startswith(("aws inspector2 create-sbom-export", "aws ecr put-image",
                                                             "aws ssm put-parameter"))]
    assert [calls[i].split()[2] for i in order][:3] == ["create-sbom-export", "put-image", "put-parameter"]
    build = next(c for c in calls if c.startswith("docker build"))
    assert "--secret id=pip_index_url" in build and "secret-token" not in build


@pytest.mark.parametrize(("signing", "sbom", "message"), [
    ("FAILED", "SUCCEEDED", "ECR managed signing failed"),
    ("None", "SUCCEEDED", "no signature of"),  # no signing configuration: the registry never signs
    ("COMPLETE", "FAILED", "the SBOM export 0123abcd-0000-4000-8000-000000000000"),
])
def test_an_unsigned_image_or_a_failed_sbom_is_never_approved(tmp_path: Path, signing: str, sbom: str,
                                                              message: str) -> None:
    code, output, calls = _run_build(tmp_path, level=1, signing=signing, sbom=sbom, timeout=1)
    assert code == 1 and message in output
    assert _published(calls) == []


# --- the base ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("base", ["python:3.11", "pending:no-golden-image-approved-yet",
                                  "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base:latest"])
def test_build_refuses_a_base_that_is_not_the_approved_level_below(tmp_path: Path, base: str) -> None:
    code, output, calls = _run_build(tmp_path, level=2, base=base)
    assert code == 1
    assert "is not an approved image of 123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base" in output
    assert not any(c.startswith("docker build") for c in calls)


def test_level0_refuses_a_base_pinned_by_tag_and_names_the_digest_to_pin(tmp_path: Path) -> None:
    tagged = "763104351884.dkr.ecr.us-east-1.amazonaws.com/base:12.1"
    code, output, calls = _run_build(tmp_path, level=0, base_image=tagged)
    assert code == 1
    assert f"the base {tagged} is pinned by a tag" in output
    assert f"pin it in the policy's images.training: {tagged}@{DIGEST}" in output
    assert not any(c.startswith("docker build") for c in calls)


def test_level0_builds_from_the_base_digest_and_a_failed_smoke_test_is_never_pushed(tmp_path: Path) -> None:
    code, output, calls = _run_build(tmp_path, level=0, smoke_exit=1)
    assert code == 1 and "smoke test failed" in output
    build = next(c for c in calls if c.startswith("docker build"))
    assert f"BASE_IMAGE={BASE_IMAGE}" in build
    assert not any(c.startswith("docker push") for c in calls)


@pytest.mark.parametrize(("base_image", "registry"), [
    (BASE_IMAGE, "763104351884.dkr.ecr.us-east-1.amazonaws.com"),
    (f"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/platform/base@{DIGEST}",
     "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com"),
    (f"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/platform/base@{DIGEST}",
     "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"),
    (f"registry.example.com/mirror/base@{DIGEST}", ""),  # not ECR: no registry login for the base
])
def test_level0_logs_in_to_the_bases_ecr_registry_as_synth_read_it(tmp_path: Path, base_image: str,
                                                                   registry: str) -> None:
    """BASE_REGISTRY comes from images/uri.py (ecr_registry), which knows FIPS and China hosts."""
    code, output, calls = _run_build(tmp_path, level=0, base_image=base_image, base_registry=registry)
    assert code == 0, output
    logins = [c.rsplit(" ", 1)[1] for c in calls if c.startswith("docker login")]
    assert logins == ["123456789012.dkr.ecr.us-east-1.amazonaws.com"] + ([registry] if registry else [])
    assert f"docker pull --quiet {base_image}" in calls


# --- offline smoke tests and the serving contract -----------------------------------------------------------------
def test_smoke_tests_run_with_the_network_off_and_check_a_device_only_on_a_gpu_host(tmp_path: Path) -> None:
    (tmp_path / "cpu").mkdir()
    (tmp_path / "gpu").mkdir()
    _, _, cpu = _run_build(tmp_path / "cpu", level=1)
    _, _, gpu = _run_build(tmp_path / "gpu", level=1, gpu_host=True)
    for calls in (cpu, gpu):
        runs = [c for c in calls if c.startswith("docker run")]
        assert runs and all("--network none" in c for c in runs)
    assert "--gpus all" not in " ".join(cpu) and "--gpu-host" not in " ".join(cpu)
    smoke = next(c for c in gpu if "smoke_test.py" in c)
    assert "--gpus all" in smoke and smoke.endswith("--runtime --gpu-host")


def test_an_inference_image_must_serve_on_8080_before_it_is_pushed(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    code, output, calls = _run_build(tmp_path / "ok", level=1, serving=True)
    assert code == 0, output
    steps = [c for c in calls if c.startswith(("docker run", "docker exec", "docker push"))]
    assert "serving_contract.py make-model /opt/ml/model" in steps[1]
    assert steps[2].startswith("docker run -d --network none") and steps[2].endswith(" serve")
    assert steps[3] == "docker exec container-1 python /opt/platform/serving_contract.py check --timeout 300"
    assert steps[4].startswith("docker push")
    (tmp_path / "bad").mkdir()
    code, output, calls = _run_build(tmp_path / "bad", level=1, serving=True, contract_exit=1)
    assert code == 1 and "SageMaker's serving contract" in output
    assert not any(c.startswith("docker push") for c in calls)


# --- rendering -------------------------------------------------------------------------------------------------------
def test_the_build_context_is_deterministic_and_unpacks_to_the_files() -> None:
    files = {"Dockerfile": "FROM x\n", "build.sh": "echo hi\n"}
    packed = build_context(files)
    assert packed == build_context(dict(reversed(files.items())))  # same input, same bytes (order, mtime fixed)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(base64.b64decode(packed))), mode="r:") as tar:
        members = {m.name: (m.mode, m.mtime, tar.extractfile(m).read().decode()) for m in tar.getmembers()}  # type: ignore[union-attr]
    assert members == {"Dockerfile": (0o644, 0, "FROM x\n"), "build.sh": (0o755, 0, "echo hi\n")}
    spec = json.loads(buildspec(packed))
    assert spec["phases"]["build"]["commands"][-1] == "bash /tmp/golden-image/build.sh"


def test_the_build_environment_lists_what_build_sh_requires() -> None:
    variables = build_environment(level=1, repository_name="platform/golden/runtime", repository_uri="r",
                                  approved_parameter="/p/runtime", block_severities=("HIGH", "CRITICAL"),
                                  scan_timeout_seconds=60, gpu=False, extra={"DEFAULT_PARAMETERS": ""})
    assert list(variables) == ["LEVEL", "REPOSITORY_NAME", "REPOSITORY_URI", "APPROVED_PARAMETER",
                               "SCAN_BLOCK_SEVERITIES", "SCAN_TIMEOUT_SECONDS", "GPU", "GPU_HOST",
                               "DEFAULT_PARAMETERS"]
    assert (variables["SCAN_BLOCK_SEVERITIES"], variables["GPU"], variables["GPU_HOST"]) == ("HIGH CRITICAL", "0", "0")
    required = template_text("build.sh").split("set -euo pipefail", 1)[1].split("cd ", 1)[0]
    assert all(f"${{{name}:?}}" in required for name in list(variables)[:8])
