"""The published package: build the wheel, install it into a fresh venv outside the repo, and use it there.

The venv gets the wheel and its declared dependencies from the package index (pip's cache and the
configured find-links make that fast); nothing of the repository is importable in it. The CDK CLI is the
repository's pinned one (node_modules/.bin), as a data scientist's `npx aws-cdk@2` would be.
"""

from __future__ import annotations

import json
import zipfile

import pytest
from wheel_install import Installed, install_wheel

import platform_constructs

# one worker installs the wheel for both modules; as a group (make test's --dist loadgroup schedules the largest units
# first) the slowest test of the suite, the README's, starts early instead of last
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel, built once per session and installed into a fresh virtualenv outside the repository."""
    return install_wheel(tmp_path_factory)


def test_wheel_carries_types_policies_templates_and_dependency_ranges(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = next(wheel.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
        entry_points = next(wheel.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert {"platform_constructs/py.typed", "platform_constructs/_policies/platform.yaml",
            "platform_constructs/_templates/project/endpoint/app.py.tmpl",
            "platform_constructs/_templates/project/_common/cdk.json.tmpl"} <= names
    assert not any("__pycache__" in n for n in names)
    assert f"Version: {platform_constructs.__version__}" in metadata
    assert "Requires-Dist: aws-cdk-lib<3,>=2.275.0" in metadata
    assert "platform-check = platform_constructs.cli.check:main" in entry_points


def test_installed_package_is_the_wheel_and_its_policy_and_check_work(installed: Installed) -> None:
    where = installed.run([installed.bin("python"), "-c",
                           "import platform_constructs.policy as p; print(p.default_policy_file())"], installed.work)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(installed.venv)) and "_policies" in where.stdout
    bad = installed.work / "bad.template.json"
    bad.write_text(json.dumps({"Resources": {"RawBucket": {"Type": "AWS::S3::Bucket"}}}))
    check = installed.run([installed.bin("platform-check"), str(bad)], installed.work)
    assert check.returncode == 1 and "RawBucket" in check.stdout and "PLAT-TAG1" in check.stdout


@pytest.mark.parametrize(("kind", "module"), [("endpoint", "platform_constructs.serving.endpoint"),
                                              ("batch", "platform_constructs.compute.batch")])
def test_platform_new_project_synthesizes_with_zero_findings(installed: Installed, kind: str, module: str) -> None:
    probe = installed.run([installed.bin("python"), "-c", f"import {module}"], installed.work)
    assert probe.returncode == 0, probe.stderr
    name = "churn" if kind == "endpoint" else f"churn-{kind}"
    created = installed.run([installed.bin("platform"), "new", kind, name], installed.work)
    assert created.returncode == 0, created.stderr
    project = installed.work / name
    synth = installed.run(["cdk", "synth", "--quiet"], project)
    assert synth.returncode == 0, synth.stderr[-3000:]
    check = installed.run([installed.bin("platform-check"), "cdk.out"], project)
    assert check.returncode == 0, check.stdout + check.stderr
