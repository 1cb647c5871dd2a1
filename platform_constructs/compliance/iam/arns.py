"""What ``Ref`` and ``Fn::GetAtt`` return for each CloudFormation resource type, as well-formed examples.

The IAM checks (PLAT-IAM1..5) run parliament over synthesized policies, and parliament needs literal ARNs:
a reference must become an ARN *of the right resource type*, or the check proves nothing. Each entry
below states, for one CloudFormation type, the shape of its ``Ref`` value and of each attribute, as the
CloudFormation template reference documents them ("Return values" of each resource type's page), e.g.
``Ref`` of an ``AWS::S3::Bucket`` is its name and ``Arn`` is ``arn:aws:s3:::name``; ``Ref`` of an
``AWS::Batch::JobQueue`` is already its ARN; ``Arn`` of an ``AWS::Logs::LogGroup`` ends with ``:*``.

An :class:`Arn` value names the IAM resource type it is (service prefix and resource type of AWS's Service
Authorization Reference, the catalogue parliament ships); a test checks every example against that
catalogue's ARN format, so a wrong entry here cannot pass unnoticed. Formats use ``{partition}``,
``{region}``, ``{account}``, ``{name}`` (the resource's name property when it is literal, else a name made
from its logical id) and ``{prop:Name}`` (another property of the same resource, resolved). A type that is
not listed is not guessed: references to it are reported as unverifiable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT = "123456789012"
URL_SUFFIX = "amazonaws.com"
STACK_NAME = "example-stack"

PSEUDO_PARAMETERS: dict[str, str] = {
    "AWS::Partition": PARTITION,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": URL_SUFFIX,
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/"
                    "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
}
"""CloudFormation's pseudo parameters, as example values (``AWS::NoValue`` is handled by the resolver)."""


@dataclass(frozen=True)
class Arn:
    """A return value that is an ARN of IAM resource type ``resource`` of service ``service``."""

    service: str
    resource: str
    format: str


Value = Arn | str
"""A return value: an :class:`Arn`, or a plain format (a name, an id, a URL)."""


@dataclass(frozen=True)
class Returns:
    """The return values of one CloudFormation type: ``Ref`` and its ``Fn::GetAtt`` attributes."""

    ref: Value
    attributes: dict[str, Value] = field(default_factory=dict)
    name_property: str | None = None
    """The property holding the resource's name, used for ``{name}`` when literal."""

    def value(self, attribute: str | None) -> Value | None:
        return self.ref if attribute is None else self.attributes.get(attribute)


def _arn(service: str, resource: str, rest: str) -> Arn:
    """A regional ARN of this account: ``arn:{partition}:<service>:{region}:{account}:<rest>``."""
    return Arn(service, resource, f"arn:{{partition}}:{service}:{{region}}:{{account}}:{rest}")


_BUCKET = Arn("s3", "bucket", "arn:{partition}:s3:::{name}")
_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
_TOPIC = _arn("sns", "topic", "{name}")
_JOB_QUEUE = _arn("batch", "job-queue", "job-queue/{name}")
_COMPUTE_ENV = _arn("batch", "compute-environment", "compute-environment/{name}")
_JOB_DEFINITION = _arn("batch", "job-definition-revision", "job-definition/{name}:1")
_SCHEDULING_POLICY = _arn("batch", "scheduling-policy", "scheduling-policy/{name}")
_DOMAIN = _arn("codeartifact", "domain", "domain/{name}")
_REPOSITORY = _arn("codeartifact", "repository", "repository/{prop:DomainName}/{name}")
_MANAGED_POLICY = Arn("iam", "policy", "arn:{partition}:iam::{account}:policy/{name}")
_STATE_MACHINE = _arn("states", "statemachine", "stateMachine:{name}")
_SECRET = _arn("secretsmanager", "Secret", "secret:{name}-AbCdEf")
_TASK_DEFINITION = _arn("ecs", "task-definition", "task-definition/{name}:1")

