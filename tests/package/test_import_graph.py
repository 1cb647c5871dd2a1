"""The package's runtime import graph: no cycle anywhere, and a compliance core that never reaches CDK.

The graph is read with ``ast`` from every module of ``platform_constructs``: module-level and function-level
imports (both run) and ``importlib.import_module("literal")``. A name a package exports lazily (PEP 562: the
``_LAZY`` table of ``platform_constructs/__init__.py``, or a package's module-level ``__getattr__``) is imported
by whoever reads it: ``from platform_constructs import SecureModelEndpoint`` imports the module behind it, and
the package itself does not. Imports under ``if TYPE_CHECKING:`` never run and are left out. Importing
``a.b.c`` also runs ``a`` and ``a.b``; those package imports count for what a module pulls in, not as cycle
edges (a package importing its own submodules is how packages work).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

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


def _runtime_nodes(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """``nodes`` and everything under them, except the bodies of ``if TYPE_CHECKING:`` (their ``else`` runs)."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _runtime_nodes(node.orelse)
            continue
        yield node
        yield from _runtime_nodes(ast.iter_child_nodes(node))


def _is_lazy_getattr(node: ast.stmt) -> TypeGuard[ast.FunctionDef]:
    """A module-level ``def __getattr__`` (PEP 562): what it imports loads when a reader asks for a name."""
    return isinstance(node, ast.FunctionDef) and node.name == "__getattr__"


def _bound_names(body: Iterable[ast.stmt]) -> set[str]:
    """Names a module binds at its top level when it is imported (not the ones its ``__getattr__`` provides)."""
    names: set[str] = set()
    for node in body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            names |= _bound_names(node.orelse)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
            nested = [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
            handlers = [stmt for h in getattr(node, "handlers", []) for stmt in h.body]
            names |= _bound_names([*nested, *handlers])
        else:
            names.update(target.id for target in ast.walk(node)
                         if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store))
    return names


@dataclass(frozen=True)
class _Module:
    name: str
    here: str
    """The package relative imports start from."""
    eager: list[ast.stmt]
    lazy: list[ast.stmt]
    """The bodies of a module-level ``__getattr__``."""
    lazy_names: Mapping[str, str]
    """A ``_LAZY`` literal: exported name -> the module defining it."""


def _read(name: str, path: Path) -> _Module:
    body = ast.parse(path.read_text(encoding="utf-8"), str(path)).body
    lazy_names: dict[str, str] = {}
    for node in body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets):
            value = ast.literal_eval(node.value)
            assert isinstance(value, dict)
            lazy_names = {str(k): str(v) for k, v in value.items()}
    return _Module(name, name if path.name == "__init__.py" else name.rpartition(".")[0],
                   [n for n in body if not _is_lazy_getattr(n)],
                   [child for n in body if _is_lazy_getattr(n) for child in n.body],
                   lazy_names)


def _imports(module: _Module, nodes: list[ast.stmt], modules: frozenset[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """The modules ``nodes`` import, and the (module, name) pairs of every ``from module import name``."""
    imported: set[str] = set()
    names: set[tuple[str, str]] = set()
    for node in _runtime_nodes(nodes):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = module.here.split(".")
            base = parts[: len(parts) - node.level + 1] if node.level else []
            source = ".".join([*base, *([node.module] if node.module else [])])
            imported.add(source)
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    imported.add(f"{source}.{alias.name}")
                else:
                    names.add((source, alias.name))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            imported.add(node.args[0].value)
    return imported, names


def import_graph(root: Path, package: str) -> Graph:
    """The runtime import graph of the package whose directory is ``root``.

    A name a package provides lazily (its ``_LAZY`` table, or else anything its module-level ``__getattr__``
    imports) is an import of the module behind it by whoever reads the name, not by the package."""
    files = {_module_name(path, root, package): path for path in sorted(root.rglob("*.py"))}
    modules = frozenset(files)
    read = {name: _read(name, path) for name, path in files.items()}
    bound = {name: _bound_names(module.eager) for name, module in read.items()}
    lazy_imports = {name: _imports(module, module.lazy, modules)[0] for name, module in read.items()}
    edges: dict[str, frozenset[str]] = {}
    external: dict[str, frozenset[str]] = {}
    for name, module in read.items():
        imported, from_names = _imports(module, module.eager, modules)
        for source, attribute in from_names:
            if source not in read or (attribute in bound[source] and attribute not in read[source].lazy_names):
                continue
            if attribute in read[source].lazy_names:
                imported.add(read[source].lazy_names[attribute])
            else:  # provided by the package's __getattr__: whatever that imports
                imported.update(lazy_imports[source])
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
    (pkg / "serving").mkdir()
    files = {
        "__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import g\n"
                       "_LAZY = {'Thing': 'pkg.helper'}\n",
        "a.py": "def f():\n    from pkg import b\n",  # function-level: runs when f is called
        "b.py": "from pkg.a import f\n",
        "helper.py": "from aws_cdk import Stack\n",
        "compliance/__init__.py": "",
        "compliance/rule.py": "from pkg import Thing\n",  # a lazy export: imports pkg.helper
        "compliance/clean.py": "import json\n",
        # A package providing a name through __getattr__ (PEP 562) and a submodule importing the package:
        # the submodule loads only when a reader asks for the name, so the edge is the reader's.
        "serving/__init__.py": "import importlib\nVERSION = 1\ndef __getattr__(name):\n"
                               "    return importlib.import_module('pkg.serving.impl').Endpoint\n",
        "serving/impl.py": "from pkg.serving import VERSION\nclass Endpoint: ...\n",
        "compliance/reader.py": "from pkg.serving import Endpoint\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    made = import_graph(pkg, "pkg")
    assert made.cycles() == [["pkg.a", "pkg.b"]]
    assert "pkg.b" not in made.edges["pkg"]  # TYPE_CHECKING only
    internal, external = made.pulls_in("pkg.compliance.rule")
    assert "pkg.helper" in internal and "aws_cdk" in external
    assert made.pulls_in("pkg.compliance.clean")[1] == frozenset({"json", "typing"})  # via the package __init__
    assert "pkg.serving.impl" not in made.edges["pkg.serving"]
    assert "pkg.serving.impl" in made.edges["pkg.compliance.reader"]
    assert made.edges["pkg.serving.impl"] == frozenset({"pkg.serving"})  # VERSION is bound eagerly
