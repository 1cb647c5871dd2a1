"""IAM enforcement in the embedded emulator: an admin identity for the deploy, and the resource of each request.

moto authorises requests only when asked to (``POST /moto-api/reset-auth N``: the first ``N`` requests pass,
then every request is signed-checked and authorised against IAM; ``moto/core/authorization.py``,
``moto/moto_api/_internal/responses.py``). :func:`enable` spends exactly :data:`FREE_CALLS` of those requests on an
admin user, its inline ``*`` policy and its access key, so the CDK CLI, the verification and the fixtures of the
runtime tables run as that identity and nothing else runs unauthenticated.

What moto evaluates, read from its source (``moto/iam/access_control.py``, ``moto/iam/policy_conditions.py``,
``moto/core/responses.py``, ``moto/s3/responses.py``, ``moto/s3/models.py``, moto 5.2.5), is in :data:`LIMITS`.
Four of them this module corrects, because they would turn scoped grants into denials or refuse the admin:

* **Resources.** ``BaseResponse.call_action`` authorises every request of every service against the resource
  ``"*"`` unless the response class has ``_determine_resource`` (only IAM, STS and SQS do; S3 computes its own
  bucket/object ARN). A statement whose ``Resource`` is an ARN never matches ``"*"``, so every least-privilege
  grant would be denied. :data:`RESOURCES` gives, for each action the runtime tables make, the ARN AWS authorises
  it against (the Service Authorization Reference's resource type for the action), built from the request's
  parameters (and for each request the Metaflow client test's grants cover); :func:`install` adds it as
  ``_determine_resource`` to that service's response class while the emulator runs. moto then matches the
  policy's ``Resource`` patterns against it with its own matcher.
* **Signatures of GET requests.** moto recomputes a request's SigV4 signature over ``body or data``, and for a
  GET ``data`` is the parsed query string (or, without one, the headers): the payload it hashes is not the empty
  one the client signed, so every signed GET of a REST API without S3's payload header fails with
  ``SignatureDoesNotMatch`` (EFS's ``DescribeFileSystems``/``DescribeMountTargets``;
  ``IAMRequestBase._create_aws_request``). :func:`install` signs GET and HEAD requests over their real body.
* **Action names.** moto names an AWS Batch request after its lower-case URL path (``batch:submitjob``,
  ``moto/batch/responses.py``) and matches actions case-sensitively; IAM compares them case-insensitively, so
  :func:`install` does too (otherwise no Batch grant would ever match).
* **Log group ARNs.** CloudFormation's ``Fn::GetAtt LogGroup.Arn`` is ``arn:...:log-group:NAME:*`` (CloudFormation
  user guide, ``AWS::Logs::LogGroup`` return values); moto returns it without ``:*``, so a grant on the attribute
  (CDK's ``grant_write``) would not match the log streams AWS authorises ``CreateLogStream``/``PutLogEvents``
  against (``...:log-group:NAME:log-stream:STREAM``, the resource AWS names in those calls' AccessDenied
  messages). :func:`install` returns the attribute as CloudFormation does.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

FREE_CALLS = 3
"""Requests moto lets through before it enforces IAM: create the admin user, its policy and its access key."""
ADMIN_USER = "platform-local-admin"
"""The identity the CDK CLI deploys with (an IAM user with an inline ``*`` policy, like an account admin)."""
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class Identity:
    """Long-term credentials of an IAM user in the emulator."""

    user_arn: str
    access_key_id: str
    secret_access_key: str


class EnforcementError(RuntimeError):
    """IAM enforcement could not be switched on (the message says which step failed)."""


def _post(endpoint_url: str, path: str, body: str) -> bytes:
    # text/plain: with urllib's default form content type, moto reads an empty body (and fails on float(""))
    request = urllib.request.Request(f"{endpoint_url}{path}", method="POST", data=body.encode(),
                                     headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


_ENFORCING: set[str] = set()
"""Endpoints of the emulators enforcing IAM in this process (at most one: moto's settings are per process)."""


def claim(endpoint_url: str) -> None:
    """Reserve enforcement for ``endpoint_url``; refuse a second enforcing emulator in this process."""
    others = _ENFORCING - {endpoint_url}
    if others:
        raise EnforcementError(f"an IAM-enforcing emulator already runs in this process ({', '.join(others)}): "
                               "moto keeps its IAM settings and its resources per process, so share that one")
    _ENFORCING.add(endpoint_url)


def enable(endpoint_url: str, *, region: str, bootstrap_credentials: Mapping[str, str]) -> Identity:
    """Turn IAM enforcement on and create the admin identity within the :data:`FREE_CALLS` free requests."""
    import boto3

    claim(endpoint_url)
    _post(endpoint_url, "/moto-api/reset-auth", str(FREE_CALLS))
    iam = boto3.client("iam", endpoint_url=endpoint_url, region_name=region,
                       aws_access_key_id=bootstrap_credentials["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=bootstrap_credentials["AWS_SECRET_ACCESS_KEY"])
    try:
        user = iam.create_user(UserName=ADMIN_USER)["User"]  # free call 1
        iam.put_user_policy(UserName=ADMIN_USER, PolicyName="admin",  # free call 2
                            PolicyDocument=json.dumps(ADMIN_POLICY))
        key = iam.create_access_key(UserName=ADMIN_USER)["AccessKey"]  # free call 3; enforced from here on
    except Exception as exc:  # a leftover user (no reset), or a request that used up a free call
        raise EnforcementError(f"creating the admin identity in the emulator failed: {exc}") from exc
    return Identity(user_arn=user["Arn"], access_key_id=key["AccessKeyId"],
                    secret_access_key=key["SecretAccessKey"])


def disable(endpoint_url: str) -> None:
    """Stop enforcing IAM (moto's default: every request unauthenticated)."""
    _post(endpoint_url, "/moto-api/reset-auth", "inf")
    _ENFORCING.discard(endpoint_url)


def service_credentials(role_arn: str, *, service: str, account: str, region: str,
                        partition: str = "aws") -> dict[str, str]:
    """Temporary credentials of ``role_arn`` as AWS issues them to ``service`` when it assumes the role.

    Issued by the emulator's STS directly: an ``sts:AssumeRole`` request would be authorised against the trust
    policy with the *caller's* ARN (and fails with HTTP 500 on a ``Service`` principal; see :data:`LIMITS` in
    :mod:`platform_constructs.local.runtime.limits`), so the trust policy is evaluated by the caller instead.
    """
    from moto.sts.models import sts_backends

    issued = sts_backends[account][partition].assume_role(
        region_name=region, role_session_name=service.split(".", 1)[0], role_arn=role_arn,
        policy=None, duration=3600, external_id=None)  # type: ignore[arg-type]
    return {"aws_access_key_id": issued.access_key_id, "aws_secret_access_key": issued.secret_access_key,
            "aws_session_token": issued.session_token}


# --- the resource of each request -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What a resolver sees of a request: where it was sent and its JSON parameters."""

    partition: str
    region: str
    account: str
    params: Mapping[str, Any]

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:"
                f"{self.account if account else ''}:{resource}")


Resolver = Callable[[Request], str]


def _repository(r: Request) -> str:
    registry = r.params.get("registryId") or r.account
    return f"arn:{r.partition}:ecr:{r.region}:{registry}:repository/{r.params['repositoryName']}"


def _kms_key_id(r: Request) -> str:
    from moto.kms.models import kms_backends

    key_id = str(r.params["KeyId"])
    try:
        return str(kms_backends[r.account][r.region].describe_key(key_id).arn)
    except Exception:  # an unknown key: authorise against the ARN the caller named
        return key_id if key_id.startswith("arn:") else r.arn("kms", f"key/{key_id}")


def _kms_ciphertext(r: Request) -> str:
    """Decrypt names no key: AWS authorises it against the key that encrypted the ciphertext."""
    from moto.kms.utils import _deserialize_ciphertext_blob

    if "KeyId" in r.params:
        return _kms_key_id(r)
    blob = base64.b64decode(r.params["CiphertextBlob"])
    return _kms_key_id(Request(r.partition, r.region, r.account, {"KeyId": _deserialize_ciphertext_blob(blob).key_id}))


def _log_stream(r: Request) -> str:
    return r.arn("logs", f"log-group:{r.params['logGroupName']}:log-stream:{r.params.get('logStreamName', '')}")


def _parameter(r: Request) -> str:
    return r.arn("ssm", f"parameter/{str(r.params['Name']).lstrip('/')}")


def _tagged_parameter(r: Request) -> str:
    """AddTagsToResource on a parameter: AWS authorises it against the parameter's ARN."""
    return r.arn("ssm", f"parameter/{str(r.params['ResourceId']).lstrip('/')}")


def _cluster(r: Request) -> str:
    cluster = str(r.params.get("cluster") or "default")
    return cluster if cluster.startswith("arn:") else r.arn("ecs", f"cluster/{cluster}")


def _named(service: str, kind: str, key: str, *, separator: str = "/") -> Resolver:
    """The ARN of the resource the request names by ``key`` (an ARN already, or a name)."""
    def resolve(r: Request) -> str:
        name = str(r.params[key])
        return name if name.startswith("arn:") else r.arn(service, f"{kind}{separator}{name}")

    return resolve


def _event_rule(key: str) -> Resolver:
    """A rule of the default event bus (``rule/NAME``) or of another one (``rule/BUS/NAME``)."""
    def resolve(r: Request) -> str:
        bus = str(r.params.get("EventBusName") or "default")
        name = str(r.params[key])
        if name.startswith("arn:"):
            return name
        return r.arn("events", f"rule/{name}" if bus == "default" else f"rule/{bus.rsplit('/', 1)[-1]}/{name}")

    return resolve


def _project(r: Request) -> str:
    name = str(r.params["projectName"])
    return name if name.startswith("arn:") else r.arn("codebuild", f"project/{name}")


RESOURCES: dict[str, dict[str, Resolver]] = {
    "ecr": {action: _repository for action in (
        "BatchCheckLayerAvailability", "BatchGetImage", "CompleteLayerUpload", "DescribeImageScanFindings",
        "DescribeImages", "GetDownloadUrlForLayer", "InitiateLayerUpload", "ListImages", "PutImage",
        "UploadLayerPart")},
    "kms": {"Decrypt": _kms_ciphertext, "DescribeKey": _kms_key_id, "Encrypt": _kms_key_id,
            "GenerateDataKey": _kms_key_id, "GenerateDataKeyWithoutPlaintext": _kms_key_id},
    # CreateLogStream/PutLogEvents/DescribeLogStreams: AWS names the log-stream ARN in their AccessDenied messages
    "logs": {"CreateLogStream": _log_stream, "PutLogEvents": _log_stream, "DescribeLogStreams": _log_stream},
    "ssm": {"GetParameter": _parameter, "PutParameter": _parameter, "AddTagsToResource": _tagged_parameter},
    "ecs": {"RegisterContainerInstance": _cluster, "DeregisterContainerInstance": _cluster},
    "codebuild": {"StartBuild": _project},
    # SubmitJob: AWS authorises it against the job queue and the job definition; moto checks one resource, the
    # queue (the runtime tables decide the job definition on the template)
    "batch": {"SubmitJob": _named("batch", "job-queue", "jobQueue"),
              "RegisterJobDefinition": _named("batch", "job-definition", "jobDefinitionName"),
              "DeregisterJobDefinition": _named("batch", "job-definition", "jobDefinition"),
              "TerminateJob": _named("batch", "job", "jobId"), "CancelJob": _named("batch", "job", "jobId")},
    "states": {"CreateStateMachine": _named("states", "stateMachine", "name", separator=":"),
               **{action: _named("states", "stateMachine", "stateMachineArn", separator=":") for action in (
                   "UpdateStateMachine", "DescribeStateMachine", "DeleteStateMachine", "StartExecution")},
               "TagResource": _named("states", "stateMachine", "resourceArn", separator=":"),
               "StopExecution": _named("states", "execution", "executionArn", separator=":")},
    "events": {**{action: _event_rule("Name") for action in ("PutRule", "DescribeRule", "DisableRule",
                                                              "EnableRule", "DeleteRule")},
               **{action: _event_rule("Rule") for action in ("PutTargets", "RemoveTargets", "ListTargetsByRule")}},
    "dynamodb": {action: _named("dynamodb", "table", "TableName") for action in (
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "DescribeTable")},
}
"""IAM prefix -> action -> the ARN AWS authorises the request against. Actions not listed keep moto's ``"*"``
(right for actions without resource-level permissions, e.g. ``ecr:GetAuthorizationToken``)."""


def _response_classes() -> dict[str, type]:
    from moto.batch.responses import BatchResponse
    from moto.codebuild.responses import CodeBuildResponse
    from moto.dynamodb.responses import DynamoHandler
    from moto.ecr.responses import ECRResponse
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.events.responses import EventsHandler
    from moto.kms.responses import KmsResponse
    from moto.logs.responses import LogsResponse
    from moto.ssm.responses import SimpleSystemManagerResponse
    from moto.stepfunctions.responses import StepFunctionResponse

    return {"ecr": ECRResponse, "kms": KmsResponse, "logs": LogsResponse, "ssm": SimpleSystemManagerResponse,
            "ecs": EC2ContainerServiceResponse, "codebuild": CodeBuildResponse, "batch": BatchResponse,
            "states": StepFunctionResponse, "events": EventsHandler, "dynamodb": DynamoHandler}


def _determiner(resolvers: Mapping[str, Resolver]) -> Callable[[Any], str]:
    def _determine_resource(self: Any) -> str:
        resolver = resolvers.get(str(self._get_action())) or {k.lower(): v for k, v in resolvers.items()}.get(
            str(self._get_action()).lower())  # Batch's actions are lower-case path segments in moto
        if resolver is None:
            return "*"
        try:
            # DynamoDB's handler holds the parsed parameters in ``body``
            params = self.body if isinstance(self.body, dict) else json.loads(self.body) if self.body else {}
            return resolver(Request(self.partition, self.region, self.current_account, params))
        except Exception:  # an unreadable request: "*" matches no scoped grant, so the request is denied
            return "*"

    return _determine_resource


_SAVED: dict[str, Any] = {}
"""moto's own methods while :func:`install` has replaced them."""


def _log_group_cfn_attribute(self: Any, attribute_name: str) -> str:
    if attribute_name == "Arn":
        return f"{self.arn}:*"  # as CloudFormation returns it
    return str(_SAVED["log_group_attribute"](self, attribute_name))


def _signed_request(self: Any) -> Any:
    """moto's ``IAMRequestBase._create_aws_request``, with a GET's or HEAD's real (empty) body as the payload."""
    if self._method in ("GET", "HEAD") and not self._body:
        data, self._data = self._data, b""
        try:
            return _SAVED["create_aws_request"](self)
        finally:
            self._data = data
    return _SAVED["create_aws_request"](self)


def _element_matches(self: Any, statement_element: str, value: str) -> bool:
    """moto's ``IAMPolicyStatement._check_element_matches``, with actions compared as IAM compares them: "the
    prefix and the action name are case insensitive" (IAM User Guide, "IAM JSON policy elements: Action"). moto
    names an AWS Batch request after its lower-case URL path (``batch:submitjob``), which no policy's
    ``batch:SubmitJob`` would otherwise match."""
    if statement_element not in ("Action", "NotAction"):
        return bool(_SAVED["element_matches"](self, statement_element, value))
    patterns = self._statement[statement_element]
    return any(self._match(str(p).lower(), value.lower()) for p in (patterns if isinstance(patterns, list)
                                                                       else [patterns]))


def install() -> None:
    """Add the resource resolvers to moto's response classes, the CloudFormation log-group ARN, the GET
    signature check and case-insensitive actions (idempotent)."""
    from moto.iam.access_control import IAMPolicyStatement, IAMRequestBase
    from moto.logs.models import LogGroup

    for prefix, cls in _response_classes().items():
        if "_determine_resource" not in vars(cls):
            cls._determine_resource = _determiner(RESOURCES[prefix])  # type: ignore[attr-defined]
    if "log_group_attribute" not in _SAVED:
        _SAVED["log_group_attribute"] = LogGroup.get_cfn_attribute
        LogGroup.get_cfn_attribute = _log_group_cfn_attribute  # type: ignore[method-assign]
    if "create_aws_request" not in _SAVED:
        _SAVED["create_aws_request"] = IAMRequestBase._create_aws_request
        IAMRequestBase._create_aws_request = _signed_request  # type: ignore[method-assign]
    if "element_matches" not in _SAVED:
        _SAVED["element_matches"] = IAMPolicyStatement._check_element_matches
        IAMPolicyStatement._check_element_matches = _element_matches  # type: ignore[method-assign]


def uninstall() -> None:
    """Undo :func:`install`."""
    from moto.iam.access_control import IAMPolicyStatement, IAMRequestBase
    from moto.logs.models import LogGroup

    for cls in _response_classes().values():
        if "_determine_resource" in vars(cls):
            del cls._determine_resource  # type: ignore[attr-defined]
    if "log_group_attribute" in _SAVED:
        LogGroup.get_cfn_attribute = _SAVED.pop("log_group_attribute")  # type: ignore[method-assign]
    if "create_aws_request" in _SAVED:
        IAMRequestBase._create_aws_request = _SAVED.pop("create_aws_request")  # type: ignore[method-assign]
    if "element_matches" in _SAVED:
        IAMPolicyStatement._check_element_matches = _SAVED.pop("element_matches")  # type: ignore[method-assign]
