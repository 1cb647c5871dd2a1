"""The vocabulary of the runtime-call tables: what AWS services do with the roles our constructs create.

A construct declares, once and beside its code (``serving/runtime_calls.py``, ``compute/runtime_calls.py``,
``images/runtime_calls.py``, ``network_runtime_calls.py``), the calls an AWS service makes at run time on behalf
of each role it creates, and the calls that must be refused. The tables are pure data: no AWS client, nothing
about where they are checked. The local deploy (``platform deploy-local``) assumes each deployed role as the
service would and makes every call.

How a table finds things in a synthesized template (logical ids are public API, so they are stable):

* a construct instance is found by its :attr:`RuntimeTable.anchor`; every resource of the instance has the
  logical id ``<instance prefix><name><8 hex digits>`` (CDK's ``makeUniqueId``: path components joined, a
  component dropped when the previous one ends with it);
* :class:`Sibling` names such a resource (a name starting with ``/`` is a logical-id prefix of the stack, for a
  resource shared by the stack's constructs); ``{placeholder}`` parts match letters and digits and expand a call
  once per binding found in the template (e.g. ``"{level}Repository"`` -> ``BaseRepository``,
  ``RuntimeRepository``, ...), the same binding for every value of one call; a :class:`RoleCalls` ``role`` may
  hold placeholders too (``"Project{project}BuildRole"``): its calls are planned once per matching role, with
  that role's bindings;
* :class:`Prop` reads a property of a sibling (a ``{{resolve:ssm:NAME}}`` value is read when the call is made),
  :class:`Output` one of the instance's stack outputs, :class:`Join` concatenates values, and
  :class:`BatchCluster` is the ECS cluster AWS Batch creates for a compute environment.

The parameters a call takes (``target``) depend on the action's service: ``repository`` or ``image`` (ECR),
``bucket`` and ``key`` or ``url`` (S3 objects; ``prefix`` for listing), ``key`` (KMS), ``log_group`` and
``stream`` (CloudWatch Logs), ``parameter`` and ``value`` (SSM), ``cluster`` (ECS), ``project`` (CodeBuild),
``namespace`` (CloudWatch metrics), ``domain`` and ``package_repository`` (CodeArtifact), ``topic`` (SNS),
``queue`` and ``job_definition`` (AWS Batch), ``rule`` (EventBridge), ``state_machine`` and ``role`` (Step
Functions), ``table`` (DynamoDB), ``file_system`` (EFS). A
literal string is a resource outside the construct (a negative path's target); a literal KMS key is an alias
(``alias/...``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Expect = Literal["allow", "deny"]


@dataclass(frozen=True)
class Sibling:
    """A resource of the same construct instance: logical id ``<prefix><name><8 hex>`` (``name`` may hold
    ``{placeholders}``), optionally of one ``type``; ``name=""`` with a ``type``: each resource of that type
    whose logical id is ``<prefix><8 hex>`` or ``<prefix><anything><8 hex>``."""

    name: str
    type: str | None = None


@dataclass(frozen=True)
class Prop:
    """The value of property ``path`` (dotted) of a sibling in the template."""

    of: Sibling
    path: str


@dataclass(frozen=True)
class Output:
    """The value of the instance's stack output ``<prefix><name><8 hex>``."""

    name: str


@dataclass(frozen=True)
class BatchCluster:
    """The ECS cluster AWS Batch runs a compute environment's instances in: ``AWSBatch-<environment name>-<id>``."""

    environment: Sibling


@dataclass(frozen=True)
class Join:
    """Values concatenated."""

    parts: tuple[Value, ...]


Value = str | Sibling | Prop | Output | BatchCluster | Join


@dataclass(frozen=True)
class Call:
    """One call an AWS service makes with a role (``expect="allow"``), or one it must be refused (``"deny"``).

    :param action: the IAM action, e.g. ``ecr:BatchGetImage``.
    :param target: the call's parameters (see the module docstring).
    :param does: what the service does with the call, in words (quoted in every failure message).
    :param expect: ``allow`` or ``deny``. Default: ``allow``.
    :param context: condition keys the service's request carries (values may use ``{region}``, ``{account}``).
        Default: none beyond ``aws:SecureTransport`` (AWS services call each other over TLS).
    :param when: the call applies only if this property exists in the template (e.g. data capture is
        configured). Default: always.
    :param known_gap: the issue that will make a wrong outcome right; the call is reported as a known gap
        instead of a failure while it behaves the other way. Default: none.
    """

    action: str
    target: Mapping[str, Value]
    does: str
    expect: Expect = "allow"
    context: Mapping[str, Value] = field(default_factory=dict)
    when: Prop | None = None
    known_gap: str | None = None


@dataclass(frozen=True)
class RoleCalls:
    """The calls made with one role of the construct: sibling ``role``, assumed by ``service``."""

    role: str
    service: str
    calls: tuple[Call, ...]
    optional: bool = False
    """``True`` for a role only some configurations create (e.g. the ECS instance role: EC2 compute only)."""
    context: Mapping[str, Value] = field(default_factory=dict)
    """The condition keys the service's ``sts:AssumeRole`` request carries (e.g. ``aws:SourceArn``, the project or
    rule it assumes the role for), for a trust policy that limits them. Default: none. A ``{placeholder}`` sibling
    in a value is bound to the role's placeholders, else to the first resource it matches."""


@dataclass(frozen=True)
class ServiceCalls:
    """The calls an AWS service makes as itself (no role of ours): only the resource's policy (a key policy, a
    topic or bucket policy) can allow them. ``principal`` is the service-linked role the service uses, when it
    calls through one (``{account}`` is replaced); default: the service principal itself."""

    service: str
    calls: tuple[Call, ...]
    principal: str | None = None


