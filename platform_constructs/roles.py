"""Roles of the secure baseline: the sealed :class:`PlatformRole` and service principals limited to this account.

A :class:`PlatformRole` keeps its permissions in customer-managed policies only (no inline policy, no
AWS-managed policy) and in two of them:

* ``Policy`` (the role's first policy, its logical id unchanged): the statements the library itself grants
  while building a construct, or in a construct's own methods (``grant_read_datastore``, ...). This is the
  policy the library's decisions acknowledge (its statements on ``*`` are the actions AWS offers no
  resource-level permission for) and no one else adds to it: it is *sealed*.
* ``UserPolicy`` (created on the first such grant): every statement added by other code (``bucket.grant_read(role)``,
  ``role.add_to_principal_policy(...)``, ``role.add_to_policy(...)``, ``role.policy.add_statements(...)``). No decision
  is ever applied to it, so the gate judges each of its statements as it would on any role, and a grant on ``*``
  there fails synth naming the role and the statement.

Who adds a statement is read from the call stack: the first frame outside this module, jsii and aws-cdk
belongs to ``platform_constructs`` (the library) or to someone else. A statement the library adds that would
need an acknowledgment but lands in the user policy fails synth: the routing fails closed.
"""

from __future__ import annotations

import json
import sys
from types import FrameType
from typing import Any

import jsii
from aws_cdk import CfnParameter, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct, IValidation

_PASS_THROUGH = ("jsii", "aws_cdk", "constructs", "typeguard", __name__)
_LIBRARY = "platform_constructs"

CONFUSED_DEPUTY_SOURCES: dict[str, str] = {
    "vpc-flow-logs": "arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*",
    "sagemaker": "arn:{partition}:sagemaker:{region}:{account}:*",
    "codebuild": "arn:{partition}:codebuild:{region}:{account}:project/*",
    "events": "arn:{partition}:events:{region}:{account}:rule/*",
}
"""Services whose role assumption carries ``aws:SourceAccount`` and ``aws:SourceArn``, with the ARN of what
assumes the role (each service's "cross-service confused deputy prevention" documentation; the VPC User Guide
for flow logs: "IAM role for publishing flow logs to CloudWatch Logs")."""


def added_by_library() -> bool:
    """Whether the statement being added comes from the library's own code (see the module docstring)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not any(module == name or module.startswith(f"{name}.") for name in _PASS_THROUGH):
            return module == _LIBRARY or module.startswith(f"{_LIBRARY}.")
        frame = frame.f_back
    return False


def service_principal(scope: Construct, service: str, *, source_arn: str | None = None) -> iam.ServicePrincipal:
    """``<service>.amazonaws.com``, trusted only on behalf of this account (``aws:SourceAccount``) and of the
    resource ``source_arn`` (``aws:SourceArn``; default: any resource of the service in this account and region,
    from :data:`CONFUSED_DEPUTY_SOURCES`). For services whose documentation names these keys only: anything
    else is a library bug and raises ``ValueError``.
    """
    if service not in CONFUSED_DEPUTY_SOURCES:
        raise ValueError(f"service_principal: {service!r} is not one of the services documented to send "
                         f"aws:SourceAccount/aws:SourceArn ({', '.join(sorted(CONFUSED_DEPUTY_SOURCES))})")
    stack = Stack.of(scope)
    arn = source_arn or CONFUSED_DEPUTY_SOURCES[service].format(partition=stack.partition, region=stack.region,
                                                                  account=stack.account)
    return iam.ServicePrincipal(f"{service}.amazonaws.com", conditions={
        "StringEquals": {"aws:SourceAccount": stack.account}, "ArnLike": {"aws:SourceArn": arn}})


def deploy_time_input(stack: Stack, value: str) -> bool:
    """``value`` is a deploy-time input of ``stack`` (a template parameter, e.g. an SSM-backed one, or an import):
    not a literal and not an attribute of a resource in the template, which the compliance rules resolve. A policy
    condition naming it is reported as unverifiable (PLAT-IAM3) and needs the library's decision."""
    resolved = stack.resolve(value)
    if isinstance(resolved, str) or (isinstance(resolved, dict) and set(resolved) == {"Fn::GetAtt"}):
        return False
    if isinstance(resolved, dict) and set(resolved) == {"Ref"}:
        return any(isinstance(child, CfnParameter) and stack.get_logical_id(child) == resolved["Ref"]
                   for child in stack.node.children)
    return True


