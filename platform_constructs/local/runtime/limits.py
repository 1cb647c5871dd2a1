"""What the emulator's IAM does not evaluate (moto 5.2.5, read from its source), and what the runtime tables do
instead. :func:`template_reasons` decides, per call, whether the emulator's answer can be trusted; when it
cannot, the call is decided on the role's policies in the template (:mod:`platform_constructs.local.runtime.policy`)
and the result says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from platform_constructs.local.runtime import policy


@dataclass(frozen=True)
class Limit:
    what: str
    """What moto does."""
    source: str
    """The moto source files that show it."""
    instead: str
    """What the local deploy does about it."""


LIMITS: tuple[Limit, ...] = (
    Limit("authorises every request against the resource '*', except IAM and STS (the role), SQS (the queue) and "
          "S3 (the bucket or object ARN): a statement whose Resource is an ARN never matches",
          "moto/core/responses.py (BaseResponse.call_action), moto/core/authorization.py",
          "local/iam.py gives ECR, KMS, CloudWatch Logs, SSM, ECS, CodeBuild, Batch, Step Functions, EventBridge "
          "and DynamoDB requests the ARN AWS authorises them against (RESOURCES; Batch's SubmitJob: the queue), so "
          "moto matches Resource patterns; other services keep '*'"),
    Limit("matches Resource and Action with '*' as the only wildcard ('?' is literal); a statement without "
          "Resource (e.g. with NotResource) counts as an Allow of every resource, whatever its Effect",
          "moto/iam/access_control.py (IAMPolicyStatement._match, is_action_permitted)",
          "our policies use neither '?' nor NotResource; the template evaluator implements both"),
    Limit("ignores every condition in identity policies (a conditioned Allow allows, a conditioned Deny denies, "
          "whatever the request); in trust policies evaluates only StringEquals on sts:ExternalId",
          "moto/iam/access_control.py (_check_conditions), moto/iam/policy_conditions.py, moto/iam/utils.py",
          "a call that any conditioned statement covers is decided on the template, with the condition keys the "
          "service sends (s3:prefix, kms:ViaService, cloudwatch:namespace, sts:AWSServiceName, ...)"),
    Limit("evaluates S3 bucket policies only for object requests (the action taken from the HTTP method), "
          "ignoring Principal and Condition: a TLS-only Deny (aws:SecureTransport) denies every object request",
          "moto/s3/responses.py (_key_response), moto/s3/models.py (FakeBucket.get_permission)",
          "local/models/s3.py evaluates the statements for everyone ('*') with IAM's semantics for a TLS "
          "client; the runtime tables evaluate the whole bucket policy on the template (principals included)"),
    Limit("does not evaluate KMS key policies, ECR repository policies, SNS topic policies or CloudWatch Logs "
          "resource policies (stored, never read when authorising)",
          "moto/kms/models.py, moto/ecr/models.py, moto/sns/models.py, moto/logs/models.py",
          "key policies are evaluated with KMS's rules (the key policy must allow the role or delegate to IAM); "
          "ECR repository policies on the template; no runtime call of ours goes through a topic or log-group "
          "resource policy"),
    Limit("checks a trust policy's principal against the caller's ARN only: a Service principal fails with a "
          "TypeError (HTTP 500), an account-root principal matches nobody",
          "moto/iam/access_control.py (IAMRequestBase._check_role_trust_relationship, _check_principal)",
          "each trust policy is evaluated on the deployed role for the table's service; the service's session "
          "is then issued by the emulator's STS, as AWS issues it to the service"),
    Limit("names the action after the request's SigV4 signing name: CloudWatch requests are "
          "'monitoring:PutMetricData', never matching 'cloudwatch:' statements",
          "moto/iam/access_control.py (IAMRequestBase.__init__)",
          "calls of services whose signing name differs from their IAM prefix are decided on the template"),
    Limit("authorises actions it does not implement and then fails them (ecr:GetDownloadUrlForLayer, "
          "inspector2:ListCoverage, the ECS agent's state changes), and has no API for permission-only actions "
          "(ecs:Poll, ecs:StartTelemetrySession, codeartifact:ReadFromRepository, sts:GetServiceBearerToken)",
          "moto/ecr/responses.py, moto/inspector2/responses.py, moto/ecs/responses.py",
          "those calls are decided on the template"),
    Limit("knows one account: resources of other accounts (the AWS Deep Learning Containers registry) do not exist",
          "moto/core/base_backend.py (backends per account, created on demand)",
          "calls on them are decided on the template; the other account's resource policy is not ours to check"),
    Limit("names AWS Batch actions after the request's lower-case URL path (batch:submitjob) and matches "
          "actions case-sensitively: no Batch grant matches",
          "moto/batch/responses.py (BatchResponse._get_action), moto/iam/access_control.py (_match)",
          "local/iam.py compares actions case-insensitively, as IAM does"),
    Limit("returns Fn::GetAtt LogGroup.Arn without the ':*' that CloudFormation returns",
          "moto/logs/models.py (LogGroup.get_cfn_attribute)",
          "local/iam.py returns it as CloudFormation does"),
)
"""moto's IAM limits that matter for our templates."""


@cache
def signing_name(client: str) -> str:
    """The SigV4 signing name of a boto3 service (what moto prefixes actions with)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model(client)
    return str(model.signing_name)


def template_reasons(action: str, *, has_api: bool, client: str, uncreated: Sequence[str],
                     foreign_account: str | None, identity: Sequence[Mapping[str, Any]],
                     context_keys: Sequence[str] = ()) -> list[str]:
    """Why the emulator's answer for ``action`` cannot be trusted (empty: make the call in the emulator)."""
    reasons: list[str] = []
    if context_keys:
        reasons.append(f"the emulator evaluates no request context ({', '.join(sorted(context_keys))})")
    prefix = action.split(":", 1)[0]
    if not has_api:
        reasons.append(f"the emulator has no {action} API")
    elif signing_name(client) != prefix:
        reasons.append(f"the emulator authorises it as {signing_name(client)}:{action.split(':', 1)[1]}")
    reasons += [f"{what} is not created by the emulator" for what in uncreated]
    if foreign_account is not None:
        reasons.append(f"the resource is in account {foreign_account}, outside the emulator")
    conditioned = [str(s.get("Sid", "(no Sid)")) for s in policy.matching_statements(identity, action)
                   if s.get("Condition")]
    if conditioned:
        reasons.append(f"the emulator ignores the conditions of {', '.join(conditioned)}")
    return reasons
