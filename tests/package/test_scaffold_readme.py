"""`platform new endpoint churn`, then the project's README step by step on a machine that has only Python and npm:
a fresh virtualenv, its install step, the pinned toolchain, a synth, the project's tests, a local deploy.

The wheel is built and installed as in test_wheel.py (outside the repository); ``platform new`` runs from that
install, so the project installs the same wheel (its PEP 610 origin). The README's commands run in one bash session,
in order, exactly as written, with nothing of the repository on PATH or PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from wheel_install import ROOT, Installed, install_wheel

# one worker installs the wheel for both modules; as a group (make test's --dist loadgroup schedules the largest units
# first) the slowest test of the suite, the README's, starts early instead of last
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel, built once per session and installed into a fresh virtualenv outside the repository."""
    return install_wheel(tmp_path_factory)
README_TIMEOUT_SECONDS = 1800


def readme_commands(readme: str) -> list[str]:
    """Every command of the README's ```bash blocks, in order, without trailing comments."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", readme, re.DOTALL):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


def test_the_readme_commands_are_read_in_order() -> None:
    text = "x\n```bash\na && b   # first\n\nc\n```\ny\n```python\nnot()\n```\n```bash\nd  # last\n```\n"
    assert readme_commands(text) == ["a && b", "c", "d"]


def test_the_project_pins_the_repository_toolchain(installed: Installed) -> None:
    project = installed.work / "pins"
    created = installed.run([installed.bin("platform"), "new", "batch", "pins", "--dir", str(project)], installed.work)
    assert created.returncode == 0, created.stderr
    ours = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    assert json.loads((project / "package.json").read_text())["devDependencies"] == ours
    requirements = (project / "requirements.txt").read_text()
    assert f"platform-constructs[local] @ {installed.wheel.resolve().as_uri()}" in requirements
    assert not re.search(r"^platform-constructs\s*([<>=]|$)", requirements, re.MULTILINE)  # never a bare name
    repository = json.loads((ROOT / "cdk.json").read_text())["context"]
    scaffolded = json.loads((project / "cdk.json").read_text())["context"]
    ignored = ("env", "@aws-cdk/core:newStyleStackSynthesis")  # the repository's own older setting
    assert {k: v for k, v in scaffolded.items() if k not in ignored} == {
        k: v for k, v in repository.items() if k not in ignored}  # the same 89 feature flags


def test_platform_new_endpoint_churn_then_its_readme_step_by_step(installed: Installed, tmp_path: Path) -> None:
    created = installed.run([installed.bin("platform"), "new", "endpoint", "churn"], tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / "churn"
    commands = readme_commands((project / "README.md").read_text())
    assert commands[:3] == ["python3 -m venv .venv && . .venv/bin/activate", "pip install -r requirements.txt",
                            "npm install"]
    assert "platform deploy-local --app ." in commands
    script = "set -euo pipefail\n" + "".join(f"echo '>>> {c}'\n{c}\n" for c in commands)
    # a user's machine: no PYTHONDONTWRITEBYTECODE (this one's), so Python writes the bytecode of what it imports and
    # pip need not compile all of aws-cdk-lib up front (PIP_NO_COMPILE: the README's commands stay as written)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "JSII_NODE", "PYTHONDONTWRITEBYTECODE")
           and not k.startswith("PYTEST")}
    env["PIP_NO_COMPILE"] = "1"
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(ROOT)) and not p.startswith(str(installed.venv)))
    env.update(CDK_HOME=str(tmp_path / "cdk-home"), CDK_DISABLE_CLI_TELEMETRY="true",
               npm_config_audit="false", npm_config_fund="false",
               # npm's update check and packument refetches are network calls the README's install does not need:
               # once one hung on an established connection for the whole timeout (the packages were in npm's cache)
               npm_config_update_notifier="false", npm_config_prefer_offline="true", npm_config_fetch_timeout="120000")
    done = subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True,
                          timeout=README_TIMEOUT_SECONDS, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    for command in commands:
        assert f">>> {command}" in done.stdout  # every step ran
    assert "end-of-life" not in output  # Node 22 from the project's node_modules, for the CLI and jsii
    assert "feature flags are not configured" not in output
    assert "platform-constructs: 1 template(s) in prod" in output  # npx cdk synth -c env=prod
    assert "passed" in output and "1 passed" in output  # pytest
    assert re.search(r'Predictor\(endpoint_name="churn-Model-[0-9a-f]{8}"', output)  # platform describe cdk.out
    assert "platform-check: passed" in output
    assert "platform prerequisites deployed first: platform-network" in output
    assert "local deploy: OK" in output
