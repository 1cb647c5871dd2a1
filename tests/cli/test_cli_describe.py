"""`platform describe cdk.out` over the example app as synthesized (every stack, in a data scientist's words)."""

from __future__ import annotations

import json
import re

import pytest

from platform_constructs.cli.main import main
from platform_constructs.testing import SynthResult


def test_describe_says_what_was_built_how_to_call_it_and_what_it_costs(
        example_app: SynthResult, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", str(example_app.outdir)]) == 0
    out = capsys.readouterr().out
    assert "prod-rec-model (environment dev, policy default)" in out
    assert "SecureModelEndpoint prod-rec-model/RecommendationModel, cost centre product-recommendations" in out
    # the SageMaker name is <endpoint name>-<generation> (serving/deployment.py)
    assert re.search(r"a realtime SageMaker endpoint named prod-rec-model-RecommendationModel-[0-9a-f]{8}\n", out)
    assert "variant Primary: ml.g4dn.xlarge x 1-2 instances (autoscaling)" in out
    assert re.search(r'Predictor\(endpoint_name="prod-rec-model-RecommendationModel-[0-9a-f]{8}"', out)
    assert "9 alarms notify SNS topic RecommendationModelAlarmTopic" in out  # 8 of the endpoint, 1 of its monitor
    assert "GpuTrainingCluster recs-training/Train, cost centre recs" in out and "at most 4 GPUs at once" in out
    assert "aws batch submit-job" in out and "~/.metaflowconfig/config.json" in out
    assert "PlatformNetwork platform-network/Network" in out and "VPC 10.40.0.0/16" in out
    assert "deploy first: the platform network" in out
    assert "estimated cost: USD 538-1,075/month" in out  # ml.g4dn.xlarge at 0.7364 x 730 h, 1-2 instances


def test_describe_one_stack_as_json(example_app: SynthResult, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", str(example_app.outdir), "--stack", "recs-batch", "--json"]) == 0
    (summary,) = json.loads(capsys.readouterr().out)
    assert summary["stack"] == "recs-batch" and summary["environment"] == "dev"
    assert summary["built"][0]["construct"] == "BatchComputeEnv"


def test_describe_usage_errors(tmp_path: object, capsys: pytest.CaptureFixture[str],
                               example_app: SynthResult) -> None:
    assert main(["describe", "/nonexistent/cdk.out"]) == 2
    assert "is not a directory (run `cdk synth` first" in capsys.readouterr().err
    assert main(["describe", str(example_app.outdir), "--stack", "nope"]) == 2
    assert "no stack named nope" in capsys.readouterr().err
