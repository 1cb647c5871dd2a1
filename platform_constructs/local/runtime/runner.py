"""Run the runtime-call tables against a deployment in the emulator.

For each construct instance a table finds in a deployed stack, and each of its roles: the role's trust policy
must let the table's service assume it; the emulator's STS then issues the service's session (as AWS issues it
to the service). Each call is made with that session against the emulator, which authorises it (IAM enforced);
where the emulator's answer cannot be trusted (:func:`~platform_constructs.local.runtime.limits.template_reasons`)
the call is decided on the role's policies in the template instead. Resource policies the emulator never
evaluates (KMS key policies, S3 bucket policies, ECR repository policies) are applied to both.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from platform_constructs.local.emulator import Emulator
from platform_constructs.local.iam import service_credentials
from platform_constructs.local.runtime import bind, calls, limits, policy
from platform_constructs.local.runtime.operation import Args, Operation, TargetError
from platform_constructs.local.runtime.resolve import resolve
from platform_constructs.runtime_calls import Expect, RoleCalls, RuntimeTable, ServiceCalls

Outcome = Literal["allowed", "denied", "error"]
EMULATOR = "emulator"


@dataclass(frozen=True)
class CallResult:
    """What one declared call did."""

    stack: str
    construct: str
    role: str
    """The role's logical id."""
    service: str
    action: str
    name: str
    does: str
    resource: str
    expect: Expect
    outcome: Outcome
    source: str
    """``emulator`` (the emulator authorised the call) or ``template: <why the emulator could not>``."""
    detail: str = ""
    known_gap: str | None = None

    @property
    def behaved(self) -> bool:
        return self.outcome == ("allowed" if self.expect == "allow" else "denied")

    @property
    def ok(self) -> bool:
        """As declared, or a declared known gap that still behaves the wrong way."""
        return self.behaved or (self.known_gap is not None and self.outcome != "error")

    def __str__(self) -> str:
        mark = "ok  " if self.behaved else "GAP " if self.ok else "FAIL"
        gap = f" [known gap, {self.known_gap}]" if self.known_gap else ""
        who = f"{self.service} as itself" if self.role == self.service else f"{self.role} assumed by {self.service}"
        return (f"{mark} {self.stack}/{who}: {self.name} on {self.resource} "
                f"({self.does}): expected {'allowed' if self.expect == 'allow' else 'denied'}, {self.outcome}"
                f"{gap} ({self.source}{'; ' + self.detail if self.detail else ''})")


class EmulatorLookups:
    """:class:`~platform_constructs.local.runtime.bind.Lookups` answered by the emulator (as the admin)."""

    partition = "aws"

    def __init__(self, emulator: Emulator) -> None:
        from platform_constructs.local.emulator import ACCOUNT, REGION

        self.emulator, self.region, self.account = emulator, REGION, ACCOUNT
        self._physical: dict[str, dict[str, str]] = {}
        self._clusters: dict[str, str] = {}

    def physical_id(self, stack: str, logical_id: str) -> str | None:
        if stack not in self._physical:
            resources = self.emulator.client("cloudformation").describe_stack_resources(StackName=stack)
            self._physical[stack] = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                                     for r in resources["StackResources"]
                                     if r.get("LogicalResourceId") and r.get("PhysicalResourceId")}
        return self._physical[stack].get(logical_id)

    def ssm(self, name: str) -> str:
        return str(self.emulator.client("ssm").get_parameter(Name=name)["Parameter"]["Value"])

    def batch_cluster(self, environment: str) -> str:
        """The ECS cluster AWS Batch creates for a compute environment, named as AWS names it today
        (``AWSBatch-<environment name>-<uuid>``; the emulator names its own ``<name>_Batch_<uuid>``)."""
        if environment not in self._clusters:
            name = environment.rsplit("/", 1)[-1]
            cluster = f"AWSBatch-{name}-{uuid.uuid5(uuid.NAMESPACE_URL, environment)}"
            self.emulator.client("ecs").create_cluster(clusterName=cluster)
            self._clusters[environment] = cluster
        return self._clusters[environment]


