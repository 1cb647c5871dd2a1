"""``platform deploy-local``: deploy a CDK app into the embedded emulator and verify it.

``add_deploy_local_parser(subparsers)`` adds the subcommand to the ``platform`` CLI; ``python -m
platform_constructs.local`` runs it standalone (``main``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

COMMAND = "deploy-local"
HELP = "deploy an app into an embedded AWS emulator with the real CDK CLI and verify it with boto3"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--app", type=Path, default=Path("."), metavar="DIR",
                        help="the CDK project directory, with its cdk.json (default: the current directory)")
    parser.add_argument("--env", default="dev", dest="env_name",
                        help="the policy environment, passed as -c env=... (default: %(default)s)")
    parser.add_argument("--skip-platform-check", action="store_true",
                        help="do not run platform-check over the synthesized templates")


def add_deploy_local_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add ``deploy-local`` to ``subparsers``; the parser's ``func`` default runs it and returns an exit code."""
    parser = subparsers.add_parser(COMMAND, help=HELP, description=HELP)
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the local deploy for parsed ``args`` — the platform prerequisites the app needs first
    (:mod:`platform_constructs.local.prerequisites`), then the app; print the summary; 0 when every check passed."""
    from platform_constructs.local.deploy import LocalDeployError, summary
    from platform_constructs.local.prerequisites import deploy_project

    app_dir: Path = args.app
    if not (app_dir / "cdk.json").exists():
        print(f"deploy-local: no cdk.json in {app_dir.resolve()} (pass --app DIR)", file=sys.stderr)
        return 2
    try:
        deployed = deploy_project(app_dir, env_name=args.env_name, run_platform_check=not args.skip_platform_check,
                                  log=lambda message: print(f"==> {message}", file=sys.stderr, flush=True))
    except LocalDeployError as exc:
        print(f"deploy-local: {exc}", file=sys.stderr)
        return 1
    first = deployed.prerequisites
    if first is not None:
        stacks = ", ".join(f"{s.stack} ({s.passed}/{len(s.checks)} checks)" for s in first.stacks)
        print(f"platform prerequisites deployed first: {stacks}" + ("" if first.ok else " - FAILED"))
    if deployed.needed.other:
        print("not published by any platform prerequisite (their deploy fails): " + ", ".join(deployed.needed.other))
    print(summary(deployed.project))
    return 0 if deployed.project.ok and (first is None or first.ok) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m platform_constructs.local", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))
