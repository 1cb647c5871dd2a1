"""Machinery every platform construct shares: the per-app platform context and the base class.

* :class:`PlatformContext` — one per app: which environment and policy apply (from CDK context), the
  compliance gate and the synth report (:mod:`platform_constructs.synth_report`; both installed once,
  automatically, on the app root), and the record of every acknowledgment the library made.
* :class:`PlatformConstruct` — the base of every public construct: validates the common tag
  arguments, applies the required tags to everything it creates, exposes the environment policy, and records
  in its stack's template the environment and policy of the synth and what it built
  (:mod:`platform_constructs.facts`). The first one installs the top-level error hook
  (:mod:`platform_constructs.toplevel`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from aws_cdk import RemovalPolicy, Stack, Tags, Validations
from constructs import Construct, IConstruct

from platform_constructs import facts, toplevel
from platform_constructs.compliance.iam import parliament_adapter
from platform_constructs.errors import PlatformValidationError, Problem, Problems
from platform_constructs.gate import install_compliance_gate
from platform_constructs.policy import (
    DEFAULT_ENVIRONMENT,
    ENV_CONTEXT_KEY,
    POLICY_FILE_CONTEXT_KEY,
    EnvironmentPolicy,
    Policy,
    load_policy,
)
from platform_constructs.synth_report import VERBOSE_CONTEXT_KEY, SynthReportPlugin, is_verbose
from platform_constructs.tags import resolve_tags

_CONTEXT_ID = "PlatformConstructs"
_CONTEXT_ATTRIBUTE = "_platform_context"
"""Where :meth:`PlatformContext.of` caches its answer on a construct's Python object."""
_SCOPES_ATTRIBUTE = "_platform_scopes"


@dataclass
class PlatformContext:
    """Per-app state. Obtain it with :meth:`PlatformContext.of`; never construct it directly."""

    policy: Policy
    env: EnvironmentPolicy
    acknowledgments: list[tuple[str, str, str]] = field(default_factory=list)
    """(construct path, rule id, reason) for every acknowledgment applied in this app."""
    metadata_acknowledgments: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    """Per CfnResource path: the acknowledgments written into its template metadata."""
    image_resolver: Callable[[str], str | None] | None = None
    """Set by a GoldenImagePipeline in this app: purpose -> its approved image URI (see images/defaults.py)."""

    @staticmethod
    def of(scope: IConstruct) -> PlatformContext:
        """The app's context, created (with the gate and the synth report) by the first call in an app.

        Every answer is cached on the Python object of ``scope`` and of the app root: jsii keeps one Python object
        per construct for the life of the app (``jsii._reference_map``), so a later call for the same construct, or
        for one below a platform construct or the root, costs no call into Node (it cost four each, the most
        frequent calls of a synth: issue 19)."""
        found = _cached_context(scope)
        if found is not None:
            return found
        scopes = ancestors(scope)
        for ancestor in reversed(scopes[:-1]):
            found = _cached_context(ancestor)
            if found is not None:
                break
        if found is None:
            found = PlatformContext._of_root(scopes[0])
        vars(scope)[_CONTEXT_ATTRIBUTE] = found
        return found

    @staticmethod
    def _of_root(root: IConstruct) -> PlatformContext:
        holder = root.node.try_find_child(_CONTEXT_ID)
        if isinstance(holder, _ContextHolder):
            context = holder.context
        else:
            env_name = root.node.try_get_context(ENV_CONTEXT_KEY)
            policy_file = root.node.try_get_context(POLICY_FILE_CONTEXT_KEY)
            policy = load_policy(policy_file)
            context = PlatformContext(policy=policy, env=policy.environment(
                DEFAULT_ENVIRONMENT if env_name is None or env_name == "" else env_name))
            _ContextHolder(root, context)
            install_compliance_gate(root, context.policy, context.env, context.acknowledgments)
            parliament_adapter.prefetch()  # loaded while construction waits for Node, not at synth
            Validations.of(root).add_plugins(SynthReportPlugin(
                context.policy, context.env, context.acknowledgments,
                verbose=is_verbose(root.node.try_get_context(VERBOSE_CONTEXT_KEY))))
        vars(root)[_CONTEXT_ATTRIBUTE] = context
        return context

    @property
    def removal_policy(self) -> RemovalPolicy:
        """RETAIN for stateful resources where the environment's policy says so (prod), else DESTROY."""
        return RemovalPolicy.RETAIN if self.env.retain_stateful_resources else RemovalPolicy.DESTROY