@dataclass(frozen=True)
class RuntimeTable:
    """A construct's runtime calls: ``anchor`` finds its instances in a template; ``roles`` say what runs with
    each role it creates, ``services`` what AWS services do with its resources as themselves."""

    construct: str
    anchor: Sibling
    roles: tuple[RoleCalls, ...]
    services: tuple[ServiceCalls, ...] = ()


# --- what AWS services do with a construct's resources as themselves ----------------------------------------

PLAIN_HTTP = {"aws:SecureTransport": "false"}
"""The context of a request that does not use TLS (refused by every TLS-only bucket or topic policy)."""


def encrypted_log_group(key: Sibling, log_group: Sibling) -> ServiceCalls:
    """CloudWatch Logs encrypts the log group's events with its key: the key policy must allow
    ``logs.<region>.amazonaws.com`` with the log group's ARN as encryption context (CloudWatch Logs user guide,
    "Encrypt log data in CloudWatch Logs using AWS Key Management Service"); a log group of another account must
    not be able to use the key."""
    own = {"kms:EncryptionContext:aws:logs:arn": Join(("arn:aws:logs:{region}:{account}:log-group:", log_group))}
    foreign = {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:{region}:999999999999:log-group:other"}
    return ServiceCalls("logs.{region}.amazonaws.com", calls=(
        Call("kms:GenerateDataKey", {"key": key}, "encrypts the log group's events", context=own),
        Call("kms:Decrypt", {"key": key}, "decrypts them when they are read", context=own),
        Call("kms:Decrypt", {"key": key}, "uses the key for another account's log group", expect="deny",
             context=foreign),
    ))


NOTIFICATION_SOURCES: dict[str, tuple[str, bool]] = {
    "cloudwatch.amazonaws.com": ("arn:{partition}:cloudwatch:{region}:{account}:alarm:runtime-calls", True),
    "events.amazonaws.com": ("arn:{partition}:events:{region}:{account}:rule/runtime-calls", False),
}
"""The ``aws:SourceArn`` a notifying service's requests carry (an alarm, a rule of this account), and whether its
KMS requests carry it too: CloudWatch's do; EventBridge's KMS requests for an encrypted topic carry no
``aws:SourceAccount``/``aws:SourceArn`` (SNS developer guide, "Enable compatibility between event sources from
AWS services and encrypted topics")."""


def alarm_notifications(topic: Sibling, key: Sibling, *, service: str = "cloudwatch.amazonaws.com",
                        sender: str = "alarm") -> ServiceCalls:
    """An AWS service (CloudWatch alarms; EventBridge rules) publishes to the KMS-encrypted topic: the topic
    policy must let it publish and the key policy must let it generate and decrypt the data key (AWS re:Post
    knowledge center, "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?" and "configure
    a CloudWatch alarm with an encrypted SNS topic"); publishing without TLS, and on behalf of another account's
    alarm or rule, is refused. The requests carry the alarm's or rule's ARN (:data:`NOTIFICATION_SOURCES`)."""
    source_arn, to_kms = NOTIFICATION_SOURCES[service]
    own = {"aws:SourceArn": source_arn}
    foreign = {"aws:SourceAccount": "999999999999", "aws:SourceArn": source_arn.replace("{account}", "999999999999")}
    key_context = own if to_kms else {}
    return ServiceCalls(service, calls=(
        Call("sns:Publish", {"topic": topic}, f"publishes the {sender} notification", context=own),
        Call("kms:GenerateDataKey", {"key": key}, "encrypts the notification with the topic's key",
             context=key_context),
        Call("kms:Decrypt", {"key": key}, "decrypts the topic's data key", context=key_context),
        Call("sns:Publish", {"topic": topic}, f"publishes the {sender} notification without TLS", expect="deny",
             context={**own, **PLAIN_HTTP}),
        Call("sns:Publish", {"topic": topic}, f"publishes another account's {sender} notification", expect="deny",
             context=foreign),
    ))


ACCESS_LOGS = Sibling("/PlatformAccessLogs", "AWS::S3::Bucket")
"""The stack's server-access-log bucket (``baseline.access_log_bucket``), shared by its constructs' buckets."""

LOGGED_BUCKET = Sibling("", "AWS::S3::Bucket")
"""Each bucket of the construct (its buckets log to the stack's access-log bucket)."""

ACCESS_LOG_DELIVERY = ServiceCalls("logging.s3.amazonaws.com", calls=(
    Call("s3:PutObject", {"bucket": ACCESS_LOGS, "key": "runtime-calls/access-log"},
         "delivers the server access logs of the construct's buckets",
         context={"aws:SourceArn": Join(("arn:{partition}:s3:::", LOGGED_BUCKET))}),
    Call("s3:PutObject", {"bucket": ACCESS_LOGS, "key": "runtime-calls/access-log"},
         "delivers logs of another account's bucket", expect="deny",
         context={"aws:SourceAccount": "999999999999", "aws:SourceArn": "arn:{partition}:s3:::another-bucket"}),
    Call("s3:PutObject", {"bucket": ACCESS_LOGS, "key": "runtime-calls/access-log"},
         "delivers logs of a bucket the stack's constructs do not log", expect="deny",
         context={"aws:SourceArn": "arn:{partition}:s3:::another-bucket-of-this-account"}),
))
"""S3 server access logging writes to the access-log bucket (S3 user guide, "Enabling Amazon S3 server access
logging": the bucket policy must allow ``logging.s3.amazonaws.com``, limited here to this account and, by
``aws:SourceArn``, to the buckets that log there; the delivery request carries the source bucket's ARN)."""
