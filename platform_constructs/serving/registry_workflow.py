"""The model registry's approval workflow: a Step Functions state machine, written here as Amazon States Language.

Pure (no ``aws_cdk``): :func:`approval_workflow` returns the definition as JSON, with ``${Partition}``,
``${Region}`` and ``${Account}`` for the state machine's ``DefinitionSubstitutions``.

On every approval-state change of a package in one of the registry's groups (EventBridge, ``SageMaker Model Package
State Change``: the detail names the ``ModelPackageGroupName``; EventBridge user guide, SageMaker events) it:

1. lists the group's latest Approved package (``ListModelPackages``: ``ModelApprovalStatus=Approved``, newest first,
   one), so a rejection of the approved version falls back to the previous one; none left fails (``NoApprovedPackage``)
   and changes nothing;
2. describes it and checks the artifact contract on what the package states: one container, its ``ModelDataUrl`` a
   ``model.tar.gz`` (``s3://*.tar.gz``: no bare pickle) with none of the characters IAM reads as a wildcard or a
   policy variable (``*``, ``?``, ``$``: an endpoint's execution role may read exactly the object the URL names,
   :mod:`.packages`), its image under an approved registry, and the policy's required metadata in
   ``CustomerMetadataProperties`` with a supported ``framework``; a package that breaks it fails
   (``ArtifactContract``) and changes nothing;
3. writes the package ARN and its ``ModelDataUrl`` to the group's two SSM parameters
   (:func:`~.registry_settings.approved_parameters`), which endpoints resolve at deploy time;
4. announces it on the default event bus (``platform-constructs.model-registry`` / ``Approved Model Package
   Published``), the event a redeploy is wired to (``ModelRegistry.published_rule``): it comes after the parameters
   are written, so the deploy it starts reads the new package.

The AWS SDK integrations (``arn:aws:states:::aws-sdk:<service>:<action>``) and the optimized EventBridge one
(``arn:aws:states:::events:putEvents``) need no code (Step Functions developer guide, "AWS SDK integrations").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from platform_constructs.serving.registry_settings import MODEL_DATA_PARAMETER, PACKAGE_ARN_PARAMETER

EVENT_SOURCE = "platform-constructs.model-registry"
PUBLISHED = "Approved Model Package Published"
"""The ``detail-type`` of the workflow's announcement."""
FRAMEWORKS = ("pytorch", "tensorflow", "sklearn")
"""Frameworks of the artifact contract (``platform-check artifact``: ``cli/artifact.py``)."""
ARTIFACT_PATTERN = "s3://*.tar.gz"
IAM_SPECIAL = "*?$"
"""Characters IAM reads in a policy's resource ARN as wildcards (``*``, ``?``) or the start of a policy variable
(``$``): a published ``ModelDataUrl`` has none of them, so the object ARN an endpoint builds from it names one object
(IAM user guide, "IAM JSON policy elements: Resource" and "Policy variables")."""
_CONTAINER = "$.package.container"
_METADATA = "$.package.description.CustomerMetadataProperties"


def approved_image_patterns(approved_registries: Sequence[str]) -> list[str]:
    """``StringMatches`` patterns of the policy's approved registry prefixes, with ``{account}`` / ``{region}`` as
    the state machine's own account and region."""
    return [prefix.replace("{account}", "${Account}").replace("{region}", "${Region}") + "*"
            for prefix in approved_registries]


