"""The required tags of a construct, derived from the policy's ``tags.required`` (pure: no ``aws_cdk``).

Every construct takes the tags data scientists know as keywords (``cost_center``, ``data_classification``,
``project``, ``owner``) and any other tag as ``tags={"Name": "value"}``. Which tags are required, their
formats and defaults come from the policy only, so a tag the platform team adds to ``policies/platform.yaml``
is accepted (and required) without a code change. ``Environment`` always comes from ``-c env=...``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from platform_constructs.errors import Problem
from platform_constructs.policy import Policy, TagRule
from platform_constructs.values import closest, describe

ENVIRONMENT_TAG = "Environment"
KEYWORD_TAGS: dict[str, str] = {
    "CostCenter": "cost_center",
    "DataClassification": "data_classification",
    "Project": "project",
    "Owner": "owner",
}
"""Tags with a keyword argument of their own on every construct (tag name -> argument)."""
_KEY = re.compile(r"[\w .:/=+\-@]{1,128}", re.ASCII)
_VALUE = re.compile(r"[\w .:/=+\-@]{0,256}", re.ASCII)
"""AWS tag restrictions (e.g. the AWS Batch user guide's "Tag restrictions"): keys of 1-128 and values of up to
256 characters; letters, digits, spaces and ``_ . : / = + - @`` are allowed across services; the prefix
``aws:`` is reserved for AWS on keys and values."""
_VALUE_RULE = "a string of up to 256 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'"


def _is_tag_value(value: object) -> bool:
    return isinstance(value, str) and _VALUE.fullmatch(value) is not None and not value.lower().startswith("aws:")


def _meant(rule: TagRule, value: object) -> str | None:
    """The value the caller most likely meant: the closest allowed one, or the value made a slug that the rule's
    pattern accepts (``Bad_CC`` -> ``bad-cc``); ``None`` when nothing fits."""
    if rule.allowed is not None:
        return closest(value if isinstance(value, str) else str(value), rule.allowed)
    if isinstance(value, str):
        slug = re.sub(r"[^a-z0-9-]+", "-", value.strip().lower()).strip("-")
        if slug != value and rule.accepts(slug):
            return slug
    return None


def _tag_problem(rule: TagRule, argument: str, value: object, policy_file: str) -> Problem:
    """The problem of a value the tag rule refuses: the wrong type named, the likely value as the fix."""
    where = (f"pass {argument}=..." if rule.name in KEYWORD_TAGS else f"pass tags={{{rule.name!r}: ...}}")
    fix = f"{where} matching the {rule.name} tag rule in {policy_file}"
    meant = _meant(rule, value)
    if meant is not None:
        fix = (f"pass {argument}={meant!r}" if rule.name in KEYWORD_TAGS else f"pass tags={{{rule.name!r}: {meant!r}}}")
    if value is None:
        reason = f"{argument} is required (the policy's {rule.name} tag has no default), got None"
    elif not isinstance(value, str):
        reason = f"{argument} must be a string, got {describe(value)}"
    else:
        reason = f"{argument} {value!r} does not fit the {rule.name} tag rule"
    return Problem(argument, value, rule.expectation(), fix, reason=reason)


def resolve_tags(policy: Policy, env_name: str, keywords: Mapping[str, object],
                 extra: object) -> tuple[dict[str, str], list[Problem]]:
    """The tags a construct applies, and the problems of its tag arguments.

    ``keywords`` maps argument names (``cost_center``, ...) to the values given (``None``: not given);
    ``extra`` is the ``tags`` argument (a mapping of tag name to value, or ``None``).
    """
    problems: list[Problem] = []
    given: dict[str, str] = {}
    if extra is not None and not isinstance(extra, Mapping):
        problems.append(Problem("tags", extra, "a mapping of tag names to string values",
                                "pass tags={'Team': 'recs'} (or omit tags)",
                                reason=f"tags must be a mapping, got {describe(extra)}"))
        extra = None
    for key, value in (extra or {}).items():
        argument = f"tags[{key!r}]"
        if not isinstance(key, str) or _KEY.fullmatch(key) is None or key.lower().startswith("aws:"):
            problems.append(Problem("tags", key, "tag keys of 1-128 letters, digits, spaces and _.:/=+-@, not "
                                    "starting with 'aws:'", "rename the tag",
                                    reason=f"the tag key {key!r} is not a valid tag key" if isinstance(key, str)
                                    else f"tag keys must be strings, got {describe(key)}"))
        elif key == ENVIRONMENT_TAG:
            problems.append(Problem(argument, value, "no Environment tag: it is set from the CDK context",
                                    "remove it and choose the environment with `cdk synth -c env=...`"))
        elif key in KEYWORD_TAGS:
            problems.append(Problem(argument, value, f"the {key} tag through its own argument",
                                    f"pass {KEYWORD_TAGS[key]}={value!r} instead of tags={{{key!r}: ...}}"))
        elif not _is_tag_value(value):
            as_text = str(value) if isinstance(value, (int, float)) and _is_tag_value(str(value)) else None
            problems.append(Problem(argument, value, _VALUE_RULE, f"pass tags={{{key!r}: {as_text!r}}} (tag values "
                                    "are strings)" if as_text else f"pass tags={{{key!r}: 'value'}}",
                                    reason=None if isinstance(value, str) else
                                    f"{argument} must be a string, got {describe(value)}"))
        else:
            given[key] = value
    for name, argument in KEYWORD_TAGS.items():
        value = keywords.get(argument)
        if value is not None:
            given[name] = value  # type: ignore[assignment]  # checked against the rule below
    given[ENVIRONMENT_TAG] = env_name

    tags: dict[str, str] = {}
    for rule in policy.tags:
        argument = KEYWORD_TAGS.get(rule.name, f"tags[{rule.name!r}]")
        value = given.get(rule.name, rule.default)
        if rule.name == ENVIRONMENT_TAG and not rule.accepts(env_name):
            continue  # an unknown environment is reported where the environment is chosen, not as a tag
        if value is None or not isinstance(value, str) or not rule.accepts(value):
            problems.append(_tag_problem(rule, argument, value, policy.file))
        else:
            tags[rule.name] = value
    required = {rule.name for rule in policy.tags}
    for name, argument in KEYWORD_TAGS.items():  # a keyword tag the policy does not require: still well-formed
        value = given.get(name)
        if name not in required and value is not None and not _is_tag_value(value):
            problems.append(Problem(argument, value, _VALUE_RULE, f"pass {argument}='value' (or omit it)",
                                    reason=None if isinstance(value, str) else
                                    f"{argument} must be a string, got {describe(value)}"))
            del given[name]
    for key, value in given.items():  # free-form tags beyond the policy's
        if key not in required:
            tags[key] = value
    return tags, problems