def ancestors(construct: IConstruct) -> list[IConstruct]:
    """``construct.node.scopes`` — the root first, ``construct`` last — looked up once per construct (a construct
    never moves) and kept on its Python object."""
    found = vars(construct).get(_SCOPES_ATTRIBUTE)
    if isinstance(found, list):
        return found
    scopes: list[IConstruct] = list(construct.node.scopes)
    vars(construct)[_SCOPES_ATTRIBUTE] = scopes
    return scopes


def _cached_context(construct: IConstruct) -> PlatformContext | None:
    """The context already known for ``construct`` on the Python side (no call into Node), else ``None``."""
    attributes = vars(construct)
    if isinstance(construct, PlatformConstruct) and "platform" in attributes:
        return construct.platform
    cached = attributes.get(_CONTEXT_ATTRIBUTE)
    return cached if isinstance(cached, PlatformContext) else None


class _ContextHolder(Construct):
    """An empty construct on the app root that carries the app's :class:`PlatformContext`."""

    def __init__(self, root: IConstruct, context: PlatformContext) -> None:
        super().__init__(root, _CONTEXT_ID)  # type: ignore[arg-type]  # any IConstruct can be a scope
        self.context = context


class PlatformConstruct(Construct):
    """Base class of the public constructs: policy access, tag validation and tagging.

    Subclasses call ``super().__init__`` first, then validate their own arguments into
    ``self.problems`` and call ``self.problems.raise_if_any()`` before creating any resource.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cost_center: str,
        data_classification: str | None = None,
        project: str | None = None,
        owner: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        toplevel.install()
        try:
            super().__init__(scope, id)
        except RuntimeError as error:  # jsii's error for an id the scope already has: said in our words
            problem = toplevel.duplicate_id_problem(str(error), scope_path=scope.node.path or "the app")
            if problem is None:
                raise
            raise PlatformValidationError(f"{scope.node.path}/{id}", [_with_free_id(problem, scope, id)]) from None
        self.platform = PlatformContext.of(scope)  # the parent's: cached there after the first construct
        self.policy = self.platform.policy
        self.env = self.platform.env
        path = self.node.path
        self.problems = Problems(path)
        self.tags, problems = resolve_tags(
            self.policy, self.env.name,
            {"cost_center": cost_center, "data_classification": data_classification, "project": project,
             "owner": owner}, tags)
        for problem in problems:
            self.problems.add(problem.argument, problem.value, problem.allowed, problem.fix, reason=problem.reason)
        tagger = Tags.of(self)
        for key, value in self.tags.items():
            tagger.add(key, value)
        facts.record_synth(self.stack, self.policy, self.env)
        facts.record_construct(self, cost_center=self.tags.get("CostCenter", str(cost_center)), stack=self.stack,
                               path=path)

    @cached_property
    def stack(self) -> Stack:
        """The stack this construct is in (looked up once: a construct never moves)."""
        return Stack.of(self)


def _with_free_id(problem: Problem, scope: Construct, taken: str) -> Problem:
    """``problem`` with a fix naming an id that is still free in ``scope``."""
    number = 2
    while scope.node.try_find_child(f"{taken}{number}") is not None:
        number += 1
    return Problem(problem.argument, problem.value, problem.allowed,
                   problem.fix.replace(f"'{taken}2'", f"'{taken}{number}'"), reason=problem.reason)
