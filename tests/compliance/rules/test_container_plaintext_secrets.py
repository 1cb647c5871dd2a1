"""PLAT-BATCH5 over bare AWS Batch job definitions and ECS task definitions."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.container_plaintext_secrets import RULE


def job(*environment: tuple[str, Any], secrets: list[dict[str, str]] | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"Image": "img", "Environment": [{"Name": n, "Value": v} for n, v in environment]}
    if secrets:
        container["Secrets"] = secrets
    return {"Type": "AWS::Batch::JobDefinition", "Properties": {"ContainerProperties": container}}


def test_plain_settings_and_secrets_by_reference_pass() -> None:
    secret = [{"Name": "DB_PASSWORD", "ValueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"}]
    assert evaluate(RULE, job(("MODEL_NAME", "recs"), ("TOKENIZERS_PARALLELISM", ""), secrets=secret)) == []


def test_secret_names_with_values_and_credential_looking_values_are_reported() -> None:
    found = evaluate(RULE, job(("DB_PASSWORD", "hunter2"), ("HF_TOKEN", {"Ref": "Token"}),
                               ("CONFIG", "AKIAABCDEFGHIJKLMNOP"), ("X", "{{resolve:secretsmanager:db:SecretString}}"),
                               ("api_key", "k")))
    assert [v.location.rsplit(".", 1)[1] for v in found] == [
        "Environment[0]", "Environment[1]", "Environment[2]", "Environment[3]", "Environment[4]"]
    assert "in plain text" in found[0].message
    task = {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
        {"Name": "a", "Image": "img", "Environment": [{"Name": "AWS_SECRET_ACCESS_KEY", "Value": "abc"}]}]}}
    assert [v.location for v in evaluate(RULE, task)] == ["Properties.ContainerDefinitions[0].Environment[0]"]
