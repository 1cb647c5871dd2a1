"""Deploy a CDK app into the embedded emulator with the real CDK CLI, then verify it with boto3.

The flow (:func:`deploy_local`): the normal synth (every compliance check) -> ``platform-check``, when installed,
started beside the rest -> the adapter writes ``cdk.out.local/`` -> start the emulator (IAM enforced) -> ``cdk
bootstrap`` -> ``cdk deploy --all --method=direct`` (change sets lose outputs in the emulator) -> verify every
stack -> the runtime-call tables -> summary table -> stop the emulator. :class:`LocalTarget` holds the emulator
and CLI environment so tests can deploy, re-deploy and ``cdk diff`` against one running emulator.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from platform_constructs.local.adapter import AdaptedAssembly, Change, adapt_assembly
from platform_constructs.local.emulator import ACCOUNT, REGION, Emulator, toolchain_env
from platform_constructs.local.emulator_log import EmulatorLog
from platform_constructs.local.report import as_json, dumps, summary
from platform_constructs.local.runtime.runner import CallResult
from platform_constructs.local.runtime.tables import run_on_deployment, tally
from platform_constructs.local.verify import Check, verify_stack

__all__ = ["DeployResult", "LocalDeployError", "LocalTarget", "StackResult", "as_json", "deploy_local", "dumps",
           "summary", "synth"]

LOCAL_ASSEMBLY = "cdk.out.local"
Log = Callable[[str], None]


def _quiet(message: str) -> None:
    """The default progress log: say nothing."""
CLI_TIMEOUT_SECONDS = 900


class LocalDeployError(RuntimeError):
    """A step of the local deploy failed; the message names the step and carries the CLI's output."""


