"""The golden-image pipeline's runtime-call table (``images/runtime_calls.py``) on a pipeline shape the example app
does not have (one CPU lineage, a project on it, no default parameters, another name), and each build role's trust
policy evaluated with what CodeBuild and EventBridge send (pure: no emulator; the example app's deployment runs
the table in ``tests/local/test_runtime_calls.py``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aws_cdk import Environment, Stack

from platform_constructs import GoldenImagePipeline
from platform_constructs.images.runtime_calls import PIPELINE_CALLS
from platform_constructs.local.runtime import policy
from platform_constructs.local.runtime.bind import Planned, plan, value_of
from platform_constructs.local.runtime.resolve import resolve
from platform_constructs.runtime_calls import RoleCalls
from platform_constructs.testing import new_app, synthesize

HASH = "--hash=sha256:" + "0" * 64
STACK = "CpuImages"
ACCOUNT = "111122223333"


class _Lookups:
    """Nothing deployed: a resource's physical id is the name the template gives it."""

    partition, region, account = "aws", "eu-west-1", ACCOUNT

    def __init__(self, template: dict[str, Any]) -> None:
        self.resources = template["Resources"]

    def physical_id(self, stack: str, logical_id: str) -> str | None:
        props = self.resources.get(logical_id, {}).get("Properties", {})
        name = props.get("RepositoryName") or props.get("Name")
        return name if isinstance(name, str) else None

    def ssm(self, name: str) -> str:
        raise KeyError(name)

    def batch_cluster(self, environment: str) -> str:
        raise KeyError(environment)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    app = new_app({"env": "prod"})
    stack = Stack(app, STACK, env=Environment(account=ACCOUNT, region="eu-west-1"))
    pipeline = GoldenImagePipeline(stack, "Cpu", cost_center="ml-platform", name="cpu-images",
                                   runtime_requirements=[f"einops==0.8.0 {HASH}"], lineages=["training-cpu"],
                                   publish_defaults=False, default_for=("batch",))
    pipeline.add_project_image("features", requirements=[f"cachetools==5.3.3 {HASH}"])
    return dict(synthesize(app).template(STACK))


def _first_call_of_each_role(planned: list[Planned]) -> dict[str, Planned]:
    first: dict[str, Planned] = {}
    for item in planned:
        if isinstance(item.role, RoleCalls):
            first.setdefault(item.role_id, item)
    return first


def test_the_table_binds_to_the_levels_this_pipeline_has(template: dict[str, Any]) -> None:
    planned = plan(PIPELINE_CALLS, STACK, template)
    roles = _first_call_of_each_role(planned)
    assert sorted(lid[:-8] for lid in roles) == sorted(
        f"Cpu{name}" for name in ("TrainingCpuBaseBuildRole", "TrainingCpuRuntimeBuildRole",
                                  "ProjectfeaturesBuildRole", "EventsRole"))
    assert not [p for p in planned if "default image" in p.call.does]  # publish_defaults=False: no such parameter
    project = [p for p in planned if p.role_id.startswith("CpuProjectfeatures")]
    pulls = {value_of(p.call.target["image"], p, _Lookups(template)) for p in project
             if p.call.action == "ecr:BatchGetImage" and "image" in p.call.target}
    assert pulls == {f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/platform/cpu-images/training-cpu/runtime"}


def _assume(template: dict[str, Any], item: Planned, **changed: str) -> policy.Effect:
    assert isinstance(item.role, RoleCalls)
    lookups = _Lookups(template)
    on_behalf = replace(item, bindings=item.trust_bindings)
    context = {k: value_of(v, on_behalf, lookups) for k, v in item.role.context.items()} | changed
    trust = resolve(template["Resources"][item.role_id]["Properties"]["AssumeRolePolicyDocument"], STACK, template,
                    lookups)
    request = policy.Request("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/r",
                             policy.Principal(service=item.role.service), context)
    return policy.evaluate([trust], request, resource_policy=True)


def test_each_trust_policy_admits_its_service_for_its_own_project_or_rules_only(template: dict[str, Any]) -> None:
    roles = _first_call_of_each_role(plan(PIPELINE_CALLS, STACK, template))
    for role_id, item in roles.items():
        assert _assume(template, item) is policy.Effect.ALLOW, role_id
        assert _assume(template, item, **{"aws:SourceAccount": "999999999999"}) is policy.Effect.NONE, role_id
        service = item.role.service.split(".", 1)[0]
        other = {"codebuild": f"arn:aws:codebuild:eu-west-1:{ACCOUNT}:project/another-team-build",
                 "events": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/another-team-rule"}[service]
        assert _assume(template, item, **{"aws:SourceArn": other}) is policy.Effect.NONE, role_id
    runtime = next(i for lid, i in roles.items() if lid.startswith("CpuTrainingCpuRuntime"))
    base_project = f"arn:aws:codebuild:eu-west-1:{ACCOUNT}:project/cpu-images-training-cpu-base"
    assert _assume(template, runtime, **{"aws:SourceArn": base_project}) is policy.Effect.NONE  # not another level's
