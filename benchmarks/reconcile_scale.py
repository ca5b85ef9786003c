"""Reconcile at scale: what one pass costs as the number of workspaces W grows.

For each W, a fresh database (a SQLite file, or a scratch database on the PostgreSQL server given) holds W
workspaces, each with the default strategy, 10 active projects that each have an owner of their own and
have never had an update, and the meeting calendar materialised on 1 Nov 2026. The first workspace is made
through the services; the others are copies of its rows. Then the project's own reconciler runs four
passes, each timed and its SQL statements counted:

- *first*: 1 Nov 2026 12:01, the first pass: every workspace is new, so it looks at each once;
- *idle*: a minute later, nothing due anywhere;
- *due*: 1 Dec 2026 09:30, the 8 Dec meeting's first stage: W × 10 reminders;
- *quiet*: a minute later, the stage already sent.

Reminders go through the bot's ``SlackDelivery`` to the Slack stand-in in a process of its own
(``benchmarks.load_processes standin``), so the bot's CPU time (``cpu ms``) is this process's alone. Each
council has a bot token of its own, as a multi-workspace install gives them, and the reconciler sends with
the senders production gives it (``bot.wiring``). With ``--rate R`` the bot keeps each council's pace of R
calls a second for each Web API method (``ICTBOT_REMINDER_RATE``), as Slack counts them: the due pass then
takes at least one council's time, its 10 reminders at R a second; without it, nothing is paced.
Messages, duplicates and lost are counted from what the stand-in received: every owner must have exactly one.
The run exits non-zero on a duplicate or a lost reminder, never because of time.

Run: ``python -m benchmarks.reconcile_scale [--sizes 10,100,1000,3000] [--database sqlite|postgresql://…]
[--rate R]``
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, Engine, event, func, insert, select, text

from benchmarks.load_servers import StandIn, compiled_as_installed, standin_process
from benchmarks.reminder_fanout import _london, bench_runtime, scratch_database
from bot.runtime import Runtime
from bot.scheduling.pace import claim_ahead_for, workers_for
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import meetings
from bot.services import strategy as strategy_service
from bot.services.reminders import Due
from bot.wiring import MOST_WORKERS
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery
from models import Base, Project, ProjectStatus

TOKEN = "xoxb-bench-0000-token"  # noqa: S105  (the stand-in's, not a secret)
PROJECTS = 10
SETUP_AT = _london("2026-11-01 12:00")
CREATED_AT = _london("2026-09-01 12:00")
DUE_AT = _london("2026-12-01 09:30")  # the 8 Dec 2026 meeting's "5 working days before" stage
PASSES = (
    ("first", SETUP_AT + timedelta(minutes=1)),
    ("idle", SETUP_AT + timedelta(minutes=2)),
    ("due", DUE_AT),
    ("quiet", DUE_AT + timedelta(minutes=1)),
)
# What a copy of the first workspace is made of, parents first.
CLONED = ("strategy", "priority", "strategy_aim", "meeting_series", "meeting", "project")


def team_id(w: int) -> str:
    return f"T{w:07d}"


class CouncilTokens:
    """Each council's own bot token (a multi-workspace install's): the pace Slack counts for it is its own."""

    def bot_token(self, team_id: str) -> str | None:
        return f"xoxb-bench-{team_id}"


def owner_id(w: int, i: int) -> str:
    """Owners differ across workspaces too, so a message names its workspace by its user alone."""
    return f"U{w:06d}{i:02d}"


@dataclass(frozen=True, slots=True)
class Pass:
    name: str
    ms: float
    cpu_ms: float  # this process's CPU time: the bot's, and its Slack client's
    statements: int
    sent: int
    delivery_cpu_ms: float = 0.0  # of which in SlackDelivery (the message built, the Web API calls made)


class TimedDelivery:
    """The bot's SlackDelivery, with the CPU time its calls take on their threads added up."""

    def __init__(self, deliver: SlackDelivery) -> None:
        self.deliver = deliver
        self.cpu = 0.0
        self._lock = threading.Lock()

    def __call__(self, item: Due) -> Outcome:
        started = time.thread_time()
        try:
            return self.deliver(item)
        finally:
            spent = time.thread_time() - started
            with self._lock:
                self.cpu += spent


