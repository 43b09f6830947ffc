"""docs/architecture.md: which layer may import which, no import cycles, a light facade.

Every module under icecfg/ is parsed (not imported) and each import it makes,
at module level or inside a function, is checked against the layer table
below, which is the one docs/architecture.md describes.  The checks are
functions of a module map, so a test feeds them a made-up violation and
sees each one caught.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "icecfg"

#: Layers from the bottom up; a module may import its own layer and those below.
#: A module's layer is that of the longest prefix listed (``icecfg.lint.rules.x`` -> lint).
LAYERS: dict[str, tuple[str, ...]] = {
    "base": (
        "icecfg.version",
        "icecfg.errors",
        "icecfg.records",
        "icecfg.spec",
        "icecfg.conversion",
        "icecfg.safewrite",
        "icecfg.files",
        "icecfg.audio",
        "icecfg.placeholders",
        "icecfg.installed",
        "icecfg.settings",
    ),
    "document": ("icecfg.document",),
    "model": (
        "icecfg.model",
        "icecfg.sections",
        "icecfg.placement",
        "icecfg.io",
        "icecfg.xsd",
        "icecfg.diff",
        "icecfg.secrets",
        "icecfg.diff",
        "icecfg.target",
        "icecfg.commands",
    ),
    "effective": ("icecfg.effective",),
    "jobs": ("icecfg.lint", "icecfg.bake", "icecfg.ondemand", "icecfg.migrate"),
    "front": ("icecfg", "icecfg.api", "icecfg.cli", "icecfg.__main__", "icecfg.codegen"),
}
RANK = {name: rank for rank, name in enumerate(LAYERS)}

#: What one job may use of another: running the linter and showing its
#: findings; bake's DigitalOcean adapter, prices and snapshot names (ondemand
#: starts the images bake makes); running a migration.  Everything else in a
#: job package is its own.
PUBLIC: dict[str, frozenset[str]] = {
    "icecfg.lint": frozenset({"icecfg.lint", "icecfg.lint.engine", "icecfg.lint.finding", "icecfg.lint.report"}),
    "icecfg.bake": frozenset({"icecfg.bake.digitalocean", "icecfg.bake.pricing", "icecfg.bake.snapshots"}),
    "icecfg.migrate": frozenset({"icecfg.migrate", "icecfg.migrate.change"}),
    "icecfg.ondemand": frozenset(),
}


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    #: At module level and executed at run time (not under ``if TYPE_CHECKING:``).
    eager: bool


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = REPO) -> dict[str, str]:
    """Module name -> source text of every module under ``root``/icecfg."""
    return {module_name(p, root): p.read_text(encoding="utf-8") for p in sorted((root / "icecfg").rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, eager: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement under ``node`` with whether it runs when the module is imported.

    Imports in a function run when it is called; those under ``if TYPE_CHECKING:`` never run.
    """
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, eager
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, False)
        elif isinstance(child, ast.If) and _is_type_checking(child):
            for statement in child.body:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), False)
            for statement in child.orelse:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), eager)
        else:
            yield from _walk(child, eager)


def imports(name: str, source: str, known: set[str] | dict[str, str]) -> list[Import]:
    """The icecfg modules ``name`` imports; ``from pkg import mod`` counts as ``pkg.mod``."""
    tree = ast.parse(source)
    is_package = f"{name}.__init__" in known or any(k.startswith(name + ".") for k in known)
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node, eager in _walk(tree, True):
        if isinstance(node, ast.Import):
            found.extend(Import(name, a.name, node.lineno, eager) for a in node.names if a.name.startswith("icecfg"))
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        if base != "icecfg" and not base.startswith("icecfg."):
            continue
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.append(Import(name, submodule if submodule in known else base, node.lineno, eager))
    return found


def layer_of(module: str) -> str:
    best = ("", "")
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best[1]):
                best = (layer, prefix)
    assert best[0], f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return best[0]


def job_of(module: str) -> str | None:
    return next((job for job in PUBLIC if module == job or module.startswith(job + ".")), None)


def violations(mods: dict[str, str]) -> list[str]:
    """Every import that breaks the layering, one line each."""
    out = []
    for name, source in mods.items():
        here = layer_of(name)
        for imp in imports(name, source, mods):
            where = f"{name}:{imp.line} imports {imp.target}"
            if imp.target == "icecfg" and here != "front":
                out.append(f"{where}: the facade; import from the module that defines the name")
                continue
            if imp.target not in mods:
                continue
            there = layer_of(imp.target)
            if RANK[there] > RANK[here]:
                out.append(f"{where}: {here} may not import {there}")
            mine, theirs = job_of(name), job_of(imp.target)
            if mine and theirs and mine != theirs and imp.target not in PUBLIC[theirs]:
                out.append(f"{where}: internal to {theirs} (public: {', '.join(sorted(PUBLIC[theirs])) or 'nothing'})")
    return out


