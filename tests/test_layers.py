"""The layers of docs/architecture.md, read from the imports (AST), so that nobody crosses them by accident.

- The domain (everything in ``ideation`` but its front door ``ideation/web/``,
  the admin, the management commands and the migrations) imports no web, no
  bot, no live consumer, no task and no math.
- The math (``worker/analysis/``) imports no Django, and nothing of ours
  outside itself.
- The Telegram adapter and the web front door do not import each other.
- The math has no import cycle (hidden in a function body or not).

Every import counts, at module level or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

DOMAIN_EXCLUDED = ("ideation/web/", "ideation/management/", "ideation/migrations/", "ideation/admin.py")
DOMAIN_FORBIDDEN = ("ideation.web", "bots", "worker", "channels.generic", "celery")
# ideation/events/ is the one package of the domain that talks to the outside: the channel layer, and the
# task queue by task name (celery's current_app), never by importing a task.
EVENTS_ALLOWED = ("celery",)
MATH_FORBIDDEN = ("django", "channels", "celery", "ideation", "bots", "config", "worker.tasks", "worker.jobs")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module ``module`` imports, anywhere in its source (relative imports resolved)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            found.add(target)
            # "from worker.analysis import pca" imports the module worker.analysis.pca
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def violates(imported: str, forbidden: tuple[str, ...]) -> bool:
    return any(imported == f or imported.startswith(f + ".") for f in forbidden)


def python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def imports_in(path: Path) -> set[str]:
    return imports_of(path.read_text(), module_name(path), is_package=path.name == "__init__.py")


def crossings(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {imported}"
        for path in files
        for imported in sorted(imports_in(path))
        if violates(imported, forbidden)
    ]


def domain_files() -> list[Path]:
    return [p for p in python_files("ideation") if not str(p.relative_to(ROOT)).startswith(DOMAIN_EXCLUDED)]


def test_the_domain_imports_no_web_bot_consumer_task_or_math():
    files = domain_files()
    assert any(p.name == "models.py" for p in files) and any("services" in p.parts for p in files)
    events = [p for p in files if str(p.relative_to(ROOT)).startswith("ideation/events")]
    assert events, "ideation/events is part of the domain"
    others = [p for p in files if p not in events]
    assert crossings(others, DOMAIN_FORBIDDEN) == []
    events_forbidden = tuple(f for f in DOMAIN_FORBIDDEN if f not in EVENTS_ALLOWED)
    assert crossings(events, events_forbidden) == []


def test_the_math_imports_no_django_and_nothing_of_ours():
    files = python_files("worker/analysis")
    assert len(files) > 5
    assert crossings(files, MATH_FORBIDDEN) == []


def test_the_bot_and_the_web_do_not_import_each_other():
    assert crossings(python_files("bots"), ("ideation.web",)) == []
    assert crossings(python_files("ideation/web"), ("bots",)) == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a module graph (each once, as the path that closes it)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_math_has_no_import_cycle():
    files = python_files("worker/analysis")
    names = {module_name(p) for p in files}
    # "from worker.analysis import pca" names the package, which is no edge of a cycle: only its modules are.
    names.discard("worker.analysis")
    graph = {module_name(p): {m for m in imports_in(p) if m in names and m != module_name(p)} for p in files}
    assert cycles(graph) == []


# --- the checker itself, so that a test above cannot pass by reading nothing -------------------


def test_the_checker_sees_imports_inside_functions_and_relative_ones():
    source = "def f():\n    from ideation.web.views import live\n\nfrom . import pca\nimport bots.flow\n"
    imported = imports_of(source, "worker.analysis.matrix")
    assert "ideation.web.views" in imported and "ideation.web.views.live" in imported
    assert "worker.analysis.pca" in imported and "bots.flow" in imported
    assert violates("ideation.web.views", DOMAIN_FORBIDDEN)
    assert not violates("ideation.webhooks", ("ideation.web",))
    assert not violates("ideation.selectors", DOMAIN_FORBIDDEN)


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_cycle_finder(graph, expected):
    assert cycles(graph) == expected
