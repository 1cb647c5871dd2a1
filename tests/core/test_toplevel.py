"""A platform error that ends a synth prints its message block, not a traceback (PLATFORM_DEBUG=1 shows it).

The real ``cdk synth`` (the repository's pinned CLI) runs ten-line apps written to a temporary project; the hook
itself is tested on plain exceptions.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_constructs import toplevel
from platform_constructs.errors import PlatformValidationError, PolicyError, Problem

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"

BROKEN_ENDPOINT = '''
from aws_cdk import App, Stack
from platform_constructs import SecureModelEndpoint

app = App()
stack = Stack(app, "churn")
SecureModelEndpoint(stack, "Model", model_data_url="s3://churn-models/model.tar.gz",
                    instance_type="ml.bogus.xlarge", cost_center="churn")
app.synth()
'''
DUPLICATE_STACK = '''
from aws_cdk import App, Stack
from platform_constructs import PlatformNetwork

app = App()
PlatformNetwork(Stack(app, "churn"), "Network")
Stack(app, "churn")
app.synth()
'''
VALID = '''
from aws_cdk import App, Stack
from platform_constructs import PlatformNetwork

app = App()
PlatformNetwork(Stack(app, "churn"), "Network")
app.synth()
'''


def _synth(tmp_path: Path, source: str, *args: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "app.py").write_text(source, encoding="utf-8")
    (project / "cdk.json").write_text(f'{{"app": "{sys.executable} app.py"}}', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JSII_NODE": str(ROOT / "node_modules" / ".bin" / "node"),
           "CDK_HOME": str(tmp_path / "cdk-home"), "CDK_DISABLE_CLI_TELEMETRY": "true",
           "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop(toplevel.DEBUG_VARIABLE, None)
    if debug:
        env[toplevel.DEBUG_VARIABLE] = "1"
    return subprocess.run([str(CDK), "synth", "--quiet", "-o", str(tmp_path / "cdk.out"), *args], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_a_validation_error_under_cdk_synth_is_its_message_block(tmp_path: Path) -> None:
    done = _synth(tmp_path, BROKEN_ENDPOINT)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "jsii" not in done.stderr
    assert "churn/Model: 1 problem with the arguments\n  instance_type = 'ml.bogus.xlarge'\n" in done.stderr
    assert "    allowed: " in done.stderr and "    fix:     pass instance_type=" in done.stderr
    assert f"set {toplevel.DEBUG_VARIABLE}=1 to see the traceback" in done.stderr


@pytest.mark.slow
def test_platform_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = _synth(tmp_path, BROKEN_ENDPOINT, debug=True)
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr and "PlatformValidationError" in done.stderr


@pytest.mark.slow
def test_a_duplicate_stack_id_is_explained_in_our_words(tmp_path: Path) -> None:
    done = _synth(tmp_path, DUPLICATE_STACK)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "two stacks in the app have the id 'churn'" in done.stderr
    assert "fix:     give the second stack another id, e.g. 'churn2'" in done.stderr


@pytest.mark.slow
def test_an_unknown_environment_names_the_env_context_and_the_closest_one(tmp_path: Path) -> None:
    done = _synth(tmp_path, VALID, "-c", "env=production")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "Invalid platform policy file" not in done.stderr
    assert "  -c env = 'production'\n    problem: environment 'production' is not defined in the policy" in done.stderr
    assert "    fix:     -c env=prod\n" in done.stderr


# --- the hook on plain exceptions ------------------------------------------------------------------------------
def _error() -> PlatformValidationError:
    return PlatformValidationError("S/C", [Problem("a", 1, "positive", "pass a=2", reason="a must be positive")])


def test_the_platform_error_behind_another_is_found() -> None:
    try:
        try:
            raise _error()
        except PlatformValidationError as inner:
            raise RuntimeError("jsii re-raised it") from inner
    except RuntimeError as outer:
        assert toplevel.message_block(outer) == _error().render_block()
    assert toplevel.message_block(PolicyError("p.yaml", ["version: missing"])) == (
        "Invalid platform policy file p.yaml:\n  - version: missing")
    assert toplevel.message_block(KeyError("x")) is None


def test_duplicate_id_messages_are_read() -> None:
    inside = toplevel.duplicate_id_problem("There is already a Construct with name 'B' in Stack2 [S]")
    assert inside is not None and inside.reason == "two constructs in S have the id 'B'"
    at_root = toplevel.duplicate_id_problem("There is already a Construct with name 'S' in App")
    assert at_root is not None and at_root.reason == "two stacks in the app have the id 'S'"
    assert toplevel.duplicate_id_problem("something else") is None


def test_the_hook_prints_the_block_or_hands_over(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    handed: list[BaseException] = []
    monkeypatch.setattr(toplevel, "_installed", [lambda kind, error, tb: handed.append(error)])
    monkeypatch.delenv(toplevel.DEBUG_VARIABLE, raising=False)
    toplevel._hook(PlatformValidationError, _error(), None)
    assert _error().render_block() in capsys.readouterr().err and handed == []
    other = KeyError("x")
    toplevel._hook(KeyError, other, None)
    assert handed == [other]
    monkeypatch.setenv(toplevel.DEBUG_VARIABLE, "1")
    error = _error()
    toplevel._hook(PlatformValidationError, error, None)
    assert handed == [other, error] and capsys.readouterr().err == ""


def test_install_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    def original(kind: type[BaseException], error: BaseException, tb: object) -> None:
        """The hook found before install (another tool's, or Python's)."""

    monkeypatch.setattr(toplevel, "_installed", [])
    monkeypatch.setattr(sys, "excepthook", original)
    toplevel.install()
    toplevel.install()
    assert sys.excepthook is toplevel._hook and toplevel._installed == [original]
