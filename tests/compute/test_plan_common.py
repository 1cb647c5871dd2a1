"""plan.common_settings: the arguments both Batch constructs take, validated and defaulted without jsii."""

from __future__ import annotations

from typing import Any

import pytest
from plan_support import POLICY, REGION, context

from platform_constructs.compute.plan import CommonArguments, CommonSettings, common_settings, timeout_seconds
from platform_constructs.errors import PlatformValidationError, Problems

DEV = POLICY.environment("dev")


def _settings(env: str = "dev", **kwargs: Any) -> CommonSettings:
    problems = Problems("S/Batch")
    settings = common_settings(context(env), CommonArguments(**kwargs), problems)
    problems.raise_if_any()
    return settings


def test_defaults_come_from_the_policy_and_the_team() -> None:
    settings = _settings()
    assert settings.max_job_hours == DEV.max_job_hours
    assert settings.timeout_seconds == DEV.max_job_hours * 3600
    assert settings.spot is DEV.spot
    assert settings.data_prefix == "recs/"
    assert dict(settings.shares) == {**POLICY.batch.team_shares, "recs": 1.0}
    assert settings.fair_share is False  # FIFO: Metaflow's @batch sends no share identifier
    assert settings.share_identifier == "recs"
    assert settings.image == POLICY.images.batch.replace("{region}", REGION)
    assert _settings("prod").spot is False  # prod's policy


def test_settings_are_frozen_and_read_only() -> None:
    settings = _settings(team_shares={"recs": 2.0})
    with pytest.raises(AttributeError):
        settings.max_job_hours = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.shares["recs"] = 3.0  # type: ignore[index]


def test_timeout_is_rounded_down_and_at_least_a_minute() -> None:
    assert timeout_seconds(1.5) == 5400
    assert timeout_seconds(0.0004) == 60
    assert _settings(max_job_hours=0.5).timeout_seconds == 1800


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"max_job_hours": 13}, r"argument 'max_job_hours' = 13 .*cap 12.*Fix: pass max_job_hours<=12"),
    ({"max_job_hours": -1}, r"argument 'max_job_hours' = -1"),
    ({"max_job_hours": float("nan")}, r"argument 'max_job_hours' = nan"),
    ({"max_job_hours": True}, r"argument 'max_job_hours' = True"),
    ({"data_prefix": "/abs"}, r"argument 'data_prefix' = '/abs'.*ending in '/'"),
    ({"data_prefix": "NoSlash"}, r"argument 'data_prefix' = 'NoSlash'"),
    ({"team_shares": {"recs": 0}}, r"argument 'team_shares' = \{'recs': 0\}.*0.0001..999.9999"),
    ({"team_shares": {"bad id": 1.0}}, r"argument 'team_shares'"),
    ({"team_shares": {}}, r"argument 'team_shares' = \{\}"),
    ({"fair_share": "yes"}, r"argument 'fair_share' = 'yes' .*True or False.*Fix: pass fair_share=True \(a bool"),
    ({"spot": "maybe"}, r"argument 'spot' = 'maybe' .*Fix: pass spot=True or spot=False"),
    ({"spot": "false"}, r"spot must be True or False, got the string 'false'\. .*"
                        r"Fix: pass spot=False \(a bool, without quotes"),
    ({"spot": 0}, r"spot must be True or False, got the integer 0\. .*Fix: pass spot=False"),
    ({"max_job_hours": "12"}, r"max_job_hours must be a number, got the string '12'\. .*"
                              r"Fix: pass max_job_hours=12 \(a number, without quotes\)"),
    ({"max_job_hours": float("inf")}, r"max_job_hours must be a finite number, got inf\. .*"
                                      r"Fix: pass max_job_hours=12$"),
    ({"team_shares": {"recs": True}}, r"argument 'team_shares'"),
    ({"data_prefix": "recs/\n"}, r"argument 'data_prefix'"),
    ({"image": "docker.io/library/python:3.11"}, r"argument 'image' = 'docker.io/library/python:3.11'.*"
                                                 r"an image from .*763104351884"),
])
def test_invalid_shared_arguments_are_clean_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PlatformValidationError, match=message):
        _settings(**kwargs)


def test_every_problem_is_reported_once_in_argument_order() -> None:
    with pytest.raises(PlatformValidationError) as info:
        _settings(max_job_hours=99, data_prefix="/x", team_shares={"recs": -1}, fair_share=1, image="x", spot=2)
    assert [p.argument for p in info.value.problems] == [
        "max_job_hours", "data_prefix", "team_shares", "fair_share", "image", "spot"]
    assert str(info.value).startswith("6 problem(s) in S/Batch:")


def test_an_approved_image_is_accepted_in_any_region() -> None:
    image = "763104351884.dkr.ecr.ap-southeast-2.amazonaws.com/pytorch-training@sha256:" + "b" * 64
    assert _settings(image=image).image == image


def test_plan_and_checks_import_without_aws_cdk() -> None:
    """Pure means no jsii: importing the planning and checking code starts no Node process."""
    import subprocess
    import sys

    code = ("import sys, platform_constructs.compute.plan, platform_constructs.compute.checks; "
            "import platform_constructs.compute as c; assert c.__all__ == ['BatchComputeEnv', 'GpuTrainingCluster']; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'constructs')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
