"""Where a scaffolded project installs platform-constructs from: a wheel, the organisation's index, or the file
this platform-constructs came from; never a bare public name."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from platform_constructs.cli import install_source as source
from platform_constructs.policy import PackageIndexPolicy, load_policy

POLICY = load_policy()
INDEX = "https://ml-platform-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/platform/simple/"
LOGIN = "aws codeartifact login --tool pip --domain ml-platform --domain-owner 111122223333 --repository platform"


def test_a_wheel_given_is_installed_by_path(tmp_path: Path) -> None:
    wheel = tmp_path / "platform_constructs-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    chosen = source.install_source(POLICY, "0.1.0", wheel=wheel)
    assert chosen.requirement == f"platform-constructs[local] @ {wheel.as_uri()}"
    assert chosen.login is None
    with pytest.raises(source.NoInstallSourceError, match="no such file"):
        source.install_source(POLICY, "0.1.0", wheel=tmp_path / "missing.whl")


def test_the_policy_index_is_the_only_index_and_the_version_is_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "installed_from", lambda: None)
    policy = dataclasses.replace(POLICY, package_index=PackageIndexPolicy(INDEX, LOGIN))
    chosen = source.install_source(policy, "0.1.0")
    assert chosen.requirement == f"--index-url {INDEX}\nplatform-constructs[local]==0.1.0"
    assert "--extra-index-url" not in chosen.requirement and chosen.login == LOGIN


def test_the_file_it_was_installed_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wheel = tmp_path / "p.whl"
    wheel.write_bytes(b"")
    monkeypatch.setattr(source, "installed_from", lambda: wheel)
    assert source.install_source(POLICY, "0.1.0").requirement == f"platform-constructs[local] @ {wheel.as_uri()}"


def test_nothing_to_install_from_is_said_with_the_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "installed_from", lambda: None)
    with pytest.raises(source.NoInstallSourceError, match=r"pass --wheel PATH .* package_index in the policy"):
        source.install_source(POLICY, "0.1.0")


def test_installed_from_reads_pep_610(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wheel = tmp_path / "dist" / "p.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"")

    class Distribution:
        def __init__(self, text: str | None) -> None:
            self.text = text

        def read_text(self, name: str) -> str | None:
            assert name == "direct_url.json"
            return self.text

    for text, expected in ((json.dumps({"url": wheel.as_uri(), "archive_info": {}}), wheel),
                           (json.dumps({"url": "https://example.com/p.whl"}), None), (None, None)):
        monkeypatch.setattr("importlib.metadata.distribution", lambda _name, t=text: Distribution(t))
        assert source.installed_from() == expected


def test_the_policy_schema_takes_an_https_index() -> None:
    from platform_constructs.policy_schema import validate

    data = __import__("yaml").safe_load(Path(POLICY.file).read_text())
    data["package_index"] = {"url": "http://insecure.example/simple/"}
    assert validate(data) == ["package_index.url: expected an https:// pip index URL, got "
                              "'http://insecure.example/simple/'"]
