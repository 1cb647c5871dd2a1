"""``platform describe [cdk.out]``: what was built, how to use it and what it costs, for every synthesized stack.

Reads the cloud assembly's templates (:mod:`platform_constructs.describe`); prices come from the policy the templates
were synthesized under (their ``platform:synth`` record) unless ``--policy`` names another. Starts no Node process.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from platform_constructs.cli.environment import DEFAULT_POLICY_LABEL
from platform_constructs.errors import PolicyError

COMMAND = "describe"
HELP = "say what a synthesized app builds, how to call it and what it costs (reads cdk.out)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assembly", nargs="?", type=Path, default=Path("cdk.out"),
                        help="the cloud assembly directory (default: %(default)s)")
    parser.add_argument("--stack", action="append", dest="stacks", metavar="NAME", help="only this stack (repeatable)")
    parser.add_argument("--policy", help="the policy whose prices to use (default: the one the templates record)")
    parser.add_argument("--json", action="store_true", help="print the facts read from the templates as JSON")


def run(args: argparse.Namespace) -> int:
    from platform_constructs.describe import describe_all, read_assembly
    from platform_constructs.policy import load_policy

    assembly: Path = args.assembly
    if not assembly.is_dir():
        print(f"platform describe: {assembly} is not a directory (run `cdk synth` first, or pass the cloud "
              "assembly's directory)", file=sys.stderr)
        return 2
    summaries = [s for s in read_assembly(assembly) if not args.stacks or s.stack in args.stacks]
    if not summaries:
        wanted = f" named {', '.join(args.stacks)}" if args.stacks else ""
        print(f"platform describe: no stack{wanted} in {assembly}", file=sys.stderr)
        return 2
    recorded = next((s.policy for s in summaries if s.policy), None)
    policy_file = args.policy if args.policy is not None else (
        None if recorded in (None, DEFAULT_POLICY_LABEL) or not Path(str(recorded)).is_file() else recorded)
    try:
        policy = load_policy(policy_file)
    except PolicyError as exc:
        print(f"platform describe: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(s) for s in summaries], indent=2, default=str))
    else:
        print(describe_all(summaries, policy))
    return 0
