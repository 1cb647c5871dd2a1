"""PLAT-BATCH5: no AWS Batch job or ECS task carries a secret in its plain environment.

A job definition's or task definition's ``Environment`` is readable by anyone who may describe it (and is
kept in every revision); secrets belong in ``Secrets`` (Secrets Manager or SSM Parameter Store references,
injected at start). Reported for every ``Environment`` entry whose name says it is a secret (password,
secret, token, API key, access key, private key, credentials) and has a value, and for every value that looks
like an AWS access key id or a private key, whatever its name. A dynamic reference
(``{{resolve:secretsmanager:...}}``) is resolved by CloudFormation into the definition in plain text: also
reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from platform_constructs.compliance.containers import CONTAINER_TYPES, containers
from platform_constructs.compliance.rules.base import Resource, Rule, RuleContext, Violation, is_set

SECRET_NAME = re.compile(r"(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)",
                         re.IGNORECASE)
SECRET_VALUE = re.compile(r"(A(KIA|SIA)[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\{\{resolve:secretsmanager:)")


def check(logical_id: str, resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for container in containers(resource):
        environment = container.body.get("Environment") if container.body is not None else None
        for index, variable in enumerate(environment if isinstance(environment, list) else []):
            if not isinstance(variable, Mapping):
                continue
            name, value = variable.get("Name"), variable.get("Value")
            where = f"{container.location}.Environment[{index}]"
            if isinstance(value, str) and SECRET_VALUE.search(value):
                yield Violation(where, f"environment variable {name!r} holds a credential in plain text")
            elif isinstance(name, str) and SECRET_NAME.search(name) and is_set(value):
                yield Violation(where, f"environment variable {name!r} is a secret passed in plain text")


RULE = Rule(
    id="PLAT-BATCH5",
    title="Batch jobs and ECS tasks take secrets from Secrets, never from the plain environment",
    fix="move the value to Secrets Manager or SSM Parameter Store and reference it under Secrets (ValueFrom)",
    resource_types=CONTAINER_TYPES,
    check=check,
)
