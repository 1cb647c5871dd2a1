"""The model registry's arguments and where it publishes the approved packages (pure: no ``aws_cdk``).

* :func:`registry_settings` validates ``ModelRegistry(projects=...)``: one SageMaker model package group per project,
  named after the project (a lowercase slug: SageMaker writes model-package ARNs in lowercase).
* :class:`ApprovedModelPackage` is what ``SecureModelEndpoint(model_package=...)`` takes: the group whose latest
  Approved package the endpoint serves, resolved at deploy time from the two SSM parameters the registry's approval
  workflow writes (:func:`approved_parameters`). The endpoint never names a version: the package ARN and its
  ``model.tar.gz`` are read by CloudFormation when the stack is deployed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from platform_constructs.errors import Problems
from platform_constructs.policy import Policy
from platform_constructs.values import describe

PROJECT = re.compile(r"[a-z][a-z0-9-]{1,61}[a-z0-9]")
"""A project's slug: also its group's name (SageMaker allows ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``; lowercase keeps
the group's ARN as written)."""
MAX_PROJECTS = 20
"""Groups per registry: each adds a group and statements to the approval workflow's role (IAM's 6,144-character
managed-policy limit stays far)."""
PACKAGE_ARN_PARAMETER = "approved-package-arn"
MODEL_DATA_PARAMETER = "approved-model-data-url"


@dataclass(frozen=True)
class ApprovedModelPackage:
    """The latest Approved model package of a project's group in the platform's model registry.

    :param group: the project's model package group (``ModelRegistry(projects=[...])``). Required.

    ``SecureModelEndpoint(model_package=...)`` (or ``ModelVariant(model_package=...)``) serves it instead of a
    ``model_data_url``: the model's ``ModelDataUrl`` is the package's ``model.tar.gz`` as the registry's approval
    workflow published it to ``<model_registry.ssm_prefix>/<group>/approved-model-data-url``, read by CloudFormation
    from Parameter Store whenever the stack is deployed (an SSM-typed template parameter), and the endpoint's
    execution role may read only that object (its ARN is built from the URL at deploy time). The endpoint never
    names a version: deploy again after an approval to serve it (``cdk deploy`` always updates a stack that reads
    SSM parameters; wire ``ModelRegistry.published_rule`` to the redeploy). The image is the endpoint's own approved
    image (``framework`` / ``image``), as for every endpoint: pass the framework the group's packages are built for.
    """

    group: str


@dataclass(frozen=True)
class RegistrySettings:
    """The validated registry: its projects (the group names) and where their approved packages are published."""

    projects: tuple[str, ...]
    ssm_prefix: str
    workload_accounts: tuple[str, ...]


def approved_parameters(policy: Policy, group: str) -> tuple[str, str]:
    """(package ARN parameter, model data URL parameter) of ``group``'s latest Approved package."""
    prefix = f"{policy.model_registry.ssm_prefix}/{group}"
    return f"{prefix}/{PACKAGE_ARN_PARAMETER}", f"{prefix}/{MODEL_DATA_PARAMETER}"


def registry_settings(policy: Policy, problems: Problems, *, projects: object) -> RegistrySettings:
    """Validate ``ModelRegistry(projects=...)``; problems are recorded in ``problems`` (raised by the caller)."""
    names: list[str] = []
    if not isinstance(projects, (list, tuple)) or not projects:
        problems.add("projects", projects, "a non-empty list of project slugs", "pass projects=['churn']")
        projects = ()
    for i, project in enumerate(projects):
        argument = f"projects[{i}]"
        if not (isinstance(project, str) and PROJECT.fullmatch(project)):
            meant = re.sub(r"[^a-z0-9]+", "-", project.lower()).strip("-") if isinstance(project, str) else ""
            problems.add(argument, project, "a project slug: 3-63 lowercase letters, digits and hyphens, starting "
                         "with a letter (it names the model package group)",
                         f"pass {argument}={meant or 'churn'!r}")
        elif project in names:
            problems.add(argument, project, "each project once (one model package group per project)",
                         f"remove the second {project!r}")
        else:
            names.append(project)
    problems.check(len(names) <= MAX_PROJECTS, "projects", len(names), f"at most {MAX_PROJECTS} projects",
                   "split the projects across registries")
    return RegistrySettings(projects=tuple(names), ssm_prefix=policy.model_registry.ssm_prefix,
                            workload_accounts=policy.model_registry.workload_accounts)


def approved_package_problems(problems: Problems, argument: str, value: object) -> ApprovedModelPackage | None:
    """Check ``SecureModelEndpoint(model_package=...)``: an :class:`ApprovedModelPackage` of a valid group name.
    Problems are recorded in ``problems`` (raised by the caller); returns the package when it is valid."""
    allowed = "an ApprovedModelPackage(group='<project>') naming a project of the platform's ModelRegistry"
    if not isinstance(value, ApprovedModelPackage):
        meant = value if isinstance(value, str) and PROJECT.fullmatch(value) else "churn"
        problems.add(argument, value, f"{allowed}, got {describe(value)}",
                     f"pass {argument}=ApprovedModelPackage(group={meant!r})")
        return None
    group = value.group
    if not (isinstance(group, str) and PROJECT.fullmatch(group)):
        meant = re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-") if isinstance(group, str) else ""
        problems.add(f"{argument}.group", group, "the name of a model package group of the platform's "
                     "ModelRegistry: a project slug of 3-63 lowercase letters, digits and hyphens, starting with a "
                     f"letter, got {describe(group)}",
                     f"pass {argument}=ApprovedModelPackage(group={meant if PROJECT.fullmatch(meant) else 'churn'!r})")
        return None
    return value