def approval_workflow(*, ssm_prefix: str, image_patterns: Sequence[str], metadata_fields: Sequence[str]) -> str:
    """The state machine's definition (Amazon States Language, JSON)."""
    metadata = _METADATA
    contract: list[dict[str, Any]] = [
        {"Variable": "$.package.containers", "NumericEquals": 1},
        {"Variable": f"{_CONTAINER}.ModelDataUrl", "IsPresent": True},
        {"Variable": f"{_CONTAINER}.ModelDataUrl", "StringMatches": ARTIFACT_PATTERN},
        {"Or": [{"Variable": f"{_CONTAINER}.Image", "StringMatches": p} for p in image_patterns]},
        {"Variable": f"{metadata}.framework", "IsPresent": True},
        {"Or": [{"Variable": f"{metadata}.framework", "StringEquals": f} for f in FRAMEWORKS]},
        *({"Variable": f"{metadata}.{field}", "IsPresent": True} for field in metadata_fields if field != "framework"),
    ]
    states: dict[str, Any] = {
        "LatestApproved": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:listModelPackages",
            "Parameters": {"ModelPackageGroupName.$": "$.detail.ModelPackageGroupName",
                           "ModelApprovalStatus": "Approved", "SortBy": "CreationTime", "SortOrder": "Descending",
                           "MaxResults": 1},
            "ResultSelector": {"arns.$": "$.ModelPackageSummaryList[*].ModelPackageArn",
                               "count.$": "States.ArrayLength($.ModelPackageSummaryList)"},
            "ResultPath": "$.latest", "Next": "AnyApproved"},
        "AnyApproved": {"Type": "Choice", "Default": "NoApprovedPackage", "Choices": [
            {"Variable": "$.latest.count", "NumericGreaterThan": 0, "Next": "DescribePackage"}]},
        "NoApprovedPackage": {"Type": "Fail", "Error": "NoApprovedPackage",
                              "Cause": "the group has no Approved package: the published one stays"},
        "DescribePackage": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeModelPackage",
            "Parameters": {"ModelPackageName.$": "States.ArrayGetItem($.latest.arns, 0)"},
            "ResultSelector": {
                "description.$": "$", "containers.$": "States.ArrayLength($.InferenceSpecification.Containers)",
                "container.$": "States.ArrayGetItem($.InferenceSpecification.Containers, 0)"},
            "ResultPath": "$.package", "Next": "ArtifactContract"},
        "ArtifactContract": {"Type": "Choice", "Default": "ContractBroken", "Choices": [
            {"And": contract, "Next": "ArtifactObject"}]},
        # the URL split at every IAM special character: one part when it has none (States.StringSplit splits at
        # each character of its second argument and drops empty parts; the URL starts with s3:// and ends .tar.gz)
        "ArtifactObject": {"Type": "Pass", "Parameters": {
            "parts.$": f"States.ArrayLength(States.StringSplit({_CONTAINER}.ModelDataUrl, '{IAM_SPECIAL}'))"},
            "ResultPath": "$.artifact", "Next": "OneObject"},
        "OneObject": {"Type": "Choice", "Default": "ContractBroken", "Choices": [
            {"Variable": "$.artifact.parts", "NumericEquals": 1, "Next": "PublishPackage"}]},
        "ContractBroken": {"Type": "Fail", "Error": "ArtifactContract", "Cause": (
            "the latest Approved package breaks the artifact contract (one container; ModelDataUrl a model.tar.gz "
            f"without any of {' '.join(IAM_SPECIAL)}; "
            "an image of an approved registry; CustomerMetadataProperties with framework one of "
            f"{', '.join(FRAMEWORKS)} and {', '.join(f for f in metadata_fields if f != 'framework')}): not "
            "published")},
        "PublishPackage": _put_parameter(ssm_prefix, PACKAGE_ARN_PARAMETER, "$.package.description.ModelPackageArn",
                                         "PublishModelData"),
        "PublishModelData": _put_parameter(ssm_prefix, MODEL_DATA_PARAMETER, f"{_CONTAINER}.ModelDataUrl", "Announce"),
        "Announce": {
            "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {"Entries": [{"Source": EVENT_SOURCE, "DetailType": PUBLISHED, "Detail": {
                "ModelPackageGroupName.$": "$.detail.ModelPackageGroupName",
                "ModelPackageArn.$": "$.package.description.ModelPackageArn",
                "ModelDataUrl.$": f"{_CONTAINER}.ModelDataUrl"}}]},
            "ResultPath": None, "OutputPath": "$.latest", "End": True},
    }
    return json.dumps({"Comment": "Publish the latest Approved model package of a group for deploys",
                       "StartAt": "LatestApproved", "States": states}, separators=(",", ":"))


def _put_parameter(ssm_prefix: str, name: str, value: str, next_state: str) -> dict[str, Any]:
    """Write ``value`` to ``<ssm_prefix>/<the event's group>/<name>``."""
    parameter = f"States.Format('{ssm_prefix}/{{}}/{name}', $.detail.ModelPackageGroupName)"
    return {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:putParameter",
            "Parameters": {"Name.$": parameter, "Value.$": value, "Type": "String", "Overwrite": True},
            "ResultPath": None, "Next": next_state}
