"""The `platform` command: subcommands come from a registry other modules can extend."""

from __future__ import annotations

import argparse

import pytest

from platform_constructs.cli import main as cli


def test_registered_subcommand_parses_and_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "SUBCOMMANDS", list(cli.SUBCOMMANDS))  # register into a copy, not the module's list
    seen: list[argparse.Namespace] = []

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=0)

    def run(args: argparse.Namespace) -> int:
        seen.append(args)
        return 7

    cli.register(cli.Subcommand("hello", "a test subcommand", add_arguments, run))
    assert cli.main(["hello", "--port", "4566"]) == 7
    assert seen[0].port == 4566
    with pytest.raises(ValueError, match="subcommand 'new' is already registered"):
        cli.register(cli.Subcommand("new", "again", add_arguments, run))


def test_check_subcommand_passes_its_arguments_to_platform_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "artifact", "/nonexistent/model"]) == 1
    assert "/nonexistent/model is not a directory" in capsys.readouterr().out


def test_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["deploy-everything"])
    assert info.value.code == 2
    assert "invalid choice: 'deploy-everything'" in capsys.readouterr().err


def test_deploy_local_is_a_platform_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["deploy-local", "--help"])
    assert info.value.code == 0
    assert "--app DIR" in capsys.readouterr().out
