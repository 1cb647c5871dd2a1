"""The build a CodeBuild project runs: ``dockerfiles/build.sh`` and its scan gate, run for real against recording
stand-ins of the ``aws`` and ``docker`` CLIs, the smoke test, and images/build.py's rendering (no jsii)."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from platform_constructs.images.build import build_context, build_environment, buildspec, template_text

DIGEST = "sha256:" + "a" * 64


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


BASE_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/base:12.1"


def _run_build(tmp_path: Path, *, level: int, counts: str = "{}", base: str = "", smoke_exit: int = 0,
               base_image: str = BASE_IMAGE, base_registry: str | None = None) -> tuple[int, str, list[str]]:
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
        "BASE_IMAGE": base_image,
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


@pytest.mark.parametrize(("base_image", "registry"), [
    (BASE_IMAGE, "763104351884.dkr.ecr.us-east-1.amazonaws.com"),
    ("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/platform/base:1", "123456789012.dkr.ecr-fips.us-gov-west-1"
                                                                              ".amazonaws.com"),
    ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/platform/base:1", "123456789012.dkr.ecr.cn-north-1"
                                                                         ".amazonaws.com.cn"),
    ("registry.example.com/mirror/base:1", ""),  # not ECR: no registry login for the base
])
def test_level0_logs_in_to_the_bases_ecr_registry_as_synth_read_it(tmp_path: Path, base_image: str,
                                                                   registry: str) -> None:
    """BASE_REGISTRY comes from images/uri.py (ecr_registry), which knows FIPS and China hosts; the script used to
    match ``*.dkr.ecr.*.amazonaws.com`` itself and never logged in to those."""
    code, output, calls = _run_build(tmp_path, level=0, base_image=base_image, base_registry=registry)
    assert code == 0, output
    logins = [c.rsplit(" ", 1)[1] for c in calls if c.startswith("docker login")]
    assert logins == ["123456789012.dkr.ecr.us-east-1.amazonaws.com"] + ([registry] if registry else [])
    assert f"docker pull --quiet {base_image}" in calls


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
                               "SCAN_BLOCK_SEVERITIES", "SCAN_TIMEOUT_SECONDS", "GPU", "DEFAULT_PARAMETERS"]
    assert (variables["SCAN_BLOCK_SEVERITIES"], variables["GPU"]) == ("HIGH CRITICAL", "0")
    required = template_text("build.sh").split("set -euo pipefail", 1)[1].split("cd ", 1)[0]
    assert all(f"${{{name}:?}}" in required for name in list(variables)[:7])
