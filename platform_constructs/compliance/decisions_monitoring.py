"""The decisions of SageMaker Model Monitor and the model registry (serving/model_monitor*.py, serving/registry*.py):
``key -> (finding ids, reason)``, pure data that :mod:`platform_constructs.compliance.decisions` turns into its
``Decision`` entries (kept apart so that neither module outgrows one screenful of decisions)."""

from __future__ import annotations

MONITORING_DECISIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "model-monitor-role-unscopable-actions": (
        ("AwsSolutions-IAM5[Resource::*]",),
        (
            "A SageMaker Model Monitor role needs cloudwatch:PutMetricData (limited by a cloudwatch:namespace "
            "condition to Model Monitor's data-metrics and model-metrics namespaces) and, for jobs in a VPC, "
            "ec2:DescribeVpcs, DescribeSubnets, DescribeSecurityGroups, DescribeNetworkInterfaces and "
            "DescribeDhcpOptions; none of these supports resource-level permissions (IAM service authorization "
            "reference). The network-interface write actions are scoped to the endpoint's VPC."
        ),
    ),
    "model-monitor-object-prefixes": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "Model Monitor reads the captured data SageMaker writes under keys it generates (data-capture/<endpoint>/"
            "<variant>/<date>/<hour>/), reads baseline or ground-truth objects under a prefix the caller names, "
            "writes baselines and reports under model-monitor/ of the endpoint's own bucket with keys it generates "
            "per execution, and logs to log streams it names per job in /aws/sagemaker/ProcessingJobs; each grant "
            "names one such prefix."
        ),
    ),
    "model-monitor-vpc-network-interfaces": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "SageMaker creates the network interfaces that attach the monitoring jobs to the endpoint's VPC, with "
            "ids known only then: ec2:CreateNetworkInterface, DeleteNetworkInterface and the interface permissions "
            "name this account's and region's network-interface/* and subnet/* ARNs, conditioned on ec2:Vpc being "
            "the endpoint's VPC wherever the request carries that key (the interface being created carries none, "
            "Service Authorization Reference); the security group is named exactly."
        ),
    ),
    "model-monitor-vpc-deploy-time": (
        ("PLAT-IAM3[Unverifiable::Condition::{resource}]",),
        (
            "The ec2:Vpc condition of the Model Monitor role's network-interface statements names the platform "
            "network's VPC, whose id the stack reads from the SSM parameter the network publishes, at deploy time: "
            "synth cannot see it. The key and the operator are checked (ec2:Vpc applies to the subnet, "
            "security-group and network-interface resources of these actions; an ARN operator for an ARN key), and "
            "the value is that VPC's ARN built from the parameter."
        ),
    ),
    "registry-workflow-unscopable-actions": (
        ("AwsSolutions-IAM5[Resource::*]",),
        (
            "Step Functions delivers a state machine's logs to CloudWatch Logs and its traces to X-Ray with the state "
            "machine's role: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, "
            "ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups, and "
            "xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets, which AWS "
            "documents on Resource '*' (Step Functions developer guide, 'IAM policies for logging to CloudWatch "
            "Logs' and 'Trace Step Functions request data in AWS X-Ray'); every SageMaker, SSM and EventBridge "
            "permission of the role names its resources."
        ),
    ),
    "sagemaker-role-published-artifact": (
        ("PLAT-IAM2[Unverifiable::Resource::{resource}]",),
        (
            "An endpoint serving a model registry package (model_package) reads the package's model artifact, whose "
            "s3://bucket/key URL the registry's approval workflow published to SSM and the stack reads at deploy "
            "time (an SSM-typed parameter): synth cannot see it. The resource is arn:<partition>:s3::: followed by "
            "the URL's bucket/key (Fn::Split on 's3://', Fn::Select 1), an object ARN, the s3:GetObject action's "
            "resource type, naming one object: the workflow publishes only s3:// URLs of a .tar.gz without '*', '?' "
            "or '$' (no IAM wildcard or policy variable), and a value that is no s3:// URL fails the deploy."
        ),
    ),
    "registry-workflow-group-resources": (
        ("AwsSolutions-IAM5[Resource::{resource}]",),
        (
            "The approval workflow reads the versions of one project's model package group (model-package/<group>/"
            "<version>, versions created by the data scientists' pipelines) and writes the group's published "
            "parameters (<prefix>/<group>/approved-*): each grant names one group."
        ),
    ),
}
