"""images/settings.py: the pipeline's and a project image's arguments validated against the policy, pure (no jsii)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from platform_constructs.errors import PlatformValidationError, Problems
from platform_constructs.images import settings as s
from platform_constructs.images.lineages import LINEAGE_KEYS
from platform_constructs.policy import load_policy

POLICY = load_policy()
HASH = "--hash=sha256:" + "0" * 64
LOCKED = [f"einops==0.8.0 {HASH}", f"tenacity==8.3.0 {HASH}"]
DIGEST = "sha256:" + "a" * 64
EU_DLC_REPOSITORY = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training"
EU_DLC = f"{EU_DLC_REPOSITORY}:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker"
EU_DLC_PINNED = f"{EU_DLC_REPOSITORY}@{DIGEST}"
RUNTIME_REPOSITORY = "platform/golden/runtime"
RUNTIME_PARAMETER = "/platform/images/golden/runtime"


def _arguments(error: pytest.ExceptionInfo[PlatformValidationError]) -> list[str]:
    return [p.argument for p in error.value.problems]


def _arguments_of(error: PlatformValidationError) -> list[str]:
    return [p.argument for p in error.problems]


def test_defaults_come_from_the_policy() -> None:
    settings = s.pipeline_settings(POLICY, runtime_requirements=LOCKED)
    assert (settings.name, settings.cuda_version, settings.python_version) == (
        "golden", POLICY.images.cuda_version, POLICY.images.python_version)
    assert [p.lineage.key for p in settings.lineages] == list(LINEAGE_KEYS)
    assert [p.base_image for p in settings.lineages] == [
        POLICY.images.training, POLICY.images.batch, POLICY.images.inference, POLICY.images.inference_cpu]
    assert settings.primary.lineage.key == "training-gpu" and not settings.primary.base_given
    assert settings.default_for == s.PURPOSES
    assert settings.publish_defaults and not settings.registry_settings and settings.create_endpoints is None
    assert settings.gpu_build_image is None
    assert settings.block_severities == ("HIGH", "CRITICAL")
    assert settings.keep_images == POLICY.images.keep_images
    assert settings.repository_name("projects/recs") == "platform/golden/projects/recs"
    assert settings.parameter_name("runtime") == RUNTIME_PARAMETER
    assert settings.project_name("inference-gpu/runtime") == "golden-inference-gpu-runtime"
    assert settings.runtime_requirements.pins() == {"einops": "0.8.0", "tenacity": "8.3.0"}
    assert settings.inference_requirements.requirements == ()
    assert [w.id for w in settings.warnings] == [s.WARNING_BASE_PINNED_BY_TAG] * 4 + [s.WARNING_DEFAULTS_PENDING]


def test_bad_arguments_are_reported_together_in_argument_order() -> None:
    with pytest.raises(PlatformValidationError) as info:
        s.pipeline_settings(POLICY, runtime_requirements=[], path="Images/Golden", name="Bad_Name",
                            cuda_version="twelve", python_version="3", default_for=("serving",),
                            base_image="docker.io/library/python:latest", lineages=["training-gpu", "tpu"],
                            registry_settings="yes", create_endpoints="no")
    assert _arguments(info) == ["cuda_version", "python_version", "name", "lineages[1]", "default_for[0]",
                                "registry_settings", "create_endpoints", "runtime_requirements", "base_image"]
    assert str(info.value).startswith("9 problem(s) in Images/Golden:")


@pytest.mark.parametrize(("argument", "value", "fix"), [
    ("python_version", 3.10, "pass python_version='3.11' (a string, in quotes)"),
    ("cuda_version", 12.1, "pass cuda_version='12.1.1' (a string, in quotes)"),
    ("registry_settings", "false", "pass registry_settings=False (a bool, without quotes)"),
    ("publish_defaults", 1, "pass publish_defaults=True (a bool, without quotes)"),
    ("lineages", "inference-gpu", "pass lineages=['inference-gpu']"),
    ("lineages", [], "a subset"),
    ("lineages", ["inference-gpu", "inference-gpu"], "remove the duplicate 'inference-gpu'"),
])
def test_wrong_types_are_named_with_the_fix_that_fits(argument: str, value: object, fix: str) -> None:
    with pytest.raises(PlatformValidationError) as info:
        s.pipeline_settings(POLICY, runtime_requirements=LOCKED, **{argument: value})  # type: ignore[arg-type]
    assert [name.split("[")[0] for name in _arguments(info)] == [argument]  # an item is named: lineages[1]
    assert fix in info.value.problems[0].fix
    if argument == "python_version":
        assert "3.10 is 3.1" in info.value.problems[0].allowed


def test_problems_of_other_arguments_come_first() -> None:
    problems = Problems("Images/Golden")
    problems.add("cost_center", "Bad", "lowercase", "pass cost_center='ml-platform'")
    with pytest.raises(PlatformValidationError) as info:
        s.pipeline_settings(POLICY, runtime_requirements=["torch"], problems=problems)
    assert _arguments(info)[:2] == ["cost_center", "runtime_requirements line 1"]


def test_a_lock_file_is_read_and_its_lines_named(tmp_path: Path) -> None:
    lock = tmp_path / "runtime.lock"
    lock.write_text(f"einops==0.8.0 {HASH}\n-U pandas\n", encoding="utf-8")
    with pytest.raises(PlatformValidationError, match=r"runtime_requirements \(.*runtime.lock\) line 2"):
        s.pipeline_settings(POLICY, runtime_requirements=str(lock))
    with pytest.raises(PlatformValidationError, match="check the path"):
        s.pipeline_settings(POLICY, runtime_requirements=str(tmp_path / "missing.txt"))


def test_the_lock_files_are_checked_against_the_bases_pins_and_the_allowed_packages() -> None:
    """Issue 13: the example pinned torch==2.1.0 on a torch 2.3.0 base, so pip check failed in the build."""
    with pytest.raises(PlatformValidationError) as info:
        s.pipeline_settings(POLICY, runtime_requirements=[f"torch==2.1.0 {HASH}", f"transformers==4.30.2 {HASH}"],
                            inference_requirements=[f"torchvision==0.17.0 {HASH}"])
    message = str(info.value)
    assert _arguments(info) == ["runtime_requirements line 1", "runtime_requirements line 1",
                                "runtime_requirements line 2", "inference_requirements line 1",
                                "inference_requirements line 1"]
    assert "the base image provides `torch==2.3.0`" in message and "add `transformers` to images.allowed_packages" \
        in message and "the base image provides `torchvision==0.18.0`" in message


@pytest.mark.parametrize(("base_image", "accepted"), [
    (EU_DLC_PINNED, True),
    (f"{EU_DLC}@{DIGEST}", True),
    (EU_DLC, False),  # a caller's base is pinned by digest
    (f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/base@{DIGEST}", False),  # the account is not known
    ("763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-training@" + DIGEST, False),  # a placeholder
    ("${Token[AWS.AccountId.7]}.dkr.ecr.eu-west-1.amazonaws.com/platform/base@" + DIGEST, False),  # deploy-time
    (f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/base@{DIGEST}", False),  # not an approved prefix
    (f"docker.io/library/python@{DIGEST}", False),
])
def test_a_given_base_image_is_a_literal_digest_pinned_uri_of_an_approved_registry(base_image: str,
                                                                                   accepted: bool) -> None:
    try:
        settings = s.pipeline_settings(POLICY, runtime_requirements=LOCKED, base_image=base_image)
    except PlatformValidationError as error:
        assert not accepted, str(error)
        assert {p.argument for p in error.problems} == {"base_image"}
    else:
        assert accepted and settings.primary.base_image == base_image and settings.primary.base_given
        assert [p.base_given for p in settings.lineages] == [True, False, False, False]


def test_the_deploying_account_and_the_allowed_accounts_are_approved_for_platform_images() -> None:
    own = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/base@{DIGEST}"
    assert s.pipeline_settings(POLICY, runtime_requirements=LOCKED, base_image=own,
                               account="123456789012").primary.base_image == own
    central = replace(POLICY, image_accounts=("123456789012",))
    assert s.pipeline_settings(central, runtime_requirements=LOCKED, base_image=own).primary.base_image == own
    with pytest.raises(PlatformValidationError, match=r"env=Environment\(account='123456789012'"):
        s.pipeline_settings(POLICY, runtime_requirements=LOCKED, base_image=own, account="999988887777")


def test_a_policy_default_that_is_not_acceptable_names_the_policy() -> None:
    foreign = replace(POLICY, images=replace(
        POLICY.images, training="docker.io/library/pytorch:2.3.0"))
    with pytest.raises(PlatformValidationError, match=r"the policy's images\.training, as base_image was not given"):
        s.pipeline_settings(foreign, runtime_requirements=LOCKED)
    no_cpu_inference = replace(POLICY, images=replace(POLICY.images, inference_cpu=None))
    with pytest.raises(PlatformValidationError, match=r"images\.inference_cpu is not set"):
        s.pipeline_settings(no_cpu_inference, runtime_requirements=LOCKED)
    assert len(s.pipeline_settings(no_cpu_inference, runtime_requirements=LOCKED,
                                   lineages=["training-gpu", "inference-gpu"]).lineages) == 2


def test_an_inference_only_pipeline_needs_no_training_lock_file() -> None:
    settings = s.pipeline_settings(POLICY, runtime_requirements=[], lineages=["inference-cpu", "inference-gpu"])
    assert settings.primary.lineage.key == "inference-cpu"
    with pytest.raises(PlatformValidationError, match="list the training runtime's pinned packages"):
        s.pipeline_settings(POLICY, runtime_requirements=[], lineages=["inference-cpu", "training-cpu"])


def test_the_gpu_build_image_is_a_pinned_ecr_image() -> None:
    image = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/codebuild-gpu@{DIGEST}"
    assert s.pipeline_settings(POLICY, runtime_requirements=LOCKED, gpu_build_image=image,
                               account="123456789012").gpu_build_image == image
    with pytest.raises(PlatformValidationError, match=r"argument 'gpu_build_image'.*pinned by digest"):
        s.pipeline_settings(POLICY, runtime_requirements=LOCKED, gpu_build_image=image.split("@", 1)[0] + ":1",
                            account="123456789012")


def test_default_for_is_a_sequence_of_known_purposes() -> None:
    with pytest.raises(PlatformValidationError, match=r"Fix: pass default_for=\['batch'\] \(a list"):
        s.pipeline_settings(POLICY, runtime_requirements=LOCKED, default_for="batch")
    with pytest.raises(PlatformValidationError, match=r"remove 'serving'"):
        s.pipeline_settings(POLICY, runtime_requirements=LOCKED, default_for=["batch", "serving"])
    chosen = s.pipeline_settings(POLICY, runtime_requirements=LOCKED, default_for=["batch", "inference"])
    assert chosen.default_for == ("inference", "batch")
    assert s.pipeline_settings(POLICY, runtime_requirements=LOCKED, default_for=()).default_for == ()


def test_warnings_name_each_accepted_risk_only_when_it_applies() -> None:
    by_digest: dict[str, Any] = {field: f"{getattr(POLICY.images, field)}@{DIGEST}"
                                 for field in ("training", "batch", "inference", "inference_cpu")}
    pinned = replace(POLICY, images=replace(POLICY.images, **by_digest))
    quiet = s.pipeline_settings(pinned, runtime_requirements=LOCKED, default_for=())
    assert quiet.warnings == ()
    pending = s.pipeline_settings(pinned, runtime_requirements=LOCKED, default_for=("batch",))
    (warning,) = pending.warnings
    assert warning.id == s.WARNING_DEFAULTS_PENDING
    assert f"for batch reference this pipeline's approved-image parameters, which hold {s.PENDING_VALUE!r}" \
        in warning.message
    owner = s.pipeline_settings(pinned, runtime_requirements=LOCKED, default_for=(), registry_settings=True)
    assert [w.id for w in owner.warnings] == [s.WARNING_REGISTRY_SETTINGS]
    tagged = s.pipeline_settings(POLICY, runtime_requirements=LOCKED, default_for=(), lineages=["training-gpu"])
    (tag,) = tagged.warnings
    assert "pinned by the tag '2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker'" in tag.message
    assert "refuses to build from a tag and prints the digest" in tag.message


@given(st.text(alphabet="abcz019-_A\n", min_size=0, max_size=40))
def test_a_name_is_accepted_exactly_when_it_is_a_slug(name: str) -> None:
    is_slug = re.fullmatch(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", name) is not None
    try:
        settings = s.pipeline_settings(POLICY, runtime_requirements=LOCKED, name=name)
    except PlatformValidationError as error:
        assert not is_slug and _arguments_of(error) == ["name"]
    else:
        assert is_slug and settings.parameter_prefix == f"{POLICY.images.ssm_prefix}/{name}"


@given(st.lists(st.sampled_from(s.PURPOSES), max_size=5))
def test_default_for_keeps_the_purposes_given_in_a_fixed_order(purposes: list[str]) -> None:
    settings = s.pipeline_settings(POLICY, runtime_requirements=LOCKED, default_for=purposes)
    assert settings.default_for == tuple(p for p in s.PURPOSES if p in purposes)


@given(st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}\n?", fullmatch=True))
def test_a_cuda_version_is_major_minor_with_an_optional_patch(version: str) -> None:
    valid = re.fullmatch(r"[0-9]+\.[0-9]+(\.[0-9]+)?", version) is not None
    try:
        assert s.pipeline_settings(POLICY, runtime_requirements=LOCKED, cuda_version=version).cuda_version == version
    except PlatformValidationError as error:
        assert not valid and _arguments_of(error) == ["cuda_version"]
    else:
        assert valid


# --- a project image -------------------------------------------------------------------------------------------------
def _project(**arguments: object) -> s.ProjectSettings:
    defaults: dict[str, object] = {"name": "recs", "requirements": [f"cachetools==5.3.3 {HASH}"],
                                   "runtime_pins": {"einops": "0.8.0"}, "policy": POLICY,
                                   "runtime_repository": RUNTIME_REPOSITORY, "runtime_parameter": RUNTIME_PARAMETER}
    return s.project_settings(**{**defaults, **arguments})  # type: ignore[arg-type]


def test_a_project_is_named_once_and_may_not_redefine_level1_or_the_base() -> None:
    project = _project(requirements=[f"cachetools==5.3.3 {HASH}", f"einops==0.8.0 {HASH}"])
    assert (project.name, project.suffix) == ("recs", "projects/recs")
    assert project.requirements.frozen_text() == f"cachetools==5.3.3 {HASH}\neinops==0.8.0 {HASH}\n"
    with pytest.raises(PlatformValidationError) as info:
        _project(requirements=[f"cachetools==5.3.3 {HASH}", f"Einops==0.7.0 {HASH}", f"torch==2.2.0 {HASH}",
                               "--upgrade"], path="P.add_project_image('recs')")
    assert _arguments(info) == ["requirements line 2", "requirements line 3", "requirements line 3",
                                "requirements line 4"]
    assert "einops==0.8.0" in str(info.value) and "torch==2.3.0" in str(info.value)
    assert str(info.value).startswith("4 problem(s) in P.add_project_image")
    with pytest.raises(PlatformValidationError, match="not yet added"):
        _project(existing={"recs": object()})
    with pytest.raises(PlatformValidationError, match="lowercase slug"):
        _project(name="Recs")


def test_a_single_requirement_string_or_a_dict_is_refused_clearly() -> None:
    """Issue 18: ``requirements='implicit==0.7.2'`` used to be read as a file path ("check the path")."""
    with pytest.raises(PlatformValidationError, match=r"Fix: pass a list: requirements=\['cachetools==5.3.3'\]"):
        _project(requirements="cachetools==5.3.3")
    with pytest.raises(PlatformValidationError, match="not a mapping"):
        _project(requirements={"cachetools": "5.3.3"})


def test_a_base_other_than_a_runtime_is_refused_with_the_fix_that_fits() -> None:
    with pytest.raises(PlatformValidationError,
                       match=r"argument 'base' = 'python:3.11' .* Allowed: one of this pipeline's approved Level 1 "
                             r"runtimes \(/platform/images/golden/runtime\)\. Fix: omit base"):
        _project(base="python:3.11", base_is_runtime=False)
    pinned = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{RUNTIME_REPOSITORY}@{DIGEST}"
    with pytest.raises(PlatformValidationError, match=r"reads the runtime approved in .* would be ignored"):
        _project(base=pinned, base_is_runtime=False)


def test_the_pure_modules_import_no_cdk() -> None:
    """Settings, URIs, lineages, dependencies, build rendering and the policy-size count run without a Node
    process."""
    import os
    import subprocess
    import sys

    modules = ["settings", "settings_checks", "lineages", "uri", "dependencies", "build", "policy_size"]
    code = ("import sys\n" + "".join(f"import platform_constructs.images.{m}\n" for m in modules)
            + "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs'))\n"
            + "assert not loaded, loaded\n")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
