"""The bench's hand-written endpoint stack (bench/handwritten.py) stays the seed stack's equal: the same resource
types and counts, the same cdk-nag acknowledgments, nothing from platform-constructs. ``make bench`` compares their
synth times and jsii calls, so a drift here would make its ratio a comparison of different stacks."""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from platform_constructs.testing import SynthResult, new_app, synthesize

ROOT = Path(__file__).resolve().parents[2]
HANDWRITTEN = ROOT / "bench" / "handwritten.py"
STACK = "ds-000"  # the id bench/run.py gives both stacks


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    """The seed endpoint stack as the bench synthesizes it (a plain App, the default environment)."""
    from ds_templates.endpoint import ModelEndpointStack

    app = new_app(outdir=tmp_path_factory.mktemp("seed"))
    ModelEndpointStack(app, STACK)
    return synthesize(app)


@pytest.fixture(scope="module")
def handwritten(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    from bench.handwritten import HandwrittenEndpointStack, apply_nag_packs

    app: App = new_app(outdir=tmp_path_factory.mktemp("handwritten"))
    apply_nag_packs(app)
    HandwrittenEndpointStack(app, STACK)
    return synthesize(app)  # the four packs ran: an unacknowledged finding would raise ComplianceError


def _types(result: SynthResult) -> Counter[str]:
    return Counter(resource["Type"] for resource in result.template(STACK)["Resources"].values())


def _acknowledged(result: SynthResult) -> set[tuple[str, str]]:
    """(construct path, rule id) of every acknowledgment CDK recorded in the stack's metadata; an acknowledgment on
    an L2's resource (``.../Bucket/Resource``) counts as one on the L2 (where a hand-written stack puts it)."""
    metadata: dict[str, list[dict[str, Any]]] = json.loads(
        (result.outdir / f"{STACK}.metadata.json").read_text(encoding="utf-8"))
    return {(path.removesuffix("/Resource"), rule_id.removeprefix("Annotation::"))
            for path, entries in metadata.items() for entry in entries
            if entry.get("type") == "aws:cdk:acknowledged-rules" for rule_id in entry["data"]}


def test_same_resource_types_and_counts(seed: SynthResult, handwritten: SynthResult) -> None:
    assert _types(handwritten) == _types(seed)
    assert sum(_types(seed).values()) >= 30  # the monitored endpoint, not an empty stack


def test_same_logical_ids(seed: SynthResult, handwritten: SynthResult) -> None:
    """Same construct ids, so the same logical ids: resource for resource the same stack."""
    assert set(handwritten.template(STACK)["Resources"]) == set(seed.template(STACK)["Resources"])


def test_the_same_nag_findings_are_acknowledged(seed: SynthResult, handwritten: SynthResult) -> None:
    """Both stacks pass the four packs by acknowledging the same findings on the same constructs; the seed adds only
    those of the checks the hand-written stack does not run: its own rule pack's (PLAT-*) and AWS Control Tower's."""
    ours = {(path, rule) for path, rule in _acknowledged(seed)
            if not rule.startswith(("PLAT-", "cdk-validator-cfnguard::"))}
    assert _acknowledged(handwritten) == ours
    assert any(rule.startswith("AwsSolutions-IAM5") for _, rule in ours)


def test_handwritten_imports_nothing_from_platform_constructs() -> None:
    tree = ast.parse(HANDWRITTEN.read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "aws_cdk" in modules and "cdk_nag" in modules
    assert not any(m.split(".")[0] in {"platform_constructs", "ds_templates"} for m in modules)
