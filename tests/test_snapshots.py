"""Template snapshots of the example app and every construct mode, in every environment.

Logical ids are public API: a renamed construct id replaces a deployed resource. These snapshots were
taken before the package was restructured; a change to them must be explained in the commit that makes
it (``pytest tests/test_snapshots.py --snapshot-update`` rewrites them). Asset hashes, the CDK version
metadata and the embedded golden-image build context are normalised, so only real template changes show.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from platform_constructs.testing import SynthResult, new_app, synthesize

ENVIRONMENTS = ("dev", "staging", "prod")
# one worker synthesizes each environment's app once for both tests (per worker, a session fixture is built again)
pytestmark = pytest.mark.xdist_group("snapshots")
_ASSET_HASH = re.compile(r"[0-9a-f]{64}")
_BUILD_CONTEXT = re.compile(r"echo '([A-Za-z0-9+/=]{40,})' \| base64 -d")


def _normalise(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        value = _BUILD_CONTEXT.sub(
            lambda m: f"echo '<build context sha256:{hashlib.sha256(m[1].encode()).hexdigest()[:16]}>' | base64 -d",
            value)
        return _ASSET_HASH.sub("<asset-hash>", value)
    return value


def normalised(template: Mapping[str, Any]) -> dict[str, Any]:
    """``template`` without what changes on every CDK release or asset rebuild."""
    resources = {k: v for k, v in template.get("Resources", {}).items() if v.get("Type") != "AWS::CDK::Metadata"}
    conditions = {k: v for k, v in template.get("Conditions", {}).items() if k != "CDKMetadataAvailable"}
    result: dict[str, Any] = {**template, "Resources": resources}
    if "Conditions" in template:
        result["Conditions"] = conditions
    return _normalise(result)  # type: ignore[no-any-return]


@pytest.fixture(scope="session", params=ENVIRONMENTS)
def snapshot_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, SynthResult]:
    """The example app plus every construct mode (tests/snapshot_apps.py), synthesized once per environment with
    cdk.json's feature flags (as ``cdk synth`` builds it)."""
    from snapshot_apps import build_variants_app, cli_context

    import app as example

    env_name: str = request.param
    app = new_app({**cli_context(), "env": env_name}, outdir=tmp_path_factory.mktemp(f"snapshots-{env_name}"))
    return env_name, synthesize(build_variants_app(example.build_app(app)))


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_templates_match_their_snapshots(snapshot_app: tuple[str, SynthResult],
                                         json_snapshot: SnapshotAssertion) -> None:
    env_name, result = snapshot_app
    for stack in sorted(result.templates):
        assert normalised(result.templates[stack]) == json_snapshot(name=f"{env_name}-{stack}")


def test_logical_ids_match_their_snapshots(snapshot_app: tuple[str, SynthResult],
                                           json_snapshot: SnapshotAssertion) -> None:
    """The ids alone (with their types), so a rename stands out even in a large template change."""
    env_name, result = snapshot_app
    ids = {stack: {k: v["Type"] for k, v in sorted(result.templates[stack]["Resources"].items())
                   if v["Type"] != "AWS::CDK::Metadata"}
           for stack in sorted(result.templates)}
    assert ids == json_snapshot(name=f"{env_name}-logical-ids")
