"""Which resource types a Control Tower cfn-guard rule file can report on, read from the file's own rules.

Every rule file of ``cdklabs-cdk-validator-cfnguard``'s Control Tower set has the same shape (AWS writes them from
one template): a query per resource type the control covers, ``let s3_buckets = Resources.*[ Type == %S3_BUCKET_TYPE
]``, and top-level rules guarded by it::

    rule s3_bucket_logging_enabled_check when is_cfn_template(%INPUT_DOCUMENT)
                                              %s3_buckets not empty { ... }
    rule s3_bucket_logging_enabled_check when is_cfn_hook(%INPUT_DOCUMENT, %S3_BUCKET_TYPE) { ... }

In cfn-guard a rule whose ``when`` conditions do not hold is skipped (``SKIP``, never a finding); the conditions on
separate lines of a ``when`` clause must all hold. So a file's template rule can only fail when the template holds
a resource of the type its ``%query not empty`` condition selects, and its hook rule never runs on a CloudFormation
template: ``is_cfn_hook`` (defined in every file as ``%doc.%RESOURCE_TYPE.resourceProperties exists``) asks for a
top-level key named like a resource type, and a template's top-level keys are its sections.

Naming a type is weaker: ``ct-cloudfront-pr-10`` names ``AWS::S3::Bucket`` (an origin's bucket) but reports only
on ``AWS::CloudFront::Distribution``. This module reads the guarded types; anything it does not recognise makes the
file apply to every template (:data:`ANY`), so the reading can only ever run a rule too many, never one too few.
Source of the semantics: cfn-guard's documentation, "Writing rules" (``when`` blocks; clauses on separate lines are
ANDed, ``or`` joins alternatives) and "Guard rule status" (``SKIP`` when a ``when`` condition is not met).
"""

from __future__ import annotations

import re

ANY: frozenset[str] | None = None
"""A file whose rules this module cannot read: it applies to every template."""

SECTIONS = frozenset({"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
                      "Conditions", "Transform", "Resources", "Outputs", "Hooks"})
"""The top-level keys of a CloudFormation template (AWS CloudFormation User Guide, "Template sections")."""

_CONSTANT = re.compile(r"""^let\s+([A-Za-z0-9_]+)\s*=\s*["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']\s*$""", re.MULTILINE)
_QUERY = re.compile(r"^let\s+([a-z0-9_]+)\s*=\s*Resources(?:\.\*)?\[([^\[\]]*)\]", re.MULTILINE)
_TYPE_TERM = re.compile(r"""^Type\s*==\s*(?:%([A-Za-z0-9_]+)|["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["'])$""")
_RULE = re.compile(r"^rule\s+([A-Za-z0-9_]+)\s*(\(|when\b|\{)", re.MULTILINE)
_TEMPLATE = re.compile(r"^is_cfn_template\((?:%INPUT_DOCUMENT|this)\)$")
_HOOK = re.compile(r"^is_cfn_hook\(%INPUT_DOCUMENT,\s*%[A-Za-z0-9_]+\)$")
_NOT_EMPTY = re.compile(r"^%([a-z0-9_]+)\s+not\s+empty$")
_HOOK_RULE = re.compile(r"^rule\s+is_cfn_hook\(\s*doc\s*,\s*([A-Za-z0-9_]+)\s*\)\s*\{\s*%doc\.%\1\.resourceProperties"
                        r"\s+exists\s*\}", re.MULTILINE)


def _comments_removed(text: str) -> str:
    return "\n".join(line.split("#", 1)[0].rstrip() for line in text.splitlines())


def _query_types(text: str) -> dict[str, frozenset[str]]:
    """``let name = Resources.*[ Type == ... or Type == ... ]`` -> the types it selects (other filters: left out,
    so the file is read as :data:`ANY` if a rule depends on them)."""
    constants = dict(_CONSTANT.findall(text))
    queries: dict[str, frozenset[str]] = {}
    for name, body in _QUERY.findall(text):
        types: set[str] = set()
        for term in re.split(r"\s+or\s+", body.strip()):
            found = _TYPE_TERM.match(term.strip())
            if found is None or (found[1] and found[1] not in constants):
                break
            types.add(constants[found[1]] if found[1] else found[2])
        else:
            queries[name] = frozenset(types)
    return queries


def guarded_types(text: str) -> frozenset[str] | None:
    """The resource types one of which a template must hold for any rule of this file to report on it (``None``,
    :data:`ANY`: the file's rules are not all of the recognised shape)."""
    text = _comments_removed(text)
    queries = _query_types(text)
    hook_defined = _HOOK_RULE.search(text) is not None
    types: set[str] = set()
    rules = list(_RULE.finditer(text))
    if not rules:
        return ANY
    for rule in rules:
        if rule[2] == "(":
            continue  # a parameterised rule runs only when another rule calls it
        if rule[2] == "{":
            return ANY  # a top-level rule without conditions runs on every template
        clause = text[rule.end():text.find("{", rule.end())]
        lines = [line.strip() for line in clause.splitlines() if line.strip()]
        if any(re.search(r"\bor\b|\|\|", line) for line in lines):
            return ANY
        if any(_HOOK.match(line) for line in lines):
            if not hook_defined:
                return ANY
            continue  # never on a template (see the module's docstring)
        guards = [_NOT_EMPTY.match(line) for line in lines if not _TEMPLATE.match(line)]
        if not guards or any(g is None or g[1] not in queries for g in guards):
            return ANY
        for guard in guards:
            assert guard is not None
            types.update(queries[guard[1]])
    return frozenset(types)


def plain_template(template: object) -> bool:
    """A template whose top-level keys are all CloudFormation sections (no hook-shaped key, see above)."""
    return isinstance(template, dict) and all(key in SECTIONS for key in template)
