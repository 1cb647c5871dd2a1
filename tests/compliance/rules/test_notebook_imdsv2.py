"""PLAT-SM6 over bare AWS::SageMaker::NotebookInstance resources."""

from __future__ import annotations

from typing import Any

from platform_constructs.compliance.rules.base import evaluate
from platform_constructs.compliance.rules.notebook_imdsv2 import RULE


def notebook(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {
        "InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::123456789012:role/notebook", **properties}}


def test_imdsv2_only_passes() -> None:
    assert evaluate(RULE, notebook(InstanceMetadataServiceConfiguration={
        "MinimumInstanceMetadataServiceVersion": "2"})) == []
    assert evaluate(RULE, notebook(InstanceMetadataServiceConfiguration={
        "MinimumInstanceMetadataServiceVersion": 2})) == []


def test_the_default_and_version_1_are_reported() -> None:
    absent = evaluate(RULE, notebook())
    assert [v.location for v in absent] == [
        "Properties.InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion"]
    assert "absent" in absent[0].message
    found = evaluate(RULE, notebook(InstanceMetadataServiceConfiguration={
        "MinimumInstanceMetadataServiceVersion": "1"}))
    assert len(found) == 1 and "'1'" in found[0].message


def test_a_computed_version_is_unverifiable() -> None:
    for config in ({"MinimumInstanceMetadataServiceVersion": {"Ref": "Imds"}}, {"Fn::If": ["C", {}, {}]}):
        found = evaluate(RULE, notebook(InstanceMetadataServiceConfiguration=config))
        assert len(found) == 1 and "cannot be verified" in found[0].message
