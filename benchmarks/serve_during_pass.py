"""Serving while a pass sends: `/ict-update` under load while a reconcile pass sends a stage to W councils.

Issue 19 asks that serving Slack not slow while a pass runs. Each run has a scratch database of its own
(a SQLite file, or one on the PostgreSQL server given) holding ``benchmarks.reconcile_scale``'s W councils,
10 owners each, their first pass made, whose 8 Dec 2026 stage falls due at 1 Dec 2026 09:30; and the load
benchmark's council with its 50 projects. A Slack stand-in of its own runs in another process. Each run is
`ictbot serve` under the load benchmark's clients (``benchmarks.load``: each request a signed `/ict-update`
that stores an update; a warm-up, then the measured period):

- *no pass*: the server alone, its scheduler off (``ICTBOT_SCHEDULER=false``);
- *pass in the server*: the same server and, in its process, once it answers, the due pass as its
  scheduler makes it (``bot.wiring.build_reconciler``, on an engine of its own), at the due moment
  (``python -m benchmarks.serve_during_pass serve``: ``bot.server.serve`` with that pass beside it);
- *pass in a worker*: the server, scheduler off, and the due pass in a process of its own, as `ictbot
  worker` runs it (``ictbot tick --at``: the same pass, once).

Every owner must get the stage's message exactly once (counted from what the stand-in received) and every
request an answer; the run exits non-zero otherwise, never because of time. Reported: throughput and
latency per run, each as a ratio to *no pass*, and how much of the stage went out during the measured
period (a pass that had ended before it would prove nothing). The last line is
``RESULT W=… p99_ms=… p99_pass_in_server_ms=… p99_pass_in_worker_ms=… duplicates=… lost=…``.

Run: ``python -m benchmarks.serve_during_pass [--workspaces 1000] [--database sqlite|postgresql://…]
[--duration 10] [--clients 32]``. Linux only (it reads ``/proc``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from benchmarks import load, load_servers, reconcile_scale
from benchmarks.reminder_fanout import bench_runtime, scratch_database
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler

DUE = reconcile_scale.DUE_AT
DRAIN_TIMEOUT = 900.0  # seconds for a pass to finish sending after the load
RUNS = ("no pass", "pass in the server", "pass in a worker")
# The councils share the server's one bot token here, so one pace: the most ICTBOT_REMINDER_RATE allows.
RATE = 100


@dataclass
class PassRun:
    """One run under load, and what its pass sent."""

    name: str
    run: load.Run
    sent_before: int = 0  # the stage's messages sent when the measured period began
    sent_during: int = 0  # … and by its end
    pass_s: float = 0.0  # from the server answering to the stage's last message
    duplicates: int = 0
    lost: int = 0


def prepare(url: str, workspaces: int, api_url: str) -> None:
    """The councils (reconcile_scale's), their first pass made, and the load's council with its projects."""
    with bench_runtime(url, api_url, reconcile_scale.SETUP_AT) as (runtime, clock):
        reconcile_scale.populate(runtime, workspaces)
        clock.now = reconcile_scale.SETUP_AT + timedelta(minutes=1)
        report = Reconciler(runtime, lambda item: Outcome(error="not expected", permanent=True)).tick()
        assert not report.outcomes, "nothing is due at the first pass"
    load.populate(url, 50)


def stage(standin: load_servers.StandIn, workspaces: int) -> tuple[int, int, int]:
    """(the stage's messages sent so far, owners with more than one, owners with none)."""
    expected = {reconcile_scale.owner_id(w, i) for w in range(workspaces) for i in range(reconcile_scale.PROJECTS)}
    posted = Counter("U" + channel.removeprefix("D") for channel in standin.posts())
    mine = {user: n for user, n in posted.items() if user in expected}
    return sum(mine.values()), sum(1 for n in mine.values() if n > 1), len(expected - set(mine))


def sent(standin: load_servers.StandIn, workspaces: int) -> int:
    return stage(standin, workspaces)[0]


def measure(name: str, workspaces: int, options: load.Options, tmp: Path) -> PassRun:
    """One run: its own database and stand-in, the server (with the pass where the run has one), the load."""
    with scratch_database(options.database) as url, load_servers.standin_process() as standin:
        prepare(url, workspaces, standin.api_url)
        env = load_servers.server_env(
            SLACK_BOT_TOKEN=load.TOKEN,
            SLACK_SIGNING_SECRET=load.SIGNING_SECRET,
            SLACK_API_URL=standin.api_url,
            DATABASE_URL=url,
            ICTBOT_ADMINS=load.ADMIN,
            ICTBOT_SCHEDULER="false",
            ICTBOT_REMINDER_RATE=str(RATE),
        )
        port = load_servers.free_port()
        if name == "pass in the server":
            argv = [sys.executable, "-m", "benchmarks.serve_during_pass", "serve", "--port", str(port)]
        else:
            argv = [*load_servers.ictbot_command(), "--host", "127.0.0.1", "--port", str(port)]
        with load_servers.serving(argv, env, port, tmp / f"{name}.log", cwd=load_servers.REPO) as server:
            ready = time.perf_counter()
            worker = None
            if name == "pass in a worker":
                tick = [load_servers.ictbot_command()[0], "tick", "--at", DUE.isoformat()]
                with (tmp / "worker.log").open("wb") as log:
                    worker = subprocess.Popen(tick, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
            marks: list[int] = []  # the stage's messages sent as the measured period begins
            mark = lambda: marks.append(sent(standin, workspaces))  # noqa: E731
            run = load.load(name, server, port, standin, name[0], options, mark)
            result = PassRun(name, run)
            if name != "no pass":
                result.sent_before = marks[0] if marks else 0
                result.sent_during = sent(standin, workspaces) - result.sent_before
                deadline = time.monotonic() + DRAIN_TIMEOUT
                while sent(standin, workspaces) < workspaces * reconcile_scale.PROJECTS and time.monotonic() < deadline:
                    time.sleep(0.2)
                result.pass_s = time.perf_counter() - ready
                if worker is not None:
                    worker.wait(timeout=DRAIN_TIMEOUT)
                _, result.duplicates, result.lost = stage(standin, workspaces)
        if run.errors:
            raise RuntimeError(f"{name}: {len(run.errors)} request(s) not answered, e.g. {run.errors[0].problem}")
    return result


# -- the server with a pass beside it ------------------------------------------------------------------


def serve_with_a_pass(host: str, port: int) -> None:
    """`ictbot serve` (``bot.server.serve``, the settings from the environment) and, once it answers, one
    reconcile pass at the due moment on a thread of the same process, as its scheduler would make it."""
    from bot.cli.common import read_settings
    from bot.runtime import Runtime
    from bot.server import serve
    from bot.wiring import build_reconciler
    from handlers.slack.client import web_client

    settings = read_settings()
    assert settings.SLACK_BOT_TOKEN is not None
    token = settings.SLACK_BOT_TOKEN.get_secret_value()

    def the_pass() -> None:
        with httpx.Client(timeout=2) as client:
            while True:
                try:
                    if client.get(f"http://{host}:{port}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        runtime = Runtime.from_settings(settings)
        slack = web_client(token, settings.SLACK_API_URL)
        build_reconciler(runtime, slack).tick(DUE)

    threading.Thread(target=the_pass, name="due-pass", daemon=True).start()
    serve(settings, host=host, port=port)


# -- the report ----------------------------------------------------------------------------------------


def report(runs: Sequence[PassRun], workspaces: int, options: load.Options, console: Console) -> None:
    base = runs[0].run
    table = Table(
        title=f"/ict-update under load ({options.clients} clients, {options.period}) while a pass sends a stage "
        f"to {workspaces:,} councils ({workspaces * reconcile_scale.PROJECTS:,} reminders), "
        f"database {options.database.split('://')[0].split('+')[0]}"
    )
    for column in ("run", "req/s", "p50 ms", "p99 ms", "p99 ÷ no pass", "sent before / during", "pass s"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for r in runs:
        ratio = r.run.latency_ms(0.99) / base.latency_ms(0.99)
        stage_cells = (
            ("—", "—") if r.name == "no pass" else (f"{r.sent_before:,} / {r.sent_during:,}", f"{r.pass_s:.1f}")
        )
        table.add_row(
            r.name,
            f"{r.run.throughput:.0f}",
            f"{r.run.latency_ms(0.5):.1f}",
            f"{r.run.latency_ms(0.99):.1f}",
            f"{ratio:.2f}",
            *stage_cells,
        )
    console.print(table)
    for r in runs[1:]:
        console.print(f"{r.name}: duplicates {r.duplicates}, lost {r.lost}")


def result_line(runs: Sequence[PassRun], workspaces: int) -> str:
    p99 = {r.name: r.run.latency_ms(0.99) for r in runs}
    return (
        f"RESULT W={workspaces} p99_ms={p99['no pass']:.1f} p99_pass_in_server_ms={p99['pass in the server']:.1f} "
        f"p99_pass_in_worker_ms={p99['pass in a worker']:.1f} duplicates={sum(r.duplicates for r in runs)} "
        f"lost={sum(r.lost for r in runs)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        server = argparse.ArgumentParser(prog="python -m benchmarks.serve_during_pass serve")
        server.add_argument("--host", default="127.0.0.1")
        server.add_argument("--port", type=int, required=True)
        a = server.parse_args(args[1:])
        serve_with_a_pass(a.host, a.port)
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve_during_pass", description=__doc__.split("\n")[0])
    parser.add_argument("--workspaces", type=int, default=1000, help="councils with a stage due")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL to make scratch databases on")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    a = parser.parse_args(args)
    if a.workspaces < 1 or a.clients < 1 or a.duration <= 0:
        parser.error("--workspaces and --clients take 1 or more, --duration a number of seconds above 0")
    options = load.Options(clients=a.clients, duration=a.duration, warmup=a.warmup, database=a.database)
    console = Console()
    load_servers.compiled_as_installed()
    runs = []
    with tempfile.TemporaryDirectory(prefix="ictbot-pass-") as tmp:
        for name in RUNS:
            runs.append(measure(name, a.workspaces, options, Path(tmp)))
            console.print(f"[dim]{name}: measured[/dim]")
    report(runs, a.workspaces, options, console)
    print(result_line(runs, a.workspaces), flush=True)
    return 0 if all(r.duplicates == 0 and r.lost == 0 for r in runs) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
