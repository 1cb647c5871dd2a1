"""The premises of the library's decisions: what must be true of a resource for a decision to hold (pure).

A decision's reason states facts about the resource it acknowledges ("the only statements on '*' are the
actions without resource-level permissions", "the bucket is versioned", "every variant is serverless").
``platform-check`` and the synth-time gate verify those facts on the resource itself before they honour the
acknowledgment, so copying an acknowledgment onto another resource, or adding to an acknowledged resource
later, acknowledges nothing that the decision did not decide.

A premise is a function of the acknowledged resource (its JSON, the template around it, the policy and the
values that fill the decision's placeholders) returning every problem found; no problem: the premise holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.compliance.rules.base import RuleContext, is_true, props
from platform_constructs.compliance.statements import Statement, identity_statements, nag_resource

PARTITION = r"(<AWS::Partition>|aws[a-z-]*)"
REGION = r"(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\d)"
ACCOUNT = r"(<AWS::AccountId>|\d{12})"
"""Patterns of the stack's partition, region and account in an ARN as cdk-nag flattens it: the pseudo parameters,
or the literal values of a stack with an explicit environment."""


@dataclass(frozen=True)
class Subject:
    """What a premise looks at: one acknowledged resource, in its template, under the policy."""

    logical_id: str
    resource: Mapping[str, Any]
    ctx: RuleContext
    values: Mapping[str, str]
    """The values of the decision's placeholders, read from the acknowledged finding id."""

    @property
    def properties(self) -> Mapping[str, Any]:
        return props(self.resource)

    def others(self, resource_type: str) -> Iterable[tuple[str, Mapping[str, Any]]]:
        resources = self.ctx.template.get("Resources", {})
        for logical_id, resource in resources.items() if isinstance(resources, Mapping) else ():
            if isinstance(resource, Mapping) and resource.get("Type") == resource_type:
                yield str(logical_id), resource


@dataclass(frozen=True)
class Premise:
    text: str
    """What must hold, in words (listed with the decision and in a rejected acknowledgment's message)."""
    check: Callable[[Subject], list[str]]


def refers_to(value: Any, logical_id: str) -> bool:
    """``value`` is ``{"Ref": logical_id}`` or a ``Fn::GetAtt`` of it."""
    if not isinstance(value, Mapping):
        return False
    if value.get("Ref") == logical_id:
        return True
    target = value.get("Fn::GetAtt")
    return (isinstance(target, list) and bool(target) and target[0] == logical_id) or (
        isinstance(target, str) and target.split(".", 1)[0] == logical_id)


def _statements(subject: Subject) -> list[Statement]:
    return list(identity_statements(subject.resource))


def _unreadable(statements: list[Statement]) -> list[str]:
    return [f"{s.location} is computed at deploy time and cannot be verified" for s in statements if s.body is None]


# --- IAM policies -------------------------------------------------------------------------------------


def only_these_on_any_resource(actions: Iterable[str], *, conditioned: Mapping[str, str] | None = None) -> Premise:
    """Every ``Allow`` statement that reaches every resource (``Resource: "*"``, ``NotResource``, ``NotAction``)
    holds only ``actions``; each action in ``conditioned`` must be limited by that condition key."""
    allowed = frozenset(actions)
    keys = dict(conditioned or {})

    def check(subject: Subject) -> list[str]:
        statements = _statements(subject)
        problems = _unreadable(statements)
        for statement in statements:
            if not statement.allows or statement.body is None:
                continue
            if "NotAction" in statement.body or "NotResource" in statement.body:
                problems.append(f"{statement.location} uses NotAction/NotResource")
                continue
            if "*" not in statement.values("Resource"):
                continue
            conditions = statement.body.get("Condition", {})
            condition_keys = {k for block in conditions.values() if isinstance(block, Mapping) for k in block} \
                if isinstance(conditions, Mapping) else set()
            for action in statement.values("Action"):
                if action not in allowed:
                    problems.append(f"{statement.location} grants {action!r} on '*', which the decision does not cover")
                elif action in keys and keys[action] not in condition_keys:
                    problems.append(f"{statement.location} grants {action!r} on '*' without a {keys[action]} condition")
        return problems

    listed = ", ".join(sorted(allowed))
    return Premise(f"the only actions on Resource '*' are: {listed}", check)


