"""Approvals stay approved, in the emulator: a golden-image stack is deployed with the real CDK CLI, a build's
approval is published to its parameter, and an update of the stack that changes every tag and adds a project
image leaves the approved value as it was (issue 13: CloudFormation used to write its placeholder back). Between the
two, the pipeline's runtime-call table runs on this shape (one CPU lineage, a project, no default parameters):
each level's own role does what its build needs and is refused the rest.

The stack goes into the session's emulator (``conftest.py``'s ``local_deployment``: moto's backends are one per
process), under its own name, beside the example app.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aws_cdk import Stack, Tags

from platform_constructs import GoldenImagePipeline
from platform_constructs.images.runtime_calls import TABLES as IMAGES
from platform_constructs.images.settings import PENDING_VALUE
from platform_constructs.local.runtime import tables as runtime
from platform_constructs.testing import new_app, synthesize

if TYPE_CHECKING:
    from local_deployment import Deployment  # tests/local/, on the path when the session fixture runs

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]
# conftest's local_deployment imports tests/local's helper modules, which pytest puts on the path only when it
# collects tests/local: when this module runs alone, they must be found from here too
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "local"))

STACK = "approval-images"
LOCK = ["einops==0.8.0 --hash=sha256:9572fb63046264a862693b0a87088af3bdc8c068fde03de63453cbbde245465f"]
PROJECT_LOCK = ["cachetools==5.3.3 --hash=sha256:0abad1021d3f8325b2fc1d2e9c8b9c9d57b04c3932657a72465447332c24d945"]
RUNTIME = "/platform/images/approvals/training-cpu/runtime"
BASE = "/platform/images/approvals/training-cpu/base"
APPROVED = ("123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/approvals/training-cpu/runtime@sha256:"
            + "c" * 64)


def _assembly(directory: Path, *, update: bool) -> Path:
    """The stack as first deployed, or updated: another cost centre (every tag changes), an extra tag on the whole
    stack, and a second project image."""
    app = new_app(outdir=directory)
    stack = Stack(app, STACK)
    pipeline = GoldenImagePipeline(stack, "Golden", cost_center="ml-forecasting" if update else "ml-platform",
                                   name="approvals", runtime_requirements=LOCK, lineages=["training-cpu"],
                                   publish_defaults=False, default_for=(), create_endpoints=False)
    pipeline.add_project_image("churn", requirements=PROJECT_LOCK)
    if update:
        pipeline.add_project_image("forecast", requirements=PROJECT_LOCK)
        Tags.of(stack).add("Team", "forecasting")
    return synthesize(app).outdir


@pytest.fixture(scope="module")
def approved_then_updated(local_deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    target = local_deployment.target
    ssm = target.emulator.client("ssm")
    work = tmp_path_factory.mktemp("approval")
    # the runtime-call tables publish to the parameters as the builds would: they run once the values are read
    deployed = _assembly(work / "first", update=False)
    first = target.deploy_assembly(deployed, run_platform_check=False, local_dir=work / "first.local",
                                   runtime_calls=False)
    assert [str(c) for s in first.stacks for c in s.failed] == []
    before = {name: ssm.get_parameter(Name=name)["Parameter"]["Value"] for name in (BASE, RUNTIME)}
    assert before == {BASE: PENDING_VALUE, RUNTIME: PENDING_VALUE}
    # this shape (one CPU lineage, a project, no default parameters) through the pipeline's runtime-call table:
    # each level's role publishes its own parameter (the base's stays as published: the update must keep it)
    template = json.loads((deployed / f"{STACK}.template.json").read_text(encoding="utf-8"))
    results = runtime.run(target.emulator, {STACK: template}, tables=IMAGES)
    published = ssm.get_parameter(Name=BASE)["Parameter"]["Value"]
    ssm.put_parameter(Name=RUNTIME, Value=APPROVED, Overwrite=True)  # what build.sh does on approval
    # the update's own verification is not asserted: the emulator's updates of other types are imperfect (a KMS
    # key or a managed policy whose tags change is no longer listed, an S3 bucket's tag update logs a KeyError);
    # what matters here is that CloudFormation applied the update (cdk deploy fails otherwise) to everything else
    target.deploy_assembly(_assembly(work / "update", update=True), run_platform_check=False,
                           local_dir=work / "update.local", runtime_calls=False)
    names = (BASE, RUNTIME, "/platform/images/approvals/projects/churn", "/platform/images/approvals/projects/forecast")
    values = {name: ssm.get_parameter(Name=name)["Parameter"]["Value"] for name in names}
    codebuild = target.emulator.client("codebuild")
    projects = sorted(p for p in codebuild.list_projects()["projects"] if p.startswith("approvals-"))
    values["projects"] = " ".join(projects)
    cloudformation = target.emulator.client("cloudformation")
    values["stack status"] = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"]
    values["deployed template"] = str(cloudformation.get_template(StackName=STACK)["TemplateBody"])
    values["published base"] = published
    values["runtime calls"] = "\n".join(str(r) for r in results if r.stack == STACK and not r.behaved)
    assumed = {r.role[len("Golden"):-8] for r in results if r.action == "sts:AssumeRole"}
    values["runtime roles"] = " ".join(sorted(assumed))
    return values


def test_an_update_after_an_approval_leaves_the_approved_image(approved_then_updated: dict[str, str]) -> None:
    assert approved_then_updated[RUNTIME] == APPROVED


def test_each_level_of_this_shape_has_its_own_role_and_behaves_as_its_table_declares(
        approved_then_updated: dict[str, str]) -> None:
    assert approved_then_updated["runtime roles"] == (
        "EventsRole ProjectchurnBuildRole TrainingCpuBaseBuildRole TrainingCpuRuntimeBuildRole")
    assert approved_then_updated["runtime calls"] == ""


def test_the_update_did_deploy_and_new_parameters_start_pending(approved_then_updated: dict[str, str]) -> None:
    assert approved_then_updated["stack status"] == "UPDATE_COMPLETE"
    deployed = approved_then_updated["deployed template"]
    assert "ml-forecasting" in deployed and "'Team'" in deployed  # the tags did change
    assert approved_then_updated["projects"] == ("approvals-projects-churn approvals-projects-forecast "
                                                 "approvals-training-cpu-base approvals-training-cpu-runtime")
    assert approved_then_updated[BASE] == approved_then_updated["published base"] != PENDING_VALUE  # kept as built
    assert approved_then_updated["/platform/images/approvals/projects/forecast"] == PENDING_VALUE
