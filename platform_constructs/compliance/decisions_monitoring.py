"""The decisions of SageMaker Model Monitor and the model registry (serving/model_monitor*.py, serving/registry*.py),
merged by :mod:`platform_constructs.compliance.decisions` into ``DECISIONS`` (kept apart so that no module outgrows
one screenful of decisions). Each premise checks on the policy what its reason says
(:mod:`platform_constructs.compliance.premises`).
"""

from __future__ import annotations

from platform_constructs.compliance import policy_premises as pp
from platform_constructs.compliance import premises as p
from platform_constructs.compliance.decision_model import Decision
from platform_constructs.compliance.decisions_compute import LOG_DELIVERY, TRACING
from platform_constructs.compliance.policy_decisions import POLICIES, SAGEMAKER_VPC_DESCRIBE, SAGEMAKER_VPC_INTERFACES

MONITOR_OBJECTS = (rf"(<[A-Za-z0-9]+\.Arn>/[A-Za-z0-9._/-]*\*|arn:{p.PARTITION}:s3:::[a-z0-9.-]+/[^*]*\*|"
                   rf"arn:{p.PARTITION}:logs:{p.REGION}:{p.ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs:\*)")
"""A prefix of a bucket (the endpoint's, or the baseline's or ground truth's that the caller names) or the log
streams of SageMaker's processing jobs."""
MONITOR_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "logs:CreateLogGroup",
                   "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")
REGISTRY_RESOURCES = (rf"(arn:{p.PARTITION}:sagemaker:{p.REGION}:{p.ACCOUNT}:model-package/[A-Za-z0-9-]+/\*|"
                      rf"arn:{p.PARTITION}:ssm:{p.REGION}:{p.ACCOUNT}:parameter/[A-Za-z0-9_./-]+/\*)")

MONITORING_DECISIONS: dict[str, Decision] = {
    "model-monitor-role-unscopable-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "A SageMaker Model Monitor role needs cloudwatch:PutMetricData (limited by a cloudwatch:namespace "
            "condition to Model Monitor's data-metrics and model-metrics namespaces) and, for jobs in a VPC, "
            "ec2:DescribeVpcs, DescribeSubnets, DescribeSecurityGroups, DescribeNetworkInterfaces and "
            "DescribeDhcpOptions; none of these supports resource-level permissions (IAM service authorization "
            "reference). The network-interface write actions are scoped to the endpoint's VPC."
        ),
        resource_types=POLICIES,
        premises=(p.only_these_on_any_resource(("cloudwatch:PutMetricData", *SAGEMAKER_VPC_DESCRIBE),
                                               conditioned={"cloudwatch:PutMetricData": "cloudwatch:namespace"}),),
    ),
    "model-monitor-object-prefixes": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "Model Monitor reads the captured data SageMaker writes under keys it generates (data-capture/<endpoint>/"
            "<variant>/<date>/<hour>/), reads baseline or ground-truth objects under a prefix the caller names, "
            "writes baselines and reports under model-monitor/ of the endpoint's own bucket with keys it generates "
            "per execution, and logs to log streams it names per job in /aws/sagemaker/ProcessingJobs; each grant "
            "names one such prefix."
        ),
        resource_types=POLICIES, premises=(p.scoped_resource(MONITOR_OBJECTS, MONITOR_ACTIONS),),
    ),
    "model-monitor-vpc-network-interfaces": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "SageMaker creates the network interfaces that attach the monitoring jobs to the endpoint's VPC, with "
            "ids known only then: ec2:CreateNetworkInterface, DeleteNetworkInterface and the interface permissions "
            "name this account's and region's network-interface/* and subnet/* ARNs, conditioned on ec2:Vpc being "
            "the endpoint's VPC wherever the request carries that key (the interface being created carries none, "
            "Service Authorization Reference); the security group is named exactly."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(rf"arn:{p.PARTITION}:ec2:{p.REGION}:{p.ACCOUNT}:(network-interface|subnet)/\*",
                                    SAGEMAKER_VPC_INTERFACES, condition="ec2:Vpc"),),
    ),
    "model-monitor-vpc-deploy-time": Decision(
        rule_ids=("PLAT-IAM3[Unverifiable::Condition::{resource}]",),
        reason=(
            "The ec2:Vpc condition of the Model Monitor role's network-interface statements names the endpoint's "
            "VPC, whose id is a deploy-time input (the SSM parameter the platform network publishes, or an imported "
            "value): synth cannot see it. The key and the operator are checked (ec2:Vpc applies to the subnet, "
            "security-group and network-interface resources of these actions; an ARN operator for an ARN key), and "
            "the value is that VPC's ARN built from the input."
        ),
        resource_types=POLICIES, premises=(pp.VPC_CONDITION,),
    ),
    "registry-workflow-unscopable-actions": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::*]",),
        reason=(
            "Step Functions delivers a state machine's logs to CloudWatch Logs and its traces to X-Ray with the state "
            "machine's role: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, "
            "ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups, and "
            "xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets, which AWS "
            "documents on Resource '*' (Step Functions developer guide, 'IAM policies for logging to CloudWatch "
            "Logs' and 'Trace Step Functions request data in AWS X-Ray'); every SageMaker, SSM and EventBridge "
            "permission of the role names its resources."
        ),
        resource_types=POLICIES, premises=(p.only_these_on_any_resource((*LOG_DELIVERY, *TRACING)),),
    ),
    "sagemaker-role-published-artifact": Decision(
        rule_ids=("PLAT-IAM2[Unverifiable::Resource::{resource}]",),
        reason=(
            "An endpoint serving a model registry package (model_package) reads the package's model artifact, whose "
            "s3://bucket/key URL the registry's approval workflow published to SSM and the stack reads at deploy "
            "time (an SSM-typed parameter): synth cannot see it. The resource is arn:<partition>:s3::: followed by "
            "the URL's bucket/key (Fn::Split on 's3://', Fn::Select 1), an object ARN, the s3:GetObject action's "
            "resource type, naming one object: the workflow publishes only s3:// URLs of a .tar.gz without '*', '?' "
            "or '$' (no IAM wildcard or policy variable), and a value that is no s3:// URL fails the deploy."
        ),
        resource_types=POLICIES, premises=(pp.PUBLISHED_ARTIFACT,),
    ),
    "registry-workflow-group-resources": Decision(
        rule_ids=("AwsSolutions-IAM5[Resource::{resource}]",),
        reason=(
            "The approval workflow reads the versions of one project's model package group (model-package/<group>/"
            "<version>, versions created by the data scientists' pipelines) and writes the group's published "
            "parameters (<prefix>/<group>/approved-*): each grant names one group."
        ),
        resource_types=POLICIES,
        premises=(p.scoped_resource(REGISTRY_RESOURCES, (
            "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages", "ssm:PutParameter")),),
    ),
}
"""The monitoring domain's decisions, by key."""