def scoped_resource(pattern: str, actions: Iterable[str], *, resource: str | None = None,
                    condition: str | tuple[str, ...] | None = None) -> Premise:
    """The acknowledged resource (the literal ``resource``, else the decision's ``resource`` placeholder) matches
    ``pattern`` (a regular expression over cdk-nag's flattened form) and every statement naming it holds only
    ``actions`` (and, with ``condition``, is limited by that condition key, or by one of those keys)."""
    keys = (condition,) if isinstance(condition, str) else condition
    allowed = frozenset(actions)
    compiled = re.compile(pattern)

    def check(subject: Subject) -> list[str]:
        if resource is None and "resource" not in subject.values:
            return []  # another id of the decision, without the placeholder: not this premise's
        named_resource = resource if resource is not None else subject.values["resource"]
        problems = [] if compiled.fullmatch(named_resource) else [
            f"the acknowledged resource {named_resource!r} is not of the form the decision covers ({pattern})"]
        statements = _statements(subject)
        problems += _unreadable(statements)
        named = [s for s in statements
                 if s.allows and named_resource in {nag_resource(r) for r in s.values("Resource")}]
        if not named:
            problems.append(f"no statement of the policy names {named_resource!r}")
        for statement in named:
            extra = [a for a in statement.values("Action") if a not in allowed]
            if extra:
                problems.append(f"{statement.location} grants {', '.join(map(str, extra))} on {named_resource!r}, "
                                "which the decision does not cover")
            if keys is not None and not condition_keys(statement).intersection(keys):
                problems.append(f"{statement.location} names {named_resource!r} without a {' or '.join(keys)} "
                                "condition")
        return problems

    limited = f", each limited by {' or '.join(keys)}" if keys is not None else ""
    return Premise(f"the resource matches {pattern} and only {', '.join(sorted(allowed))} are granted on it{limited}",
                   check)


def condition_keys(statement: Statement) -> set[str]:
    """The condition keys a statement tests (under any operator)."""
    conditions = statement.body.get("Condition", {}) if statement.body is not None else {}
    if not isinstance(conditions, Mapping):
        return set()
    return {str(key) for block in conditions.values() if isinstance(block, Mapping) for key in block}


def granted_on_template_resources(actions: Iterable[str], resource_types: Iterable[str]) -> Premise:
    """Every statement granting one of ``actions`` names only resources of ``resource_types`` in the same template
    (a ``Ref`` or ``Fn::GetAtt`` of one); at least one such statement exists."""
    wanted, types = frozenset(actions), frozenset(resource_types)

    def check(subject: Subject) -> list[str]:
        resources = subject.ctx.template.get("Resources", {})
        own = {str(i) for i, r in (resources.items() if isinstance(resources, Mapping) else ())
               if isinstance(r, Mapping) and r.get("Type") in types}
        statements = _statements(subject)
        problems = _unreadable(statements)
        found = False
        for statement in statements:
            granted = statement.values("Action")
            if not statement.allows or not wanted.intersection(map(str, granted)):
                continue
            found = True
            if not all(any(refers_to(r, target) for target in own) for r in statement.values("Resource")):
                problems.append(f"{statement.location} names resources other than this template's "
                                f"{', '.join(sorted(types))}")
        return problems if found else [f"no statement of the policy grants {', '.join(sorted(wanted))}"]

    return Premise(f"{', '.join(sorted(wanted))} is granted only on this template's {', '.join(sorted(types))}",
                   check)


def approved_repository_patterns(registries: Iterable[str], *, account: str | None = None,
                                 accounts: Iterable[str] = ()) -> set[str]:
    """The ECR repository ARN patterns (regular expressions over ARNs flattened as cdk-nag names them) of the
    approved registry prefixes: ``{region}`` matches the stack's region; ``{account}`` the deploying account only —
    the ``AWS::AccountId`` pseudo parameter, the stack's own literal ``account`` when it is known (a stack with an
    explicit environment), or one of ``accounts`` (the policy's ``registries.accounts``), as the constructs decide
    at synth (:func:`platform_constructs.images.uri.image_problem`); a literal account or region only itself."""
    own = "|".join(re.escape(a) for a in dict.fromkeys([*([account] if account else []), *accounts]))
    deploying = f"(<AWS::AccountId>{'|' + own if own else ''})"
    patterns = set()
    for registry in registries:
        found = re.fullmatch(r"(\d{12}|\{account\})\.dkr\.ecr\.([^.]+)\.amazonaws\.com/(.*)", registry)
        if found is None:
            continue
        account_pattern = deploying if found[1] == "{account}" else re.escape(found[1])
        region = REGION if found[2] == "{region}" else re.escape(found[2])
        patterns.add(f"arn:{PARTITION}:ecr:{region}:{account_pattern}:repository/{re.escape(found[3])}\\*")
    return patterns


def _approved_repository(subject: Subject) -> list[str]:
    resource = subject.values.get("resource", "")
    policy = subject.ctx.policy
    approved = approved_repository_patterns(policy.approved_registries, account=subject.ctx.account,
                                            accounts=policy.image_accounts)
    if any(re.fullmatch(pattern, resource) for pattern in approved):
        return []
    own = subject.ctx.account or "the AWS::AccountId pseudo parameter (an environment-agnostic stack)"
    listed = f", registries.accounts {', '.join(policy.image_accounts)}" if policy.image_accounts else ""
    return [f"{resource!r} is not the repositories of an approved registry prefix "
            f"({', '.join(policy.approved_registries)}; {{account}} is the deploying account: {own}{listed})"]


APPROVED_REPOSITORIES = Premise("the resource is the repositories of one of the policy's approved registry prefixes",
                                _approved_repository)


# --- S3 buckets ---------------------------------------------------------------------------------------


