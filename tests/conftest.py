"""Shared fixtures. Synth is slow (a Node process is behind aws_cdk), so each app is synthesized once
per test session and shared; tests only read the result."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
_node = ROOT / "node_modules" / ".bin" / "node"
if "JSII_NODE" not in os.environ and _node.exists():  # before aws_cdk is imported: Node 22, no EOL banner
    os.environ["JSII_NODE"] = str(_node)

import pytest  # noqa: E402

from platform_constructs.testing import SynthResult, new_app, synthesize  # noqa: E402

if TYPE_CHECKING:
    from local_deployment import Deployment


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep ``--dist loadgroup``'s groups together (``make test``): the session fixtures below are built once per
    worker, so the deploy group must run on one worker only.

    pytest-xdist 3.8 groups a test by the ``@<group>`` suffix its worker writes into ``item._nodeid``; pytest 9
    derives ``nodeid`` from the structured ``item._id`` instead, so the suffix is lost and every grouped test is
    scheduled on its own, its session fixtures built on every worker (pytest-dev/pytest-xdist#1386, fix proposed in
    #1388). Here the suffix goes where pytest 9 reads it; nothing happens where xdist already wrote it."""
    if getattr(config, "workerinput", None) is None or not getattr(config.option, "loadgroup", False):
        return  # not an xdist worker scheduling by group (the worker's option, as xdist sets it)
    for item in items:
        groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                         for mark in item.iter_markers("xdist_group")})
        suffix = f"@{'_'.join(groups)}"
        if groups and not item.nodeid.endswith(suffix):
            from _pytest.nodeid import NodeId  # pytest 9's structured ids (where xdist's suffix is lost)

            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.fixture(scope="session")
def example_app(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    """The repository's example app (app.py), synthesized once with every check and cdk.json's feature flags."""
    from snapshot_apps import cli_context

    import app as example

    return synthesize(example.build_app(new_app(cli_context(), outdir=tmp_path_factory.mktemp("example"))))


@pytest.fixture(scope="session")
def local_deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """One emulator for the session, with the platform app (the example app, every construct mode of
    snapshot_apps.py, a data-scientist stack) and the raw L1 app deployed by the real CDK CLI
    (tests/local/). The deploy tests share the ``deploy`` xdist group, so this runs once per session."""
    from local_deploy_stacks import platform_app, raw_app
    from local_deployment import Deployment

    from platform_constructs.local.deploy import LocalTarget

    work = tmp_path_factory.mktemp("local-deploy")
    main = synthesize(platform_app(work / "main"))
    raw_dir = Path(raw_app(str(work / "raw")).synth().directory)
    with LocalTarget(project_root=ROOT) as target:
        main_result = target.deploy_assembly(main.outdir, run_platform_check=False, local_dir=work / "main.local")
        raw_result = target.deploy_assembly(raw_dir, run_platform_check=False, local_dir=work / "raw.local")
        yield Deployment(target, main_result, main, raw_result, work / "main.local")
