"""Runs catalogue cases through the constructs themselves, in a process of its own (a value that crashes the jsii
kernel takes only this process down). Reads case ids (JSON list) on stdin; prints one JSON line per case."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_node = ROOT / "node_modules" / ".bin" / "node"
if "JSII_NODE" not in os.environ and _node.exists():
    os.environ["JSII_NODE"] = str(_node)
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from argument_catalogue import PINNED, PROJECT_REQUIREMENT, URL, Case, _mode_for, cases, judge  # noqa: E402


def run(case: Case, index: int) -> str:
    from aws_cdk import Stack

    import platform_constructs as pc
    from platform_constructs.testing import new_app

    stack = Stack(new_app(), f"Case{index}")
    value = case.mistake.make(stack)
    required: dict[str, dict[str, object]] = {
        "SecureModelEndpoint": {"model_data_url": URL, "cost_center": "churn", **_mode_for(case.argument)},
        "BatchComputeEnv": {"cost_center": "churn"}, "GpuTrainingCluster": {"cost_center": "churn"},
        "GoldenImagePipeline": {"cost_center": "ml-platform", "runtime_requirements": list(PINNED),
                                "publish_defaults": False},
        "PlatformNetwork": {"publish_parameters": False},
    }
    try:
        if case.construct == "GoldenImagePipeline.add_project_image":
            pipeline = pc.GoldenImagePipeline(stack, "Golden", **required["GoldenImagePipeline"])  # type: ignore[arg-type]
            kwargs: dict[str, object] = {"name": "churn", "requirements": [PROJECT_REQUIREMENT], case.argument: value}
            pipeline.add_project_image(**kwargs)  # type: ignore[arg-type]
        else:
            kwargs = {**required[case.construct], case.argument: value}
            getattr(pc, case.construct)(stack, "Subject", **kwargs)
    except Exception as error:  # every exception is an outcome to judge
        return judge(case, error)
    return judge(case, None)


def main() -> None:
    wanted = json.loads(sys.stdin.read())
    by_id = {case.id: case for case in cases()}
    for index, case_id in enumerate(wanted):
        print(json.dumps({"id": case_id, "outcome": run(by_id[case_id], index)}), flush=True)


if __name__ == "__main__":
    main()