def toolchain_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` with the pinned CDK CLI (``node_modules/.bin/cdk``), else
    this repository's root (the one ``make setup`` installs into)."""
    for directory in (start.resolve(), *start.resolve().parents):
        if (directory / "node_modules" / ".bin" / "cdk").exists():
            return directory
    return Path(__file__).resolve().parents[2]


def cdk_cli(root: Path) -> list[str]:
    """The CDK CLI command: the project's pinned ``node_modules/.bin/cdk`` (what ``npx cdk`` runs)."""
    local = root / "node_modules" / ".bin" / "cdk"
    return [str(local)] if local.exists() else ["npx", "--no-install", "cdk"]


def run(cmd: Sequence[str], *, cwd: Path, env: dict[str, str] | None, step: str) -> tuple[str, float]:
    """Run ``cmd``; return (combined output, seconds); raise :class:`LocalDeployError` when it fails."""
    started = time.monotonic()
    proc = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=CLI_TIMEOUT_SECONDS, check=False)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise LocalDeployError(f"{step} failed (exit {proc.returncode}): {' '.join(cmd)}\n{output[-4000:]}")
    return output, time.monotonic() - started


def synth(app_dir: Path, *, env_name: str = "dev", outdir: Path | None = None,
          context: dict[str, str] | None = None, env: dict[str, str] | None = None) -> tuple[Path, float, str]:
    """The normal ``cdk synth`` of the app in ``app_dir`` (its ``cdk.json``): every compliance check runs.
    Returns (assembly directory, seconds, the compliance gate's report lines)."""
    root = toolchain_root(app_dir)
    out = outdir if outdir is not None else app_dir / "cdk.out"
    cmd = [*cdk_cli(root), "synth", "--quiet", "-o", str(out), "-c", f"env={env_name}"]
    for key, value in (context or {}).items():
        cmd += ["-c", f"{key}={value}"]
    output, seconds = run(cmd, cwd=app_dir, env=env, step="synth (with every compliance check)")
    gate = "\n".join(line for line in output.splitlines()
                     if line.startswith(("platform-constructs:", "  checked", "  library acknowledgments")))
    return out, seconds, gate


def start_platform_check(assembly: Path, *, env_name: str,
                         project_root: Path | None = None) -> subprocess.Popen[str] | None:
    """Start ``platform-check`` over ``assembly`` when it is installed (``None`` when absent), with the project's
    pinned Node for the cdk-nag it runs through jsii (:func:`toolchain_env` of ``project_root``). In the background:
    its result decides only whether the run passed, so the deploy need not wait for it (issue 19: ~10 s of
    ``make demo``)."""
    if importlib.util.find_spec("platform_constructs.cli.check") is None:
        return None
    code = "import sys; from platform_constructs.cli.check import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, str(assembly), "--env", env_name], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=toolchain_env(project_root) if project_root is not None else None)


def finish_platform_check(running: subprocess.Popen[str]) -> tuple[bool, str]:
    """(passed, output) of a started :func:`start_platform_check`, waiting for it."""
    try:
        stdout, stderr = running.communicate(timeout=CLI_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        running.kill()
        stdout, stderr = running.communicate()
        return False, f"{stdout}{stderr}\nplatform-check did not finish within {CLI_TIMEOUT_SECONDS} s"
    return running.returncode == 0, stdout + stderr


@dataclass
class StackResult:
    stack: str
    resources: int
    """Resources in the deployed (adapted) template."""
    checks: list[Check]
    seconds: float
    """Deploy time of this stack as the CLI reported it (0 when unknown) plus its verification."""
    created: int = 0
    """Resources the emulator created (listed with a physical id)."""
    template_only: dict[str, int] = field(default_factory=dict)
    """Type -> resources of it checked on the template only (the reason: ``models.TEMPLATE_ONLY[type]``)."""
    dropped: int = 0
    """Resources the template adapter removed (custom resources)."""
    runtime_allowed: int | None = None
    """Runtime calls made with the stack's roles that were allowed (None: no runtime checks ran)."""
    runtime_denied: int | None = None
    """Negative-path calls made with the stack's roles that were denied (None: no runtime checks ran)."""
    runtime: list[CallResult] = field(default_factory=list)
    """Every runtime call of the stack's constructs (the role assumptions included)."""

    @property
    def runtime_failed(self) -> list[CallResult]:
        """Runtime calls that did not behave as declared (known gaps excepted)."""
        return [r for r in self.runtime if not r.ok]

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


@dataclass
class DeployResult:
    assembly: Path
    adapted: AdaptedAssembly
    timings: dict[str, float] = field(default_factory=dict)
    stacks: list[StackResult] = field(default_factory=list)
    platform_check: tuple[bool, str] | None = None
    gate_report: str = ""
    """What the compliance gate printed at synth (empty when the assembly was synthesized elsewhere)."""
    diff_clean: bool | None = None
    """After a second deploy: ``cdk diff`` against the emulator showed no differences (None: not run)."""
    emulator_log: list[str] = field(default_factory=list)
    """What the emulator logged at WARNING or above during the deploy and verification."""

    @property
    def ok(self) -> bool:
        return (all(not s.failed and not s.runtime_failed for s in self.stacks)
                and (self.platform_check is None or self.platform_check[0]) and self.diff_clean is not False
                and not self.emulator_log)

    @property
    def changes(self) -> list[Change]:
        return self.adapted.changes


class LocalTarget:
    """One running emulator plus the CDK CLI environment pointed at it."""

    def __init__(self, *, project_root: Path, emulator: Emulator | None = None) -> None:
        self.project_root = project_root
        self.emulator = emulator if emulator is not None else Emulator()
        self.log = EmulatorLog()
        """The emulator's warnings and errors while this target runs (kept off the console)."""
        self._home = Path(tempfile.mkdtemp(prefix="cdk-home-"))
        self.bootstrapped = False

    def __enter__(self) -> LocalTarget:
        self.log.attach()
        self.emulator.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.emulator.stop()
        self.log.detach()
        shutil.rmtree(self._home, ignore_errors=True)

    @property
    def env(self) -> dict[str, str]:
        return self.emulator.cli_env(project_root=self.project_root, cdk_home=self._home)

    def cli(self, *args: str, step: str, cwd: Path) -> tuple[str, float]:
        try:
            return run([*cdk_cli(self.project_root), *args], cwd=cwd, env=self.env, step=step)
        except LocalDeployError as exc:
            records = self.log.drain()
            if not records:
                raise
            raise LocalDeployError(f"{exc}\nThe emulator logged:\n" + "\n".join(f"  {r}" for r in records)) from None

    def bootstrap(self, assembly: Path) -> float:
        _, seconds = self.cli("bootstrap", f"aws://{ACCOUNT}/{REGION}", "--app", str(assembly),
                              step="cdk bootstrap", cwd=assembly.parent)
        self.bootstrapped = True
        return seconds

    def deploy(self, assembly: Path, parameters: Sequence[str] = ()) -> tuple[str, float]:
        flags = [f for p in parameters for f in ("--parameters", p)]
        return self.cli("deploy", "--app", str(assembly), "--all", "--method=direct", "--require-approval",
                        "never", "--progress", "events", *flags, step="cdk deploy", cwd=assembly.parent)

    def diff(self, assembly: Path) -> tuple[str, float]:
        """``cdk diff`` of every stack against the emulator (template comparison: the emulator's change
        sets cannot be deleted, which makes the CLI's change-set diff retry for a minute)."""
        return self.cli("diff", "--app", str(assembly), "--method=template", step="cdk diff", cwd=assembly.parent)

    def verify(self, adapted: AdaptedAssembly, deploy_output: str = "") -> list[StackResult]:
        results = []
        for stack, template in adapted.templates.items():
            started = time.monotonic()
            verified = verify_stack(self.emulator, stack, template)
            seconds = _deploy_seconds(deploy_output, stack) + (time.monotonic() - started)
            dropped = sum(1 for c in adapted.changes_for(stack) if c.transformation == "drop_custom_resources"
                          and not c.detail.startswith("removed output"))
            results.append(StackResult(stack, len(template.get("Resources", {})), verified.checks, seconds,
                                       created=len(verified.created), template_only=verified.template_only_types,
                                       dropped=dropped))
        return results

    def runtime_calls(self, result: DeployResult) -> None:
        """Every construct's runtime-call table on the deployed stacks, attached to their results."""
        calls = run_on_deployment(self.emulator, result.assembly, [s.stack for s in result.stacks])
        for stack in result.stacks:
            stack.runtime = calls[stack.stack]
            counts = tally(stack.runtime)
            stack.runtime_allowed, stack.runtime_denied = counts.allowed, counts.denied

    def deploy_assembly(self, assembly: Path, *, env_name: str = "dev", run_platform_check: bool = True,
                        local_dir: Path | None = None, log: Log = _quiet, runtime_calls: bool = True) -> DeployResult:
        """Adapt ``assembly`` (a synthesized cloud assembly), bootstrap once, deploy every stack, verify, and
        (unless ``runtime_calls=False``) run the runtime-call tables."""
        result = DeployResult(assembly=assembly, adapted=AdaptedAssembly(directory=assembly))
        checking, check_started = None, time.monotonic()
        if run_platform_check:
            log("platform-check over the synthesized templates (when installed), beside the deploy")
            checking = start_platform_check(assembly, env_name=env_name, project_root=self.project_root)
        try:
            self._deploy_and_verify(result, assembly, local_dir=local_dir, log=log, runtime_calls=runtime_calls)
        except BaseException:
            if checking is not None:  # the deploy failed: the check's answer no longer matters
                checking.kill()
                checking.communicate()
            raise
        if checking is not None:
            result.platform_check = finish_platform_check(checking)
            result.timings["platform-check"] = time.monotonic() - check_started  # beside the deploy's steps
        result.emulator_log = self.log.drain()
        return result

    def _deploy_and_verify(self, result: DeployResult, assembly: Path, *, local_dir: Path | None, log: Log,
                           runtime_calls: bool) -> None:
        """Adapt, bootstrap, deploy, verify and (``runtime_calls``) run the runtime-call tables, into ``result``."""
        started = time.monotonic()
        target_dir = local_dir if local_dir is not None else assembly.parent / LOCAL_ASSEMBLY
        result.adapted = adapt_assembly(assembly, target_dir)
        result.timings["adapt"] = time.monotonic() - started
        if not self.bootstrapped:
            log(f"cdk bootstrap into the emulator at {self.emulator.endpoint_url}")
            result.timings["bootstrap"] = self.bootstrap(result.adapted.directory)
        parameters, changes = explicit_parameter_defaults(result.adapted)
        result.adapted.changes += changes
        log(f"cdk deploy --all ({len(result.adapted.templates)} stacks, adapted copy in {result.adapted.directory})")
        output, result.timings["deploy"] = self.deploy(result.adapted.directory, parameters)
        log("verifying with boto3")
        started = time.monotonic()
        result.stacks = self.verify(result.adapted, output)
        result.timings["verify"] = time.monotonic() - started
        if runtime_calls:
            log("runtime calls: each role assumed as its service, every declared call made")
            started = time.monotonic()
            self.runtime_calls(result)
            result.timings["runtime calls"] = time.monotonic() - started


def explicit_parameter_defaults(adapted: AdaptedAssembly) -> tuple[list[str], list[Change]]:
    """``STACK:KEY=DEFAULT`` for every template parameter with a default.

    On an update the CLI sends ``UsePreviousValue`` for parameters it did not get a value for; the emulator
    then looks the previous value up among the values *given* at create (none) and fails. Passing each
    default explicitly (for SSM-typed parameters: the parameter name, re-resolved on every deploy, as AWS
    does) gives the same stack.
    """
    values: list[str] = []
    changes: list[Change] = []
    for stack, template in adapted.templates.items():
        for key, spec in template.get("Parameters", {}).items():
            if "Default" in spec:
                values.append(f"{stack}:{key}={spec['Default']}")
                changes.append(Change(stack, "explicit_parameter_defaults", key,
                                      f"--parameters {key}={spec['Default']} (the template default, "
                                      "passed explicitly)"))
    return values, changes


def _deploy_seconds(output: str, stack: str) -> float:
    """The CLI's '✨  Deployment time: 1.23s' for ``stack`` (0 when not found)."""
    marker = f"✅  {stack}"
    index = output.find(marker)
    if index < 0:
        return 0.0
    tail = output[index:]
    key = "Deployment time: "
    where = tail.find(key)
    if where < 0:
        return 0.0
    try:
        return float(tail[where + len(key):].split("s", 1)[0])
    except ValueError:
        return 0.0


def deploy_local(app_dir: Path, *, env_name: str = "dev", run_platform_check: bool = True,
                 context: dict[str, str] | None = None, log: Log = _quiet) -> DeployResult:
    """The whole flow for the app in ``app_dir``: synth, platform-check, adapt, emulator, deploy, verify."""
    app_dir = app_dir.resolve()
    root = toolchain_root(app_dir)
    log(f"cdk synth of {app_dir} (-c env={env_name}, every compliance check)")
    assembly, synth_seconds, gate = synth(app_dir, env_name=env_name, context=context, env=toolchain_env(root))
    with LocalTarget(project_root=root) as target:
        log(f"emulator started at {target.emulator.endpoint_url}")
        result = target.deploy_assembly(assembly, env_name=env_name, run_platform_check=run_platform_check,
                                        log=log)
        result.gate_report = gate
        log("second deploy and cdk diff against the emulator")
        # A second deploy of the same assembly (the CLI finds nothing to change), then cdk diff: both must
        # be clean against what was just deployed.
        parameters, _ = explicit_parameter_defaults(result.adapted)
        _, result.timings["redeploy"] = target.deploy(result.adapted.directory, parameters)
        output, result.timings["diff"] = target.diff(result.adapted.directory)
        result.diff_clean = "Number of stacks with differences: 0" in output
    result.timings = {"synth": synth_seconds, **result.timings}
    return result
