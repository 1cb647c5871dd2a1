"""What a project needs published before it deploys, and the prerequisites app written for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from platform_constructs.local.prerequisites import IMAGES_STACK, NETWORK_STACK, needed, write_prerequisites_app
from platform_constructs.policy import load_policy


def _assembly(tmp_path: Path, **templates: dict[str, Any]) -> Path:
    for name, template in templates.items():
        (tmp_path / f"{name}.template.json").write_text(json.dumps(template))
    return tmp_path


def _reads(*names: str) -> dict[str, Any]:
    parameters = {f"P{i}": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": n} for i, n in enumerate(names)}
    return {"Parameters": parameters, "Resources": {}}


def test_a_project_reading_the_network_needs_it(tmp_path: Path) -> None:
    need = needed(_assembly(tmp_path, churn=_reads("/platform/network/vpc-id")), load_policy())
    assert (need.network, need.images, need.other, bool(need)) == (True, False, (), True)


def test_golden_images_read_through_ssm_are_needed_too(tmp_path: Path) -> None:
    template = _reads("/platform/network/vpc-id", "/team/other")
    template["Resources"]["Model"] = {"Type": "AWS::SageMaker::Model", "Properties": {"PrimaryContainer": {
        "Image": "{{resolve:ssm:/platform/images/default/inference}}"}}}
    need = needed(_assembly(tmp_path, churn=template), load_policy())
    assert (need.network, need.images, need.other) == (True, True, ("/team/other",))


def test_an_app_that_publishes_its_network_needs_nothing(tmp_path: Path) -> None:
    network = {"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.40.0.0/16"}},
        "VpcId": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/platform/network/vpc-id", "Value": "v"}}},
        "Metadata": {"platform:constructs": [{"path": "net/Network", "construct": "PlatformNetwork",
                                              "resources": ["Vpc", "VpcId"]}]}}
    need = needed(_assembly(tmp_path, net=network, churn=_reads("/platform/network/vpc-id")), load_policy())
    assert not need


def test_parameters_another_stack_of_the_app_publishes_are_no_prerequisite(tmp_path: Path) -> None:
    images = {"Resources": {"Default": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/platform/images/default/inference", "Value": "x"}}}}
    churn = {"Resources": {"M": {"Type": "X", "Properties": {
        "Image": "{{resolve:ssm:/platform/images/default/inference}}"}}}}
    assert not needed(_assembly(tmp_path, images=images, churn=churn), load_policy())


def test_the_prerequisites_app_builds_the_network_and_images_with_the_projects_context(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    image = {"Resources": {"M": {"Type": "X", "Properties": {
        "Image": "{{resolve:ssm:/platform/images/default/inference}}"}}}}
    need = needed(_assembly(out, churn=image), load_policy())
    app = write_prerequisites_app(tmp_path / "pre", need, context={"@aws-cdk/aws-iam:minimizePolicies": True})
    source = (app / "app.py").read_text()
    compile(source, "app.py", "exec")
    assert f'Stack(app, "{NETWORK_STACK}"' in source and f'"{IMAGES_STACK}"' in source and "if True:" in source
    config = json.loads((app / "cdk.json").read_text())
    assert config["context"] == {"@aws-cdk/aws-iam:minimizePolicies": True} and config["app"].endswith("app.py")