@dataclass
class Size:
    workspaces: int
    setup_s: float
    passes: dict[str, Pass] = field(default_factory=dict)
    messages: int = 0
    duplicates: int = 0
    lost: int = 0

    @property
    def reminders(self) -> int:
        return self.workspaces * PROJECTS

    def per_reminder(self, what: str) -> float:
        """The due pass's wall time (``ms``), CPU time (``cpu``), or CPU time outside delivery (``own``) a
        reminder."""
        due = self.passes["due"]
        spent = {"ms": due.ms, "cpu": due.cpu_ms, "own": due.cpu_ms - due.delivery_cpu_ms}[what]
        return spent / max(1, self.reminders)


# -- the councils ------------------------------------------------------------------------------------


def populate(runtime: Runtime, workspaces: int) -> None:
    """The first workspace through the services, then ``workspaces - 1`` copies of its rows."""
    with runtime.unit(team_id(0), team_name="Council 0") as (session, ws):
        priority_id = strategy_service.active(session, ws).priorities[0].id
        session.execute(insert(Project), [_project(ws.id, priority_id, 0, i) for i in range(PROJECTS)])
        meetings.materialise(session, ws, now=SETUP_AT, default_timezone="Europe/London")
    with runtime.engine.begin() as conn:
        _copy(conn, workspaces)


def _project(workspace_id: int, priority_id: int, w: int, i: int) -> dict[str, Any]:
    return {
        "workspace_id": workspace_id,
        "ref": f"P-{i:02d}",
        "title": f"Project {i}",
        "priority_id": priority_id,
        "owner_user_id": owner_id(w, i),
        "service_area": "",
        "status": ProjectStatus.ACTIVE,
        "target_date": None,
        "completed_on": None,
        "created_at": CREATED_AT,
    }


def _copy(conn: Connection, workspaces: int) -> None:
    """Copies 1…W-1 of workspace 0 (id 1, the database's first): each row's id, and each reference to a copied
    row, moved on by the copy's number times the table's largest id."""
    if workspaces < 2:
        return
    tables = Base.metadata.tables
    stride = {name: int(conn.scalar(select(func.max(tables[name].c.id))) or 0) for name in ("workspace", *CLONED)}
    template = conn.execute(select(tables["workspace"])).mappings().one()
    conn.execute(
        insert(tables["workspace"]),
        [
            {**template, "id": template["id"] + w, "external_id": team_id(w), "name": f"Council {w}"}
            for w in range(1, workspaces)
        ],
    )
    for name in CLONED:
        table = tables[name]
        rows = [dict(r) for r in conn.execute(select(table)).mappings()]
        moved = {c.name: fk.column.table.name for c in table.columns for fk in c.foreign_keys}
        copies = []
        for w in range(1, workspaces):
            for row in rows:
                copy = {**row, "id": row["id"] + w * stride[name]}
                for column, parent in moved.items():
                    if copy[column] is not None and parent in stride:
                        copy[column] += w * stride[parent]
                if name == "project":
                    copy["owner_user_id"] = owner_id(w, int(row["ref"].removeprefix("P-")))
                copies.append(copy)
        for start in range(0, len(copies), 5000):
            conn.execute(insert(table), copies[start : start + 5000])
    if conn.dialect.name == "postgresql":  # explicit ids leave the sequences behind
        for name in ("workspace", *CLONED):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))  # noqa: S608 (our table names)


# -- the passes ----------------------------------------------------------------------------------------


