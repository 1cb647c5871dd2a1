"""Apps and stacks the local-deploy tests deploy (test-only, not in the package).

* :func:`platform_app` — the example app (``app.py``) plus every construct mode of ``tests/snapshot_apps.py``
  plus :class:`ResolverStack` and :class:`MetaflowClientStack`, each depending on ``platform-network`` (whose SSM
  parameters they read at deploy time), so ``cdk deploy --all`` deploys the network first. Every resource type
  the library emits is in it.
* :class:`MetaflowClientStack` — a team's CI role with only a Batch construct's grants (for the Metaflow client
  test).
* :class:`ResolverStack` — a data-scientist-style stack that finds the platform network through the SSM
  parameters (``resolve_network``): a security group in the VPC, a KMS key, the subnet list as an output.
* :class:`PublishedPackageStack` — the two parameters the model registry's approval workflow publishes for the
  group the snapshot app's ``model_package`` endpoint serves, deployed before it (the workflow's own output).
* :func:`raw_app` — bare L1 SageMaker (``ml.g5`` endpoint, VPC + network isolation, KMS, data capture) and
  Batch (managed CE without service role, queue, job definition) stacks that exercise the template adapter.
  They live in their own app: they are not platform constructs, so the compliance gate does not apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import App, CfnOutput, CfnParameter, Fn, Stack, Tags
from aws_cdk import aws_batch as batch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_ssm as ssm
from constructs import Construct

import app as example
from platform_constructs import BatchComputeEnv, baseline
from platform_constructs.local.iam import ADMIN_USER
from platform_constructs.network import resolve_network
from platform_constructs.policy import load_policy
from platform_constructs.serving.registry_settings import approved_parameters
from platform_constructs.testing import new_app

RESOLVER_STACK = "local-test-resolver"
SAGEMAKER_STACK = "local-test-sagemaker"
BATCH_STACK = "local-test-batch"
TEST_TAGS = {"CostCenter": "local-deploy-tests", "Environment": "dev", "DataClassification": "internal",
             "ManagedBy": "platform-constructs", "Project": "ml-platform", "Owner": "ml-platform@example.com"}


class ResolverStack(Stack):
    """Resolves the network from SSM at deploy time; publishes what it resolved as outputs."""

    def __init__(self, scope: Construct, id: str, *, extra_output: str | None = None) -> None:
        super().__init__(scope, id)
        for key, value in TEST_TAGS.items():
            Tags.of(self).add(key, value)
        network = resolve_network(self, None)
        self.key = baseline.platform_key(self, "Key", description="local deploy test key")
        self.security_group = ec2.SecurityGroup(self, "WorkloadSecurityGroup", vpc=network.vpc,
                                                allow_all_outbound=False, description="local deploy test")
        CfnOutput(self, "SubnetIds", value=Fn.join(",", network.subnet_ids))
        CfnOutput(self, "VpcId", value=network.vpc.vpc_id)
        CfnOutput(self, "KeyArn", value=self.key.key_arn)
        if extra_output is not None:  # a second revision of the stack, to test update deploys
            CfnOutput(self, "Revision", value=extra_output)


PUBLISHED_PACKAGE_STACK = "local-test-published-package"


class PublishedPackageStack(Stack):
    """What the approval workflow publishes when a package of ``group`` is approved (its ARN and ``model.tar.gz``),
    as CloudFormation-owned parameters: it stands in for the workflow, as ``PublishedDefaultImages`` stands in for
    the golden-image builds."""

    def __init__(self, scope: Construct, id: str, *, group: str) -> None:
        super().__init__(scope, id)
        for key, value in TEST_TAGS.items():
            Tags.of(self).add(key, value)
        arn, url = approved_parameters(load_policy(), group)
        ssm.StringParameter(self, "PackageArn", parameter_name=arn, string_value=self.format_arn(
            service="sagemaker", resource="model-package", resource_name=f"{group}/1"))
        ssm.StringParameter(self, "ModelDataUrl", parameter_name=url,
                            string_value=f"s3://local-test-models/{group}/v1/model.tar.gz")


def _network_parameters(stack: Stack) -> tuple[CfnParameter, CfnParameter]:
    vpc = CfnParameter(stack, "VpcId", type="AWS::SSM::Parameter::Value<String>", default="/platform/network/vpc-id")
    subnets = CfnParameter(stack, "SubnetIds", type="AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>",
                           default="/platform/network/isolated-subnet-ids")
    return vpc, subnets


class RawSageMakerStack(Stack):
    """Model (VPC config, network isolation) + endpoint config (ml.g5, KMS, data capture) + endpoint."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        vpc_id, subnets = _network_parameters(self)
        sg = ec2.CfnSecurityGroup(self, "ModelSg", group_description="model", vpc_id=vpc_id.value_as_string)
        key = kms.CfnKey(self, "Key", enable_key_rotation=True, key_policy={
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                                                    "Principal": {"AWS": f"arn:aws:iam::{self.account}:root"}}]})
        role = iam.CfnRole(self, "Role", assume_role_policy_document={
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "sagemaker.amazonaws.com"}}]})
        model = sagemaker.CfnModel(
            self, "Model", execution_role_arn=role.attr_arn, enable_network_isolation=True,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=f"763104351884.dkr.ecr.{self.region}.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"),
            vpc_config=sagemaker.CfnModel.VpcConfigProperty(security_group_ids=[sg.attr_group_id],
                                                            subnets=subnets.value_as_list))
        config = sagemaker.CfnEndpointConfig(
            self, "Config", kms_key_id=key.attr_arn,
            production_variants=[sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name="primary", model_name=model.attr_model_name, initial_instance_count=1,
                instance_type="ml.g5.xlarge", initial_variant_weight=1.0)],
            data_capture_config=sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
                enable_capture=True, initial_sampling_percentage=100, destination_s3_uri="s3://capture-bucket/x",
                kms_key_id=key.attr_arn, capture_options=[
                    sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Input"),
                    sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Output")]))
        endpoint = sagemaker.CfnEndpoint(self, "Endpoint", endpoint_config_name=config.attr_endpoint_config_name)
        CfnOutput(self, "EndpointName", value=endpoint.attr_endpoint_name)


class RawBatchStack(Stack):
    """A managed EC2 compute environment as CDK's L2 writes it (``Type: managed``, no service role), a job
    queue referencing it by ``Fn::GetAtt``, a job definition, and outputs with ``Fn::GetAtt``."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        vpc_id, subnets = _network_parameters(self)
        sg = ec2.CfnSecurityGroup(self, "BatchSg", group_description="batch", vpc_id=vpc_id.value_as_string)
        instance_role = iam.CfnRole(self, "InstanceRole", assume_role_policy_document={
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "ec2.amazonaws.com"}}]})
        profile = iam.CfnInstanceProfile(self, "InstanceProfile", roles=[instance_role.ref])
        ce = batch.CfnComputeEnvironment(
            self, "ComputeEnvironment", type="managed", state="ENABLED",
            compute_resources=batch.CfnComputeEnvironment.ComputeResourcesProperty(
                type="EC2", minv_cpus=0, maxv_cpus=16, instance_types=["g5.xlarge", "p3.2xlarge"],
                subnets=subnets.value_as_list, security_group_ids=[sg.attr_group_id],
                instance_role=profile.attr_arn))
        queue = batch.CfnJobQueue(self, "Queue", priority=1, state="ENABLED", compute_environment_order=[
            batch.CfnJobQueue.ComputeEnvironmentOrderProperty(
                order=1, compute_environment=ce.attr_compute_environment_arn)])
        job = batch.CfnJobDefinition(self, "JobDefinition", type="container",
                                     container_properties=batch.CfnJobDefinition.ContainerPropertiesProperty(
                                         image="public.ecr.aws/docker/library/busybox:latest",
                                         resource_requirements=[
                                             batch.CfnJobDefinition.ResourceRequirementProperty(type="VCPU", value="1"),
                                             batch.CfnJobDefinition.ResourceRequirementProperty(
                                                 type="MEMORY", value="1024")],
                                         command=["echo", "hello"]))
        CfnOutput(self, "ComputeEnvironmentArn", value=ce.attr_compute_environment_arn)
        CfnOutput(self, "JobQueueArn", value=queue.attr_job_queue_arn)
        CfnOutput(self, "JobDefinitionArn", value=job.ref)


def raw_app(outdir: str) -> App:
    """An app (no platform constructs, hence no compliance gate) with the raw SageMaker and Batch stacks."""
    app = App(outdir=outdir)
    RawSageMakerStack(app, SAGEMAKER_STACK)
    RawBatchStack(app, BATCH_STACK)
    return app


NETWORK_STACK = "platform-network"
METAFLOW_CLIENT_STACK = "local-test-metaflow-client"
"""A team's CI stack: the role that runs Metaflow flows on ``recs-batch``, with only the Batch construct's grants."""


class MetaflowClientStack(Stack):
    """An IAM role the deploying identity may assume, granted ``grant_submit``, ``grant_deploy_step_functions`` and
    ``grant_read_write_datastore`` of a Batch construct in another stack, and nothing else. The trust policy
    names the emulator's admin user, not the account: moto matches a trust policy's principal against the
    caller's ARN only, so an account-root principal matches nobody (``local/runtime/limits.py``)."""

    def __init__(self, scope: Construct, id: str, *, compute: BatchComputeEnv) -> None:
        super().__init__(scope, id)
        for key, value in {**TEST_TAGS, "CostCenter": "recs"}.items():
            Tags.of(self).add(key, value)
        deployer = iam.ArnPrincipal(f"arn:{self.partition}:iam::{self.account}:user/{ADMIN_USER}")
        self.role = baseline.platform_role(self, "FlowRunner", assumed_by=deployer,
                                           description="Runs Metaflow flows on the team's Batch compute")
        compute.grant_submit(self.role)
        compute.grant_deploy_step_functions(self.role)
        compute.grant_read_write_datastore(self.role)
        CfnOutput(self, "FlowRunnerRoleArn", value=self.role.role_arn)


def platform_app(outdir: Path, *, context: dict[str, Any] | None = None, resolver_revision: str | None = None) -> App:
    """The example app, every construct mode and the resolver stack, all after ``platform-network``."""
    from snapshot_apps import PACKAGE_GROUP, PACKAGE_STACK, build_variants_app

    app = example.build_app(new_app(context=context, outdir=outdir))
    before = {child.node.id for child in app.node.children}
    build_variants_app(app)
    network = app.node.find_child(NETWORK_STACK)
    ResolverStack(app, RESOLVER_STACK, extra_output=resolver_revision)
    published = PublishedPackageStack(app, PUBLISHED_PACKAGE_STACK, group=PACKAGE_GROUP)
    app.node.find_child(PACKAGE_STACK).add_dependency(published)  # type: ignore[attr-defined]
    batch_stack = app.node.find_child("recs-batch")
    MetaflowClientStack(app, METAFLOW_CLIENT_STACK, compute=batch_stack.batch).add_dependency(  # type: ignore[attr-defined]
        batch_stack)  # type: ignore[arg-type]
    images = app.node.find_child("platform-images")
    for child in app.node.children:
        if child.node.id not in before and isinstance(child, Stack):
            child.add_dependency(network)  # type: ignore[arg-type]
            if child.node.id != "snap-images":  # their default images are platform-images' published ones
                child.add_dependency(images)  # type: ignore[arg-type]
    return app
