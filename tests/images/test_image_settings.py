"""images/settings.py: the pipeline's and a project image's arguments validated against the policy, pure (no jsii)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from platform_constructs.errors import PlatformValidationError, Problems
from platform_constructs.images import settings as s
from platform_constructs.policy import load_policy

POLICY = load_policy()
PINNED = ["torch==2.1.0", "pandas==2.0.3"]
DIGEST = "sha256:" + "a" * 64
EU_DLC_REPOSITORY = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training"
EU_DLC = f"{EU_DLC_REPOSITORY}:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker"
EU_DLC_PINNED = f"{EU_DLC_REPOSITORY}@{DIGEST}"
RUNTIME_REPOSITORY = "platform/golden/runtime"
RUNTIME_PARAMETER = "/platform/images/golden/runtime"


def _arguments(error: pytest.ExceptionInfo[PlatformValidationError]) -> list[str]:
    return [p.argument for p in error.value.problems]


def test_defaults_come_from_the_policy() -> None:
    settings = s.pipeline_settings(POLICY, runtime_requirements=PINNED)
    assert (settings.name, settings.cuda_version, settings.python_version) == (
        "golden", POLICY.images.cuda_version, POLICY.images.python_version)
    assert settings.base_image == POLICY.images.training  # the policy's template, placeholders and all
    assert settings.default_for == s.PURPOSES
    assert settings.gpu and settings.publish_defaults and settings.enhanced_scanning and settings.create_endpoints
    assert settings.block_severities == ("HIGH", "CRITICAL")
    assert settings.keep_images == POLICY.images.keep_images
    assert settings.repository_name("projects/recs") == "platform/golden/projects/recs"
    assert settings.parameter_name("runtime") == RUNTIME_PARAMETER
    assert settings.runtime_requirements.pins() == {"torch": "2.1.0", "pandas": "2.0.3"}
    assert [w.id for w in settings.warnings] == [s.WARNING_BASE_PINNED_BY_TAG, s.WARNING_REGISTRY_SCANNING]


def test_bad_arguments_are_reported_together_in_argument_order() -> None:
    with pytest.raises(PlatformValidationError) as info:
        s.pipeline_settings(POLICY, runtime_requirements=[], path="Images/Golden", name="Bad_Name",
                            cuda_version="twelve", python_version="3", default_for=("serving",),
                            base_image="docker.io/library/python:latest", gpu="yes",  # type: ignore[arg-type]
                            create_endpoints=None)  # type: ignore[arg-type]
    assert _arguments(info) == ["name", "cuda_version", "python_version", "base_image", "base_image",
                                "default_for", "gpu", "create_endpoints", "runtime_requirements"]
    assert str(info.value).startswith("9 problem(s) in Images/Golden:")


def test_problems_of_other_arguments_come_first() -> None:
    problems = Problems("Images/Golden")
    problems.add("cost_center", "Bad", "lowercase", "pass cost_center='ml-platform'")
    with pytest.raises(PlatformValidationError) as info:
        s.pipeline_settings(POLICY, runtime_requirements=["torch"], problems=problems)
    assert _arguments(info) == ["cost_center", "runtime_requirements line 1"]


def test_a_requirements_file_is_read_and_its_lines_named(tmp_path: Path) -> None:
    frozen = tmp_path / "requirements-frozen.txt"
    frozen.write_text("torch==2.1.0\n-U pandas\n", encoding="utf-8")
    with pytest.raises(PlatformValidationError, match=r"runtime_requirements \(.*requirements-frozen.txt\) line 2"):
        s.pipeline_settings(POLICY, runtime_requirements=str(frozen))
    with pytest.raises(PlatformValidationError, match="check the path"):
        s.pipeline_settings(POLICY, runtime_requirements=str(tmp_path / "missing.txt"))


@pytest.mark.parametrize(("base_image", "accepted"), [
    (EU_DLC, True),
    (f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/base@{DIGEST}", True),
    ("763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-training:2.3.0", False),  # a placeholder is not a URI
    ("${Token[AWS.AccountId.7]}.dkr.ecr.eu-west-1.amazonaws.com/platform/base:1.0", False),  # a deploy-time value
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/base:1.0", False),  # not an approved prefix
    (f"{EU_DLC_REPOSITORY}:latest", False),  # not pinned
    ("docker.io/library/python:3.11", False),
])
def test_the_base_image_is_a_literal_pinned_uri_of_an_approved_registry(base_image: str, accepted: bool) -> None:
    try:
        settings = s.pipeline_settings(POLICY, runtime_requirements=PINNED, base_image=base_image)
    except PlatformValidationError as error:
        assert not accepted, str(error)
        assert {p.argument for p in error.problems} == {"base_image"}
        assert "approved registry" in str(error) or "pinned" in str(error)
    else:
        assert accepted and settings.base_image == base_image


def test_a_policy_default_that_is_not_acceptable_names_the_policy() -> None:
    unpinned = replace(POLICY, images=replace(
        POLICY.images, training="763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-training"))
    with pytest.raises(PlatformValidationError, match=r"the policy's images\.training.*pin the policy's images"):
        s.pipeline_settings(unpinned, runtime_requirements=PINNED)


def test_default_for_is_a_sequence_of_known_purposes() -> None:
    with pytest.raises(PlatformValidationError, match=r"Fix: pass default_for=\('batch',\)"):
        s.pipeline_settings(POLICY, runtime_requirements=PINNED, default_for="batch")
    with pytest.raises(PlatformValidationError, match=r"remove 'serving'"):
        s.pipeline_settings(POLICY, runtime_requirements=PINNED, default_for=["batch", "serving"])
    chosen = s.pipeline_settings(POLICY, runtime_requirements=PINNED, default_for=["batch", "inference"])
    assert chosen.default_for == ("inference", "batch")
    assert s.pipeline_settings(POLICY, runtime_requirements=PINNED, default_for=()).default_for == ()


def test_warnings_name_each_accepted_risk_only_when_it_applies() -> None:
    quiet = s.pipeline_settings(POLICY, runtime_requirements=PINNED, enhanced_scanning=False,
                                base_image=EU_DLC_PINNED)
    assert quiet.warnings == ()
    pending = s.pipeline_settings(POLICY, runtime_requirements=PINNED, enhanced_scanning=False, publish_defaults=False,
                                  default_for=("batch",), base_image=EU_DLC_PINNED)
    (warning,) = pending.warnings
    assert warning.id == s.WARNING_DEFAULTS_PENDING
    assert f"for batch reference {RUNTIME_PARAMETER}, which holds {s.PENDING_VALUE!r}" in warning.message
    unserved = s.pipeline_settings(POLICY, runtime_requirements=PINNED, enhanced_scanning=False,
                                   publish_defaults=False, default_for=(), base_image=EU_DLC_PINNED)
    assert unserved.warnings == ()
    tagged = s.pipeline_settings(POLICY, runtime_requirements=PINNED, enhanced_scanning=False, base_image=EU_DLC)
    assert "pinned by the tag '2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker'" in tagged.warnings[0].message


@given(st.text(alphabet="abcz019-_A", min_size=0, max_size=40))
def test_a_name_is_accepted_exactly_when_it_is_a_slug(name: str) -> None:
    is_slug = re.fullmatch(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", name) is not None
    try:
        settings = s.pipeline_settings(POLICY, runtime_requirements=PINNED, name=name)
    except PlatformValidationError as error:
        assert not is_slug and _arguments_of(error) == ["name"]
    else:
        assert is_slug and settings.parameter_prefix == f"{POLICY.images.ssm_prefix}/{name}"


def _arguments_of(error: PlatformValidationError) -> list[str]:
    return [p.argument for p in error.problems]


@given(st.lists(st.sampled_from(s.PURPOSES), max_size=5))
def test_default_for_keeps_the_purposes_given_in_a_fixed_order(purposes: list[str]) -> None:
    settings = s.pipeline_settings(POLICY, runtime_requirements=PINNED, default_for=purposes)
    assert settings.default_for == tuple(p for p in s.PURPOSES if p in purposes)


@given(st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}", fullmatch=True))
def test_a_cuda_version_is_major_minor_with_an_optional_patch(version: str) -> None:
    valid = re.fullmatch(r"\d+\.\d+(\.\d+)?", version) is not None
    try:
        assert s.pipeline_settings(POLICY, runtime_requirements=PINNED, cuda_version=version).cuda_version == version
    except PlatformValidationError as error:
        assert not valid and _arguments_of(error) == ["cuda_version"]
    else:
        assert valid


# --- a project image -------------------------------------------------------------------------------------------------
def _project(**arguments: object) -> s.ProjectSettings:
    defaults: dict[str, object] = {"name": "recs", "requirements": ["requests==2.31.0"],
                                   "runtime_pins": {"numpy": "1.24.3"}, "runtime_repository": RUNTIME_REPOSITORY,
                                   "runtime_parameter": RUNTIME_PARAMETER}
    return s.project_settings(**{**defaults, **arguments})  # type: ignore[arg-type]


def test_a_project_is_named_once_and_may_not_redefine_level1() -> None:
    project = _project(requirements=["requests==2.31.0", "numpy"])
    assert (project.name, project.suffix) == ("recs", "projects/recs")
    assert project.requirements.frozen_text() == "requests==2.31.0\nnumpy\n"
    with pytest.raises(PlatformValidationError) as info:
        _project(requirements=["requests==2.31.0", "NumPy==1.26.0", "--upgrade"], path="P.add_project_image('recs')")
    assert _arguments(info) == ["requirements line 2", "requirements line 3"]
    assert "numpy==1.24.3" in str(info.value) and str(info.value).startswith("2 problem(s) in P.add_project_image")
    with pytest.raises(PlatformValidationError, match="not yet added"):
        _project(existing={"recs": object()})
    with pytest.raises(PlatformValidationError, match="lowercase slug"):
        _project(name="Recs")


def test_a_base_other_than_the_runtime_is_refused_with_the_fix_that_fits() -> None:
    with pytest.raises(PlatformValidationError,
                       match=r"argument 'base' = 'python:3.11' .* Allowed: this pipeline's approved Level 1 runtime "
                             r"\(/platform/images/golden/runtime\)\. Fix: omit base"):
        _project(base="python:3.11", base_is_runtime=False)
    pinned = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{RUNTIME_REPOSITORY}@{DIGEST}"
    with pytest.raises(PlatformValidationError, match=r"reads the runtime approved in .* would be ignored"):
        _project(base=pinned, base_is_runtime=False)


def test_the_pure_modules_import_no_cdk() -> None:
    """Settings, URIs, dependencies, build rendering and the policy-size count run without a Node process."""
    import os
    import subprocess
    import sys

    modules = ["settings", "uri", "dependencies", "build", "policy_size"]
    code = ("import sys\n" + "".join(f"import platform_constructs.images.{m}\n" for m in modules)
            + "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs'))\n"
            + "assert not loaded, loaded\n")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
