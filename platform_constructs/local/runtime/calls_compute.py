"""How the runtime tables make the calls of the ECS agent, CodeBuild, EventBridge, CodeArtifact, Inspector, Signer,
EC2, CloudWatch and SNS (see :mod:`platform_constructs.local.runtime.calls` for ECR, S3, KMS, Logs and SSM)."""

from __future__ import annotations

import base64
import json
from typing import Any

from platform_constructs.local.iam import RESOURCES
from platform_constructs.local.runtime.operation import Args, Operation, star

# --- ECS, CodeBuild, CodeArtifact ------------------------------------------------------------------------------


def _cluster_arn(a: Args) -> str:
    return RESOURCES["ecs"]["RegisterContainerInstance"](a.request({"cluster": a.target["cluster"]}))


def _container_instance_arn(a: Args) -> str:
    """The long ARN format (``container-instance/<cluster>/<id>``), ECS's default: the one our policies match."""
    instance = a.state.get(f"instance:{a.target['cluster']}", "0123456789abcdef0123456789abcdef")
    return a.request({}).arn("ecs", f"container-instance/{a.target['cluster']}/{instance}")


def _prepare_instance(a: Args) -> None:
    """An EC2 instance to register (the emulator checks it exists), started once per run by the admin."""
    if "ec2-instance" not in a.state:
        ec2 = a.admin("ec2")
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        a.state["ec2-instance"] = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1,
                                                    InstanceType="t3.micro")["Instances"][0]["InstanceId"]


def _record_instance(a: Args, response: Any) -> None:
    a.state[f"instance:{a.target['cluster']}"] = response["containerInstance"]["containerInstanceArn"].rsplit("/")[-1]


def _project_arn(a: Args) -> str:
    if "project" in a.arns:
        return a.arns["project"]
    return RESOURCES["codebuild"]["StartBuild"](a.request({"projectName": a.target["project"]}))


def _codeartifact_arn(a: Args) -> str:
    """The domain's (token) or the repository's (endpoint, reads) ARN: the construct's own resources."""
    return a.arns["domain"] if "domain" in a.arns else a.arns["package_repository"]


COMPUTE = {
    "cloudwatch:PutMetricData": Operation("cloudwatch", "put_metric_data", lambda a: {
        "Namespace": a.target["namespace"], "MetricData": [{"MetricName": "RuntimeCall", "Value": 1.0}]}, star),
    "ec2:DescribeNetworkInterfaces": Operation("ec2", "describe_network_interfaces", lambda a: {}, star),
    "ec2:CreateNetworkInterfacePermission": Operation(
        "ec2", None, lambda a: {},
        lambda a: a.request({}).arn("ec2", f"network-interface/{a.target['network_interface']}")),
    "inspector2:ListFindings": Operation("inspector2", "list_findings", lambda a: {"filterCriteria": {
        "ecrImageRepositoryName": [{"comparison": "EQUALS", "value": a.repository[1]}]}}, star),
    "inspector2:ListCoverage": Operation("inspector2", None, lambda a: {}, star),
    "inspector2:CreateSbomExport": Operation("inspector2", None, lambda a: {}, star),
    "inspector2:GetSbomExport": Operation("inspector2", None, lambda a: {}, star),
    "signer:SignPayload": Operation("signer", None, lambda a: {}, lambda a: a.target["profile"]),
    "sts:GetServiceBearerToken": Operation("sts", None, lambda a: {}, star),
    "cloudwatch:DescribeAlarms": Operation("cloudwatch", "describe_alarms", lambda a: {
        "AlarmNames": [a.target["alarm"]]}, lambda a: a.arns["alarm"]),
    "sns:Publish": Operation("sns", "publish", lambda a: {"TopicArn": a.target["topic"], "Message": "runtime call"},
                             lambda a: a.target["topic"]),

    "ecs:DiscoverPollEndpoint": Operation("ecs", "discover_poll_endpoint", lambda a: {"cluster": a.target["cluster"]},
                                          star),
    "ecs:RegisterContainerInstance": Operation(
        "ecs", "register_container_instance",
        lambda a: {"cluster": a.target["cluster"],
                   "instanceIdentityDocument": json.dumps({"instanceId": a.state["ec2-instance"]}),
                   "instanceIdentityDocumentSignature": base64.b64encode(b"signature").decode()},
        _cluster_arn, prepare=_prepare_instance, record=_record_instance),
    "ecs:Poll": Operation("ecs", None, lambda a: {}, _container_instance_arn),
    "ecs:StartTelemetrySession": Operation("ecs", None, lambda a: {}, _container_instance_arn),
    "ecs:SubmitTaskStateChange": Operation("ecs", None, lambda a: {}, _cluster_arn),
    "ecs:SubmitContainerStateChange": Operation("ecs", None, lambda a: {}, _cluster_arn),
    "codebuild:StartBuild": Operation("codebuild", "start_build", lambda a: {"projectName": a.target["project"]},
                                      _project_arn),
    "codeartifact:GetAuthorizationToken": Operation("codeartifact", None, lambda a: {}, _codeartifact_arn),
    "codeartifact:GetRepositoryEndpoint": Operation("codeartifact", None, lambda a: {}, _codeartifact_arn),
    "codeartifact:ReadFromRepository": Operation("codeartifact", None, lambda a: {}, _codeartifact_arn),
}
