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

    The endpoint's model is created from the package (``ModelPackageName``: the package's image and model artifact);
    its execution role may read only that package's ``model.tar.gz``. Both are read at deploy time from the SSM
    parameters ``<model_registry.ssm_prefix>/<group>/approved-package-arn`` and ``.../approved-model-data-url``,
    which the registry's approval workflow writes when a package of the group is approved (or the approved one is
    rejected). Deploy again after an approval to serve it (``cdk deploy`` always updates a stack that reads SSM
    parameters).
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
    """Check ``SecureModelEndpoint(model_package=...)``: an :class:`ApprovedModelPackage` of a valid group name."""
    if not isinstance(value, ApprovedModelPackage) or not (isinstance(value.group, str)
                                                            and PROJECT.fullmatch(value.group)):
        problems.add(argument, value, "ApprovedModelPackage(group='<project>') naming a project of the platform's "
                     "ModelRegistry", f"pass {argument}=ApprovedModelPackage(group='churn')")
        return None
    return value