class _SealedPolicy(iam.ManagedPolicy):
    """The library's policy of a :class:`PlatformRole`: statements from other code go to the role's user policy."""

    def __init__(self, role: PlatformRole, description: str) -> None:
        super().__init__(role, "Policy", description=f"Least-privilege permissions of {description}")
        self._role = role

    def add_statements(self, *statements: iam.PolicyStatement) -> None:
        if added_by_library():
            super().add_statements(*statements)
        else:
            self._role.user_policy_for_grants().add_statements(*statements)

    def add_library_statements(self, *statements: iam.PolicyStatement) -> None:
        super().add_statements(*statements)


@jsii.implements(IValidation)
class _UserGrantsOnAnything:
    """Fails synth for a statement on ``*`` (or any action of a service) in a role's user policy."""

    def __init__(self, role: PlatformRole) -> None:
        self._role = role

    def validate(self) -> list[str]:
        policy = self._role.user_policy
        if policy is None:
            return []
        document: Any = Stack.of(self._role).resolve(policy.document.to_json())
        errors = []
        for statement in document.get("Statement", []) if isinstance(document, dict) else []:
            actions = statement.get("Action", statement.get("NotAction", []))
            resources = statement.get("Resource", statement.get("NotResource", []))
            actions, resources = ([v] if isinstance(v, str) else v for v in (actions, resources))
            wide = "NotAction" in statement or "NotResource" in statement or any(
                "*" in str(v) for v in [*actions, *resources])
            if statement.get("Effect") == "Allow" and wide:
                errors.append(
                    f"role {self._role.node.path}: a grant added to it after construction allows "
                    f"{', '.join(map(str, actions))} on {', '.join(json.dumps(r) for r in resources)} "
                    f"(statement {json.dumps(statement, sort_keys=True)}). Grants on '*' or wildcards are judged "
                    "like on any role and are never acknowledged for you: name the resources instead (the library's "
                    f"own statements on '*' are sealed in {self._role.node.path}/Policy)")
        return errors


class PlatformRole(iam.Role):
    """An IAM role whose permissions live in customer-managed policies only: the library's sealed ``policy`` and,
    for grants added by anyone else, ``user_policy`` (see the module docstring). No inline policy
    (HIPAA/NIST/PCI ``IAMNoInlinePolicy``) and no AWS-managed policy. Create it with :func:`platform_role`.
    """

    def __init__(self, scope: Construct, id: str, *, assumed_by: iam.IPrincipal, description: str) -> None:
        super().__init__(scope, id, assumed_by=assumed_by, description=description)
        self._description = description
        self._sealed: _SealedPolicy | None = None
        self.user_policy: iam.ManagedPolicy | None = None
        """Grants added by other code than the library (``None`` until the first one)."""
        self.node.add_validation(_UserGrantsOnAnything(self))

    @property
    def policy(self) -> _SealedPolicy:
        """The library's sealed policy (created with the library's first statement; its id is ``Policy``)."""
        if self._sealed is None:
            self._sealed = _SealedPolicy(self, self._description)
            self._sealed.attach_to_role(self)
        return self._sealed

    def acknowledgment_scope(self) -> IConstruct:
        """A decision applied to the role covers its sealed policy only, never the user policy."""
        return self.policy

    def user_policy_for_grants(self) -> iam.ManagedPolicy:
        if self.user_policy is None:
            self.user_policy = iam.ManagedPolicy(
                self, "UserPolicy",
                description=f"Grants added to the role of {self._description} after construction")
            self.user_policy.attach_to_role(self)
        return self.user_policy

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        policy: iam.ManagedPolicy
        if added_by_library():
            policy = self.policy
            self.policy.add_library_statements(statement)
        else:
            policy = self.user_policy_for_grants()
            policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=policy)

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        self.add_to_principal_policy(statement)
        return True


def platform_role(scope: Construct, id: str, *, assumed_by: iam.IPrincipal, description: str) -> PlatformRole:
    """A least-privilege role: no inline policy, no managed AWS policy, the library's grants sealed in one policy
    and everyone else's in another (judged by the gate, never acknowledged)."""
    return PlatformRole(scope, id, assumed_by=assumed_by, description=description)
