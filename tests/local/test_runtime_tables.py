"""The runtime-call tables bind to the example app's templates (pure: no emulator), and template values resolve
to deployed ones."""

from __future__ import annotations

from typing import Any

import pytest

from platform_constructs.local.runtime.bind import BindError, find_siblings, instances, plan
from platform_constructs.local.runtime.calls import OPERATIONS
from platform_constructs.local.runtime.resolve import resolve, symbolic
from platform_constructs.local.runtime.tables import TABLES
from platform_constructs.runtime_calls import Call, RoleCalls, RuntimeTable, ServiceCalls, Sibling
from platform_constructs.testing import SynthResult

EXPECTED_INSTANCES = {
    "PlatformNetwork": {("platform-network", "Network")},
    "GoldenImagePipeline": {("platform-images", "GoldenImages")},
    "SecureModelEndpoint": {("prod-rec-model", "RecommendationModel")},
    "BatchComputeEnv / GpuTrainingCluster": {("recs-batch", "Batch"), ("recs-training", "Train")},
    "ModelRegistry": {("platform-model-registry", "ModelRegistry")},
}


def _actors(table: RuntimeTable) -> list[RoleCalls | ServiceCalls]:
    return [*table.roles, *table.services]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.construct)
def test_each_table_finds_its_constructs_in_the_example_app(example_app: SynthResult, table: RuntimeTable) -> None:
    found = {(stack, i.prefix) for stack, template in example_app.templates.items()
             for i in instances(table, stack, template)}
    assert found == EXPECTED_INSTANCES[table.construct]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.construct)
def test_every_call_binds_to_the_example_app_with_every_role(example_app: SynthResult, table: RuntimeTable) -> None:
    planned = [p for stack, template in example_app.templates.items() for p in plan(table, stack, template)]
    roles = {p.role.role for p in planned if isinstance(p.role, RoleCalls)}
    assert roles == {r.role for r in table.roles}  # the example app creates every role the table knows
    for actor in _actors(table):  # each declared call is planned at least once
        declared = {c.does for c in actor.calls}
        assert declared == {p.call.does for p in planned if p.role == actor}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.construct)
def test_every_table_declares_what_its_roles_must_not_do(table: RuntimeTable) -> None:
    for actor in _actors(table):
        assert any(c.expect == "deny" for c in actor.calls), actor
        assert any(c.expect == "allow" for c in actor.calls), actor


def test_every_declared_action_has_an_operation() -> None:
    actions = {c.action for t in TABLES for actor in _actors(t) for c in actor.calls}
    assert actions <= set(OPERATIONS), sorted(actions - set(OPERATIONS))


def test_placeholders_expand_once_per_level(example_app: SynthResult) -> None:
    (pipeline,) = [t for t in TABLES if t.construct == "GoldenImagePipeline"]
    planned = plan(pipeline, "platform-images", example_app.template("platform-images"))
    starts = sorted(p.bindings["level"] for p in planned if p.call.action == "codebuild:StartBuild"
                    and p.call.expect == "allow")
    assert starts == sorted(["Base", "Runtime", "Projectrecommendations",
                             *(f"{scope}{level}" for scope in ("TrainingCpu", "InferenceGpu", "InferenceCpu")
                               for level in ("Base", "Runtime"))])
    # every level's build role pushes (4 lineages x base and runtime, one project); a placeholder role is planned
    # once per project, with the project's binding, and its trust context is read for that project
    pushes = {p.role_id for p in planned if p.call.action == "ecr:PutImage" and p.call.expect == "allow"}
    assert len(pushes) == 9
    roles = [p for p in planned if isinstance(p.role, RoleCalls)]
    project = [p for p in roles if p.role.role == "Project{project}BuildRole"]  # type: ignore[union-attr]
    assert project and {p.bindings["project"] for p in project} == {"recommendations"}
    assert {p.trust_bindings["project"] for p in project} == {"recommendations"}
    (rule,) = {p.trust_bindings["rule"] for p in roles if p.role.role == "EventsRole"}  # type: ignore[union-attr]
    assert rule == "Base"  # the first rule that starts builds


def test_nameless_siblings_expand_once_per_resource_of_their_type(example_app: SynthResult) -> None:
    (batch,) = [t for t in TABLES if t.construct.startswith("BatchComputeEnv")]
    planned = plan(batch, "recs-batch", example_app.template("recs-batch"))
    registrations = [p for p in planned
                     if p.call.action == "ecs:RegisterContainerInstance" and p.call.expect == "allow"]
    assert len(registrations) == 2  # spot and on-demand compute environments


