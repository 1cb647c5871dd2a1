"""PlatformNetwork: the platform-owned VPC every ML workload runs in, and how constructs find it.

The network has private isolated subnets only (no internet gateway, no NAT): workloads reach AWS
through VPC endpoints. Flow logs go to a KMS-encrypted log group with the environment's retention;
the default security group is closed. The network publishes its ids to SSM parameters under the
policy's ``network.ssm_prefix`` so that data-scientist stacks resolve it at *deploy* time: synth stays
offline and account-agnostic.

Constructs find their network with :func:`resolve_network`: an explicit ``vpc`` wins; otherwise a
``PlatformNetwork`` in the same stack; otherwise the published SSM parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from platform_constructs import baseline
from platform_constructs.arguments import expect_bool, expect_int
from platform_constructs.cidr import expect_cidr
from platform_constructs.core import PlatformConstruct, PlatformContext
from platform_constructs.errors import Problems
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


ISOLATED_SUBNET_GROUP = "isolated"


@dataclass(frozen=True)
class NetworkRef:
    """Where a workload runs: a VPC (possibly imported from deploy-time tokens) and its isolated subnets."""

    vpc: ec2.IVpc
    subnet_ids: list[str]


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
            self, "FlowLogRole", assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com"),
            description="Delivers this VPC's flow logs to its encrypted log group")
        self.vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(
            self.flow_log_group, flow_log_role), traffic_type=ec2.FlowLogTrafficType.ALL)
        baseline.tag_provider_resources(self, "Custom::VpcRestrictDefaultSGCustomResourceProvider", self.tags)

        self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        self.endpoint_security_group = ec2.SecurityGroup(
            self, "EndpointSecurityGroup", vpc=self.vpc, allow_all_outbound=False,
            description="HTTPS from inside the VPC to the interface endpoints",
        )
        self.endpoint_security_group.add_ingress_rule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443),
                                                      "HTTPS from the VPC")
        for name, service in interface_endpoints():
            self.vpc.add_interface_endpoint(name, service=service, private_dns_enabled=True,
                                            security_groups=[self.endpoint_security_group], open=False)
        self.isolated_subnet_ids = self.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids

        if publish_parameters:
            ssm.StringParameter(self, "VpcIdParameter", parameter_name=f"{net.ssm_prefix}/vpc-id",
                                string_value=self.vpc.vpc_id, description="Platform VPC id")
            ssm.StringListParameter(self, "SubnetIdsParameter", parameter_name=f"{net.ssm_prefix}/isolated-subnet-ids",
                                    string_list_value=self.isolated_subnet_ids,
                                    description="Platform isolated subnet ids")
            CfnOutput(self, "VpcId", value=self.vpc.vpc_id, description="Platform VPC id")

    @property
    def ref(self) -> NetworkRef:
        return NetworkRef(vpc=self.vpc, subnet_ids=list(self.isolated_subnet_ids))


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
            subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids))
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
    return NetworkRef(vpc=imported, subnet_ids=subnet_ids)  # type: ignore[arg-type]


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
