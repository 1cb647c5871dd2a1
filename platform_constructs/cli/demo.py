"""``make demo``: the example app synthesized with every check, checked, deployed locally, verified.

Runs :func:`platform_constructs.local.deploy.deploy_local` on this repository's ``app.py`` (via its
``cdk.json``): synth with the compliance gate -> ``platform-check`` (when installed) -> the template adapter ->
an embedded AWS emulator -> ``cdk bootstrap`` + ``cdk deploy --all`` with the real CLI -> boto3 verification
-> a second deploy of the same assembly and ``cdk diff`` (both must find nothing to change) -> a summary
table. Every run starts a fresh emulator: nothing is kept between runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from platform_constructs.local.cli import main as deploy_local_main

REPO_ROOT = Path(__file__).resolve().parents[2]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    if "--app" not in args:
        args = ["--app", str(REPO_ROOT), *args]
    return deploy_local_main(args)


if __name__ == "__main__":
    sys.exit(main())
