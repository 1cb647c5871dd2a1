"""What the session's local deploy hands the tests (see ``conftest.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platform_constructs.local.deploy import DeployResult, LocalTarget
from platform_constructs.testing import SynthResult


@dataclass
class Deployment:
    target: LocalTarget
    main: DeployResult
    """The platform app's deploy."""
    main_synth: SynthResult
    raw: DeployResult
    """The raw L1 app's deploy."""
    main_local: Path
    """The adapted copy of the platform app's assembly."""