def cycles(mods: dict[str, str]) -> list[list[str]]:
    """Import cycles through imports that run when a module is imported."""
    graph = {
        name: sorted({i.target for i in imports(name, src, mods) if i.eager and i.target in mods})
        for name, src in mods.items()
    }
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name)
    return found


# ---------------------------------------------------------------------------- the package


def test_no_lower_layer_imports_a_higher_one_nor_another_jobs_internals() -> None:
    assert violations(modules()) == []


def test_no_import_cycle_between_modules() -> None:
    assert cycles(modules()) == []


def test_the_lint_context_knows_nothing_of_rules() -> None:
    """The engine stamps what rules yield, so context and rule do not import each other, even for types."""
    mods = modules()
    assert "icecfg.lint.rule" not in {
        i.target for i in imports("icecfg.lint.context", mods["icecfg.lint.context"], mods)
    }


def test_every_module_has_a_layer_and_the_architecture_page_names_each_layer() -> None:
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in modules():
        layer_of(name)
    for layer in LAYERS:
        assert f"## {layer}" in page.lower()
    for job, public in PUBLIC.items():
        for module in public:
            assert f"`{module}`" in page, f"{module} ({job}'s public part) is not documented"


# ---------------------------------------------------------------------------- the checks catch


def with_module(name: str, source: str) -> dict[str, str]:
    mods = modules()
    mods[name] = mods.get(name, "") + "\n" + source
    return mods


@pytest.mark.parametrize(
    ("module", "source", "why"),
    [
        ("icecfg.spec", "def f():\n    from icecfg.lint import engine\n", "base may not import jobs"),
        ("icecfg.document", "from icecfg.sections import Mount\n", "document may not import model"),
        ("icecfg.effective.mounts", "from icecfg.migrate.rows import x\n", "effective may not import jobs"),
        ("icecfg.lint.engine", "import icecfg.cli\n", "jobs may not import front"),
        ("icecfg.bake.command", "from icecfg.lint.context import LintContext\n", "internal to icecfg.lint"),
        ("icecfg.ondemand.up", "from icecfg.bake.command import client\n", "internal to icecfg.bake"),
        ("icecfg.migrate.engine", "from icecfg import check\n", "the facade"),
        ("icecfg.lint.rules.network", "import icecfg\n", "the facade"),
    ],
)
def test_a_violating_import_is_caught(module: str, source: str, why: str) -> None:
    [problem] = [v for v in violations(with_module(module, source)) if v.startswith(module + ":")]
    assert why in problem


def test_a_cycle_is_caught_but_not_one_through_a_function_or_type_checking() -> None:
    assert cycles(with_module("icecfg.spec", "from icecfg.conversion import Crash\n"))
    assert not cycles(with_module("icecfg.spec", "def f():\n    from icecfg.conversion import Crash\n"))
    lazy = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from icecfg.conversion import Crash\n"
    assert not cycles(with_module("icecfg.spec", lazy))


# ---------------------------------------------------------------------------- the facade


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(m for m in sys.modules if m.startswith('icecfg')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return set(done.stdout.split())


def test_importing_one_module_loads_only_what_it_needs() -> None:
    assert _loaded_after("import icecfg.bake.snapshots") == {
        "icecfg",
        "icecfg.version",
        "icecfg.bake",
        "icecfg.bake.snapshots",
    }
    assert _loaded_after("import icecfg.errors") == {"icecfg", "icecfg.version", "icecfg.errors"}
    loaded = _loaded_after("import icecfg; icecfg.loads(b'<icecast/>')")
    assert not {m for m in loaded if m.startswith(("icecfg.lint", "icecfg.migrate", "icecfg.effective"))}


def test_the_job_packages_keep_their_names_next_to_the_functions() -> None:
    code = (
        "import icecfg\nimport icecfg.lint.rule as r\nimport icecfg.migrate.change as c\n"
        "assert callable(icecfg.check) and callable(icecfg.upgrade) and callable(icecfg.explain)\n"
        "assert icecfg.lint.rule is r and icecfg.migrate.change is c\n"
        "from icecfg import *\nassert Mount and IcecfgError and check\n"
        "print(icecfg.__version__)"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and "icecfg.version.__version__" in pyproject
    assert done.stdout.strip() == (REPO / "icecfg" / "version.py").read_text().split('__version__ = "')[1].split('"')[0]
