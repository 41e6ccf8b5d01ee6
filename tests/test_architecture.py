"""The layout's rules, checked on the source: one-way imports, the store as the only door to its tables,
no import cycles, small modules and functions (docs/architecture.md).

These read the package's own files with `ast`; a violation names the module and the import so the fix is
obvious. Complexity is radon's cyclomatic complexity, the measure the restructure issue was written against.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "overdue_reminder"
NAME = "overdue_reminder"

BASE = {"model", "money", "calendar", "errors", "config", "resources", "files", "clock", "__init__"}
# layer -> layers it may import (base is always allowed)
ALLOWED: dict[str, set[str]] = {
    "base": {"base"},
    "__main__": {"cli"},
    "core": {"base", "core"},
    "sources": {"base", "sources"},
    "store": {"base", "store"},
    "services": {"base", "core", "sources", "store", "services"},
    "run": {"base", "core", "sources", "store", "services", "run", "sandbox"},
    "cli": {"base", "core", "sources", "store", "services", "run", "cli", "web", "sandbox"},
    "web": {"base", "core", "sources", "store", "services", "run", "web"},
    "sandbox": {"base", "sandbox"},
}
MAX_LINES = 700
MAX_COMPLEXITY = 30


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if "migrations" in rel.parts:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        yield ".".join(parts), path


def _layer(module: str) -> str:
    head = module.split(".")[0]
    if head in BASE or module in BASE:
        return "base"
    return head


def _imports(module: str, path: Path) -> Iterator[str]:
    """Every overdue_reminder module this one imports, as a dotted name relative to the package."""
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_pkg else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            elif node.module and (node.module == NAME or node.module.startswith(NAME + ".")):
                target = node.module[len(NAME) + 1:]
            else:
                continue
            # `from pkg import mod` names the module; `from mod import Name` resolves back to mod
            for alias in node.names:
                yield f"{target}.{alias.name}" if target else alias.name if alias.name in GRAPH_KEYS else "__init__"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(NAME + "."):
                    yield alias.name[len(NAME) + 1:]


def _third_party(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


GRAPH_KEYS = {mod for mod, _ in _modules()}
GRAPH = {mod: set(_imports(mod, path)) for mod, path in _modules()}
PATHS = dict(_modules())


def _resolve(target: str) -> str:
    """`core.policy.Action` style names resolve to the longest module prefix that exists."""
    parts = target.split(".")
    while parts and ".".join(parts) not in GRAPH:
        parts.pop()
    return ".".join(parts) if parts else target


def test_imports_run_with_the_flow() -> None:
    wrong = []
    for mod, targets in GRAPH.items():
        for target in targets:
            src, dst = _layer(mod), _layer(_resolve(target))
            if dst not in ALLOWED.get(src, set()):
                wrong.append(f"{mod} ({src}) imports {target} ({dst})")
    assert not wrong, "imports against the flow:\n" + "\n".join(sorted(wrong))


def test_sandbox_only_reached_by_the_demo() -> None:
    users = sorted(m for m, ts in GRAPH.items() if _layer(m) != "sandbox"
                   and any(_layer(_resolve(t)) == "sandbox" for t in ts))
    assert set(users) <= {"run.demo", "run.demo_guide", "cli.demo_cmd"}, users


def test_tables_only_behind_store_and_services() -> None:
    wrong = []
    for mod, path in PATHS.items():
        layer = _layer(mod)
        if layer in ("store", "services", "sandbox"):
            continue
        if "sqlalchemy" in _third_party(path):
            wrong.append(f"{mod} imports sqlalchemy")
        wrong.extend(f"{mod} imports {t}" for t in GRAPH[mod] if _resolve(t).startswith("store.schema"))
    assert not wrong, "\n".join(sorted(wrong))


def _cycles() -> list[list[str]]:
    graph = {m: {_resolve(t) for t in ts} & GRAPH.keys() for m, ts in GRAPH.items() if _layer(m) != "sandbox"}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w == v or w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    cycles = _cycles()
    assert not cycles, cycles


def test_modules_stay_small() -> None:
    big = {mod: n for mod, path in PATHS.items() if _layer(mod) != "sandbox"
           and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not big, big


def test_functions_stay_simple() -> None:
    radon = pytest.importorskip("radon.complexity")
    complex_ = []
    for mod, path in PATHS.items():
        if _layer(mod) == "sandbox":
            continue
        for block in radon.cc_visit(path.read_text(encoding="utf-8")):
            if not hasattr(block, "methods") and block.complexity > MAX_COMPLEXITY:
                complex_.append(f"{mod}.{block.fullname}: {block.complexity}")
    assert not complex_, complex_


def test_checker_sees_a_violation(tmp_path: Path) -> None:
    """The import walker really finds imports (a checker that sees nothing would pass everything)."""
    assert "core.policy" in GRAPH and "config" in {_resolve(t) for t in GRAPH["core.policy"]}
    sample = tmp_path / "x.py"
    sample.write_text("from overdue_reminder.store import schema\nfrom . import y\n")
    assert set(_imports("core.x", sample)) == {"store.schema", "core.y"}