@contextmanager
def counting(engine: Engine) -> Iterator[list[int]]:
    sent = [0]

    def count(*_args: object) -> None:
        sent[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def measure(workspaces: int, database: str, standin: StandIn, rate: float | None = None) -> Size:
    with scratch_database(database) as url, bench_runtime(url, standin.api_url, SETUP_AT) as (runtime, clock):
        started = time.perf_counter()
        populate(runtime, workspaces)
        size = Size(workspaces, time.perf_counter() - started)
        slack = SlackDelivery(web_client(TOKEN, standin.api_url), rate=rate, tokens=CouncilTokens())
        delivery = TimedDelivery(slack)
        workers = workers_for(rate)
        ahead = claim_ahead_for(rate, MOST_WORKERS)
        reconciler = Reconciler(
            runtime, delivery, holder="benchmark", workers=workers, most_workers=MOST_WORKERS, claim_ahead=ahead
        )
        before = len(standin.posts())
        for name, moment in PASSES:
            clock.now = moment
            delivery.cpu = 0.0
            with counting(runtime.engine) as sent:
                wall, cpu = time.perf_counter(), time.process_time()
                report = reconciler.tick()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            size.passes[name] = Pass(name, wall * 1000, cpu * 1000, sent[0], report.sent, delivery.cpu * 1000)
        posted = Counter("U" + channel.removeprefix("D") for channel in standin.posts()[before:])
        expected = {owner_id(w, i) for w in range(workspaces) for i in range(PROJECTS)}
        size.messages = sum(posted.values())
        size.duplicates = sum(1 for n in posted.values() if n > 1)
        size.lost = sum(1 for user in expected if posted[user] == 0) + sum(1 for u in posted if u not in expected)
        return size


# -- the report ----------------------------------------------------------------------------------------


def report(sizes: Sequence[Size], database: str, console: Console, rate: float | None = None) -> None:
    if rate:
        console.print(
            f"each council paced at {rate:g} calls a second per method: its {PROJECTS} reminders take at least "
            f"{(PROJECTS - 1) / rate:.1f} s (the first of each method goes at once)"
        )
    for size in sizes:
        table = Table(
            title=f"W = {size.workspaces:,} workspaces on {database.split('://')[0].split('+')[0]} "
            f"({size.reminders:,} owners; set up in {size.setup_s:.1f} s)"
        )
        for column in ("pass", "ms", "cpu ms", "of which delivering", "statements", "sent"):
            table.add_column(column, justify="left" if column == "pass" else "right")
        for p in size.passes.values():
            cpu, delivering = f"{p.cpu_ms:,.1f}", f"{p.delivery_cpu_ms:,.1f}"
            table.add_row(p.name, f"{p.ms:,.1f}", cpu, delivering, f"{p.statements:,}", f"{p.sent:,}")
        console.print(table)
        console.print(
            f"due pass per reminder: {size.per_reminder('ms'):.2f} ms, {size.per_reminder('cpu'):.2f} ms of CPU "
            f"({size.per_reminder('own'):.2f} ms outside delivery), "
            f"{size.passes['due'].statements / max(1, size.reminders):.1f} statements; "
            f"messages {size.messages:,}, duplicates {size.duplicates}, lost {size.lost}"
        )


def result_line(size: Size) -> str:
    return (
        f"RESULT W={size.workspaces} idle_ms={size.passes['idle'].ms:.1f} quiet_ms={size.passes['quiet'].ms:.1f} "
        f"idle_statements={size.passes['idle'].statements} due_ms_per_reminder={size.per_reminder('ms'):.2f} "
        f"duplicates={size.duplicates} lost={size.lost}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reconcile_scale", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,3000", help="the numbers of workspaces, comma-separated")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL to make scratch databases on")
    parser.add_argument(
        "--rate", type=float, default=None, help="each council's calls a second per method (default: not paced)"
    )
    args = parser.parse_args(argv)
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate takes a number of calls a second above 0, e.g. 1")
    try:
        counts = sorted({int(n) for n in args.sizes.split(",")})
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 10,100,1000")
    if not counts or counts[0] < 1:
        parser.error("--sizes takes numbers of workspaces of 1 or more")
    console = Console()
    compiled_as_installed()
    sizes = []
    with standin_process() as standin:
        for workspaces in counts:
            sizes.append(measure(workspaces, args.database, standin, args.rate))
            console.print(f"[dim]W = {workspaces:,}: measured[/dim]")
    report(sizes, args.database, console, args.rate)
    print(result_line(sizes[-1]), flush=True)
    return 0 if all(s.duplicates == 0 and s.lost == 0 for s in sizes) else 1


if __name__ == "__main__":
    sys.exit(main())