def _template(*logical_ids: tuple[str, str]) -> dict[str, Any]:
    return {"Resources": {lid: {"Type": rtype, "Properties": {}} for lid, rtype in logical_ids}}


def test_a_missing_sibling_is_a_clear_binding_error() -> None:
    table = RuntimeTable("Thing", Sibling("Role", "AWS::IAM::Role"), (RoleCalls("Role", "ec2.amazonaws.com", (
        Call("logs:PutLogEvents", {"log_group": Sibling("Logs", "AWS::Logs::LogGroup")}, "writes logs"),)),))
    template = _template(("ThingRoleABCDEF12", "AWS::IAM::Role"))
    with pytest.raises(BindError, match=r"no resource ThingLogs<hash> of type AWS::Logs::LogGroup for "
                                        r"logs:PutLogEvents \(writes logs\)"):
        plan(table, "stack", template)


def test_a_missing_required_role_is_an_error_and_an_optional_one_is_skipped() -> None:
    calls = (Call("ecr:GetAuthorizationToken", {}, "logs in"),)
    table = RuntimeTable("Thing", Sibling("Anchor", "AWS::S3::Bucket"),
                         (RoleCalls("Role", "ec2.amazonaws.com", calls),))
    template = _template(("ThingAnchorABCDEF12", "AWS::S3::Bucket"))
    with pytest.raises(BindError, match="has no role ThingRole<hash>"):
        plan(table, "stack", template)
    optional = RuntimeTable("Thing", table.anchor, (RoleCalls("Role", "ec2.amazonaws.com", calls, optional=True),))
    assert plan(optional, "stack", template) == []


def test_siblings_match_the_whole_name_and_the_type() -> None:
    template = _template(("NetFlowLogsABCDEF12", "AWS::Logs::LogGroup"), ("NetFlowLogsKeyABCDEF12", "AWS::KMS::Key"),
                         ("NetFlowLogRoleABCDEF12", "AWS::IAM::Role"))
    (instance,) = instances(RuntimeTable("N", Sibling("FlowLogRole", "AWS::IAM::Role"), ()), "s", template)
    assert [lid for lid, _ in find_siblings(instance, Sibling("FlowLogs", "AWS::Logs::LogGroup"))] == \
        ["NetFlowLogsABCDEF12"]
    assert find_siblings(instance, Sibling("FlowLogs", "AWS::KMS::Key")) == []


class FakeLookups:
    partition, region, account = "aws", "eu-west-1", "111122223333"

    def physical_id(self, stack: str, logical_id: str) -> str | None:
        return {"Bucket": "my-bucket-xyz", "Logs": "/aws/x"}.get(logical_id)

    def ssm(self, name: str) -> str:
        return {"/platform/images/default/batch": "1.dkr.ecr.eu-west-1.amazonaws.com/r@sha256:ab"}[name]

    def batch_cluster(self, environment: str) -> str:
        return f"AWSBatch-{environment}"


def test_resolve_intrinsics_to_deployed_values() -> None:
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Logs": {"Type": "AWS::Logs::LogGroup"},
                              "Project": {"Type": "AWS::CodeBuild::Project"}}}
    lookups = FakeLookups()
    node = {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/recs/*"]]}
    assert resolve(node, "s", template, lookups) == "arn:aws:s3:::my-bucket-xyz/recs/*"
    assert resolve({"Fn::GetAtt": ["Logs", "Arn"]}, "s", template, lookups) == \
        "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/x:*"
    assert resolve({"Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/AWSBatch-*"},
                   "s", template, lookups) == "arn:aws:ecs:eu-west-1:111122223333:cluster/AWSBatch-*"
    assert resolve("{{resolve:ssm:/platform/images/default/batch}}", "s", template, lookups).endswith("@sha256:ab")
    assert resolve({"Fn::Select": [1, {"Fn::Split": [":", "a:b:c"]}]}, "s", template, lookups) == "b"
    # the framework image of an endpoint without a golden image: its account is the region's, from a mapping
    mapped = {**template, "Mappings": {"Accounts": {"eu-west-1": {"dlc": "763104351884"}}}}
    image = {"Fn::Join": ["", [{"Fn::FindInMap": ["Accounts", {"Ref": "AWS::Region"}, "dlc"]},
                               ".dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3.0"]]}
    assert resolve(image, "s", mapped, lookups) == \
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3.0"


def test_a_resource_the_emulator_did_not_create_resolves_symbolically_and_identically() -> None:
    template = {"Resources": {"Project": {"Type": "AWS::CodeBuild::Project"}}}
    value = resolve({"Fn::GetAtt": ["Project", "Arn"]}, "s", template, FakeLookups())
    assert value == symbolic("Project", "Arn") == "unresolved:Project.Arn"
