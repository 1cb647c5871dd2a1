"""The package's runtime import graph: no cycle anywhere, and a compliance core that never reaches CDK.

The graph is read with ``ast`` from every module of ``platform_constructs``: module-level and function-level
imports (both run), ``from platform_constructs import Name`` for the lazily exported constructs (it imports
their module, see ``_LAZY`` in ``platform_constructs/__init__.py``) and ``importlib.import_module("literal")``.
Imports under ``if TYPE_CHECKING:`` never run and are left out. Importing ``a.b.c`` also runs ``a`` and
``a.b``; those package imports count for what a module pulls in, not as cycle edges (a package importing
its own submodules is how packages work).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # tests/package/ -> the repository
PACKAGE = "platform_constructs"
PURE = f"{PACKAGE}.compliance"
CDK = frozenset({"aws_cdk", "constructs", "cdk_nag", "jsii"})
"""Distributions whose import starts (or needs) the jsii Node runtime."""
FORBIDDEN_IN_PURE = frozenset({f"{PACKAGE}.core"})


@dataclass(frozen=True)
class Graph:
    modules: frozenset[str]
    edges: Mapping[str, frozenset[str]]
    """Module -> the package modules it imports at run time."""
    external: Mapping[str, frozenset[str]]
    """Module -> the top-level names of the other distributions it imports at run time."""

    def pulls_in(self, module: str) -> tuple[frozenset[str], frozenset[str]]:
        """Every package module and every external distribution that importing ``module`` runs."""
        seen: set[str] = set()
        todo = [*_packages_of(module, self.modules), module]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            for target in self.edges[current]:
                todo.extend([*_packages_of(target, self.modules), target])
        external = frozenset(name for current in seen for name in self.external[current])
        return frozenset(seen), external

    def cycles(self) -> list[list[str]]:
        """The strongly connected components with more than one module (Tarjan), each sorted."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []

        def visit(node: str) -> None:
            index[node] = low[node] = len(index)
            stack.append(node)
            on_stack.add(node)
            for target in sorted(self.edges[node]):
                if target not in index:
                    visit(target)
                    low[node] = min(low[node], low[target])
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

        for node in sorted(self.modules):
            if node not in index:
                visit(node)
        return found


def _packages_of(module: str, modules: frozenset[str]) -> list[str]:
    parts = module.split(".")
    return [name for name in (".".join(parts[:i]) for i in range(1, len(parts))) if name in modules]


def _module_name(path: Path, root: Path, package: str) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join((package, *parts[:-1]) if parts[-1] == "__init__" else (package, *parts))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except the bodies of ``if TYPE_CHECKING:`` (their ``else`` branches do run)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _runtime_nodes(other)
            continue
        yield child
        yield from _runtime_nodes(child)


def _lazy_exports(init: Path) -> dict[str, str]:
    """The ``_LAZY`` literal of a package ``__init__`` (public name -> the module defining it)."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets):
            value = ast.literal_eval(node.value)
            assert isinstance(value, dict)
            return {str(k): str(v) for k, v in value.items()}
    return {}


def import_graph(root: Path, package: str) -> Graph:
    """The runtime import graph of the package whose directory is ``root``."""
    files = {_module_name(path, root, package): path for path in sorted(root.rglob("*.py"))}
    modules = frozenset(files)
    lazy = _lazy_exports(root / "__init__.py")
    edges: dict[str, frozenset[str]] = {}
    external: dict[str, frozenset[str]] = {}
    for name, path in files.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = here.split(".")[: len(here.split(".")) - node.level + 1] if node.level else []
                source = ".".join([*base, *([node.module] if node.module else [])])
                imported.add(source)
                for alias in node.names:
                    if f"{source}.{alias.name}" in modules:
                        imported.add(f"{source}.{alias.name}")
                    elif source == package and alias.name in lazy:
                        imported.add(lazy[alias.name])
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
                  and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
                  and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                imported.add(node.args[0].value)
        internal = {m for m in imported if m == package or m.startswith(f"{package}.")}
        unknown = {m for m in internal if m not in modules}
        assert not unknown, f"{name} imports {sorted(unknown)}, which are not modules of {package}"
        edges[name] = frozenset(internal - {name})
        external[name] = frozenset(m.split(".")[0] for m in imported - internal)
    return Graph(modules, edges, external)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return import_graph(ROOT / PACKAGE, PACKAGE)


def test_no_import_cycle_anywhere(graph: Graph) -> None:
    assert graph.cycles() == []


def test_compliance_core_reaches_neither_cdk_nor_core(graph: Graph) -> None:
    pure = sorted(m for m in graph.modules if m == PURE or m.startswith(f"{PURE}."))
    assert len(pure) > 10  # the engine, the decision table and every rule
    problems = {}
    for module in pure:
        internal, external = graph.pulls_in(module)
        if bad := sorted((external & CDK) | (internal & FORBIDDEN_IN_PURE)):
            problems[module] = bad
    assert problems == {}


def test_importing_the_compliance_core_loads_no_cdk_module() -> None:
    """The same at run time: import every compliance module in a fresh interpreter and look at sys.modules."""
    code = (
        "import pkgutil, importlib, sys, platform_constructs.compliance as c\n"
        "names = [m.name for m in pkgutil.walk_packages(c.__path__, c.__name__ + '.')]\n"
        "[importlib.import_module(n) for n in names]\n"
        f"loaded = sorted(m for m in sys.modules\n"
        f"                if m.split('.')[0] in {sorted(CDK)!r} or m in {sorted(FORBIDDEN_IN_PURE)!r})\n"
        "print(len(names), loaded)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.split(" ", 1)
    assert int(count) > 10
    assert loaded.strip() == "[]"


def test_the_graph_sees_function_level_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    """The analysis itself, on a package made to break both rules: it must report both."""
    pkg = tmp_path / "pkg"
    (pkg / "compliance").mkdir(parents=True)
    files = {
        "__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import g\n"
                       "_LAZY = {'Thing': 'pkg.helper'}\n",
        "a.py": "def f():\n    from pkg import b\n",  # function-level: runs when f is called
        "b.py": "from pkg.a import f\n",
        "helper.py": "from aws_cdk import Stack\n",
        "compliance/__init__.py": "",
        "compliance/rule.py": "from pkg import Thing\n",  # a lazy export: imports pkg.helper
        "compliance/clean.py": "import json\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    made = import_graph(pkg, "pkg")
    assert made.cycles() == [["pkg.a", "pkg.b"]]
    assert "pkg.b" not in made.edges["pkg"]  # TYPE_CHECKING only
    internal, external = made.pulls_in("pkg.compliance.rule")
    assert "pkg.helper" in internal and "aws_cdk" in external
    assert made.pulls_in("pkg.compliance.clean")[1] == frozenset({"json", "typing"})  # via the package __init__
