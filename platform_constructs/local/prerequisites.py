"""``platform deploy-local`` for a data scientist's project: the platform's prerequisites first, then the project.

A project's stacks find the platform network through the SSM parameters a ``PlatformNetwork`` publishes
(``/platform/network/*``, read by CloudFormation at deploy time), and with ``-c golden_images=true`` their default
images through the parameters a golden-image pipeline publishes (``/platform/images/default/*``). In an account the
platform team deployed those long ago; a fresh emulator has none, so the project's deploy would fail. So:

1. the project is synthesized (every compliance check) and :func:`needed` reads what its templates need published
   that none of its own stacks publishes (:mod:`platform_constructs.describe`);
2. :func:`write_prerequisites_app` writes a small platform app — ``platform-network`` (a ``PlatformNetwork``) and,
   when images are needed, ``platform-images`` publishing the default-image parameters as a pipeline does before
   its first approved build (the policy's images:
   :class:`~platform_constructs.local.default_images.PublishedDefaultImages`) — synthesized the same way;
3. both are deployed into one emulator, prerequisites first, then the project is deployed a second time and
   ``cdk diff`` must find nothing (as ``make demo`` does).

This module imports no CDK (the ``platform`` process starts no Node); the apps it synthesizes do.
An app that publishes what it needs itself (this repository's ``app.py``) needs no prerequisites and takes
:func:`platform_constructs.local.deploy.deploy_local` unchanged.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from platform_constructs.describe import read_assembly
from platform_constructs.local.deploy import (
    DeployResult,
    Log,
    deploy_local,
    explicit_parameter_defaults,
    synth,
    toolchain_root,
)
from platform_constructs.local.deploy import LocalTarget as _LocalTarget
from platform_constructs.local.emulator import toolchain_env
from platform_constructs.policy import Policy, load_policy

NETWORK_STACK = "platform-network"
IMAGES_STACK = "platform-images"
PREREQUISITES_DIR = "cdk.prerequisites"
"""Where, inside the project, the prerequisites app is written and synthesized (beside ``cdk.out``)."""


@dataclass(frozen=True)
class Needed:
    network: bool
    images: bool
    other: tuple[str, ...]
    """SSM parameters the project reads that no platform prerequisite publishes (their deploy will fail)."""

    def __bool__(self) -> bool:
        return self.network or self.images


def needed(assembly: Path, policy: Policy) -> Needed:
    """What the stacks in ``assembly`` read at deploy time that none of them publishes."""
    summaries = read_assembly(assembly)
    names = {name for summary in summaries for name in summary.prerequisites}
    missing = names - {name for summary in summaries for name in summary.published}
    network = {n for n in missing if n.startswith(policy.network.ssm_prefix + "/")}
    images = {n for n in missing if n.startswith(policy.images.ssm_prefix + "/default/")}
    return Needed(network=bool(network), images=bool(images), other=tuple(sorted(missing - network - images)))


APP_SOURCE = '''"""A project's platform prerequisites, for `platform deploy-local` only (written by it; do not edit)."""

from aws_cdk import App, Stack

from platform_constructs import PlatformNetwork
from platform_constructs.local.default_images import PublishedDefaultImages

app = App()
network = Stack(app, "{network}", description="platform prerequisite: the platform network (deploy-local)")
PlatformNetwork(network, "Network")
if {images}:
    images = Stack(app, "{images_stack}", description="platform prerequisite: default images (deploy-local)")
    PublishedDefaultImages(images, "DefaultImages")
app.synth()
'''


def write_prerequisites_app(directory: Path, need: Needed, *, context: dict[str, object]) -> Path:
    """The prerequisites app (``app.py`` + ``cdk.json`` with the project's context) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(APP_SOURCE.format(network=NETWORK_STACK, images=need.images,
                                                        images_stack=IMAGES_STACK), encoding="utf-8")
    config = {"app": f"{sys.executable} app.py", "context": context}
    (directory / "cdk.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return directory


def _project_context(app_dir: Path) -> dict[str, object]:
    """The project's cdk.json context (feature flags, policy file), so the prerequisites synth like it."""
    try:
        context = json.loads((app_dir / "cdk.json").read_text(encoding="utf-8")).get("context", {})
    except (OSError, json.JSONDecodeError):
        return {}
    policy = context.get("policy_file")
    if isinstance(policy, str) and not Path(policy).is_absolute():
        context["policy_file"] = str((app_dir / policy).resolve())
    return dict(context)


@dataclass
class ProjectDeploy:
    project: DeployResult
    prerequisites: DeployResult | None
    needed: Needed


def deploy_project(app_dir: Path, *, env_name: str = "dev", run_platform_check: bool = True,
                   context: dict[str, str] | None = None, log: Log = lambda _message: None) -> ProjectDeploy:
    """Synth the project; deploy the prerequisites it needs, then the project, into one emulator; verify."""
    app_dir = app_dir.resolve()
    root = toolchain_root(app_dir)
    env = toolchain_env(root)
    log(f"cdk synth of {app_dir} (-c env={env_name}, every compliance check)")
    assembly, synth_seconds, gate = synth(app_dir, env_name=env_name, context=context, env=env)
    project_context = _project_context(app_dir)
    policy_file = project_context.get("policy_file")
    policy = load_policy(policy_file if isinstance(policy_file, str) else None)
    need = needed(assembly, policy)
    if not need:
        return ProjectDeploy(deploy_local(app_dir, env_name=env_name, run_platform_check=run_platform_check,
                                          context=context, log=log), None, need)
    prerequisites_dir = write_prerequisites_app(app_dir / PREREQUISITES_DIR, need, context=project_context)
    what = [w for w, n in (("the platform network", need.network), ("golden images", need.images)) if n]
    log(f"the project needs {' and '.join(what)} published first: cdk synth of the platform prerequisites in "
        f"{prerequisites_dir}")
    started = time.monotonic()
    prerequisite_assembly, _, _ = synth(prerequisites_dir, env_name=env_name, env=env)
    prerequisite_seconds = time.monotonic() - started
    with _LocalTarget(project_root=root) as target:
        log(f"emulator started at {target.emulator.endpoint_url}; deploying the platform prerequisites")
        first = target.deploy_assembly(prerequisite_assembly, env_name=env_name, run_platform_check=False,
                                       local_dir=Path(tempfile.mkdtemp(prefix="prerequisites-local-")), log=log)
        log("deploying the project")
        result = target.deploy_assembly(assembly, env_name=env_name, run_platform_check=run_platform_check, log=log)
        result.gate_report = gate
        log("second deploy and cdk diff against the emulator")
        parameters, _ = explicit_parameter_defaults(result.adapted)
        _, result.timings["redeploy"] = target.deploy(result.adapted.directory, parameters)
        output, result.timings["diff"] = target.diff(result.adapted.directory)
        result.diff_clean = "Number of stacks with differences: 0" in output
    result.timings = {"synth": synth_seconds, "prerequisites": prerequisite_seconds + sum(first.timings.values()),
                      **result.timings}
    return ProjectDeploy(result, first, need)
