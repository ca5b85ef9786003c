"""Start-up's floor: what ``ictbot serve`` spends importing, and how much of it the libraries alone take.

Two fresh interpreters take turns (``python -m benchmarks.import_cost serve|libraries``), each timing its own
CPU from its first line, so that the interpreter's start is left out of both. ``serve`` imports what
``ictbot serve`` does before it serves (the console script's ``bot.cli``, the command, then ``bot.server``
with the garbage collector paused, as ``bot.cli.serve`` loads it; then ``DATABASE_URL``'s dialect and driver,
as the runtime loads them) and names every module that came with them from outside ictbot's packages, step by
step. ``libraries`` imports those modules alone, in the same order and steps. The difference is what ictbot's
own modules cost: its models mapped by the ORM, its services, its handlers.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

OWN = ("bot", "handlers", "models")  # ictbot's packages
SERVE = ("bot.cli", "bot.cli.serve")  # the console script's module, then `ictbot serve`'s command
SERVER = "bot.server"  # imported with the collector paused (bot.cli.serve._collector_paused)


@dataclass(frozen=True, slots=True)
class ImportCost:
    """Medians over the runs, in CPU seconds."""

    serve: float  # importing what `ictbot serve` imports
    libraries: float  # importing the libraries among them alone
    modules: int  # how many library modules
    runs: int

    @property
    def own(self) -> float:
        """What ictbot's own modules add."""
        return self.serve - self.libraries


def _ours(name: str) -> bool:
    return name.partition(".")[0] in OWN


def serve_imports() -> dict[str, object]:
    """Import as ``ictbot serve`` does: the CPU it took, and the library modules that came, in order, in the
    steps of start-up (whether the collector was paused in each)."""
    steps: list[tuple[list[str], bool]] = []

    def step(paused: bool, load: Callable[[], object]) -> None:
        known = set(sys.modules)
        if paused:
            gc.disable()
        load()
        gc.enable()
        steps.append(([name for name in sys.modules if name not in known and not _ours(name)], paused))

    started = time.process_time()
    step(False, lambda: [importlib.import_module(name) for name in SERVE])
    step(True, lambda: importlib.import_module(SERVER))
    url = os.environ.get("DATABASE_URL")
    if url:  # the engine's dialect and its driver (psycopg: 0.1 s), which the runtime loads making its engine
        from sqlalchemy.engine import make_url

        from models.db import normalise_url

        step(False, make_url(normalise_url(url)).get_dialect().import_dbapi)
    cpu = time.process_time() - started
    return {"cpu": cpu, "steps": steps}


def library_imports(steps: Sequence[tuple[Sequence[str], bool]]) -> dict[str, object]:
    """Import each step's modules (the collector paused where it was); the CPU it took, and the names that
    cannot be imported by name."""
    refused: list[str] = []
    started = time.process_time()
    for names, paused in steps:
        if paused:
            gc.disable()
        for name in names:
            try:
                importlib.import_module(name)
            except ImportError:
                refused.append(name)
        gc.enable()
    return {"cpu": time.process_time() - started, "refused": refused}


def _child(args: Sequence[str], env: Mapping[str, str], stdin: str | None = None) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.import_cost", *args]
    done = subprocess.run(argv, env=dict(env), input=stdin, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv[1:])}` exited with status {done.returncode}:\n{done.stderr[-2000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def measure(runs: int, env: Mapping[str, str]) -> ImportCost:
    """``runs`` turns of each child, one after the other, so that both meet the machine as it is."""
    serve: list[float] = []
    libraries: list[float] = []
    modules = 0
    for _ in range(runs):
        imported = _child(["serve"], env)
        alone = _child(["libraries"], env, stdin=json.dumps(imported["steps"]))
        if alone["refused"]:
            raise RuntimeError(f"library modules not importable by name: {alone['refused']}")
        serve.append(float(imported["cpu"]))
        libraries.append(float(alone["cpu"]))
        modules = sum(len(names) for names, _paused in imported["steps"])
    return ImportCost(statistics.median(serve), statistics.median(libraries), modules, runs)


def main(argv: Sequence[str] | None = None) -> None:
    what = (sys.argv[1:] if argv is None else list(argv))[:1]
    if what == ["serve"]:
        answer = serve_imports()
    elif what == ["libraries"]:
        answer = library_imports(json.loads(sys.stdin.read()))
    else:
        raise SystemExit("usage: python -m benchmarks.import_cost serve|libraries (serve's steps, as JSON, on stdin)")
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
