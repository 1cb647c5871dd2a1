"""The emulator's SageMaker endpoint model updates as SageMaker does: an update that changes the instance type of,
or removes, a variant registered with Application Auto Scaling fails; a new endpoint name is a replacement.
Against moto's real backends, each test in an account of its own (nothing to reset)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import sagemaker_backends

from platform_constructs.local.models import autoscaling, sagemaker

REGION = "us-east-1"
_accounts = itertools.count(310000000000)


@pytest.fixture
def account() -> str:
    return str(next(_accounts))


def _config(account: str, name: str, variants: dict[str, str]) -> str:
    backend = sagemaker_backends[account][REGION]
    backend.create_model(f"{name}-model", f"arn:aws:iam::{account}:role/r", {"Image": "i"}, None, None, None)
    backend.create_endpoint_config(name, [
        {"VariantName": v, "ModelName": f"{name}-model", "InitialInstanceCount": 1, "InstanceType": itype}
        for v, itype in variants.items()], {}, {}, [], "")
    return name


def _endpoint_json(endpoint: str, config: str) -> dict[str, Any]:
    return {"Properties": {"EndpointName": endpoint, "EndpointConfigName": config}}


def _register(account: str, endpoint: str, variant: str) -> None:
    autoscaling.ScalableTarget.create_from_cloudformation_json("t", {"Properties": {
        "ServiceNamespace": "sagemaker", "ResourceId": f"endpoint/{endpoint}/variant/{variant}",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "MinCapacity": 1, "MaxCapacity": 2}},
        account, REGION)


def _deploy(account: str, variants: dict[str, str], *, registered: tuple[str, ...] = ("Primary",)) -> Any:
    config = _config(account, "v1", variants)
    endpoint = sagemaker.SageMakerEndpoint.create_from_cloudformation_json("E", _endpoint_json("ep", config),
                                                                          account, REGION)
    for variant in registered:
        _register(account, "ep", variant)
    return endpoint


def test_changing_an_autoscaled_variants_instance_type_fails_as_on_sagemaker(account: str) -> None:
    endpoint = _deploy(account, {"Primary": "ml.m5.xlarge"})
    config = _config(account, "v2", {"Primary": "ml.c5.xlarge"})
    with pytest.raises(ValidationError, match=r"Endpoint ep: the update would change the instance type of \(or "
                                              r"remove\) variants that are targets for auto scaling \(Primary: "
                                              r"ml.m5.xlarge -> ml.c5.xlarge\)\. Deregister them"):
        sagemaker.SageMakerEndpoint.update_from_cloudformation_json(endpoint, "E", _endpoint_json("ep", config),
                                                                    account, REGION)
    described = sagemaker_backends[account][REGION].describe_endpoint("ep")
    assert described["EndpointConfigName"] == "v1"  # the endpoint stays as it was


def test_removing_an_autoscaled_variant_fails_too(account: str) -> None:
    endpoint = _deploy(account, {"Primary": "ml.m5.xlarge", "B": "ml.m5.xlarge"}, registered=("Primary", "B"))
    config = _config(account, "v2", {"Primary": "ml.m5.xlarge"})
    with pytest.raises(ValidationError, match=r"\(B: ml.m5.xlarge -> removed\)"):
        sagemaker.SageMakerEndpoint.update_from_cloudformation_json(endpoint, "E", _endpoint_json("ep", config),
                                                                    account, REGION)


@pytest.mark.parametrize(("variants", "registered"), [
    ({"Primary": "ml.m5.xlarge"}, ("Primary",)),   # a new model on the same instance type: SageMaker's exception
    ({"Primary": "ml.c5.xlarge"}, ()),             # not autoscaled: any change updates
])
def test_other_updates_of_the_same_endpoint_succeed(account: str, variants: dict[str, str],
                                                     registered: tuple[str, ...]) -> None:
    endpoint = _deploy(account, {"Primary": "ml.m5.xlarge"}, registered=registered)
    config = _config(account, "v2", variants)
    updated = sagemaker.SageMakerEndpoint.update_from_cloudformation_json(endpoint, "E", _endpoint_json("ep", config),
                                                                          account, REGION)
    assert sagemaker_backends[account][REGION].describe_endpoint("ep")["EndpointConfigName"] == "v2"
    assert sagemaker.config_instance_types(account, REGION, "v2") == variants
    assert updated.endpoint_name == "ep"


def test_a_new_endpoint_name_is_a_replacement_beside_the_registration(account: str) -> None:
    endpoint = _deploy(account, {"Primary": "ml.m5.xlarge"})
    config = _config(account, "v2", {"Primary": "ml.c5.xlarge"})
    replaced = sagemaker.SageMakerEndpoint.update_from_cloudformation_json(
        endpoint, "E", _endpoint_json("ep-2", config), account, REGION)
    backend = sagemaker_backends[account][REGION]
    assert replaced.endpoint_name == "ep-2" and backend.describe_endpoint("ep-2")["EndpointConfigName"] == "v2"
    assert "ep" not in backend.endpoints
    _register(account, "ep-2", "Primary")  # the new endpoint's variant registers (the old one's target goes later)
