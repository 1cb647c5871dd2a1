"""``platform``: the data scientist's command (``platform new KIND NAME``, ``platform check ...``,
``platform describe cdk.out``, ``platform deploy-local``).

Subcommands are registered in :data:`SUBCOMMANDS`, one :class:`Subcommand` each: its name, a one-line
help, a function that adds its arguments to its parser, and a function that runs it and returns the exit
code. A module that brings a subcommand appends its ``Subcommand`` to the list (or calls
:func:`register`); the imports a subcommand needs happen inside its ``run`` so ``platform --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --- platform new -------------------------------------------------------------------------------------
def _new_arguments(parser: argparse.ArgumentParser) -> None:
    from platform_constructs.cli.scaffold import KINDS

    parser.add_argument("kind", choices=sorted(KINDS), help="what the project deploys")
    parser.add_argument("name", help="project name: lowercase letters, digits, hyphens (becomes the stack name)")
    parser.add_argument("--dir", type=Path, help="where to write the project (default: ./NAME)")
    parser.add_argument("--cost-center", help="the CostCenter tag (default: NAME)")
    parser.add_argument("--wheel", type=Path, metavar="PATH",
                        help="the platform-constructs wheel the project installs (default: the policy's package "
                             "index, else the wheel this platform-constructs was installed from)")
    parser.add_argument("--policy", help="the policy file whose package index the project uses (default: the one "
                                         "shipped with platform-constructs)")


def _new(args: argparse.Namespace) -> int:
    from platform_constructs.cli.scaffold import ScaffoldError, new_project
    from platform_constructs.errors import PolicyError
    from platform_constructs.policy import load_policy

    try:
        written = new_project(args.kind, args.name, directory=args.dir, cost_center=args.cost_center,
                              policy=load_policy(args.policy), wheel=args.wheel)
    except (ScaffoldError, PolicyError) as exc:
        print(f"platform new: {exc}", file=sys.stderr)
        return 2
    target = args.dir if args.dir is not None else Path(args.name)
    print(f"created {args.kind} project {args.name!r} in {target}/:")
    for path in written:
        print(f"  {path.relative_to(target)}")
    print(f"next: cd {target} and follow README.md (a virtualenv, pip install -r requirements.txt, npm install, "
          "npx cdk synth, pytest, platform deploy-local --app .)")
    return 0


# --- platform check -----------------------------------------------------------------------------------
def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("arguments", nargs=argparse.REMAINDER,
                        help="the arguments of platform-check (e.g. cdk.out/ --env prod, or artifact DIR)")


def _check(args: argparse.Namespace) -> int:
    from platform_constructs.cli.check import main as check_main

    return check_main(args.arguments)


# --- platform deploy-local -------------------------------------------------------------------------------
def _deploy_local_arguments(parser: argparse.ArgumentParser) -> None:
    from platform_constructs.local.cli import add_arguments

    add_arguments(parser)


def _deploy_local(args: argparse.Namespace) -> int:
    from platform_constructs.local.cli import run

    return run(args)


# --- platform describe -----------------------------------------------------------------------------------
def _describe_arguments(parser: argparse.ArgumentParser) -> None:
    from platform_constructs.cli.describe import add_arguments

    add_arguments(parser)


def _describe(args: argparse.Namespace) -> int:
    from platform_constructs.cli.describe import run

    return run(args)


SUBCOMMANDS: list[Subcommand] = [
    Subcommand("new", "create a data-scientist project (endpoint, training or batch)", _new_arguments, _new),
    Subcommand("check", "check templates or a model artifact (same as platform-check)", _check_arguments, _check),
    Subcommand("deploy-local", "deploy the app into an embedded AWS emulator with the real CDK CLI and verify it",
               _deploy_local_arguments, _deploy_local),
    Subcommand("describe", "say what a synthesized app builds, how to call it and what it costs (reads cdk.out)",
               _describe_arguments, _describe),
]


def register(subcommand: Subcommand) -> None:
    """Add a subcommand (its name must be new)."""
    if any(existing.name == subcommand.name for existing in SUBCOMMANDS):
        raise ValueError(f"subcommand {subcommand.name!r} is already registered")
    SUBCOMMANDS.append(subcommand)


def build_parser(subcommands: Sequence[Subcommand] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="platform", description="platform-constructs for data scientists")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in SUBCOMMANDS if subcommands is None else subcommands:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(child)
        child.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