RETURNS: dict[str, Returns] = {
    "AWS::S3::Bucket": Returns(
        ref="{name}", name_property="BucketName",
        attributes={"Arn": _BUCKET, "DomainName": "{name}.s3.amazonaws.com",
                    "RegionalDomainName": "{name}.s3.{region}.amazonaws.com"}),
    "AWS::KMS::Key": Returns(
        ref=_KEY_ID, attributes={"Arn": _arn("kms", "key", f"key/{_KEY_ID}"), "KeyId": _KEY_ID}),
    "AWS::KMS::Alias": Returns(ref="{name}", name_property="AliasName"),
    "AWS::SNS::Topic": Returns(ref=_TOPIC, name_property="TopicName",
                               attributes={"TopicArn": _TOPIC, "TopicName": "{name}"}),
    "AWS::SQS::Queue": Returns(
        ref="https://sqs.{region}.amazonaws.com/{account}/{name}", name_property="QueueName",
        attributes={"Arn": _arn("sqs", "queue", "{name}"), "QueueName": "{name}",
                    "QueueUrl": "https://sqs.{region}.amazonaws.com/{account}/{name}"}),
    "AWS::SSM::Parameter": Returns(ref="{name}", name_property="Name", attributes={"Type": "String"}),
    "AWS::Logs::LogGroup": Returns(ref="{name}", name_property="LogGroupName",
                                   attributes={"Arn": _arn("logs", "log-group", "log-group:{name}:*")}),
    "AWS::ECR::Repository": Returns(
        ref="{name}", name_property="RepositoryName",
        attributes={"Arn": _arn("ecr", "repository", "repository/{name}"),
                    "RepositoryUri": "{account}.dkr.ecr.{region}.amazonaws.com/{name}"}),
    "AWS::CodeBuild::Project": Returns(ref="{name}", name_property="Name",
                                       attributes={"Arn": _arn("codebuild", "project", "project/{name}")}),
    "AWS::CodeArtifact::Domain": Returns(ref=_DOMAIN, name_property="DomainName",
                                         attributes={"Arn": _DOMAIN, "Name": "{name}", "Owner": "{account}"}),
    "AWS::CodeArtifact::Repository": Returns(
        ref=_REPOSITORY, name_property="RepositoryName",
        attributes={"Arn": _REPOSITORY, "Name": "{name}", "DomainName": "{prop:DomainName}",
                    "DomainOwner": "{account}"}),
    "AWS::IAM::Role": Returns(
        ref="{name}", name_property="RoleName",
        attributes={"Arn": Arn("iam", "role", "arn:{partition}:iam::{account}:role/{name}"),
                    "RoleId": "AROA0123456789EXAMPLE"}),
    "AWS::IAM::ManagedPolicy": Returns(ref=_MANAGED_POLICY, name_property="ManagedPolicyName",
                                       attributes={"PolicyArn": _MANAGED_POLICY}),
    "AWS::IAM::InstanceProfile": Returns(
        ref="{name}", name_property="InstanceProfileName",
        attributes={"Arn": Arn("iam", "instance-profile", "arn:{partition}:iam::{account}:instance-profile/{name}")}),
    "AWS::IAM::User": Returns(ref="{name}", name_property="UserName",
                              attributes={"Arn": Arn("iam", "user", "arn:{partition}:iam::{account}:user/{name}")}),
    "AWS::IAM::Group": Returns(ref="{name}", name_property="GroupName",
                               attributes={"Arn": Arn("iam", "group", "arn:{partition}:iam::{account}:group/{name}")}),
    "AWS::EC2::VPC": Returns(ref="vpc-0123456789abcdef0",
                             attributes={"VpcId": "vpc-0123456789abcdef0", "CidrBlock": "10.0.0.0/16",
                                         "DefaultSecurityGroup": "sg-0123456789abcdef0",
                                         "DefaultNetworkAcl": "acl-0123456789abcdef0"}),
    "AWS::EC2::Subnet": Returns(ref="subnet-0123456789abcdef0",
                                attributes={"SubnetId": "subnet-0123456789abcdef0", "AvailabilityZone": "{region}a",
                                            "VpcId": "vpc-0123456789abcdef0"}),
    "AWS::EC2::SecurityGroup": Returns(
        ref="sg-0123456789abcdef1", attributes={"GroupId": "sg-0123456789abcdef1", "VpcId": "vpc-0123456789abcdef0"}),
    "AWS::EC2::LaunchTemplate": Returns(ref="lt-0123456789abcdef0",
                                        attributes={"LaunchTemplateId": "lt-0123456789abcdef0",
                                                    "DefaultVersionNumber": "1", "LatestVersionNumber": "1"}),
    "AWS::EC2::VPCEndpoint": Returns(ref="vpce-0123456789abcdef0", attributes={"Id": "vpce-0123456789abcdef0"}),
    "AWS::EC2::PlacementGroup": Returns(ref="{name}", attributes={"GroupName": "{name}"}),
    "AWS::Batch::JobQueue": Returns(ref=_JOB_QUEUE, name_property="JobQueueName",
                                    attributes={"JobQueueArn": _JOB_QUEUE}),
    "AWS::Batch::ComputeEnvironment": Returns(ref=_COMPUTE_ENV, name_property="ComputeEnvironmentName",
                                              attributes={"ComputeEnvironmentArn": _COMPUTE_ENV}),
    "AWS::Batch::JobDefinition": Returns(ref=_JOB_DEFINITION, name_property="JobDefinitionName"),
    "AWS::Batch::SchedulingPolicy": Returns(ref=_SCHEDULING_POLICY, name_property="Name",
                                            attributes={"Arn": _SCHEDULING_POLICY}),
    "AWS::SageMaker::Model": Returns(ref=_arn("sagemaker", "model", "model/{name}"), name_property="ModelName",
                                     attributes={"ModelName": "{name}"}),
    "AWS::SageMaker::EndpointConfig": Returns(
        ref=_arn("sagemaker", "endpoint-config", "endpoint-config/{name}"), name_property="EndpointConfigName",
        attributes={"EndpointConfigName": "{name}"}),
    "AWS::SageMaker::Endpoint": Returns(ref=_arn("sagemaker", "endpoint", "endpoint/{name}"),
                                        name_property="EndpointName", attributes={"EndpointName": "{name}"}),
    "AWS::EFS::FileSystem": Returns(
        ref="fs-0123456789abcdef0",
        attributes={"Arn": _arn("elasticfilesystem", "file-system", "file-system/fs-0123456789abcdef0"),
                    "FileSystemId": "fs-0123456789abcdef0"}),
    "AWS::EFS::AccessPoint": Returns(
        ref="fsap-0123456789abcdef0",
        attributes={"Arn": _arn("elasticfilesystem", "access-point", "access-point/fsap-0123456789abcdef0"),
                    "AccessPointId": "fsap-0123456789abcdef0"}),
    "AWS::Events::Rule": Returns(ref="{name}", name_property="Name",
                                 attributes={"Arn": _arn("events", "rule-on-default-event-bus", "rule/{name}")}),
    "AWS::Lambda::Function": Returns(ref="{name}", name_property="FunctionName",
                                     attributes={"Arn": _arn("lambda", "function", "function:{name}")}),
    "AWS::DynamoDB::Table": Returns(
        ref="{name}", name_property="TableName",
        attributes={"Arn": _arn("dynamodb", "table", "table/{name}"),
                    # a real stream label has colons, which parliament 1.6.4 refuses in any ARN of this type
                    "StreamArn": _arn("dynamodb", "stream", "table/{name}/stream/2024-01-01T00:00:00.000")}),
    "AWS::StepFunctions::StateMachine": Returns(ref=_STATE_MACHINE, name_property="StateMachineName",
                                                attributes={"Arn": _STATE_MACHINE, "Name": "{name}"}),
    "AWS::SecretsManager::Secret": Returns(ref=_SECRET, name_property="Name", attributes={"Id": _SECRET}),
    "AWS::ECS::Cluster": Returns(ref="{name}", name_property="ClusterName",
                                 attributes={"Arn": _arn("ecs", "cluster", "cluster/{name}")}),
    "AWS::ECS::TaskDefinition": Returns(ref=_TASK_DEFINITION, name_property="Family",
                                        attributes={"TaskDefinitionArn": _TASK_DEFINITION}),
    "AWS::CloudWatch::Alarm": Returns(ref="{name}", name_property="AlarmName",
                                      attributes={"Arn": _arn("cloudwatch", "alarm", "alarm:{name}")}),
    "AWS::CloudWatch::Dashboard": Returns(ref="{name}", name_property="DashboardName"),
}


def example_name(logical_id: str) -> str:
    """A name for a resource whose name CloudFormation generates: its logical id, lower-cased."""
    return "".join(ch for ch in logical_id.lower() if ch.isalnum()) or "example"
