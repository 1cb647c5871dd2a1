"""Verify a local deploy with boto3: what each stack's resources are in the emulator, type by type.

Every resource is one of:

* **created** — the emulator's CloudFormation has a model for its type (moto's own, or one of
  :mod:`platform_constructs.local.models`, backed by moto's service backends). It must be listed with a
  physical id, and types with a check in :data:`CHECKS` are read back with boto3 and compared with the
  template as resolved for the deploy (alarms with their metric, dimensions, threshold and actions; the
  endpoint's scalable target, scheduled actions and policy; bucket and topic policies; the queue's scheduling
  policy; egress rules; CodeBuild projects; the registry's scanning configuration; ...). A property the
  emulator's CloudFormation drops is read from the template instead, and the check says so.
* **template only** — its type is in :data:`platform_constructs.local.models.TEMPLATE_ONLY` (the emulator has
  no backend for the service); its properties are asserted on the template (:mod:`.verify_template`), and the
  checks carry the reason.
* **not modelled** — anything else: a failed check, so no type is ever skipped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from platform_constructs.local.emulator import Emulator
from platform_constructs.local.models import TEMPLATE_ONLY, unmodelled
from platform_constructs.local.verify_base import EMULATED, TEMPLATE, Check, Checker, Deployed, template_only
from platform_constructs.local.verify_compute import CHECKS as COMPUTE_CHECKS
from platform_constructs.local.verify_data import CHECKS as DATA_CHECKS
from platform_constructs.local.verify_model_monitor import CHECKS as MODEL_MONITOR_CHECKS
from platform_constructs.local.verify_monitoring import CHECKS as MONITORING_CHECKS
from platform_constructs.local.verify_network import CHECKS as NETWORK_CHECKS
from platform_constructs.local.verify_resolve import Resolver
from platform_constructs.local.verify_serving import CHECKS as SERVING_CHECKS
from platform_constructs.local.verify_template import TEMPLATE_CHECKS, Declared

__all__ = ["CHECKS", "EMULATED", "TEMPLATE", "TEMPLATE_CHECKS", "Check", "StackVerification", "template_only",
           "verify_stack"]

CHECKS: dict[str, Checker] = {**NETWORK_CHECKS, **DATA_CHECKS, **SERVING_CHECKS, **MONITORING_CHECKS,
                              **COMPUTE_CHECKS, **MODEL_MONITOR_CHECKS}
"""Resource type -> boto3 check against the emulator."""

DEPLOYED = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}


@dataclass(frozen=True)
class StackVerification:
    """The checks of one stack and what its resources are in the emulator."""

    stack: str
    checks: list[Check]
    created: list[str] = field(default_factory=list)
    """Logical ids the emulator created (listed with a physical id)."""
    template_only: dict[str, str] = field(default_factory=dict)
    """Logical id -> type, for resources checked on the template only (reason: ``TEMPLATE_ONLY[type]``)."""

    @property
    def template_only_types(self) -> dict[str, int]:
        """Template-only type -> how many resources of it the stack has."""
        counts: dict[str, int] = {}
        for resource_type in self.template_only.values():
            counts[resource_type] = counts.get(resource_type, 0) + 1
        return counts


def _stack_checks(em: Emulator, stack: str, template: Mapping[str, Any]) -> list[Check]:
    described = em.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    checks = [Check(stack, stack, "AWS::CloudFormation::Stack", "deployed", described["StackStatus"] in DEPLOYED,
                    described["StackStatus"])]
    want_outputs = set(template.get("Outputs", {}))
    got_outputs = {o["OutputKey"] for o in described.get("Outputs", [])}
    if want_outputs:
        checks.append(Check(stack, stack, "AWS::CloudFormation::Stack", "outputs", want_outputs <= got_outputs,
                            f"{len(got_outputs)}/{len(want_outputs)} outputs"))
    return checks


def verify_stack(em: Emulator, stack: str, template: Mapping[str, Any]) -> StackVerification:
    """Every check for ``stack``, deployed from the adapted ``template``."""
    result = StackVerification(stack, _stack_checks(em, stack, template))
    listed = em.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    # moto lists every resource its CloudFormation created by logical id; some of its models (e.g.
    # AWS::EC2::SecurityGroupIngress) have no physical id, so a listing without one still counts as created
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") or "" for r in listed
                if r.get("LogicalResourceId")}
    resolver = Resolver(em, stack, template, physical)
    resources: Mapping[str, Any] = template.get("Resources", {})
    not_modelled = set(unmodelled(r["Type"] for r in resources.values()))
    for lid, body in resources.items():
        rtype = body["Type"]
        if rtype in TEMPLATE_ONLY:
            result.template_only[lid] = rtype
            declared = Declared(stack, lid, rtype, body.get("Properties", {}), TEMPLATE_ONLY[rtype])
            result.checks.extend(TEMPLATE_CHECKS[rtype](declared))
            continue
        if rtype in not_modelled:
            result.checks.append(Check(stack, lid, rtype, "modelled", False,
                                       "the emulator has no model for this type and it is not in TEMPLATE_ONLY: "
                                       "nothing was created"))
            continue
        if lid not in physical:
            result.checks.append(Check(stack, lid, rtype, "created", False, "not listed among the stack's resources"))
            continue
        physical_id = physical[lid]
        result.checks.append(Check(stack, lid, rtype, "created", True, physical_id or "listed (no physical id)"))
        result.created.append(lid)
        checker = CHECKS.get(rtype)
        if checker is None:
            continue
        res = Deployed(stack, lid, rtype, physical_id, body.get("Properties", {}), resolver)
        try:
            result.checks.extend(checker(em, res))
        except Exception as exc:  # a boto3 error is a failed check, reported with its message
            result.checks.append(Check(stack, lid, rtype, checker.__name__, False, f"{type(exc).__name__}: {exc}"))
    return result
