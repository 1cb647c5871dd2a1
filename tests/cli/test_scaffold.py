"""`platform new KIND NAME`: the template mechanism, the shipped templates, and a real endpoint project."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from aws_cdk.assertions import Template

from platform_constructs.cli.main import main
from platform_constructs.cli.scaffold import (
    KINDS,
    Kind,
    ScaffoldError,
    class_name,
    new_project,
    project_files,
    render,
    templates_root,
)
from platform_constructs.testing import cfn_lint, new_app, synthesize

WHEEL = Path(__file__)  # any existing file stands for the wheel where the templates do not render it
DEMO = {"demo": Kind("demo", "a demo kind", "platform_constructs.network:PlatformNetwork")}


@pytest.fixture
def demo_root(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    common, kind = root / "project" / "_common", root / "project" / "demo"
    (common / "tests").mkdir(parents=True)
    kind.mkdir(parents=True)
    (common / "cdk.json.tmpl").write_text('{"app": "python3 app.py"}\n')
    (common / "dot-gitignore").write_text("cdk.out/\n")
    (common / "tests" / "test_app.py.tmpl").write_text("from app import ${class_name}\n")
    (kind / "cdk.json.tmpl").write_text('{"app": "python3 app.py", "context": {"project": "${name}"}}\n')
    (kind / "app.py.tmpl").write_text("# ${name} (${kind}), cost center ${cost_center}, $${literal}\n")
    return root


def test_mechanism_renders_common_then_kind_files(demo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    written = new_project("demo", "churn-model", directory=out, root=demo_root, kinds=DEMO, wheel=WHEEL)
    assert sorted(p.relative_to(out).as_posix() for p in written) == [
        ".gitignore", "app.py", "cdk.json", "tests/test_app.py"]
    assert (out / "app.py").read_text() == "# churn-model (demo), cost center churn-model, ${literal}\n"
    assert (out / "cdk.json").read_text() == '{"app": "python3 app.py", "context": {"project": "churn-model"}}\n'
    assert (out / "tests" / "test_app.py").read_text() == "from app import ChurnModelStack\n"
    assert (out / ".gitignore").read_text() == "cdk.out/\n"


def test_every_problem_is_reported_together(demo_root: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "file").write_text("x")
    with pytest.raises(ScaffoldError) as info:
        new_project("nope", "Bad_Name", directory=taken, cost_center="X", root=demo_root, kinds=DEMO,
                    wheel=tmp_path / "missing.whl")
    message = str(info.value)
    assert "kind 'nope' is unknown; choose one of: demo" in message
    assert "name 'Bad_Name' must be 3-64 lowercase letters" in message
    assert "cost center 'X' must be" in message
    assert f"{taken} already exists and is not an empty directory" in message
    assert f"--wheel {tmp_path / 'missing.whl'}: no such file" in message


def test_unknown_placeholder_names_the_template(demo_root: Path, tmp_path: Path) -> None:
    (demo_root / "project" / "demo" / "app.py.tmpl").write_text("${nme}\n")
    with pytest.raises(ScaffoldError, match=r"app.py.tmpl uses an unknown or malformed placeholder: 'nme'"):
        new_project("demo", "churn", directory=tmp_path / "x", root=demo_root, kinds=DEMO, wheel=WHEEL)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_shipped_templates_render_to_valid_python(kind: str, tmp_path: Path) -> None:
    base = templates_root() / "project"
    values = {"name": "churn", "kind": kind, "class_name": "ChurnStack", "cost_center": "churn",
              "version": "0.1.0", "requirement": "platform-constructs[local] @ file:///wheels/p.whl",
              "install_from": "the wheel /wheels/p.whl", "install_login": ""}
    written = render(project_files(base / kind, base / "_common"), tmp_path, values)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"app.py", "cdk.json", "requirements.txt", "tests/test_app.py", "tests/conftest.py", "README.md",
            ".gitignore", "package.json"} <= names
    json.loads((tmp_path / "cdk.json").read_text())
    json.loads((tmp_path / "package.json").read_text())
    for path in written:
        if path.suffix == ".py":
            compile(path.read_text(), str(path), "exec")
    app_lines = [line for line in (tmp_path / "app.py").read_text().splitlines() if line.strip()]
    assert len(app_lines) <= 20  # the ten-line stack plus imports and the entry point
    construct = KINDS[kind].construct.split(":")[1]
    imports = [line for line in app_lines if line.startswith("from platform_constructs import ")]
    assert len(imports) == 1 and construct in imports[0].removeprefix("from platform_constructs import ").split(", ")


def test_class_name() -> None:
    assert class_name("churn") == "ChurnStack"
    assert class_name("fraud-model-v2") == "FraudModelV2Stack"


def test_endpoint_project_synthesizes_compliant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "churn"
    wheel = tmp_path / "platform_constructs-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    assert main(["new", "endpoint", "churn", "--dir", str(project), "--wheel", str(wheel)]) == 0
    assert "created endpoint project 'churn'" in capsys.readouterr().out
    spec = importlib.util.spec_from_file_location("scaffolded_churn_app", project / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    app = new_app()
    module.ChurnStack(app, "churn")
    result = synthesize(app)  # raises ComplianceError on any unacknowledged finding
    Template.from_json(result.template("churn")).resource_count_is("AWS::SageMaker::Endpoint", 1)
    assert cfn_lint(result.template_path("churn")) == []
