"""The template adapter: one test per transformation, on bare template dicts, with the installed emulator's
real limits; the table of transformations and their reasons; the cloud-assembly copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.local import adapter
from platform_constructs.local import adapter_transforms as transforms
from platform_constructs.local.adapter_base import json_string_with_intrinsics
from platform_constructs.local.emulator import LIMITS

ROOT = Path(__file__).resolve().parents[2]

STACK = "s"


def _template(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": dict(resources)}


def test_strip_bootstrap_version_rule() -> None:
    template = {"Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>"},
                               "Other": {"Type": "String"}},
                "Rules": {"CheckBootstrapVersion": {"Assertions": []}}, "Resources": {}}
    changes = transforms.strip_bootstrap_version_rule(STACK, template, LIMITS)
    assert "Rules" not in template
    assert template["Parameters"] == {"Other": {"Type": "String"}}
    assert [c.target for c in changes] == ["Rules.CheckBootstrapVersion", "Parameters.BootstrapVersion"]


def test_drop_custom_resources_removes_provider_but_keeps_shared_role() -> None:
    template = _template(
        Custom={"Type": "Custom::Thing", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Handler", "Arn"]}}},
        Handler={"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["HandlerRole", "Arn"]}},
                 "DependsOn": ["HandlerRole"]},
        HandlerRole={"Type": "AWS::IAM::Role", "Properties": {}},
        SharedRole={"Type": "AWS::IAM::Role", "Properties": {}},
        UsesCustom={"Type": "AWS::SSM::Parameter", "Properties": {"Value": {"Fn::GetAtt": ["Custom", "Out"]}}},
        Keeper={"Type": "AWS::EC2::VPC", "Properties": {}, "DependsOn": ["Custom"]},
    )
    template["Outputs"] = {"FromCustom": {"Value": {"Ref": "Custom"}}, "Vpc": {"Value": {"Ref": "Keeper"}}}
    changes = transforms.drop_custom_resources(STACK, template, LIMITS)
    assert set(template["Resources"]) == {"SharedRole", "Keeper"}
    assert "DependsOn" not in template["Resources"]["Keeper"]
    assert set(template["Outputs"]) == {"Vpc"}
    assert {c.target for c in changes} == {"Custom", "Handler", "HandlerRole", "UsesCustom", "FromCustom"}
    assert all(c.transformation == "drop_custom_resources" for c in changes)


def test_uppercase_batch_compute_environment_type() -> None:
    template = _template(Ce={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"Type": "managed"}})
    changes = transforms.uppercase_batch_compute_environment_type(STACK, template, LIMITS)
    assert template["Resources"]["Ce"]["Properties"]["Type"] == "MANAGED"
    assert "'managed' -> 'MANAGED'" in changes[0].detail


def test_add_batch_service_role_only_where_missing() -> None:
    template = _template(
        Ce={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"Type": "MANAGED"}},
        Own={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"ServiceRole": "arn:aws:iam::1:role/x"}})
    changes = transforms.add_batch_service_role(STACK, template, LIMITS)
    assert template["Resources"]["Ce"]["Properties"]["ServiceRole"] == {
        "Fn::GetAtt": [transforms.LOCAL_BATCH_SERVICE_ROLE, "Arn"]}
    assert template["Resources"]["Own"]["Properties"]["ServiceRole"] == "arn:aws:iam::1:role/x"
    assert template["Resources"][transforms.LOCAL_BATCH_SERVICE_ROLE]["Type"] == "AWS::IAM::Role"
    assert [c.target for c in changes] == [transforms.LOCAL_BATCH_SERVICE_ROLE, "Ce"]


def test_swap_unsupported_instance_types() -> None:
    template = _template(
        Config={"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"ProductionVariants": [
            {"InstanceType": "ml.g5.2xlarge"}, {"InstanceType": "ml.m5.large"}]}},
        Ce={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"ComputeResources": {
            "InstanceTypes": ["p3.2xlarge", "g5.xlarge"]}}})
    changes = transforms.swap_unsupported_instance_types(STACK, template, LIMITS)
    variants = template["Resources"]["Config"]["Properties"]["ProductionVariants"]
    assert [v["InstanceType"] for v in variants] == ["ml.g4dn.2xlarge", "ml.m5.large"]
    assert template["Resources"]["Ce"]["Properties"]["ComputeResources"]["InstanceTypes"] == [
        "g4dn.2xlarge", "g5.xlarge"]
    assert [c.detail for c in changes] == ["InstanceType ml.g5.2xlarge -> ml.g4dn.2xlarge",
                                           "InstanceTypes p3.2xlarge -> g4dn.2xlarge"]


def test_substitute_instance_type_fails_loudly_when_nothing_fits() -> None:
    with pytest.raises(ValueError, match=r"no emulator-accepted substitute for instance type 'ml\.zz\.large'"):
        transforms.substitute_instance_type("ml.zz.large", lambda _: False, prefix="ml.")


def test_batch_getatt_to_ref_in_outputs_and_properties() -> None:
    template = _template(
        Ce={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {}},
        Queue={"Type": "AWS::Batch::JobQueue", "Properties": {"ComputeEnvironmentOrder": [
            {"ComputeEnvironment": {"Fn::GetAtt": ["Ce", "ComputeEnvironmentArn"]}}]}},
        Key={"Type": "AWS::KMS::Key", "Properties": {}})
    template["Outputs"] = {"Q": {"Value": {"Fn::GetAtt": ["Queue", "JobQueueArn"]}},
                           "K": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}}}
    changes = transforms.batch_getatt_to_ref(STACK, template, LIMITS)
    assert template["Resources"]["Queue"]["Properties"]["ComputeEnvironmentOrder"][0]["ComputeEnvironment"] == {
        "Ref": "Ce"}
    assert template["Outputs"] == {"Q": {"Value": {"Ref": "Queue"}}, "K": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}}}
    assert len(changes) == 2


def test_batch_job_definition_retry_strategy() -> None:
    template = _template(Job={"Type": "AWS::Batch::JobDefinition", "Properties": {"Type": "container"}},
                         Set={"Type": "AWS::Batch::JobDefinition", "Properties": {"RetryStrategy": {"Attempts": 3}}})
    changes = transforms.batch_job_definition_retry_strategy(STACK, template, LIMITS)
    assert template["Resources"]["Job"]["Properties"]["RetryStrategy"] == {"Attempts": 1}
    assert template["Resources"]["Set"]["Properties"]["RetryStrategy"] == {"Attempts": 3}
    assert [c.target for c in changes] == ["Job"]


def test_name_ecr_repositories() -> None:
    template = _template(Repo={"Type": "AWS::ECR::Repository", "Properties": {}},
                         Named={"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "Platform/Train"}})
    changes = transforms.name_ecr_repositories("My-Stack", template, LIMITS)
    assert template["Resources"]["Repo"]["Properties"]["RepositoryName"] == "my-stack/repo"
    assert template["Resources"]["Named"]["Properties"]["RepositoryName"] == "platform/train"
    assert len(changes) == 2


def test_kms_key_tag_shape() -> None:
    template = _template(Key={"Type": "AWS::KMS::Key", "Properties": {"Tags": [{"Key": "a", "Value": "b"}]}})
    transforms.kms_key_tag_shape(STACK, template, LIMITS)
    assert template["Resources"]["Key"]["Properties"]["Tags"] == [{"TagKey": "a", "TagValue": "b"}]


def test_kms_key_policy_as_string_keeps_the_statements() -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                                                      "Principal": {"AWS": {"Fn::Join": ["", ["arn:", "x"]]}}}]}
    template = _template(Key={"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": policy}})
    transforms.kms_key_policy_as_string(STACK, template, LIMITS)
    joined = template["Resources"]["Key"]["Properties"]["KeyPolicy"]["Fn::Join"]
    text = "".join(p if isinstance(p, str) else "ARN" for p in joined[1])
    assert json.loads(text)["Statement"][0]["Principal"] == {"AWS": "ARN"}
    assert json_string_with_intrinsics({"a": [1, True]}) == '{"a":[1,true]}'


def test_ssm_parameter_tag_shape() -> None:
    template = _template(P={"Type": "AWS::SSM::Parameter", "Properties": {"Tags": {"a": "b"}}})
    transforms.ssm_parameter_tag_shape(STACK, template, LIMITS)
    assert template["Resources"]["P"]["Properties"]["Tags"] == [{"Key": "a", "Value": "b"}]


def test_adapt_template_copies_and_leaves_the_original_alone() -> None:
    original = _template(Ce={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"Type": "managed",
                                                                                     "ServiceRole": "r"}})
    adapted, changes = adapter.adapt_template(STACK, original)
    assert original["Resources"]["Ce"]["Properties"]["Type"] == "managed"
    assert adapted["Resources"]["Ce"]["Properties"]["Type"] == "MANAGED"
    assert [c.transformation for c in changes] == ["uppercase_batch_compute_environment_type"]


def test_adapt_assembly_rehashes_the_template_asset(tmp_path: Path) -> None:
    source = tmp_path / "cdk.out"
    source.mkdir()
    template: dict[str, Any] = {"Rules": {"CheckBootstrapVersion": {}}, "Resources": {}}
    (source / "st.template.json").write_text(json.dumps(template))
    old = "a" * 64
    (source / "st.assets.json").write_text(json.dumps({"version": "55.0.0", "files": {old: {
        "source": {"path": "st.template.json", "packaging": "file"},
        "destinations": {"d": {"objectKey": f"{old}.json"}}}}, "dockerImages": {"img": {}}}))
    (source / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": {
        "st.assets": {"type": "cdk:asset-manifest", "properties": {"file": "st.assets.json"}},
        "st": {"type": "aws:cloudformation:stack", "properties": {
            "templateFile": "st.template.json", "stackTemplateAssetObjectUrl": f"s3://b/{old}.json"}}}}))
    result = adapter.adapt_assembly(source, tmp_path / "cdk.out.local")
    manifest = json.loads((tmp_path / "cdk.out.local" / "manifest.json").read_text())
    assets = json.loads((tmp_path / "cdk.out.local" / "st.assets.json").read_text())
    (new,) = assets["files"]
    assert new != old and assets["files"][new]["destinations"]["d"]["objectKey"] == f"{new}.json"
    assert manifest["artifacts"]["st"]["properties"]["stackTemplateAssetObjectUrl"] == f"s3://b/{new}.json"
    assert assets["dockerImages"] == {}
    assert "Rules" not in json.loads((tmp_path / "cdk.out.local" / "st.template.json").read_text())
    assert json.loads((source / "st.template.json").read_text()) == template  # the real assembly is untouched
    assert {c.transformation for c in result.changes} == {"strip_bootstrap_version_rule", "drop_docker_image_assets"}


def test_add_batch_service_role_replaces_the_service_linked_role() -> None:
    linked = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"},
                                ":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"]]}
    template = _template(Ce={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"ServiceRole": linked}})
    changes = transforms.add_batch_service_role(STACK, template, LIMITS)
    assert template["Resources"]["Ce"]["Properties"]["ServiceRole"] == {
        "Fn::GetAtt": [transforms.LOCAL_BATCH_SERVICE_ROLE, "Arn"]}
    assert {c.target for c in changes} == {transforms.LOCAL_BATCH_SERVICE_ROLE, "Ce"}


def test_batch_multinode_container_properties_copied_from_first_node_range() -> None:
    container = {"Image": "img", "Command": ["train"]}
    ranges = [{"TargetNodes": "0:", "Container": container}]
    template = _template(Jd={"Type": "AWS::Batch::JobDefinition", "Properties": {
        "Type": "multinode", "NodeProperties": {"NodeRangeProperties": ranges}}},
        Single={"Type": "AWS::Batch::JobDefinition", "Properties": {"ContainerProperties": {"Image": "x"}}})
    changes = transforms.batch_multinode_container_properties(STACK, template, LIMITS)
    assert template["Resources"]["Jd"]["Properties"]["ContainerProperties"] == container
    assert template["Resources"]["Single"]["Properties"]["ContainerProperties"] == {"Image": "x"}
    assert [c.target for c in changes] == ["Jd"]


def test_batch_security_groups_from_launch_template() -> None:
    groups = [{"Fn::GetAtt": ["Sg", "GroupId"]}]
    template = _template(
        Lt={"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
            "NetworkInterfaces": [{"DeviceIndex": 0, "InterfaceType": "efa", "Groups": groups}]}}},
        Efa={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"ComputeResources": {
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}}}}},
        Own={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"ComputeResources": {
            "SecurityGroupIds": ["sg-1"], "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}}}}},
        NoTemplate={"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"ComputeResources": {}}})
    changes = transforms.batch_security_groups_from_launch_template(STACK, template, LIMITS)
    resources = template["Resources"]
    assert resources["Efa"]["Properties"]["ComputeResources"]["SecurityGroupIds"] == groups
    assert resources["Own"]["Properties"]["ComputeResources"]["SecurityGroupIds"] == ["sg-1"]
    assert "SecurityGroupIds" not in resources["NoTemplate"]["Properties"]["ComputeResources"]
    assert [c.target for c in changes] == ["Efa"]


def test_every_transformation_has_a_reason_and_a_readme_row() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**What the adapter changes"):]
    names = [t.name for t in adapter.TRANSFORMATIONS]
    assert len(set(names)) == len(names)
    for transformation in adapter.TRANSFORMATIONS:
        assert len(transformation.reason) > 20, transformation.name
        assert f"`{transformation.name}`" in section, transformation.name


def test_no_transformation_stands_in_for_a_missing_model() -> None:
    """Types the emulator did not know get models now: no transformation rewrites reads of unknown types."""
    assert "placeholder_unknown_getatts" not in {t.name for t in adapter.TRANSFORMATIONS}
    template = _template(
        Domain={"Type": "AWS::CodeArtifact::Domain", "Properties": {"DomainName": "d"}},
        Param={"Type": "AWS::SSM::Parameter", "Properties": {"Value": {"Fn::GetAtt": ["Domain", "Name"]}}})
    adapted, changes = adapter.adapt_template(STACK, template)
    assert adapted["Resources"] == template["Resources"] and changes == []
