"""PLAT-BATCH1 over bare AWS::Batch::JobDefinition resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.batch_job_timeout import RULE


def job(timeout: Any = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"Type": "container", "ContainerProperties": {"Image": "img"}}
    if timeout is not None:
        properties["Timeout"] = {"AttemptDurationSeconds": timeout}
    return {"Type": "AWS::Batch::JobDefinition", "Properties": properties}


def test_timeout_within_max_job_hours_passes() -> None:
    assert evaluate(RULE, job(12 * 3600), env="dev") == []
    assert evaluate(RULE, job("3600"), env="dev") == []


def test_missing_timeout_is_reported() -> None:
    found = evaluate(RULE, job())
    assert [v.location for v in found] == ["Properties.Timeout.AttemptDurationSeconds"]
    assert "no timeout; set at most 43200 s (12 h in dev)" in found[0].message


def test_timeout_over_the_environment_limit_is_reported() -> None:
    assert "exceeds 43200 s" in evaluate(RULE, job(13 * 3600), env="dev")[0].message
    assert evaluate(RULE, job(13 * 3600), env="prod") == []


def test_computed_timeout_is_unverifiable() -> None:
    found = evaluate(RULE, job({"Ref": "Timeout"}))
    assert len(found) == 1 and "cannot be verified" in found[0].message
