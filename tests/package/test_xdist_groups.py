"""``make test``'s ``--dist loadgroup`` keeps each xdist group on one worker (tests/conftest.py's collection hook
puts the group suffix where pytest 9 reads node ids: pytest-dev/pytest-xdist#1386)."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("deploy")
def test_a_grouped_test_is_scheduled_under_its_group(request: pytest.FixtureRequest) -> None:
    config = request.config
    if getattr(config, "workerinput", None) is None or not getattr(config.option, "loadgroup", False):
        pytest.skip("only an xdist worker of `--dist loadgroup` (make test) schedules by group")
    assert request.node.nodeid.endswith("@deploy")
