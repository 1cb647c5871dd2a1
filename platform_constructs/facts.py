"""What a template records about how it was made and what the platform constructs in it built (the CDK side).

Two keys in the ``Metadata`` section of every template that holds a platform construct (pure readers:
:mod:`platform_constructs.describe`, ``platform-check``):

``platform:synth`` (:data:`SYNTH_KEY`)
    ``{"environment": "staging", "policy": "policies/platform.yaml", "policy_sha256": "<64 hex>"}``: the
    environment and the policy the template was synthesized under. ``policy`` is ``"default"`` for the policy
    shipped with platform-constructs, else the file relative to the synth's working directory (absolute when
    outside it), so templates do not differ between machines.
``platform:constructs`` (:data:`FACTS_KEY`)
    A list with one entry per platform construct in the stack, in creation order::

        {"path": "prod-rec-model/RecommendationModel", "construct": "SecureModelEndpoint",
         "cost_center": "product-recommendations", "resources": ["RecommendationModelKeyBECD0C61", ...],
         ...facts the construct adds with record_facts()}

    ``resources`` are the logical ids of every CloudFormation resource the construct created in this stack
    (resolved at synth, when the construct is complete). Domain constructs add what a template does not say by
    itself with :func:`record_facts` — values JSON-serialisable (CloudFormation intrinsics allowed), keys from
    :data:`KNOWN_FACTS` where one fits (``platform describe`` reads those), e.g.
    ``record_facts(self, {"gpu_budget": 8, "framework": "sklearn", "content_type": "text/csv"})``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import CfnResource, IStableAnyProducer, Lazy, Stack
from constructs import IConstruct

from platform_constructs.policy import EnvironmentPolicy, Policy, default_policy_file

SYNTH_KEY = "platform:synth"
FACTS_KEY = "platform:constructs"
KNOWN_FACTS: Mapping[str, str] = {
    "content_type": "the request content type the model's container expects (endpoints; default application/json)",
    "framework": "the model framework served or trained (pytorch, tensorflow, sklearn, xgboost, custom)",
    "gpu_budget": "the most GPUs the construct can run at once (Batch/training: max_gpus)",
    "max_job_hours": "the longest a job may run (Batch/training)",
    "share_identifier": "the share identifier jobs submit with on a fair-share queue",
    "image": "the container image the construct runs (by digest where known)",
}
"""Facts ``platform describe`` reads from an entry, with what each means."""

_REGISTRY_ATTRIBUTE = "_platform_facts"
_SYNTH_ATTRIBUTE = "_platform_synth"
_ENTRY_ATTRIBUTE = "_platform_facts_entry"


def policy_label(policy: Policy, cwd: Path | None = None) -> str:
    """How a template names its policy: ``default``, or the file relative to ``cwd`` (absolute outside it)."""
    path = Path(policy.file).resolve()
    if path == default_policy_file().resolve():
        return "default"
    base = (cwd if cwd is not None else Path.cwd()).resolve()
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


@jsii.implements(IStableAnyProducer)
class _Entries:
    """The stack's ``platform:constructs`` list, produced at synth (when every construct is complete)."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self.entries: dict[str, tuple[IConstruct, dict[str, Any]]] = {}

    def produce(self) -> Any:
        produced = []
        for path, (construct, facts) in self.entries.items():
            children = construct.node.find_all()
            # a child in another stack (a nested stack's) is not this template's; without a stack below the construct
            # every child is in this one, and one call per resource is enough
            nested = any(isinstance(child, Stack) for child in children)
            resources = [self._stack.get_logical_id(child) for child in children
                         if isinstance(child, CfnResource) and (not nested or Stack.of(child) is self._stack)]
            produced.append({"path": path, "construct": type(construct).__name__, **facts, "resources": resources})
        return produced


def _entries(stack: Stack) -> _Entries:
    entries: _Entries | None = getattr(stack, _REGISTRY_ATTRIBUTE, None)
    if entries is None:
        entries = _Entries(stack)
        setattr(stack, _REGISTRY_ATTRIBUTE, entries)
        stack.add_metadata(FACTS_KEY, Lazy.any(entries))
    return entries


def record_synth(stack: Stack, policy: Policy, env: EnvironmentPolicy) -> None:
    """Write ``platform:synth`` into ``stack``'s template (idempotent: written once per stack and value)."""
    value = {"environment": env.name, "policy": policy_label(policy), "policy_sha256": policy.sha256}
    if vars(stack).get(_SYNTH_ATTRIBUTE) == value:
        return
    stack.add_metadata(SYNTH_KEY, value)
    vars(stack)[_SYNTH_ATTRIBUTE] = value


def record_construct(construct: IConstruct, *, cost_center: str, stack: Stack | None = None,
                     path: str | None = None) -> None:
    """Start ``construct``'s entry in its stack's ``platform:constructs`` (called by every platform construct;
    ``stack`` and ``path``: its stack and construct path, when the caller knows them)."""
    stack = stack if stack is not None else Stack.of(construct)
    facts: dict[str, Any] = {"cost_center": cost_center}
    _entries(stack).entries[path if path is not None else construct.node.path] = (construct, facts)
    vars(construct)[_ENTRY_ATTRIBUTE] = facts


def record_facts(construct: IConstruct, facts: Mapping[str, object]) -> None:
    """Add ``facts`` to ``construct``'s entry (a platform construct, already recorded): later values win.

    The helper domain constructs call for what ``platform describe`` and the cost estimate need but a template
    does not say by itself (see :data:`KNOWN_FACTS`). ``path``, ``construct`` and ``resources`` are reserved.
    """
    reserved = {"path", "construct", "resources"} & set(facts)
    if reserved:
        raise ValueError(f"record_facts: {', '.join(sorted(reserved))} are set by the platform, not by a construct")
    entry = vars(construct).get(_ENTRY_ATTRIBUTE)
    if not isinstance(entry, dict):
        raise ValueError(f"record_facts: {construct.node.path} is not a platform construct (no entry recorded)")
    entry.update(facts)
