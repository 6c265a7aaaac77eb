"""The math library's imports, read from the source: no Django, and no cycle between its modules.

Every import counts, including those inside function bodies (where a cycle hides).
"""

from __future__ import annotations

import ast
from pathlib import Path

import worker.analysis

PACKAGE = "worker.analysis"
ROOT = Path(worker.analysis.__file__).resolve().parent


def imported_names(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (``from a import b`` counts as a and as a.b)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules() -> dict[str, set[str]]:
    """Module of the package -> the modules of the package it imports."""
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        if parts:
            names[".".join((PACKAGE, *parts))] = path
    return {name: imported_names(path) & set(names) - {name} for name, path in names.items()}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules on it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for following in sorted(graph[node]):
            if state.get(following) == 1:
                return [*path[path.index(following) :], following]
            if following not in state and (found := visit(following, [*path, following])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle_hidden_anywhere():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_math_modules_import_each_other_one_way():
    graph = modules()
    assert f"{PACKAGE}.matrix" in graph[f"{PACKAGE}.pca"], "the reader sees the imports"
    assert cycle(graph) is None, f"import cycle: {' -> '.join(cycle(graph))}"


def test_the_math_imports_no_django():
    for path in ROOT.rglob("*.py"):
        django = sorted(n for n in imported_names(path) if n == "django" or n.startswith("django."))
        assert not django, f"{path.name} imports {django}: worker/analysis/ stays a pure library"
