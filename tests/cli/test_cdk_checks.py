"""cli/cdk_checks.py's choice of Node for jsii (the checks themselves run in test_cli_check.py)."""

from __future__ import annotations

from pathlib import Path

from platform_constructs.cli.cdk_checks import pinned_node


def test_the_project_s_pinned_node_is_found_from_the_project_or_below_it(tmp_path: Path) -> None:
    node = tmp_path / "project" / "node_modules" / ".bin" / "node"
    node.parent.mkdir(parents=True)
    node.write_text("#!/bin/sh\n", encoding="utf-8")
    assembly = tmp_path / "project" / "cdk.out"
    assembly.mkdir()
    assert pinned_node([assembly]) == node  # from the templates' directory: a directory above it
    assert pinned_node([tmp_path / "elsewhere", assembly]) == node  # the first start with one wins
    assert pinned_node([tmp_path / "elsewhere"]) != node  # not the project's from outside it
