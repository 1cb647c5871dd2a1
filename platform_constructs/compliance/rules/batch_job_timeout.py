"""PLAT-BATCH1: every Batch job definition has a timeout within the environment's ``max_job_hours``.

A job without ``Timeout.AttemptDurationSeconds`` can run (and bill GPUs) forever.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from platform_constructs.compliance.rules.base import (
    Resource,
    Rule,
    RuleContext,
    Violation,
    as_number,
    is_intrinsic,
    props,
    unverifiable,
)

WHERE = "Properties.Timeout.AttemptDurationSeconds"


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    timeout = props(resource).get("Timeout")
    seconds = timeout.get("AttemptDurationSeconds") if isinstance(timeout, Mapping) else timeout
    limit = ctx.env.max_job_hours * 3600
    if is_intrinsic(seconds):
        yield unverifiable(WHERE, "AttemptDurationSeconds")
    elif seconds is None:
        yield Violation(WHERE, f"no timeout; set at most {limit:g} s ({ctx.env.max_job_hours:g} h in {ctx.env.name})")
    elif (value := as_number(seconds)) is None or value <= 0:
        yield Violation(WHERE, f"AttemptDurationSeconds is {seconds!r}; expected a positive number of seconds")
    elif value > limit:
        yield Violation(WHERE, f"timeout {value:g} s exceeds {limit:g} s ({ctx.env.max_job_hours:g} h, the "
                               f"max_job_hours of {ctx.env.name})")


RULE = Rule(
    id="PLAT-BATCH1",
    title="Batch job definitions have a timeout within the environment's max_job_hours",
    fix="set Timeout.AttemptDurationSeconds to at most max_job_hours * 3600 of the environment's policy",
    resource_types=("AWS::Batch::JobDefinition",),
    check=check,
)
