"""The shape of the code (docs/ARCHITECTURE.md) that import-linter's contracts do not check themselves:
no import cycle at all, no module over 700 lines, and module docstrings that stay short."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "models")
MAX_LINES = 700
MAX_DOCSTRING_LINES = 10


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _import_graph() -> dict[str, set[str]]:
    """Every module's imports of the project's modules, those inside functions included (not TYPE_CHECKING's).

    Importing ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` first, so each import also counts as
    one of those packages."""
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        imported: set[str] = set()
        for target in graph.find_modules_directly_imported_by(module):
            parts = target.split(".")
            imported.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
        edges[module] = {m for m in imported if m != module and not module.startswith(m + ".")}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_not_even_inside_functions() -> None:
    assert _cycles(_import_graph()) == []


@pytest.mark.parametrize(("name", "path"), list(_modules()), ids=lambda v: v if isinstance(v, str) else "")
def test_modules_stay_small_and_say_briefly_what_they_are_for(name: str, path: Path) -> None:
    source = path.read_text()
    assert source.count("\n") <= MAX_LINES, f"{name} has over {MAX_LINES} lines: split it by concern"
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert len(docstring.splitlines()) <= MAX_DOCSTRING_LINES, (
        f"{name}'s docstring has over {MAX_DOCSTRING_LINES} lines: say what the module is for and what it must "
        "not do; the reasoning goes in docs/ARCHITECTURE.md"
    )
