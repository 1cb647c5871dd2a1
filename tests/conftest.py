"""Shared fixtures. Synth is slow (a Node process is behind aws_cdk), so each app is synthesized once
per test session and shared; tests only read the result."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_node = ROOT / "node_modules" / ".bin" / "node"
if "JSII_NODE" not in os.environ and _node.exists():  # before aws_cdk is imported: Node 22, no EOL banner
    os.environ["JSII_NODE"] = str(_node)

import pytest  # noqa: E402

from platform_constructs.testing import SynthResult, new_app, synthesize  # noqa: E402


@pytest.fixture(scope="session")
def example_app(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    """The repository's example app (app.py), synthesized once with every check and cdk.json's feature flags."""
    from snapshot_apps import cli_context

    import app as example

    return synthesize(example.build_app(new_app(cli_context(), outdir=tmp_path_factory.mktemp("example"))))
