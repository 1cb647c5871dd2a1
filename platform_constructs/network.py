"""PlatformNetwork: the platform-owned VPC every ML workload runs in, and how constructs find it.

The network has private isolated subnets only (no internet gateway, no NAT): workloads reach AWS
through VPC endpoints, and every endpoint's policy lets them reach only resources of the deploying
account, of the approved registries' and framework images' accounts, of the policy's ``network.resource_accounts``
and of its ``network.resource_org_id`` (``aws:ResourceAccount`` / ``aws:ResourceOrgID``, the data-perimeter pattern of
aws-samples/data-perimeter-policy-examples), so a job cannot write to another account's bucket. The S3
gateway also admits reads of the AWS-owned buckets that hold ECR image layers (ours and the Deep Learning
Containers') and the Amazon Linux package repositories of Batch hosts. Flow logs go to a KMS-encrypted log
group with the environment's retention, delivered by a role only this account's flow logs may assume; the
default security group is closed. Gateway endpoints: S3, and DynamoDB for the Batch jobs' Metaflow foreach
table. The network publishes its ids and CIDR to SSM parameters under the policy's ``network.ssm_prefix`` so
that data-scientist stacks resolve it at *deploy* time: synth stays offline and account-agnostic.

Constructs find their network with :func:`resolve_network`: an explicit ``vpc`` wins; otherwise a
``PlatformNetwork`` in the same stack; otherwise the published SSM parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from aws_cdk import CfnOutput, CfnResource, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.acknowledge import acknowledge
from platform_constructs.arguments import expect_bool, expect_int
from platform_constructs.cidr import expect_cidr
from platform_constructs.core import PlatformConstruct, PlatformContext
from platform_constructs.errors import Problems
from platform_constructs.policy import Policy
from platform_constructs.values import describe

_INTERFACE_ENDPOINTS = (
    ("SageMakerApi", "SAGEMAKER_API"), ("SageMakerRuntime", "SAGEMAKER_RUNTIME"), ("EcrApi", "ECR"),
    ("EcrDocker", "ECR_DOCKER"), ("Logs", "CLOUDWATCH_LOGS"), ("Monitoring", "CLOUDWATCH_MONITORING"), ("Sts", "STS"),
    ("Kms", "KMS"), ("Batch", "BATCH"), ("Ecs", "ECS"), ("EcsAgent", "ECS_AGENT"), ("EcsTelemetry", "ECS_TELEMETRY"),
)
"""Interface endpoints SageMaker, ECR, CloudWatch, STS, KMS and Batch/ECS workloads need: (construct id, the
``ec2.InterfaceVpcEndpointAwsService`` constant). Read as :data:`INTERFACE_ENDPOINTS` or
:func:`interface_endpoints`."""

if TYPE_CHECKING:
    INTERFACE_ENDPOINTS: tuple[tuple[str, ec2.InterfaceVpcEndpointAwsService], ...]


@lru_cache(maxsize=1)
def interface_endpoints() -> tuple[tuple[str, ec2.InterfaceVpcEndpointAwsService], ...]:
    """(construct id, service) of every interface endpoint of the platform network.

    Each service constant is a jsii static property (one call into Node), so they are fetched on first use, not
    when the module is imported: constructs that only look the network up never pay for them (issue 19)."""
    return tuple((name, getattr(ec2.InterfaceVpcEndpointAwsService, constant))
                 for name, constant in _INTERFACE_ENDPOINTS)


def __getattr__(name: str) -> object:
    if name == "INTERFACE_ENDPOINTS":
        return interface_endpoints()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


WITHOUT_ENDPOINT_POLICY = frozenset({"EcsAgent", "EcsTelemetry"})
"""Endpoints whose service accepts no endpoint policy: ECS supports one on ``ecs`` but not on ``ecs-agent`` and
``ecs-telemetry`` (awsdocs/amazon-ecs-developer-guide#55); CreateVpcEndpoint refuses a policy for such a service
("only supports the full-access endpoint policy", awslabs/landing-zone-accelerator-on-aws#224). They carry the
agent's own control traffic, not data."""

AWS_OWNED_READS = (
    "prod-{region}-starport-layer-bucket",  # ECR image layers (ECR User Guide: minimum S3 permissions for ECR)
    "amazonlinux.{region}.amazonaws.com", "amazonlinux-2-repos-{region}", "al2023-repos-{region}-de612dc2",
)
"""AWS-owned buckets workloads read through the S3 gateway: ECR's image layers (our repositories' and the Deep
Learning Containers' alike) and the Amazon Linux package repositories of the Batch hosts' AMIs (service-owned
resources of aws-samples/data-perimeter-policy-examples)."""

CIDR_PARAMETER = "vpc-cidr"

ISOLATED_SUBNET_GROUP = "isolated"


@dataclass(frozen=True)
class NetworkRef:
    """Where a workload runs: a VPC (possibly imported from deploy-time tokens) and its isolated subnets."""

    vpc: ec2.IVpc
    subnet_ids: list[str]
    cidr_source: Callable[[], str] = field(repr=False, compare=False)

    @property
    def cidr(self) -> str:
        """The VPC's CIDR, where the interface endpoints are (a deploy-time value for a network resolved from SSM,
        whose parameter is added to the stack only when a construct asks for it)."""
        return self.cidr_source()


class PlatformNetwork(PlatformConstruct):
    """The platform's shared, isolated VPC with endpoints, flow logs and published ids.

    :param cost_center: cost centre tag of the network. Default: ``ml-platform``.
    :param cidr: the VPC CIDR. Default: the policy's ``network.cidr``.
    :param max_azs: number of availability zones. Default: the policy's ``network.max_azs``.
    :param publish_parameters: publish the VPC id and subnet ids to SSM under the policy's
        ``network.ssm_prefix`` (and as stack outputs). Default: ``True``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cost_center: str = "ml-platform",
        cidr: str | None = None,
        max_azs: int | None = None,
        publish_parameters: bool = True,
        data_classification: str | None = None,
        project: str | None = None,
        owner: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, cost_center=cost_center, data_classification=data_classification,
                         project=project, owner=owner, tags=tags)
        net = self.policy.network
        cidr = cidr if cidr is not None else net.cidr
        max_azs = max_azs if max_azs is not None else net.max_azs
        expect_int(self.problems, "max_azs", max_azs, minimum=1, maximum=6,
                   fix="pass max_azs=2 (two zones are enough for endpoints)", default=2)
        expect_bool(self.problems, "publish_parameters", publish_parameters)
        expect_cidr(self.problems, "cidr", cidr)
        self.problems.raise_if_any()

        self.key = baseline.platform_key(self, "FlowLogKey", description=f"{self.node.path} flow logs",
                                         service_principals=("logs",))
        self.flow_log_group = baseline.log_group(self, "FlowLogs", key=self.key)
        self.vpc = ec2.Vpc(
            self, "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            max_azs=max_azs,
            nat_gateways=0,
            subnet_configuration=[ec2.SubnetConfiguration(
                name=ISOLATED_SUBNET_GROUP, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=_subnet_mask(cidr),
            )],
            restrict_default_security_group=True,
            enable_dns_hostnames=True,
            enable_dns_support=True,
        )
        flow_log_role = baseline.platform_role(
            self, "FlowLogRole", assumed_by=baseline.service_principal(self, "vpc-flow-logs"),
            description="Delivers this VPC's flow logs to its encrypted log group")
        self.vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(
            self.flow_log_group, flow_log_role), traffic_type=ec2.FlowLogTrafficType.ALL)
        baseline.tag_provider_resources(self, "Custom::VpcRestrictDefaultSGCustomResourceProvider", self.tags)
        self._acknowledge_default_group_provider()

        statements = endpoint_policy_statements(self, self.policy)
        s3_endpoint = self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        for statement in statements:
            s3_endpoint.add_to_policy(statement)
        stack = Stack.of(self)
        s3_endpoint.add_to_policy(iam.PolicyStatement(
            sid="ReadAwsOwnedBuckets", principals=[iam.AnyPrincipal()], actions=["s3:GetObject"],
            resources=[f"arn:{stack.partition}:s3:::{bucket.format(region=stack.region)}/*"
                       for bucket in AWS_OWNED_READS]))
        # the Batch jobs write their Metaflow foreach table (compute/workflows.py); the same policy holds
        # (aws-samples/data-perimeter-policy-examples, dynamodb-specific-guidance: no exception for DynamoDB)
        dynamodb_endpoint = self.vpc.add_gateway_endpoint("DynamoDb",
                                                          service=ec2.GatewayVpcEndpointAwsService.DYNAMODB)
        for statement in statements:
            dynamodb_endpoint.add_to_policy(statement)
        self.endpoint_security_group = ec2.SecurityGroup(
            self, "EndpointSecurityGroup", vpc=self.vpc, allow_all_outbound=False,
            description="HTTPS from inside the VPC to the interface endpoints",
        )
        self.endpoint_security_group.add_ingress_rule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443),
                                                      "HTTPS from the VPC")
        for name, service in interface_endpoints():
            endpoint = self.vpc.add_interface_endpoint(name, service=service, private_dns_enabled=True,
                                                       security_groups=[self.endpoint_security_group], open=False)
            if name not in WITHOUT_ENDPOINT_POLICY:
                for statement in statements:
                    endpoint.add_to_policy(statement)
        self.isolated_subnet_ids = self.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids

        if publish_parameters:
            ssm.StringParameter(self, "VpcIdParameter", parameter_name=f"{net.ssm_prefix}/vpc-id",
                                string_value=self.vpc.vpc_id, description="Platform VPC id")
            ssm.StringListParameter(self, "SubnetIdsParameter", parameter_name=f"{net.ssm_prefix}/isolated-subnet-ids",
                                    string_list_value=self.isolated_subnet_ids,
                                    description="Platform isolated subnet ids")
            ssm.StringParameter(self, "CidrParameter", parameter_name=f"{net.ssm_prefix}/{CIDR_PARAMETER}",
                                string_value=self.vpc.vpc_cidr_block, description="Platform VPC CIDR")
            CfnOutput(self, "VpcId", value=self.vpc.vpc_id, description="Platform VPC id")

    @property
    def ref(self) -> NetworkRef:
        vpc = self.vpc
        return NetworkRef(vpc=vpc, subnet_ids=list(self.isolated_subnet_ids), cidr_source=lambda: vpc.vpc_cidr_block)

    def _acknowledge_default_group_provider(self) -> None:
        """The VPC's default group is closed by CDK's Custom::VpcRestrictDefaultSG resource; its provider (a stack
        singleton, outside this construct) carries the decisions on its function and role."""
        vpc_resource = self.vpc.node.default_child
        if isinstance(vpc_resource, CfnResource):
            acknowledge(vpc_resource, "vpc-default-security-group-restricted")
        provider = Stack.of(self).node.try_find_child("Custom::VpcRestrictDefaultSGCustomResourceProvider")
        for child in provider.node.find_all() if provider is not None else ():
            if isinstance(child, CfnResource) and child.cfn_resource_type == "AWS::Lambda::Function":
                acknowledge(child, "default-security-group-provider-function", owner=self)
            elif isinstance(child, CfnResource) and child.cfn_resource_type == "AWS::IAM::Role":
                acknowledge(child, "default-security-group-provider-role", owner=self)


def resource_accounts(scope: Construct, policy: Policy) -> list[str]:
    """The accounts whose resources workloads may reach: the deploying account, the literal accounts of the
    approved registries (golden-image bases included, e.g. the Deep Learning Containers' 763104351884), the accounts
    ``{account}`` may be (``registries.accounts``), the accounts hosting SageMaker's framework images
    (``registries.framework_accounts``, every region's: a stack's region may be known only at deploy time) and the
    policy's ``network.resource_accounts``."""
    accounts = [Stack.of(scope).account]
    literal = [found[1] for registry in (*policy.approved_registries, *policy.base_registries)
               if (found := re.match(r"(\d{12})\.dkr\.ecr\.", registry))]
    hosting = sorted({account for regions in policy.framework_accounts.values() for account in regions.values()})
    for account in (*literal, *policy.image_accounts, *hosting, *policy.network.resource_accounts):
        if account not in accounts:
            accounts.append(account)
    return accounts


def endpoint_policy_statements(scope: Construct, policy: Policy) -> list[iam.PolicyStatement]:
    """The statements of every platform VPC endpoint's policy: any request to a resource of an allowed account
    (``aws:ResourceAccount``) or of the policy's organisation (``aws:ResourceOrgID``), and nothing else."""
    statements = [iam.PolicyStatement(
        sid="OnlyResourcesOfAllowedAccounts", principals=[iam.AnyPrincipal()], actions=["*"], resources=["*"],
        conditions={"StringEquals": {"aws:ResourceAccount": resource_accounts(scope, policy)}})]
    if policy.network.resource_org_id is not None:
        statements.append(iam.PolicyStatement(
            sid="OnlyResourcesOfTheOrganisation", principals=[iam.AnyPrincipal()], actions=["*"], resources=["*"],
            conditions={"StringEquals": {"aws:ResourceOrgID": policy.network.resource_org_id}}))
    return statements


def resolve_network(scope: Construct, vpc: ec2.IVpc | None) -> NetworkRef:
    """The network a construct runs in: explicit ``vpc`` > a PlatformNetwork in the stack > SSM. A ``vpc`` that
    cannot host a workload (not an ``IVpc``, or without isolated subnets) is a ``PlatformValidationError`` of the
    construct's ``vpc`` argument."""
    if vpc is not None:
        problem = vpc_problem(vpc)
        if problem is not None:
            problems = scope.problems if isinstance(scope, PlatformConstruct) else Problems(scope.node.path)
            problems.add("vpc", vpc, *problem)
            problems.raise_if_any()
        return NetworkRef(vpc=vpc, subnet_ids=list(vpc.select_subnets(
            subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids), cidr_source=lambda: _cidr_of(vpc, scope))
    stack = Stack.of(scope)
    for child in stack.node.find_all():
        if isinstance(child, PlatformNetwork):
            return child.ref
    prefix = PlatformContext.of(scope).policy.network.ssm_prefix
    # CDK creates each SSM-backed CfnParameter once per stack, so these calls are idempotent.
    vpc_id = ssm.StringParameter.value_for_string_parameter(stack, f"{prefix}/vpc-id")
    subnet_ids = ssm.StringListParameter.value_for_typed_list_parameter(
        stack, f"{prefix}/isolated-subnet-ids", type=ssm.ParameterValueType.AWS_EC2_SUBNET_ID)
    imported = stack.node.try_find_child("PlatformNetworkRef")
    if imported is None:
        imported = ec2.Vpc.from_vpc_attributes(stack, "PlatformNetworkRef", vpc_id=vpc_id,
                                               availability_zones=stack.availability_zones)
    return NetworkRef(vpc=imported, subnet_ids=subnet_ids,  # type: ignore[arg-type]
                      cidr_source=lambda: ssm.StringParameter.value_for_string_parameter(
                          stack, f"{prefix}/{CIDR_PARAMETER}"))


def _cidr_of(vpc: ec2.IVpc, scope: Construct) -> str:
    """An explicit VPC's CIDR; a VPC imported without one is taken to be the policy's ``network.cidr``."""
    try:
        return vpc.vpc_cidr_block
    except RuntimeError:  # jsii: 'vpcCidrBlock' was not given when the VPC was imported
        return PlatformContext.of(scope).policy.network.cidr


def vpc_problem(vpc: object) -> tuple[str, str] | None:
    """(allowed, fix) when ``vpc`` cannot host a platform workload, else ``None``."""
    allowed = "an IVpc (aws_ec2.Vpc, Vpc.from_lookup, ...) with isolated subnets"
    fix = "pass vpc=<your ec2.IVpc with PRIVATE_ISOLATED subnets>, or leave vpc unset for the platform network"
    if not all(hasattr(vpc, attribute) for attribute in ("vpc_id", "isolated_subnets", "select_subnets")):
        return f"{allowed}, got {describe(vpc)}", fix
    if not vpc.isolated_subnets:  # type: ignore[attr-defined]
        return f"{allowed}; this VPC has no isolated subnet", fix
    return None


def _subnet_mask(cidr: str) -> int:
    return min(int(cidr.split("/")[1]) + 4, 28)