def _bucket_of(resource: str) -> str:
    """The bucket name of an S3 bucket or object ARN."""
    return resource.split(":::", 1)[1].split("/", 1)[0] if ":::" in resource else resource


def _denied(exc: Exception) -> bool:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {})
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return "AccessDenied" in str(error.get("Code", "")) or (status == 403 and "AccessDenied" in str(exc))


class Runner:
    """One run over a deployment: ``templates`` are the synthesized (not adapted) templates, in deploy order."""

    def __init__(self, emulator: Emulator, templates: Mapping[str, Mapping[str, Any]]) -> None:
        self.emulator, self.templates = emulator, templates
        self.lookups = EmulatorLookups(emulator)
        self.state: dict[str, Any] = {}
        self._sessions: dict[tuple[str, str], dict[str, str]] = {}
        self._boto3 = emulator.boto3_session()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._roles: dict[tuple[str, str], dict[str, Any]] = {}
        self._identities: dict[tuple[str, str], list[Mapping[str, Any]]] = {}

    # --- roles ---------------------------------------------------------------------------------------------
    def _role(self, stack: str, role_id: str) -> dict[str, Any]:
        if (stack, role_id) not in self._roles:
            name = self.lookups.physical_id(stack, role_id)
            if name is None:
                raise bind.BindError(f"{stack}: role {role_id} was not created")
            self._roles[stack, role_id] = dict(self.emulator.client("iam").get_role(RoleName=name)["Role"])
        return self._roles[stack, role_id]

    def _client(self, role: Mapping[str, Any], service: str, client: str) -> Any:
        """A client with the service's session of ``role``, from one boto3 session (its loaded models are shared:
        a session per role would load every service model again)."""
        key = (str(role["Arn"]), service, client)
        if key not in self._clients:
            self._clients[key] = self._boto3.client(client, endpoint_url=self.emulator.endpoint_url,
                                                    region_name=self.lookups.region,
                                                    **self._credentials(role, service))
        return self._clients[key]

    def _credentials(self, role: Mapping[str, Any], service: str) -> dict[str, str]:
        key = (str(role["Arn"]), service)
        if key not in self._sessions:
            self._sessions[key] = service_credentials(
                str(role["Arn"]), service=service, account=self.lookups.account, region=self.lookups.region,
                partition=self.lookups.partition)
        return dict(self._sessions[key])

    def _identity(self, stack: str, role_id: str) -> list[Mapping[str, Any]]:
        """The role's identity policies as the template states them, resolved to the deployed values."""
        if (stack, role_id) not in self._identities:
            self._identities[stack, role_id] = self._template_identity(stack, role_id)
        return self._identities[stack, role_id]

    def _deployed_identity(self, role: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The role's identity policies as the emulator holds them (what it evaluates)."""
        key = ("deployed", str(role["RoleName"]))
        if key not in self._identities:
            client = self.emulator.client("iam")
            name = str(role["RoleName"])
            documents = [client.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                         for p in client.list_role_policies(RoleName=name)["PolicyNames"]]
            for attached in client.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                version = client.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
                documents.append(client.get_policy_version(PolicyArn=attached["PolicyArn"],
                                                           VersionId=version)["PolicyVersion"]["Document"])
            self._identities[key] = documents
        return self._identities[key]

    def _template_identity(self, stack: str, role_id: str) -> list[Mapping[str, Any]]:
        template = self.templates[stack]
        resources = template.get("Resources", {})
        role = resources[role_id].get("Properties", {})
        documents = [p["PolicyDocument"] for p in role.get("Policies", [])]
        for resource in resources.values():
            props = resource.get("Properties", {})
            if resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and \
                    {"Ref": role_id} in props.get("Roles", []):
                documents.append(props["PolicyDocument"])
        return [resolve(d, stack, template, self.lookups) for d in documents]

    # --- resource policies ---------------------------------------------------------------------------------
    def _template_policy(self, policy_type: str, target_property: str, target: str) -> Mapping[str, Any] | None:
        """The ``policy_type`` resource (bucket or topic policy) of any template whose ``target_property`` names
        ``target``, resolved to deployed values: the template states what CloudFormation sets."""
        for stack, template in self.templates.items():
            for resource in template.get("Resources", {}).values():
                if resource.get("Type") != policy_type:
                    continue
                named = resolve(resource["Properties"][target_property], stack, template, self.lookups)
                if target == named or (isinstance(named, list) and target in named):
                    return dict(resolve(resource["Properties"]["PolicyDocument"], stack, template, self.lookups))
        return None

    def _bucket_policy(self, bucket: str) -> Mapping[str, Any] | None:
        """The bucket's policy as the template states it (``None``: the bucket has none)."""
        return self._template_policy("AWS::S3::BucketPolicy", "Bucket", bucket)

    def _decide(self, action: str, identity: policy.Effect, request: policy.Request) -> policy.Effect:
        import json

        prefix = action.split(":", 1)[0]
        if prefix == "kms":
            key_policy = json.loads(self.emulator.client("kms").get_key_policy(
                KeyId=request.resource, PolicyName="default")["Policy"])
            return policy.key_policy_decision(key_policy, identity, request)
        if prefix == "s3":
            bucket_policy = self._bucket_policy(_bucket_of(request.resource))
            return policy.same_account_decision(bucket_policy, identity, request)
        if prefix == "sns":
            topic_policy = self._template_policy("AWS::SNS::TopicPolicy", "Topics", request.resource)
            return policy.same_account_decision(topic_policy, identity, request)
        return policy.same_account_decision(None, identity, request)

    # --- calls ---------------------------------------------------------------------------------------------
    def run(self, tables: Sequence[RuntimeTable]) -> list[CallResult]:
        results: list[CallResult] = []
        for stack, template in self.templates.items():
            for table in tables:
                try:
                    planned = bind.plan(table, stack, template)
                except bind.BindError as exc:
                    results.append(CallResult(stack, table.construct, "-", "-", "-", "bind", str(exc), "-", "allow",
                                              "error", "template"))
                    continue
                results += self._run_planned(planned)
        return results

    def _run_planned(self, planned: Sequence[bind.Planned]) -> list[CallResult]:
        results: list[CallResult] = []
        assumed: dict[str, CallResult] = {}
        for item in planned:
            if isinstance(item.role, ServiceCalls):
                results.append(self._call(item))
                continue
            if item.role_id not in assumed:
                assumed[item.role_id] = self._assume(item)
                results.append(assumed[item.role_id])
            if not assumed[item.role_id].behaved:
                continue
            results.append(self._call(item))
        return results

    def _assume(self, item: bind.Planned) -> CallResult:
        stack, service = item.instance.stack, item.role.service
        role = self._role(stack, item.role_id)
        trust = role["AssumeRolePolicyDocument"]
        on_behalf = replace(item, bindings=item.trust_bindings)  # aws:SourceArn etc.: what the service assumes it for
        keys = item.role.context if isinstance(item.role, RoleCalls) else {}
        context = {k: bind.value_of(v, on_behalf, self.lookups) for k, v in keys.items()}
        request = policy.Request("sts:AssumeRole", str(role["Arn"]), policy.Principal(service=service), context)
        effect = policy.evaluate([trust], request, resource_policy=True)
        return CallResult(stack, item.table.construct, item.role_id, service, "sts:AssumeRole", "sts:AssumeRole",
                          "assumes the role", str(role["Arn"]), "allow",
                          "allowed" if effect is policy.Effect.ALLOW else "denied",
                          "template: the emulator cannot evaluate Service principals in trust policies")

    def _call(self, item: bind.Planned) -> CallResult:
        call = item.call
        service = item.role.service.format(region=self.lookups.region)
        actor = service if isinstance(item.role, ServiceCalls) else item.role_id
        result = CallResult(item.instance.stack, item.table.construct, actor, service, call.action,
                            item.name, call.does, "-", call.expect, "error", "-", known_gap=call.known_gap)
        try:
            return self._decided(item, result)
        except Exception as exc:  # a table, template or fixture problem: reported with the call, never raised
            return replace(result, detail=f"{type(exc).__name__}: {exc}")

    def _decided(self, item: bind.Planned, result: CallResult) -> CallResult:
        call, stack = item.call, item.instance.stack
        operation = calls.OPERATIONS.get(call.action)
        if operation is None:
            raise TargetError(f"no operation is defined for {call.action}")
        siblings = {k: found for k, v in call.target.items() if (found := bind.sibling_arn(v, item, self.lookups))}
        args = Args({k: bind.value_of(v, item, self.lookups) for k, v in call.target.items()},
                          {k: arn for k, (_, _, arn) in siblings.items()}, self.lookups.partition,
                          self.lookups.region, self.lookups.account, self.emulator.client, self.state)
        if operation.prepare is not None:
            operation.prepare(args)
        result = replace(result, resource=operation.resource(args))
        if isinstance(item.role, ServiceCalls):
            return self._as_service(item, item.role, result)
        role = self._role(stack, item.role_id)
        context = {"aws:SecureTransport": "true", "aws:PrincipalArn": str(role["Arn"]),
                   "aws:PrincipalAccount": self.lookups.account, "aws:RequestedRegion": self.lookups.region,
                   **{k: bind.value_of(v, item, self.lookups) for k, v in call.context.items()}}
        request = policy.Request(call.action, result.resource,
                                 policy.Principal(arn=str(role["Arn"]), account=self.lookups.account), context)
        identity_documents = self._identity(stack, item.role_id)
        reasons = limits.template_reasons(
            call.action, has_api=operation.method is not None, client=operation.client,
            uncreated=[f"{rtype} {lid}" for lid, rtype, arn in siblings.values() if arn.startswith("unresolved:")],
            foreign_account=self._foreign_account(result.resource), identity=self._deployed_identity(role),
            context_keys=list(call.context))
        if reasons:
            identity: policy.Effect | None = policy.evaluate(identity_documents, request)
            result = replace(result, source="template: " + "; ".join(reasons))
        else:
            identity, detail = self._in_emulator(item, role, operation, args)
            result = replace(result, source=EMULATOR, detail=detail)
        if identity is None:
            return result
        decided = self._decide(call.action, identity, request)
        if decided is not identity and decided is not policy.Effect.ALLOW:
            result = replace(result, detail="; ".join(filter(None, [result.detail, "refused by the resource policy"])))
        return replace(result, outcome="allowed" if decided is policy.Effect.ALLOW else "denied")

    def _as_service(self, item: bind.Planned, service: ServiceCalls, result: CallResult) -> CallResult:
        """A service calling as itself: its principal has no identity policy of ours; the resource's decides."""
        account = self.lookups.account
        principal = (policy.Principal(arn=service.principal.format(account=account), account=account)
                     if service.principal else policy.Principal(service=service.service.format(
                         region=self.lookups.region)))
        # a service principal's own requests carry aws:PrincipalIsAWSService=true, a service-linked role's do not
        # (IAM User Guide, "AWS global condition context keys")
        context = {"aws:SecureTransport": "true", "aws:SourceAccount": account,
                   "aws:PrincipalIsAWSService": "false" if service.principal else "true",
                   **{k: bind.value_of(v, item, self.lookups) for k, v in item.call.context.items()}}
        decided = self._decide(item.call.action, policy.Effect.NONE,
                               policy.Request(item.call.action, result.resource, principal, context))
        return replace(result, source="template: the emulator evaluates no resource policy for AWS services",
                       outcome="allowed" if decided is policy.Effect.ALLOW else "denied")

    def _foreign_account(self, resource: str) -> str | None:
        parts = resource.split(":")
        return parts[4] if len(parts) > 5 and parts[4] not in ("", self.lookups.account) else None

    def _in_emulator(self, item: bind.Planned, role: Mapping[str, Any], operation: Operation,
                     args: Args) -> tuple[policy.Effect | None, str]:
        """Make the call as the role; (ALLOW or NONE, detail), or (None, error) for a non-authorisation failure."""
        client = self._client(role, item.role.service, operation.client)
        try:
            response = getattr(client, str(operation.method))(**operation.params(args))
        except Exception as exc:
            if _denied(exc):
                return policy.Effect.NONE, "AccessDenied"
            return None, f"{type(exc).__name__}: {exc}"
        if operation.record is not None:
            operation.record(args, response)
        return policy.Effect.ALLOW, ""
