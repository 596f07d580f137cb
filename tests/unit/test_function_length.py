"""No function in the house is longer than 60 lines (issue 16): a longer one holds several concerns.

Read from the source with ``ast`` (nothing is imported). A function's length is ``end_lineno -
lineno + 1``, from its ``def`` line to its last line, docstring and comments included (decorators
excluded). Every function counts: module level, methods, and functions nested in either.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 60
# The Lambda functions' code and the shared layer's package: the code that ships.
SOURCE_DIRS = [
    *(d for d in sorted((ROOT / "functions").iterdir()) if (d / "__init__.py").is_file()),
    ROOT / "layers/shared/python/vibecoder",
]


def long_functions(source: str, filename: str, max_lines: int = MAX_LINES) -> list[tuple[str, int, int]]:
    """(qualified name, first line, length) of each function in *source* longer than *max_lines*."""
    found: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                length = child.end_lineno - child.lineno + 1
                if length > max_lines:
                    found.append((name, child.lineno, length))
                visit(child, f"{name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)  # functions inside if/try/with blocks count too

    visit(ast.parse(source, filename=filename), "")
    return found


def house_long_functions() -> list[str]:
    """``path:line name (N lines)`` for every function of the shipped code over the limit."""
    found = []
    for directory in SOURCE_DIRS:
        for path in sorted(directory.rglob("*.py")):
            relative = path.relative_to(ROOT)
            for name, line, length in long_functions(path.read_text(encoding="utf-8"), str(relative)):
                found.append(f"{relative}:{line} {name} ({length} lines)")
    return found


def test_every_kind_of_function_is_measured_from_def_to_last_line():
    body = "\n".join(f"    x{i} = {i}" for i in range(3))  # 3 lines: a function of 4
    source = f"""
def short():
{body}

class Box:
    def method(self):
{body.replace("    ", "        ")}

    @staticmethod
    async def coroutine():
{body.replace("    ", "        ")}

def outer():
    def inner():
{body.replace("    ", "        ")}
    return inner

if True:
    def conditional():
{body.replace("    ", "        ")}
"""
    measured = long_functions(source, "sample.py", max_lines=3)
    assert {(name, length) for name, _, length in measured} == {
        ("short", 4), ("Box.method", 4), ("Box.coroutine", 4), ("outer", 6), ("outer.<locals>.inner", 4),
        ("conditional", 4),
    }
    assert long_functions(source, "sample.py", max_lines=6) == []  # the limit itself is allowed
    lines = {name: line for name, line, _ in measured}
    assert lines["short"] == 2
    assert lines["Box.coroutine"] == source.splitlines().index("    async def coroutine():") + 1  # not the decorator's


def test_the_shipped_code_is_scanned():
    scanned = {path.relative_to(ROOT).as_posix() for d in SOURCE_DIRS for path in d.rglob("*.py")}
    assert "functions/ai_content/source_text.py" in scanned
    assert "layers/shared/python/vibecoder/content.py" in scanned
    assert any(p.startswith("functions/image_renderer/rendering/") for p in scanned)


def test_no_function_is_longer_than_60_lines():
    found = house_long_functions()
    assert not found, f"functions over {MAX_LINES} lines (split them, one concern each):\n" + "\n".join(
        "  " + f for f in found)