def _bucket_problems(subject: Subject) -> list[str]:
    properties = subject.properties
    problems = []
    versioning = properties.get("VersioningConfiguration")
    if not (isinstance(versioning, Mapping) and versioning.get("Status") == "Enabled"):
        problems.append("the bucket is not versioned (VersioningConfiguration.Status: Enabled)")
    block = properties.get("PublicAccessBlockConfiguration")
    settings = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    if not (isinstance(block, Mapping) and all(is_true(block.get(s)) for s in settings)):
        problems.append("public access is not blocked (all four PublicAccessBlockConfiguration settings true)")
    if not properties.get("BucketEncryption"):
        problems.append("the bucket has no default encryption")
    return problems


VERSIONED_PRIVATE_BUCKET = Premise("the bucket is versioned, encrypted and blocks public access", _bucket_problems)


def _noncurrent_expiry(subject: Subject) -> list[str]:
    problems = _bucket_problems(subject)
    lifecycle = subject.properties.get("LifecycleConfiguration")
    rules = lifecycle.get("Rules") if isinstance(lifecycle, Mapping) else None
    if not (isinstance(rules, list) and any(isinstance(r, Mapping) and r.get("Status") == "Enabled" and (
            "NoncurrentVersionExpiration" in r or "NoncurrentVersionExpirationInDays" in r) for r in rules)):
        problems.append("no enabled lifecycle rule expires noncurrent versions")
    return problems


VERSIONS_EXPIRE = Premise("the bucket is versioned, encrypted, private and a lifecycle rule expires old versions",
                          _noncurrent_expiry)


def _log_destination(subject: Subject) -> list[str]:
    for _, policy in subject.others("AWS::S3::BucketPolicy"):
        policy_props = props(policy)
        if not refers_to(policy_props.get("Bucket"), subject.logical_id):
            continue
        document = policy_props.get("PolicyDocument", {})
        for statement in document.get("Statement", []) if isinstance(document, Mapping) else []:
            principal = statement.get("Principal", {}) if isinstance(statement, Mapping) else {}
            services = principal.get("Service", []) if isinstance(principal, Mapping) else []
            if statement.get("Effect") == "Allow" and "logging.s3.amazonaws.com" in (
                    services if isinstance(services, list) else [services]):
                return []
    return ["no bucket policy in the template lets the S3 logging service (logging.s3.amazonaws.com) write to "
            "the bucket, so it is not a server-access-log destination"]


LOG_DESTINATION = Premise("the bucket's policy admits only S3 server access log delivery as a writer service",
                          _log_destination)


def _sse_s3(subject: Subject) -> list[str]:
    encryption = subject.properties.get("BucketEncryption")
    rules = encryption.get("ServerSideEncryptionConfiguration") if isinstance(encryption, Mapping) else None
    algorithms = [r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules or []
                  if isinstance(r, Mapping)]
    problems = [] if algorithms == ["AES256"] else [f"the bucket's default encryption is {algorithms or 'not set'}, "
                                                    "not SSE-S3 (AES256)"]
    return problems + _log_destination(subject)


SSE_S3_LOG_DESTINATION = Premise("the bucket is a server-access-log destination encrypted with SSE-S3", _sse_s3)


OBJECT_PREFIX = (r"(<(?P<bucket>[A-Za-z0-9]+)\.Arn>|(?P<export>[A-Za-z0-9-]+:ExportsOutput[A-Za-z0-9]+))"
                 r"/[A-Za-z0-9._/-]*\*")
"""Objects under one prefix of a bucket (cdk-nag's ``<Bucket.Arn>/prefix/*``, or ``<export name>/prefix/*`` for a
bucket of another stack, which CDK imports with ``Fn::ImportValue``)."""


def bucket_objects(actions: Iterable[str]) -> Premise:
    """:func:`scoped_resource` of :data:`OBJECT_PREFIX`, where the bucket is an ``AWS::S3::Bucket`` of the template,
    or of the template that exports it among those checked together (an export not among them cannot be verified)."""
    scoped = scoped_resource(OBJECT_PREFIX, actions)

    def check(subject: Subject) -> list[str]:
        problems = scoped.check(subject)
        found = re.fullmatch(OBJECT_PREFIX, subject.values.get("resource", ""))
        if found is None:
            return problems
        template, bucket = subject.ctx.template, found["bucket"]
        if found["export"] is not None:
            exported = subject.ctx.exports.get(found["export"])
            target = exported[1].get("Fn::GetAtt") if exported and isinstance(exported[1], Mapping) else None
            if not (isinstance(target, list) and len(target) == 2 and target[1] == "Arn"):
                return [*problems, f"the export {found['export']} is not the ARN of a resource of the templates "
                                   "checked together, so its bucket cannot be verified (check them together)"]
            template, bucket = exported[0], str(target[0])  # type: ignore[index]
        resources = template.get("Resources", {})
        resource = resources.get(bucket) if isinstance(resources, Mapping) else None
        if not (isinstance(resource, Mapping) and resource.get("Type") == "AWS::S3::Bucket"):
            problems.append(f"{bucket} is not an S3 bucket of the template that defines it")
        return problems

    return Premise(f"{scoped.text}, of a bucket of the templates checked", check)
