"""The house has no import circle: the project's own modules import each other one way only.

The graph is read from the source with ``ast`` (nothing is imported): every ``import`` and
``from … import`` counts, at module level and inside functions alike (a lazy import is still a
dependency, and a circle through one is a circle that only shows up on some code path). An edge
goes to the submodule a name resolves to when there is one (``from . import emoji``), else to the
package or module the name comes from (``from .layout import Block``).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Where each import root lives: its directory is on sys.path in Lambda, the local runtime and tests.
SOURCE_ROOTS = {
    **{d.name: d for d in sorted((ROOT / "functions").iterdir()) if (d / "__init__.py").is_file()},
    "vibecoder": ROOT / "layers/shared/python/vibecoder",
    "local": ROOT / "local",
    "tools": ROOT / "tools",
}


def project_modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name → (its file, whether it is a package's ``__init__``)."""
    modules: dict[str, tuple[Path, bool]] = {}
    for name, directory in SOURCE_ROOTS.items():
        for path in sorted(directory.rglob("*.py")):
            parts = [name, *path.relative_to(directory).with_suffix("").parts]
            is_package = parts[-1] == "__init__"
            modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def _known_prefix(name: str, modules: dict) -> str | None:
    """*name* or its longest prefix that is a project module (``import a.b.c`` binds ``a.b.c``)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str, path: Path, is_package: bool, modules: dict) -> set[str]:
    """The project modules *module* imports, anywhere in its file."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(t for alias in node.names if (t := _known_prefix(alias.name, modules)))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                base = ".".join(anchor[: len(anchor) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else _known_prefix(base, modules)
                if target:
                    found.add(target)
    found.discard(module)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, is_package, modules) for name, (path, is_package) in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle (``a → b → … → a``) for each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_within(group, graph) for group in groups]


def _path_within(group: set[str], graph: dict[str, set[str]]) -> list[str]:
    """The shortest circle through the group's first module, staying inside the group (BFS)."""
    start = min(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no circle in a strongly connected group: {sorted(group)}")


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph()
    # A function-level import (Pygments only for code slides) is an edge all the same.
    assert "image_renderer.rendering.code" in graph["image_renderer.rendering.layout"]
    # ``from . import native`` in a package resolves to the submodule; ``from .x import y`` to x.
    assert "image_renderer.rendering.native" in graph["image_renderer.rendering"]
    assert "ai_content.finishing" in graph["ai_content.openai_provider"]
    # Absolute imports across import roots, and nothing outside the project.
    assert "vibecoder.content" in graph["ai_content.logic"]
    assert all(target in graph for targets in graph.values() for target in targets)


def test_circles_are_found_and_named():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"f"}, "f": {"e"}}
    assert sorted(circles(graph)) == [["a", "b", "c", "a"], ["e", "f", "e"]]  # d is reached, not in a circle


def test_the_house_has_no_import_circle():
    found = circles(import_graph())
    assert not found, "import circles:\n" + "\n".join("  " + " → ".join(circle) for circle in found)
