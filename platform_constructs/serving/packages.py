"""Endpoints from an approved model package: the package's model artifact, resolved at deploy time.

``SecureModelEndpoint(model_package=ApprovedModelPackage(group="churn"))`` (or a ``ModelVariant`` with one) serves
the latest Approved package of a model registry group. The registry's approval workflow (:mod:`.registry_workflow`)
checks the artifact contract on what the package states and publishes its ARN and ``ModelDataUrl`` to two SSM
parameters (:func:`~.registry_settings.approved_parameters`). The endpoint's stack reads them as SSM-typed template
parameters (``AWS::SSM::Parameter::Value<String>``), not as ``{{resolve:ssm:...}}`` dynamic references:

* CloudFormation "always fetches the latest values from Parameter Store when it updates stacks" for SSM parameter
  types (CloudFormation user guide, "Systems Manager parameter types"), and the CDK CLI never skips the deploy of a
  stack that has them ("some parameters come from SSM so we have to assume they may have changed": the CLI's
  ``canSkipDeploy``). A deploy after an approval serves the new package; a deploy without one changes nothing (the
  template and the values are the same), so the second deploy is clean.
* A dynamic reference in an unchanged template is not fetched again: CloudFormation sees no change ("if you update
  the parameter version in Systems Manager, you also perform a stack update operation ... to fetch the latest
  parameter version": CloudFormation user guide, "Get a plaintext value from Systems Manager Parameter Store";
  aws-cloudformation/cloudformation-coverage-roadmap#844) and the CLI skips the unchanged template. The local
  emulator's CloudFormation resolves SSM parameter types and no dynamic reference.

The model's ``ModelDataUrl`` is the published URL, and the execution role may read only that object: its ARN is
``arn:<partition>:s3:::`` and what follows ``s3://`` in the URL (:func:`object_arn`: ``Fn::Select``/``Fn::Split``),
one object; the workflow publishes only ``s3://...tar.gz`` URLs without a character IAM reads as a wildcard or a
policy variable (``*``, ``?``, ``$``).

Why ``ModelDataUrl`` and not ``Containers[].ModelPackageName`` (``CreateModel`` accepts a package ARN there):
SageMaker documents a model from another account's package as needing, beyond the bucket, key and repository access
any model needs, a group policy that lets the deploying account ``sagemaker:CreateModel`` and
``sagemaker:UpdateModelPackage`` on the group's packages, and a deploying role "that has access to SageMaker actions,
such as a role with the AmazonSageMakerFullAccess managed policy" (SageMaker developer guide, "Deploy a Model Version
from a Different Account"); and the model would run whatever image the package names, which the template — and with
it cdk-nag, our image rule and the runtime tables — could not see. With ``ModelDataUrl`` the model is an ordinary
network-isolated model of this account: it runs the endpoint's approved image, pinned by digest, its role reads one
object and needs no SageMaker permission at all.

The published package ARN is the stack output ``ModelPackageArn`` (``<Variant>ModelPackageArn`` for an additional
variant): which package the last deploy served.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Fn, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs.core import PlatformContext
from platform_constructs.serving.registry_settings import approved_parameters
from platform_constructs.serving.settings import EndpointSettings
from platform_constructs.serving.variants import PRIMARY_VARIANT

S3_SCHEME = "s3://"


def published(scope: Construct, group: str) -> tuple[str, str]:
    """(package ARN, ``ModelDataUrl``) of ``group``'s latest Approved package, as the deploy finds them published:
    SSM-typed parameters of ``scope``'s stack (CDK creates one per parameter name and stack)."""
    stack = Stack.of(scope)
    names = approved_parameters(PlatformContext.of(scope).policy, group)
    return (ssm.StringParameter.value_for_string_parameter(stack, names[0]),
            ssm.StringParameter.value_for_string_parameter(stack, names[1]))


def object_arn(scope: Construct, url: str) -> str:
    """The S3 object ARN of the ``s3://bucket/key`` URL ``url`` (a deploy-time value): ``arn:<partition>:s3:::``
    followed by what comes after ``s3://``. A value that is no ``s3://`` URL fails the deploy (``Fn::Select`` out of
    range); one with ``s3://`` twice names another object, which the model then cannot read: never more access."""
    return Fn.join("", [f"arn:{Stack.of(scope).partition}:s3:::", Fn.select(1, Fn.split(S3_SCHEME, url))])


def model_data_urls(scope: Construct, settings: EndpointSettings) -> dict[str, str]:
    """Variant name -> the ``ModelDataUrl`` its model serves: the literal ``model_data_url``, or the published URL
    of its ``model_package``."""
    urls: dict[str, str] = {}
    for variant in settings.variants:
        if variant.model_package is not None:
            urls[variant.name] = published(scope, variant.model_package.group)[1]
        else:
            assert variant.model_data_url is not None  # exactly one of the two: endpoint_settings checked
            urls[variant.name] = variant.model_data_url
    return urls


def artifact_arns(scope: Construct, settings: EndpointSettings) -> tuple[list[str], list[str]]:
    """(the artifact objects named at synth, the published artifacts of the variants' packages) as S3 object ARNs:
    everything the execution role may read of the models."""
    partition = Stack.of(scope).partition
    literal = [f"arn:{partition}:s3:::{obj}" for obj in settings.model_artifacts]
    return literal, [object_arn(scope, published(scope, group)[1]) for group in settings.model_packages]


def package_outputs(scope: Construct, settings: EndpointSettings) -> None:
    """``ModelPackageArn`` (``<Variant>ModelPackageArn``): the package each package variant served when deployed."""
    for variant in settings.variants:
        if variant.model_package is None:
            continue
        group = variant.model_package.group
        CfnOutput(scope, "ModelPackageArn" if variant.name == PRIMARY_VARIANT else f"{variant.name}ModelPackageArn",
                  value=published(scope, group)[0],
                  description=f"Model package variant {variant.name} serves (group {group}'s latest Approved when "
                              "the stack was deployed)")
