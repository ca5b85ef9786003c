"""The load benchmark's report: its table of figures, the goals met or not, and one plain line for CI logs
(``benchmarks.load``)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from benchmarks.import_cost import ImportCost
    from benchmarks.load import Result, Run

ICTBOT = "ictbot serve"
GOAL_CLIENTS = 32
GOAL_THROUGHPUT_RATIO = 0.5  # ictbot's throughput ÷ the floor's, at least
GOAL_P99_RATIO = 1.5  # ictbot's p99 ÷ the floor's, at most
GOAL_RSS_MIB = 90  # ictbot's resident memory at rest, at most
GOAL_STARTUP_S = 1.0  # from `ictbot serve` to the first 200 on /healthz, at most


def _mib(kb: int) -> str:
    return f"{kb / 1024:.1f}"


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _ratio(ictbot: float, floor: float) -> str:
    """``ictbot ÷ floor``, or "—" when the floor's figure is 0: at a smoke size a turn's CPU can be less
    than the kernel's tick (10 ms), which /proc then reads as none."""
    return f"{ictbot / floor:.2f}" if floor else "—"


def _cpu_lines(run: Run) -> list[str]:
    rest = run.share("machine") - run.share("server") - run.share("clients") - run.share("stand-in")
    database = "database, " if run.name == ICTBOT else ""
    return [
        f"{run.name}: CPU, % of one core: server {run.share('server'):.0%}, clients {run.share('clients'):.0%}, "
        f"stand-in {run.share('stand-in'):.0%}, the rest of the machine ({database}kernel, others) {rest:.0%}",
        f"{run.name}: before the load: the machine {run.cpu_at_rest:.0%} busy (of {os.cpu_count()} CPUs), "
        f"a reference loop {run.reference_ms:.0f} ms of CPU",
    ]


def _imports_line(cost: ImportCost) -> str:
    """Start-up's floor: the libraries' imports, which no change to ictbot's code can make cheaper."""
    return (
        f"{ICTBOT}: start-up's imports, CPU s (median of {cost.runs}): {cost.serve:.2f} for what it imports, "
        f"{cost.libraries:.2f} of them for the {cost.modules} library modules alone "
        f"({cost.libraries / cost.serve:.0%}), {cost.own:.2f} for ictbot's own"
    )


def _goals(result: Result) -> list[tuple[str, bool, str]]:
    """(the goal, met, the figure) for each of the issue's goals."""
    i = result.ictbot
    ratio, p99 = result.throughput_ratio, result.ratio(0.99)
    rss = i.rss_rest / 1024
    return [
        (f"throughput ≥ {GOAL_THROUGHPUT_RATIO:g} × the floor's", ratio >= GOAL_THROUGHPUT_RATIO, f"{ratio:.2f}"),
        (f"p99 ≤ {GOAL_P99_RATIO:g} × the floor's", p99 <= GOAL_P99_RATIO, f"{p99:.2f}"),
        (f"RSS at rest ≤ {GOAL_RSS_MIB} MiB", rss <= GOAL_RSS_MIB, f"{rss:.1f} MiB"),
        (f"start-up ≤ {GOAL_STARTUP_S:g} s", i.startup <= GOAL_STARTUP_S, f"{i.startup:.2f} s"),
    ]


def report(result: Result, console: Console) -> None:
    o = result.options
    i, f = result.ictbot, result.floor
    runs = result.runs
    console.print(
        f"[bold]Load[/]: {o.clients} clients, {o.period} in {o.rounds} turns after a {o.warmup:g} s warm-up, "
        f"database {'sqlite' if o.database == 'sqlite' else 'postgresql'}, "
        f"{o.projects} projects ({o.owners} owners), seed {o.seed}"
    )
    table = Table(title=None, show_lines=False)
    table.add_column("figure")
    for r in runs:
        table.add_column(r.name, justify="right")
    table.add_column("ictbot ÷ floor", justify="right")

    def row(label: str, value: Callable[[Run], str], ratio: str = "") -> None:
        table.add_row(label, *(value(r) for r in runs), ratio)

    row("requests measured (+ warm-up)", lambda r: f"{len(r.measured)} (+{len(r.sent) - len(r.measured)})")
    row("errors (must be 0)", lambda r: str(len(r.errors)))
    row("wall time s", lambda r: f"{r.wall:.2f}")
    row("throughput req/s", lambda r: f"{r.throughput:.1f}", f"{result.throughput_ratio:.2f}")
    for label, q in (("p50 ms", 0.50), ("p99 ms", 0.99), ("max ms", 1.0)):

        def latency(r: Run, q: float = q) -> str:
            return _ms(r.latency_ms(q))

        row(label, latency, f"{result.ratio(q):.2f}")
    row("RSS at rest MiB", lambda r: _mib(r.rss_rest), f"{i.rss_rest / f.rss_rest:.2f}")
    row("RSS peak under load MiB", lambda r: _mib(r.rss_peak), f"{i.rss_peak / f.rss_peak:.2f}")
    row("start-up to /healthz s", lambda r: f"{r.startup:.2f}", f"{i.startup / f.startup:.2f}")
    row("server CPU, % of one core", lambda r: f"{r.share('server'):.0%}")
    row(
        "server CPU ms per request",
        lambda r: f"{r.server_ms_per_request:.2f}",
        _ratio(i.server_ms_per_request, f.server_ms_per_request),
    )
    console.print(table)

    at = "" if o.clients == GOAL_CLIENTS else f" (set for {GOAL_CLIENTS} clients)"
    console.print(
        f"goals{at}: "
        + "; ".join(f"{goal}: {'met' if met else 'NOT met'} ({figure})" for goal, met, figure in _goals(result)),
        highlight=False,
        soft_wrap=True,
    )
    if result.imports is not None:
        console.print(_imports_line(result.imports), highlight=False, soft_wrap=True)
    for r in runs:
        for line in _cpu_lines(r):
            console.print(line, highlight=False, soft_wrap=True)
        for key, value in r.notes.items():
            console.print(f"{r.name}: {key}: {value}", highlight=False, soft_wrap=True)
        problems = Counter(s.problem for s in r.errors)
        if problems:
            console.print(f"{r.name}: errors: " + ", ".join(f"{p} {n}" for p, n in problems.most_common()))
        for fault in r.faults:
            console.print(f"{r.name}: [bold red]FAULT[/]: {fault}")
    console.print(f"setup (not timed): {result.setup_seconds:.1f} s")
    # One plain line for CI logs and the smoke test.
    console.print(
        f"RESULT clients {o.clients}, requests {len(i.measured)} (floor {len(f.measured)}), "
        f"errors {len(i.errors)} (floor {len(f.errors)}), "
        f"throughput {i.throughput:.1f} req/s (floor {f.throughput:.1f}, ratio {result.throughput_ratio:.2f}), "
        f"p50 {i.latency_ms(0.5):.1f} ms, p99 {i.latency_ms(0.99):.1f} ms (floor {f.latency_ms(0.99):.1f}, "
        f"ratio {result.ratio(0.99):.2f}), "
        f"rss {_mib(i.rss_rest)} MiB at rest, {_mib(i.rss_peak)} under load "
        f"(floor {_mib(f.rss_rest)}, {_mib(f.rss_peak)}), start-up {i.startup:.2f} s, "
        f"checks {'ok' if result.ok else 'FAILED'}",
        highlight=False,
        soft_wrap=True,
    )
    if not result.ok:
        console.print("[bold red]FAIL[/]: every request must be answered with an ack, stored once and replied to")
