"""Which approved image serves a variant (``serving/frameworks.py``): a framework's image for the instance type's
processor kind, and the framework registries the policy approves. Pure."""

from __future__ import annotations

import pytest

from platform_constructs.policy import load_policy
from platform_constructs.serving import frameworks

POLICY = load_policy()


@pytest.mark.parametrize(("instance_type", "kind"), [
    ("ml.m5.xlarge", "cpu"), ("ml.c5.xlarge", "cpu"), ("ml.t2.medium", "cpu"), ("ml.g4dn.xlarge", "gpu"),
    ("ml.g5.xlarge", "gpu"), ("ml.p4d.24xlarge", "gpu"), (None, "cpu"), ("ml.unknown", "cpu")])
def test_the_processor_kind_comes_from_the_catalog(instance_type: str | None, kind: str) -> None:
    assert frameworks.processor_kind(instance_type) == kind


def test_each_framework_has_its_kinds_image_from_its_registry_family() -> None:
    assert "pytorch-inference" in str(frameworks.framework_image(POLICY, "pytorch", "cpu"))
    assert "-gpu-" in str(frameworks.framework_image(POLICY, "pytorch", "gpu"))
    assert frameworks.framework_image(POLICY, "sklearn", "gpu") is None
    assert frameworks.framework_image(POLICY, "onnx", "cpu") is None
    assert frameworks.registry_family(POLICY, "xgboost") == "sagemaker"
    template = str(frameworks.framework_image(POLICY, "sklearn", "cpu"))
    assert frameworks.needs_framework_account(template)
    assert frameworks.render(template, framework_account="683313688378").startswith("683313688378.dkr.ecr.{region}.")


@pytest.mark.parametrize(("image", "approved"), [
    ("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", True),
    ("141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1", True),
    ("683313688378.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1", False),  # us-east-1's account
    ("111122223333.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", False),
    ("docker.io/library/python:3.11", False), ("not an image", False)])
def test_a_framework_registry_is_an_account_of_the_policy_in_the_images_own_region(image: str,
                                                                                    approved: bool) -> None:
    assert frameworks.in_framework_registry(image, POLICY) is approved
