"""What VPC Flow Logs does with :class:`~platform_constructs.network.PlatformNetwork`'s flow-log role.

The flow-log service assumes the role to deliver the VPC's flow records to the network's log group: it finds
or creates a log stream per network interface and writes the records (Amazon VPC user guide, "IAM role for
publishing flow logs to CloudWatch Logs"). Any other log group is refused.
"""

from __future__ import annotations

from platform_constructs.runtime_calls import Call, RoleCalls, RuntimeTable, Sibling, encrypted_log_group

LOGS = Sibling("FlowLogs", "AWS::Logs::LogGroup")
KEY = Sibling("FlowLogKey", "AWS::KMS::Key")
STREAM = "eni-0runtimecalls-all"
OTHER_LOG_GROUP = "/platform/runtime-calls/another-log-group"
FLOW_LOG_SOURCE = {"aws:SourceAccount": "{account}",
                   "aws:SourceArn": "arn:{partition}:ec2:{region}:{account}:vpc-flow-log/fl-0runtimecalls"}
"""What Flow Logs' AssumeRole request carries: the account and the flow log it delivers for (Amazon VPC user
guide, "IAM role for publishing flow logs to CloudWatch Logs": the trust policy's confused-deputy condition)."""

NETWORK_CALLS = RuntimeTable(
    construct="PlatformNetwork",
    anchor=Sibling("FlowLogRole", "AWS::IAM::Role"),
    roles=(RoleCalls(role="FlowLogRole", service="vpc-flow-logs.amazonaws.com", context=FLOW_LOG_SOURCE, calls=(
        Call("logs:DescribeLogStreams", {"log_group": LOGS}, "finds the log streams of the network interfaces"),
        Call("logs:CreateLogStream", {"log_group": LOGS, "stream": STREAM},
             "creates a log stream per network interface"),
        Call("logs:PutLogEvents", {"log_group": LOGS, "stream": STREAM}, "writes the flow records"),
        Call("logs:PutLogEvents", {"log_group": OTHER_LOG_GROUP, "stream": STREAM},
             "writes to another log group", expect="deny"),
    )),),
    services=(encrypted_log_group(KEY, LOGS),),
)
"""The network's runtime calls."""

TABLES = (NETWORK_CALLS,)
