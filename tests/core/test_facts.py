"""Templates record the environment and policy they were synthesized under, and what each platform construct built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack

from platform_constructs import PlatformNetwork, SecureModelEndpoint
from platform_constructs.facts import FACTS_KEY, SYNTH_KEY, policy_label, record_facts
from platform_constructs.policy import load_policy
from platform_constructs.testing import new_app, synthesize


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    app = new_app({"env": "staging"})
    stack = Stack(app, "S")
    PlatformNetwork(stack, "Network", publish_parameters=False)
    endpoint = SecureModelEndpoint(stack, "Model", model_data_url="s3://churn-models/model.tar.gz",
                                   cost_center="churn")
    record_facts(endpoint, {"framework": "sklearn", "content_type": "text/csv"})
    record_facts(endpoint, {"content_type": "application/x-npy"})  # later values win
    return synthesize(app).template("S")


def test_the_environment_and_the_policy_with_its_hash_are_recorded(template: dict[str, Any]) -> None:
    policy = load_policy()
    assert template["Metadata"][SYNTH_KEY] == {"environment": "staging", "policy": "default",
                                               "policy_sha256": policy.sha256}
    assert len(policy.sha256) == 64


def test_each_construct_lists_what_it_built(template: dict[str, Any]) -> None:
    network, endpoint = template["Metadata"][FACTS_KEY]
    assert (network["path"], network["construct"], network["cost_center"]) == ("S/Network", "PlatformNetwork",
                                                                                 "ml-platform")
    assert endpoint["path"] == "S/Model" and endpoint["construct"] == "SecureModelEndpoint"
    assert endpoint["cost_center"] == "churn"
    assert (endpoint["framework"], endpoint["content_type"]) == ("sklearn", "application/x-npy")
    resources = template["Resources"]
    types = {resources[logical_id]["Type"] for logical_id in endpoint["resources"]}
    assert {"AWS::SageMaker::Endpoint", "AWS::SageMaker::EndpointConfig", "AWS::KMS::Key"} <= types
    assert "AWS::EC2::VPC" in {resources[i]["Type"] for i in network["resources"]}
    assert not set(network["resources"]) & set(endpoint["resources"])


def test_record_facts_refuses_reserved_keys_and_strangers() -> None:
    stack = Stack(new_app(), "S")
    network = PlatformNetwork(stack, "Network", publish_parameters=False)
    with pytest.raises(ValueError, match="resources are set by the platform"):
        record_facts(network, {"resources": []})
    with pytest.raises(ValueError, match="S is not a platform construct"):
        record_facts(stack, {"framework": "pytorch"})


def test_policy_label_is_machine_independent(tmp_path: Path) -> None:
    policy = load_policy()
    assert policy_label(policy) == "default"
    copy = tmp_path / "team" / "policy.yaml"
    copy.parent.mkdir()
    copy.write_bytes(Path(policy.file).read_bytes())
    assert policy_label(load_policy(copy), cwd=tmp_path) == "team/policy.yaml"
    assert policy_label(load_policy(copy), cwd=tmp_path / "elsewhere") == copy.resolve().as_posix()
