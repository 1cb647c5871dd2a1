"""Every role of the example app, assumed as its AWS service in the IAM-enforcing emulator: each declared runtime
call succeeds, each negative path is refused (the session's one deployment, tests/conftest.py).

A failure names the role (logical id), the service that assumes it, the call (action, target) and what the
service does with it.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from platform_constructs.local.emulator import REGION
from platform_constructs.local.runtime import tables as runtime
from platform_constructs.local.runtime.runner import CallResult
from platform_constructs.serving.runtime_calls import ENDPOINT_CALLS

if TYPE_CHECKING:
    from local_deployment import Deployment as LocalDeployment

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

ROLES = [(table.construct, role.role) for table in runtime.TABLES for role in table.roles]
SERVICES = [(table.construct, service.service) for table in runtime.TABLES for service in table.services]


def _results(deployment: LocalDeployment) -> list[CallResult]:
    return [r for s in deployment.main.stacks for r in s.runtime]


@pytest.mark.parametrize(("construct", "role"), ROLES, ids=[f"{c}-{r}" for c, r in ROLES])
def test_each_role_does_what_its_service_needs_and_nothing_else(local_deployment: LocalDeployment, construct: str,
                                                                role: str) -> None:
    name = re.sub(r"\\\{\w+\\\}", "[A-Za-z0-9]+", re.escape(role))  # a {placeholder} role: each one it matches
    results = [r for r in _results(local_deployment)
               if r.construct == construct and re.fullmatch(rf"[A-Za-z0-9]*{name}[0-9A-F]{{8}}", r.role)]
    assert results, f"no runtime call ran for {construct} {role}"
    failed = [str(r) for r in results if not r.ok]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize(("construct", "service"), SERVICES, ids=[f"{c}-{s}" for c, s in SERVICES])
def test_each_service_may_use_the_construct_resources_it_needs(local_deployment: LocalDeployment, construct: str,
                                                               service: str) -> None:
    """AWS services acting as themselves (key, topic and bucket policies), decided on the template."""
    named = service.format(region=REGION)
    results = [r for r in _results(local_deployment) if r.construct == construct and r.role == named]
    assert results, f"no runtime call ran for {construct} {named}"
    failed = [str(r) for r in results if not r.ok]
    assert not failed, "\n".join(failed)


def test_every_stack_reports_its_runtime_calls(local_deployment: LocalDeployment) -> None:
    stacks = {s.stack: s for s in local_deployment.main.stacks}
    for name in ("platform-network", "platform-images", "prod-rec-model", "recs-batch", "recs-training"):
        stack = stacks[name]
        counts = runtime.tally(stack.runtime)
        assert counts.allow_declared > 0 and counts.deny_declared > 0, name
        assert stack.runtime_allowed == counts.allowed and stack.runtime_denied == counts.denied
    assert not stacks["local-test-resolver"].runtime  # a stack without platform constructs has no table


def test_known_gaps_still_behave_the_wrong_way(local_deployment: LocalDeployment) -> None:
    """A known gap that behaves as declared is fixed: remove its ``known_gap`` marker from the table. (Issue 13's,
    one build role for every level, are fixed: each level has its own role and its refusals are declared.)"""
    gaps = [r for r in _results(local_deployment) if r.known_gap]
    fixed = [str(r) for r in gaps if r.behaved]
    assert not fixed, "these known gaps are fixed; drop known_gap from their table entries:\n" + "\n".join(fixed)


def test_the_emulator_decides_what_it_can_and_the_template_the_rest(local_deployment: LocalDeployment) -> None:
    by_call = {(r.stack, r.action, r.expect, r.does): r for r in _results(local_deployment)}
    pull = by_call["prod-rec-model", "ecr:BatchGetImage", "allow", "pulls the model's image manifest"]
    assert pull.source == "emulator" and ":repository/platform/golden/" in pull.resource
    other_prefix = by_call["recs-batch", "s3:GetObject", "deny", "reads another team's prefix"]
    assert other_prefix.source == "emulator"
    listing = by_call["recs-batch", "s3:ListBucket", "deny", "lists another team's prefix"]
    assert listing.source.startswith("template") and "ListTeamPrefix" in listing.source
    metrics = by_call["prod-rec-model", "cloudwatch:PutMetricData", "allow",
                      "publishes the instance metrics (CPU, GPU, memory, disk)"]
    assert "monitoring:PutMetricData" in metrics.source


def test_the_endpoint_pulls_the_image_its_default_parameter_names(local_deployment: LocalDeployment) -> None:
    """The image SageMaker pulls is the one the build published to the default-image parameter."""
    published = local_deployment.target.emulator.client("ssm").get_parameter(
        Name="/platform/images/default/inference")["Parameter"]["Value"]
    pulls = [r for r in _results(local_deployment) if r.stack == "prod-rec-model" and r.action == "ecr:BatchGetImage"
             and r.expect == "allow"]
    repository = published.split("/", 1)[1].split("@", 1)[0]
    assert pulls and all(r.resource.endswith(f":repository/{repository}") for r in pulls)


@pytest.fixture
def endpoint_template(local_deployment: LocalDeployment) -> dict[str, object]:
    path = local_deployment.main.assembly / "prod-rec-model.template.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _new_failures(before: list[CallResult], after: list[CallResult]) -> list[str]:
    known = {(r.role, r.name, r.does) for r in before if not r.ok}
    return [str(r) for r in after if not r.ok and (r.role, r.name, r.does) not in known]


def test_removing_a_permission_the_service_needs_fails_naming_role_call_and_service(
        local_deployment: LocalDeployment, endpoint_template: dict[str, object]) -> None:
    """The emulator evaluates the deployed policy: drop the ECR login from the endpoint role and its table fails."""
    em = local_deployment.target.emulator
    templates = {"prod-rec-model": endpoint_template}
    before = runtime.run(em, templates, tables=[ENDPOINT_CALLS])
    iam = em.client("iam")
    (role_name,) = [r["RoleName"] for r in iam.list_roles()["Roles"]
                    if r["RoleName"].startswith("prod-rec-model-RecommendationModelExecutionRole")]
    (attached,) = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    arn = attached["PolicyArn"]
    original = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=original)["PolicyVersion"]["Document"]
    for statement in document["Statement"]:
        if statement.get("Sid") == "UnscopableActions":
            statement["Action"] = [a for a in statement["Action"] if a != "ecr:GetAuthorizationToken"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(document), SetAsDefault=True)
    try:
        after = runtime.run(em, templates, tables=[ENDPOINT_CALLS])
    finally:
        iam.set_default_policy_version(PolicyArn=arn, VersionId=original)
    (message,) = _new_failures(before, after)
    assert message.startswith("FAIL prod-rec-model/RecommendationModelExecutionRole")
    assert "assumed by sagemaker.amazonaws.com" in message and "ecr:GetAuthorizationToken" in message
    assert "logs in to ECR" in message and "expected allowed, denied (emulator" in message


def test_removing_a_conditioned_permission_fails_on_the_template(local_deployment: LocalDeployment) -> None:
    """What the emulator cannot evaluate is decided on the template: drop the job role's listing statement."""
    (table,) = [t for t in runtime.TABLES if t.construct.startswith("BatchComputeEnv")]
    path = local_deployment.main.assembly / "recs-batch.template.json"
    template = json.loads(path.read_text(encoding="utf-8"))
    before = runtime.run(local_deployment.target.emulator, {"recs-batch": template}, tables=[table])
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            statements = resource["Properties"]["PolicyDocument"]["Statement"]
            statements[:] = [s for s in statements if s.get("Sid") != "ListTeamPrefix"]
    after = runtime.run(local_deployment.target.emulator, {"recs-batch": template}, tables=[table])
    (message,) = _new_failures(before, after)
    assert "BatchJobRole" in message and "ecs-tasks.amazonaws.com" in message
    assert "s3:ListBucket" in message and "expected allowed, denied (template" in message
