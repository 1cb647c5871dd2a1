"""images/uri.py: the one reading of an image reference, and every construct agreeing on it."""

from __future__ import annotations

import pytest
from aws_cdk import Aws, Stack
from hypothesis import given
from hypothesis import strategies as st

from platform_constructs import GoldenImagePipeline, PlatformValidationError, SecureModelEndpoint
from platform_constructs.images.uri import (
    approved_repository_arn_patterns,
    ecr_registry,
    fill_placeholders,
    image_problem,
    is_approved,
    parse_image_uri,
    parse_registry_prefix,
    repository_arn,
)
from platform_constructs.policy import load_policy
from platform_constructs.testing import new_app

APPROVED = load_policy().approved_registries
DIGEST = "sha256:" + "a" * 64
EU_DLC_REPOSITORY = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training"
EU_DLC = f"{EU_DLC_REPOSITORY}:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker"


@pytest.mark.parametrize(("image", "registry", "repository", "tag", "digest"), [
    (EU_DLC, "763104351884.dkr.ecr.eu-west-1.amazonaws.com", "pytorch-training",
     "2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker", None),
    (f"123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/golden/base@{DIGEST}",
     "123456789012.dkr.ecr.us-east-1.amazonaws.com", "platform/golden/base", None, DIGEST),
    (f"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/platform/m:1@{DIGEST}",
     "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "platform/m", "1", DIGEST),
    ("docker.io/library/python:3.11", "docker.io", "library/python", "3.11", None),
    ("localhost:5000/team/model", "localhost:5000", "team/model", None, None),
])
def test_parses_the_reference_grammar(image: str, registry: str, repository: str, tag: str | None,
                                      digest: str | None) -> None:
    parsed = parse_image_uri(image)
    assert parsed is not None
    assert (parsed.registry, parsed.repository, parsed.tag, parsed.digest) == (registry, repository, tag, digest)
    assert str(parsed) == image


@pytest.mark.parametrize("image", [
    "python:3.11",  # no registry host
    "library/python",  # a path, not a host
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/Platform/model:1",  # uppercase repository
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/model:1\n",  # trailing newline
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/model@sha256:abc",  # short digest
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/model:" + "x" * 129,  # tag too long
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/",  # no repository
    "",
])
def test_refuses_what_is_not_a_reference(image: str) -> None:
    assert parse_image_uri(image) is None
    assert not is_approved(image, APPROVED)


def test_pinned_means_a_digest_or_a_version_tag() -> None:
    assert parse_image_uri(f"a.example.com/x@{DIGEST}").pinned  # type: ignore[union-attr]
    assert parse_image_uri("a.example.com/x:1.2").pinned  # type: ignore[union-attr]
    assert not parse_image_uri("a.example.com/x:latest").pinned  # type: ignore[union-attr]
    assert not parse_image_uri("a.example.com/x").pinned  # type: ignore[union-attr]


def test_approval_follows_the_policy_prefixes() -> None:
    dlc = f"763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training@{DIGEST}"
    own = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/model@{DIGEST}"
    assert is_approved(dlc, APPROVED)
    assert is_approved(own, APPROVED, accounts=["123456789012"])
    assert not is_approved(f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/model@{DIGEST}", APPROVED,
                           accounts=["123456789012"])
    assert not is_approved(f"docker.io/library/python@{DIGEST}", APPROVED)
    assert not is_approved(f"763104351884.dkr.ecr.eu-west-1.amazonaws.com.evil.example/x@{DIGEST}", APPROVED)
    fixed = ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/images/"]
    assert is_approved(f"111122223333.dkr.ecr.eu-west-1.amazonaws.com/images/x@{DIGEST}", fixed)
    assert not is_approved(f"111122223333.dkr.ecr.us-east-1.amazonaws.com/images/x@{DIGEST}", fixed)
    assert not is_approved(f"444455556666.dkr.ecr.eu-west-1.amazonaws.com/images/x@{DIGEST}", fixed)


def test_account_placeholder_is_the_deploying_account_or_an_allowed_one_never_any_other() -> None:
    """Issue 17: ``{account}`` used to match any 12 digits, so anyone's ``platform/`` image was approved."""
    foreign = f"999988887777.dkr.ecr.eu-west-1.amazonaws.com/platform/model@{DIGEST}"
    assert not is_approved(foreign, APPROVED)  # the deploying account unknown at synth: no account matches
    assert not is_approved(foreign, APPROVED, accounts=["123456789012"])
    assert is_approved(foreign, APPROVED, accounts=["123456789012", "999988887777"])  # e.g. a central account
    problem = image_problem(foreign, APPROVED, accounts=["123456789012"])
    assert problem is not None
    assert "deploying account or in an account the policy allows" in problem.allowed
    assert "123456789012" in problem.allowed
    assert "env=Environment(account='999988887777'" in problem.fix and "registries.accounts" in problem.fix
    assert approved_repository_arn_patterns(APPROVED, partition="aws", account="111122223333", region="eu-west-1",
                                            accounts=["999988887777"]) == [
        "arn:aws:ecr:eu-west-1:111122223333:repository/platform/*",
        "arn:aws:ecr:eu-west-1:999988887777:repository/platform/*",
        "arn:aws:ecr:eu-west-1:763104351884:repository/*"]


def test_a_tag_is_refused_with_a_fix_that_names_the_digest() -> None:
    problem = image_problem(EU_DLC, APPROVED)
    assert problem is not None
    assert "pinned by digest" in problem.allowed and "'2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker'" in problem.allowed
    assert problem.fix.startswith("pass 763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training@sha256:")
    assert "docker inspect" in problem.fix
    assert image_problem(f"{EU_DLC}@{DIGEST}", APPROVED) is None  # tag and digest: the digest decides
    assert parse_image_uri(f"{EU_DLC}@{DIGEST}").by_digest == f"{EU_DLC_REPOSITORY}@{DIGEST}"  # type: ignore[union-attr]


def test_only_a_literal_reference_is_approved_and_a_template_only_as_one() -> None:
    template = "763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-training:2.3.0"
    deploy_time = "${Token[AWS.AccountId.7]}.dkr.ecr.${Token[AWS.Region.8]}.amazonaws.com/platform/model@" + DIGEST
    parsed_template, parsed_token = parse_image_uri(template), parse_image_uri(deploy_time)
    assert parsed_template is not None and not parsed_template.literal and not parsed_template.deploy_time
    assert parsed_token is not None and not parsed_token.literal and parsed_token.deploy_time
    assert not is_approved(template, APPROVED) and is_approved(template, APPROVED, template=True)
    assert not is_approved(deploy_time, APPROVED) and not is_approved(deploy_time, APPROVED, template=True)
    assert not is_approved("${Token[TOKEN.12]}", APPROVED)  # a whole deploy-time value (an SSM reference)
    assert not is_approved(None, APPROVED)
    filled = fill_placeholders(template, account="111122223333", region="eu-west-1")
    assert filled == f"{EU_DLC_REPOSITORY}:2.3.0"
    assert not is_approved(filled, APPROVED)  # a caller's copy of the policy's tag is still a tag
    assert is_approved(f"{EU_DLC_REPOSITORY}@{DIGEST}", APPROVED)


def test_the_ecr_registry_is_what_docker_logs_in_to() -> None:
    assert ecr_registry(EU_DLC) == "763104351884.dkr.ecr.eu-west-1.amazonaws.com"
    assert ecr_registry(f"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/platform/m@{DIGEST}") == \
        "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com"
    assert ecr_registry("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/platform/m:1") == \
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
    assert ecr_registry("docker.io/library/python:3.11") is None
    assert ecr_registry("python:3.11") is None


def test_repository_arns() -> None:
    assert repository_arn(EU_DLC, partition="aws", account="1", region="r") == \
        "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-training"
    assert repository_arn("docker.io/library/python:3.11", partition="aws", account="1", region="r") is None
    assert approved_repository_arn_patterns(APPROVED, partition="aws", account="111122223333", region="eu-west-1") \
        == ["arn:aws:ecr:eu-west-1:111122223333:repository/platform/*",
            "arn:aws:ecr:eu-west-1:763104351884:repository/*"]
    assert parse_registry_prefix("registry.example.com/team") is None  # a path prefix ends with '/'


@given(st.text(max_size=80))
def test_parsing_never_raises_and_round_trips(text: str) -> None:
    parsed = parse_image_uri(text)
    assert parsed is None or str(parsed) == text


def _pipeline_accepts(base_image: str) -> bool:
    app = new_app()
    try:
        GoldenImagePipeline(Stack(app, "Images"), "Golden", cost_center="ml-platform",
                            runtime_requirements=[f"einops==0.8.0 --hash=sha256:{'0' * 64}"], base_image=base_image)
    except PlatformValidationError as error:
        return "base_image" not in str(error)
    return True


def _endpoint_accepts(image: str) -> bool:
    app = new_app()
    try:
        SecureModelEndpoint(Stack(app, "Model"), "Model", model_data_url="s3://my-bucket/models/model.tar.gz",
                            cost_center="team-a", image=image)
    except PlatformValidationError as error:
        return "'image'" not in str(error)
    return True


@pytest.mark.parametrize("image", [
    EU_DLC,
    f"{EU_DLC}@{DIGEST}",
    f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/base@{DIGEST}",  # the stack's account is not known
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/base:1.0",
    "docker.io/library/python:3.11",
    "763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-training:2.3.0",  # the policy's placeholder, in a caller's
    # deploy-time account and region (a token's number depends on import order: a fixed id for pytest-xdist)
    pytest.param(f"{Aws.ACCOUNT_ID}.dkr.ecr.{Aws.REGION}.amazonaws.com/platform/base:1.0", id="deploy-time-host"),
])
def test_pipeline_base_and_endpoint_image_agree(image: str) -> None:
    """The issue's bug: the pipeline compared with ``startswith`` against a prefix that still held ``{region}``.
    Both constructs now decide with :func:`is_approved`, for literal URIs and for what is not one."""
    assert _pipeline_accepts(image) == _endpoint_accepts(image) == is_approved(image, APPROVED)
