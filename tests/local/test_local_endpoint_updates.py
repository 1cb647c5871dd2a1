"""The seed's endpoint survives its second deploy, in the emulator with the real CDK CLI (issue 15).

* The seed stack deployed, ``instance_type`` changed, deployed again: a new endpoint (its generation changed)
  replaces the old one and its variant's scalable target, and the update succeeds.
* The same two deploys with the safety removed (the generation cut out of every name, i.e. a fixed endpoint name as
  before) fail as SageMaker fails them: the emulator's SageMaker model refuses an update that changes the instance
  type of a variant registered with Application Auto Scaling.
* In prod (retained key and buckets), the stack deleted and deployed again: the second create succeeds, because
  nothing retained has a fixed name and the fixed-name log group went with its endpoint.

These stacks go into the session's emulator (``conftest.py``: its platform network is there) under names of their
own. The seed's code is the ten lines of ``ds_templates/endpoint.py`` with the instance type as a parameter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from constructs import Construct
from local_deployment import Deployment

from platform_constructs import DataQualityMonitoring, SecureModelEndpoint
from platform_constructs.local.deploy import LocalDeployError
from platform_constructs.testing import SynthResult, new_app, synthesize

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]


class SeedStack(Stack):
    """The seed's stack (``ds_templates/endpoint.py``), its instance type a parameter."""

    def __init__(self, scope: Construct, id: str, *, instance_type: str, monitored: bool = False) -> None:
        super().__init__(scope, id)
        SecureModelEndpoint(self, "RecommendationModel",
                            model_data_url="s3://my-bucket/models/rec-model.tar.gz",
                            instance_type=instance_type,
                            cost_center="product-recommendations",
                            monitoring=DataQualityMonitoring(baseline_dataset="s3://my-bucket/datasets/train.csv")
                            if monitored else None)


def _synth(tmp: Path, stack: str, instance_type: str, env: str = "dev") -> SynthResult:
    app = new_app({"env": env}, outdir=tmp / f"{stack}-{instance_type}")
    SeedStack(app, stack, instance_type=instance_type, monitored=env == "prod")  # prod requires monitoring
    return synthesize(app)


def _deploy(deployment: Deployment, synth: SynthResult, tmp: Path) -> None:
    result = deployment.target.deploy_assembly(synth.outdir, run_platform_check=False,
                                               local_dir=Path(f"{synth.outdir}.local"))
    failed = [str(c) for s in result.stacks for c in s.failed]
    assert not failed, "\n".join(failed)


def _endpoint_name(synth: SynthResult, stack: str) -> str:
    (endpoint,) = (r for r in synth.template(stack)["Resources"].values() if r["Type"] == "AWS::SageMaker::Endpoint")
    name = endpoint["Properties"]["EndpointName"]
    assert isinstance(name, str)
    return name


def _registered(deployment: Deployment, endpoint: str) -> list[dict[str, Any]]:
    scaling = deployment.target.emulator.client("application-autoscaling")
    return list(scaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[
        f"endpoint/{endpoint}/variant/Primary"])["ScalableTargets"])


def _instance_type(deployment: Deployment, endpoint: str) -> str:
    sm = deployment.target.emulator.client("sagemaker")
    config = sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    return str(sm.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["InstanceType"])


def test_changing_the_instance_type_deploys_a_new_endpoint_and_succeeds(local_deployment: Deployment,
                                                                        tmp_path: Path) -> None:
    stack = "endpoint-update-safe"
    first, second = _synth(tmp_path, stack, "ml.g4dn.xlarge"), _synth(tmp_path, stack, "ml.m5.xlarge")
    old, new = _endpoint_name(first, stack), _endpoint_name(second, stack)
    assert old != new and re.fullmatch(rf"{stack}-RecommendationModel-[0-9a-f]{{8}}", new)
    _deploy(local_deployment, first, tmp_path)
    assert _instance_type(local_deployment, old) == "ml.g4dn.xlarge" and _registered(local_deployment, old)
    _deploy(local_deployment, second, tmp_path)
    em = local_deployment.target.emulator
    assert em.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == \
        "UPDATE_COMPLETE"
    assert _instance_type(local_deployment, new) == "ml.m5.xlarge"
    assert em.client("sagemaker").describe_endpoint(EndpointName=new)["EndpointStatus"] == "InService"
    assert [e["EndpointName"] for e in em.client("sagemaker").list_endpoints(NameContains=stack)["Endpoints"]] == [
        new]  # the old endpoint is gone
    (target,) = _registered(local_deployment, new)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 2)
    assert _registered(local_deployment, old) == []  # its registration went with it
    parameter = em.client("ssm").get_parameter(Name=f"/platform/endpoints/{stack}-RecommendationModel")
    assert parameter["Parameter"]["Value"] == new  # the stable name finds the current endpoint


def _without_the_safety(synth: SynthResult, stack: str) -> str:
    """Cut the generation out of every name in the synthesized template (a fixed endpoint name, as before)."""
    path = synth.template_path(stack)
    physical = _endpoint_name(synth, stack)
    fixed = physical.rsplit("-", 1)[0]
    path.write_text(path.read_text(encoding="utf-8").replace(physical, fixed), encoding="utf-8")
    assert physical not in json.dumps(json.loads(path.read_text(encoding="utf-8")))
    return fixed


def test_without_the_safety_the_same_change_fails_as_on_sagemaker(local_deployment: Deployment,
                                                                  tmp_path: Path) -> None:
    stack = "endpoint-update-fixed"
    first, second = _synth(tmp_path, stack, "ml.g4dn.xlarge"), _synth(tmp_path, stack, "ml.m5.xlarge")
    name = _without_the_safety(first, stack)
    assert _without_the_safety(second, stack) == name
    _deploy(local_deployment, first, tmp_path)
    assert _registered(local_deployment, name)
    with pytest.raises(LocalDeployError, match=r"(?s)cdk deploy failed.*Endpoint endpoint-update-fixed-"
                                               r"RecommendationModel: the update would change the instance type"):
        _deploy(local_deployment, second, tmp_path)
    sm = local_deployment.target.emulator.client("sagemaker")
    assert sm.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService"  # the endpoint stays
    assert _registered(local_deployment, name)


def test_in_prod_a_create_after_deleting_the_stack_succeeds(local_deployment: Deployment, tmp_path: Path) -> None:
    stack = "endpoint-recreate"
    synth = _synth(tmp_path, stack, "ml.g4dn.xlarge", env="prod")
    retained = {lid for lid, r in synth.template(stack)["Resources"].items() if r.get("DeletionPolicy") == "Retain"}
    assert {r.rstrip("0123456789ABCDEF") for r in retained} >= {  # the prod key and buckets stay behind
        "RecommendationModelKey", "RecommendationModelDataBucket", "PlatformAccessLogs"}
    _deploy(local_deployment, synth, tmp_path)
    cfn = local_deployment.target.emulator.client("cloudformation")
    stack_id = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack)
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    logs = local_deployment.target.emulator.client("logs")
    group = f"/aws/sagemaker/Endpoints/{_endpoint_name(synth, stack)}"
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []  # went with its endpoint
    _deploy(local_deployment, synth, tmp_path)
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
