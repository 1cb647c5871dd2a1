"""PLAT-ACK1: every acknowledgment in a template is one of the library's decisions, as the library made it.

Each ``platform:acknowledgments`` entry must name a decision of the decision table that covers its finding
id, carry that decision's reason word for word, sit on a resource of the decision's types that shows which
platform construct made it (``platform:construct``), and the decision's premises must hold on the resource
(e.g. "the only actions on '*' are ..."). At synth this is what catches a policy widened after its
acknowledgment was applied (cdk-nag honours the acknowledgment itself; this rule then fails the synth); in CI
it names every forged or copied acknowledgment.

Findings: ``PLAT-ACK1[decision]``, ``[reason]``, ``[origin]``, ``[type]``, ``[premise]``. No decision may
acknowledge them.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_constructs.compliance.rules.base import METADATA_KEY, Resource, Rule, RuleContext, Violation

KINDS = ("decision", "reason", "origin", "type", "premise")


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    # Imported here: acknowledgments -> decisions -> premises import rules.base, which runs this package's
    # __init__ (and so this module) first; a module-level import would find acknowledgments half-initialised.
    from platform_constructs.compliance.acknowledgments import entries, problems

    for entry in entries(resource):
        for problem in problems(entry, logical_id, resource, ctx):
            yield Violation(f"Metadata.{METADATA_KEY}", problem.text, problem.kind)


RULE = Rule(
    id="PLAT-ACK1",
    title="Acknowledgments are the library's decisions, and their premises hold",
    fix=("remove acknowledgments the platform constructs did not write; if a construct's resource fails a premise, "
         "undo what was added to it after construction (e.g. a statement on '*' in its policy)"),
    resource_types=("*",),
    check=check,
    findings=KINDS,
)
