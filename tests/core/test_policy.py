"""The policy loader: the shipped policy loads; every kind of broken file gives one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from platform_constructs.errors import PolicyError, UnknownEnvironmentError
from platform_constructs.policy import default_policy_file, load_policy


def _write(tmp_path: Path, mutate: object) -> Path:
    data = yaml.safe_load(default_policy_file().read_text())
    assert callable(mutate)
    mutate(data)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_shipped_policy_loads_with_three_environments() -> None:
    policy = load_policy()
    assert set(policy.environments) >= {"dev", "staging", "prod"}
    assert {t.name for t in policy.tags} >= {"CostCenter", "Environment", "DataClassification", "ManagedBy",
                                               "Project", "Owner"}
    assert policy.environment("prod").retain_stateful_resources is True
    assert policy.environment("dev").retain_stateful_resources is False


def test_policy_is_loaded_once_per_file() -> None:
    assert load_policy() is load_policy()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["environments"]["prod"].update(max_gpu=4), r"environments\.prod\.max_gpu: unknown key"),
        (lambda d: d["environments"]["dev"].update(max_gpus="eight"),
         r"environments\.dev\.max_gpus: expected an integer"),
        (lambda d: d.pop("alarms"), r"alarms: missing \(expected a mapping\)"),
        (lambda d: d["environments"].pop("staging"), r"environments\.staging: missing"),
        (lambda d: d["tags"]["required"]["Owner"].update(pattern="(["), r"tags\.required\.Owner\.pattern: not a valid"),
        (lambda d: d["environments"]["dev"].update(log_retention_days=31), r"log_retention_days: expected one of"),
        (lambda d: d["registries"].update(approved=[]), r"registries\.approved: expected a non-empty list"),
        (lambda d: d["environments"]["dev"].update(spot="yes"), r"environments\.dev\.spot: expected true or false"),
    ],
)
def test_broken_policy_names_file_and_key(tmp_path: Path, mutate: object, expected: str) -> None:
    path = _write(tmp_path, mutate)
    with pytest.raises(PolicyError, match=expected) as info:
        load_policy(path)
    assert str(path) in str(info.value)


def test_all_problems_of_a_file_are_reported_together(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["environments"]["dev"]["max_gpus"] = "x"
        d["environments"]["prod"]["typo"] = 1

    with pytest.raises(PolicyError) as info:
        load_policy(_write(tmp_path, mutate))
    assert len(info.value.problems) == 2


def test_missing_and_unparsable_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="file not found"):
        load_policy(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("tags: [unclosed")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)


def test_unknown_environment_is_named_with_the_option_it_came_from() -> None:
    with pytest.raises(UnknownEnvironmentError, match=r"environment 'qa'.*one of: dev, prod, staging"):
        load_policy().environment("qa")
    with pytest.raises(UnknownEnvironmentError, match=r"^the command line: argument '--env' = 'Staging'.*"
                                                      r"Fix: --env=staging$"):
        load_policy().environment("Staging", option="--env")
