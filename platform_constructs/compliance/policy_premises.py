"""Premises of the decisions on IAM policy statements whose values the template computes at deploy time or takes
from another template: conditions on a deploy-time VPC, Batch submissions to the construct's (possibly imported)
queues, an artifact read from a published URL (see :mod:`platform_constructs.compliance.premises` for what a
premise is)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from platform_constructs.compliance.premises import ACCOUNT, PARTITION, REGION, Premise, Subject
from platform_constructs.compliance.statements import Statement, identity_statements, nag_resource


def _vpc_condition(subject: Subject) -> list[str]:
    try:
        condition = json.loads(subject.values.get("resource", ""))
    except ValueError:
        return ["the acknowledged condition is not a condition block"]
    if not (isinstance(condition, Mapping) and condition and all(
            operator in ("ArnEquals", "ArnEqualsIfExists") and isinstance(block, Mapping) and set(block) == {"ec2:Vpc"}
            for operator, block in condition.items())):
        return [f"the acknowledged condition {condition!r} tests more than ec2:Vpc with an ARN operator"]
    if not any(s.body is not None and s.body.get("Condition") == condition
               for s in identity_statements(subject.resource)):
        return ["no statement of the policy carries the acknowledged condition"]
    return []


VPC_CONDITION = Premise("the acknowledged condition is an ARN condition on ec2:Vpc only, carried by a statement of "
                        "the policy", _vpc_condition)


def _submit_job_problems(subject: Subject, resource_problem: Callable[[Statement], str | None]) -> list[str]:
    """What is wrong with the policy's batch:SubmitJob statements: each must grant that action alone, on resources
    ``resource_problem`` accepts (it returns what is wrong with a statement's resources, or ``None``)."""
    problems: list[str] = []
    found = False
    for statement in identity_statements(subject.resource):
        if statement.body is None or "batch:SubmitJob" not in statement.values("Action"):
            continue
        found = True
        if statement.values("Action") != ["batch:SubmitJob"]:
            problems.append(f"{statement.location} grants more than batch:SubmitJob")
        problem = resource_problem(statement)
        if problem is not None:
            problems.append(f"{statement.location} {problem}")
    return problems if found else ["no statement of the policy grants batch:SubmitJob"]


def _submit_to_template_queues(subject: Subject) -> list[str]:
    batch = {i for i, r in subject.ctx.template.get("Resources", {}).items()
             if isinstance(r, Mapping) and r.get("Type") in ("AWS::Batch::JobQueue", "AWS::Batch::JobDefinition")}

    def resource_problem(statement: Statement) -> str | None:
        if all(isinstance(r, Mapping) and r.get("Ref") in batch for r in statement.values("Resource")):
            return None
        return "names resources other than this template's job queues and job definitions"

    return _submit_job_problems(subject, resource_problem)


SUBMIT_TO_TEMPLATE_QUEUES = Premise("batch:SubmitJob is granted only on job queues and job definitions of the "
                                    "template", _submit_to_template_queues)


def _batch_target(value: Any, subject: Subject, metaflow: re.Pattern[str]) -> bool:
    """A job queue or job definition of this template (or exported to it by another template checked with it), or
    the pattern of Metaflow's job definitions."""
    template, resolved = subject.ctx.template, value
    imported = value.get("Fn::ImportValue") if isinstance(value, Mapping) else None
    if isinstance(imported, str) and imported in subject.ctx.exports:
        template, resolved = subject.ctx.exports[imported]
    if isinstance(resolved, Mapping) and "Ref" in resolved:
        target = template.get("Resources", {}).get(resolved["Ref"], {})
        return isinstance(target, Mapping) and target.get("Type") in ("AWS::Batch::JobQueue",
                                                                      "AWS::Batch::JobDefinition")
    return bool(metaflow.fullmatch(nag_resource(value)))


def _submit_to_queues_only(subject: Subject) -> list[str]:
    metaflow = re.compile(rf"arn:{PARTITION}:batch:{REGION}:{ACCOUNT}:job-definition/metaflow_\*")

    def resource_problem(statement: Statement) -> str | None:
        resources = statement.values("Resource")
        unknown = [r["Fn::ImportValue"] for r in resources if isinstance(r, Mapping)
                   and isinstance(r.get("Fn::ImportValue"), str) and r["Fn::ImportValue"] not in subject.ctx.exports]
        if unknown:
            return (f"imports {', '.join(unknown)}, not exported by the templates checked with this one, so its "
                    "targets cannot be verified (check them together)")
        if not all(_batch_target(r, subject, metaflow) for r in resources):
            return ("names resources other than job queues and job definitions of the templates and Metaflow's job "
                    "definitions (metaflow_*)")
        return None

    return _submit_job_problems(subject, resource_problem)


SUBMIT_TO_QUEUES_ONLY = Premise("batch:SubmitJob is granted alone, on the construct's job queues and job definitions "
                                "and Metaflow's (metaflow_*) only", _submit_to_queues_only)


def _is_object_arn_of_published_url(value: Any, subject: Subject) -> bool:
    """``arn:<partition>:s3:::`` joined with ``Fn::Select [1, Fn::Split ["s3://", <SSM-typed parameter>]]``."""
    joined = value.get("Fn::Join") if isinstance(value, Mapping) else None
    if not (isinstance(joined, list) and len(joined) == 2 and joined[0] == "" and isinstance(joined[1], list)
            and len(joined[1]) >= 2):
        return False
    *prefix, selected = joined[1]
    if not re.fullmatch(rf"arn:{PARTITION}:s3:::", nag_resource({"Fn::Join": ["", prefix]})):
        return False
    select = selected.get("Fn::Select") if isinstance(selected, Mapping) else None
    split = select[1].get("Fn::Split") if isinstance(select, list) and len(select) == 2 and select[0] in (1, "1") \
        and isinstance(select[1], Mapping) else None
    if not (isinstance(split, list) and len(split) == 2 and split[0] == "s3://" and isinstance(split[1], Mapping)):
        return False
    parameter = subject.ctx.template.get("Parameters", {}).get(split[1].get("Ref"), {})
    return isinstance(parameter, Mapping) and str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::Value")


def _published_artifact(subject: Subject) -> list[str]:
    try:
        value = json.loads(subject.values.get("resource", ""))
    except ValueError:
        return ["the acknowledged resource is not a template value"]
    if not _is_object_arn_of_published_url(value, subject):
        return [f"the acknowledged resource {subject.values.get('resource')!r} is not the S3 object ARN of an "
                "s3:// URL read from an SSM-typed template parameter"]
    naming = [s for s in identity_statements(subject.resource) if s.body is not None and value in s.values("Resource")]
    if not naming:
        return ["no statement of the policy names the acknowledged resource"]
    return [f"{s.location} grants more than s3:GetObject on it" for s in naming
            if s.values("Action") != ["s3:GetObject"]]


PUBLISHED_ARTIFACT = Premise("the resource is the object ARN of the s3:// URL an SSM-typed parameter holds, granted "
                             "only s3:GetObject", _published_artifact)
