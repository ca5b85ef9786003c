"""No test sleeps: a test waits for an event, a future or a queue, or passes time in (STYLE.md, Tests).

A sleep makes a suite slow when it is long enough and flaky when it is not. This scans every module
under tests/ for calls to ``time.sleep``, to ``asyncio.sleep`` (or anyio's, trio's) with anything but
a literal 0 (a bare yield to the event loop), and for waits on a ``threading.Event`` that nothing can set
(made on the spot, or kept in a name used for nothing else): sleeps in disguise.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ALWAYS = {"time.sleep"}
UNLESS_ZERO = {"asyncio.sleep", "anyio.sleep", "trio.sleep"}
FRESH_EVENTS = {"threading.Event"}


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """What each imported name stands for: ``{"t": "time", "sleep": "asyncio.sleep"}``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(expr: ast.expr, names: dict[str, str]) -> str | None:
    """The full name an expression such as ``t.sleep`` stands for, if it is made of imported names."""
    attrs: list[str] = []
    while isinstance(expr, ast.Attribute):
        attrs.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name) or expr.id not in names:
        return None
    return ".".join([names[expr.id], *reversed(attrs)])


def _is_zero(call: ast.Call) -> bool:
    delay = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("delay", "seconds")), None)
    return isinstance(delay, ast.Constant) and not isinstance(delay.value, bool) and delay.value == 0


def _idle_events(tree: ast.Module, names: dict[str, str]) -> set[str]:
    """Names given a new ``threading.Event`` and used for nothing but waiting on it: nothing can set it."""
    events = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and _dotted(node.value.func, names) in FRESH_EVENTS
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    waited_on = {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "wait"
    }
    used_otherwise = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in waited_on
    }
    return events - used_otherwise


def sleeps_in(source: str) -> list[int]:
    """The lines of ``source`` that sleep."""
    tree = ast.parse(source)
    names = _imported_names(tree)
    idle = _idle_events(tree, names)
    lines: list[int] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _dotted(node.func, names)
        if called in ALWAYS or (called in UNLESS_ZERO and not _is_zero(node)):
            lines.append(node.lineno)
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "wait":
            waited = node.func.value
            if (isinstance(waited, ast.Call) and _dotted(waited.func, names) in FRESH_EVENTS) or (
                isinstance(waited, ast.Name) and waited.id in idle
            ):
                lines.append(node.lineno)
    return sorted(lines)


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import time\ntime.sleep(0.01)\n", [2]),
        ("import time as t\n\nt.sleep(1)\n", [3]),
        ("from time import sleep\nsleep(0)\n", [2]),
        ("import asyncio\nasync def f():\n    await asyncio.sleep(0.05)\n", [3]),
        ("from asyncio import sleep as nap\nasync def f():\n    await nap(delay=1)\n", [3]),
        ("import threading\nthreading.Event().wait(0.01)\n", [2]),
        ("from threading import Event\nEvent().wait(timeout=0.01)\n", [2]),
        ("import threading\npause = threading.Event()\nwhile True:\n    pause.wait(0.01)\n", [4]),
        ("import asyncio\nasync def f():\n    await asyncio.sleep(0)\n", []),  # a bare yield
        ("import threading\ndone = threading.Event()\nstart(done)\nassert done.wait(5)\n", []),  # start sets it
        ("import threading\ndone = threading.Event()\ndone.set()\nassert done.wait(5)\n", []),
        ("def sleep(x): ...\nsleep(1)\n", []),  # not the clock's
        ("import time\nstarted = time.monotonic()\n", []),
    ],
)
def test_the_scan_finds_sleeps_and_only_sleeps(source: str, lines: list[int]) -> None:
    assert sleeps_in(source) == lines


def test_no_test_sleeps() -> None:
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in sleeps_in(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "wait for an event, a future or a queue, or pass the time in, instead of sleeping"
