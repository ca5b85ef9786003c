"""Reminder fan-out: N owners with stale projects, one reconcile pass, a rate-limited and faulty Slack.

The run builds a fresh database (a SQLite file in a temporary directory, or a scratch database on the
PostgreSQL server given), puts N active, never-updated projects in one workspace, each with its own
owner, materialises the meeting calendar on 1 Nov 2026, and then times ``Reconciler.tick`` at the
8 Dec 2026 meeting's first reminder stage (1 Dec 2026 09:30 Europe/London) against a stand-in Slack
Web API that enforces a per-method rate limit and answers a share of calls with 429 and 503. If the
tick leaves reminders to retry (Slack's retries exhausted), further ticks run past the claim
time-out, as they would in production; their time is included (not the simulated ten minutes).

Figures come from what the stand-in received, not from what the bot reports: a message is sent to a
user when a chat.postMessage to their DM was answered without a fault. Duplicates (a user with two
or more) and lost (an owner with none) must both be 0; the exit status says so. Time never fails
the run: it is printed as a ratio to the floor the rate limit allows (N messages at R a second), next
to two baselines from the same run against fresh stand-ins with the same limits and faults:

- *bare posts*: W threads posting N messages with the same client and pacing, nothing else;
- *delivery*: W threads calling the bot's ``SlackDelivery`` (DM open + post) on N ready-made
  reminders, without the database or the reconciler.

Run: ``python -m benchmarks.reminder_fanout [--owners 2000] [--rate 100] [--workers 16] ...``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.scheduling.pace import Pace
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler, TickReport
from bot.services import meetings
from bot.services import reminders as reminder_service
from bot.services import strategy as strategy_service
from bot.services.reminders import Due, StaleProject
from bot.settings import Settings
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery, reminder_message
from models import Project, ProjectStatus, make_engine, make_sessionmaker, upgrade
from models.db import normalise_url
from models.scheduling import Reminder, ReminderKind, ReminderStatus

LONDON = ZoneInfo("Europe/London")
TEAM_ID = "T0BENCH"
TOKEN = "xoxb-bench-0000-token"  # noqa: S105  (the stand-in's, not a secret)
METHODS = ("conversations.open", "chat.postMessage")
POST = "chat.postMessage"
OPEN = "conversations.open"


def _london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


CREATED_AT = _london("2026-09-01 12:00")  # the projects: long before the period, never updated since
SETUP_AT = _london("2026-11-01 12:00")  # the calendar is materialised here: 10 Nov starts the Dec period
TICK_AT = _london("2026-12-01 09:30")  # the 8 Dec 2026 meeting's "5 working days before" stage


def owner_id(i: int) -> str:
    return f"U{i:08d}"


def user_of_channel(channel: str) -> str:
    """The stand-in's DM with U… is D… (conversations.open strips the U)."""
    return "U" + channel.removeprefix("D")


# -- options and figures ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Options:
    owners: int = 2000
    rate: float = 100.0  # calls a second allowed per method
    chaos_429: float = 0.02
    chaos_503: float = 0.02
    workers: int = 16
    database: str = "sqlite"  # or a PostgreSQL URL: a scratch database is made on that server and dropped
    seed: int = 1

    @property
    def floor(self) -> float:
        """The least time N messages can take at R a second (each method sees N calls, in parallel)."""
        return self.owners / self.rate


@dataclass
class Figures:
    """What one run delivered, counted from the stand-in's record of the calls it received."""

    name: str
    wall: float
    expected: frozenset[str]
    posted: Counter[str]  # successful chat.postMessage calls per user
    faults: Counter[tuple[str, int]]  # (method, status) of the calls answered with a fault
    calls: Counter[str]  # calls per method, faults included
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> int:
        return sum(1 for n in self.posted.values() if n >= 1)

    @property
    def duplicates(self) -> int:
        return sum(1 for n in self.posted.values() if n > 1)

    @property
    def lost(self) -> int:
        return sum(1 for u in self.expected if self.posted[u] == 0)


@dataclass
class Result:
    options: Options
    bare: Figures
    delivery: Figures
    reconciler: Figures
    setup_seconds: float
    db_statuses: dict[str, int]
    db_agrees: bool
    ticks: list[TickReport]

    @property
    def ok(self) -> bool:
        return self.reconciler.duplicates == 0 and self.reconciler.lost == 0


def count(standin: SlackStandIn, name: str, wall: float, expected: frozenset[str]) -> Figures:
    posted: Counter[str] = Counter()
    faults: Counter[tuple[str, int]] = Counter()
    calls: Counter[str] = Counter()
    for call in (c for method in METHODS for c in standin.calls_to(method)):
        calls[call.method] += 1
        fault = call.params.get("_fault")
        if fault is not None:
            faults[(call.method, int(fault))] += 1
        elif call.method == POST:
            posted[user_of_channel(str(call.params.get("channel", "")))] += 1
    return Figures(name, wall, expected, posted, faults, calls)


def new_standin(options: Options) -> SlackStandIn:
    return SlackStandIn(
        team_id=TEAM_ID,
        team_name="Benchmark council",
        rate_limits=dict.fromkeys(METHODS, options.rate),
        chaos=dict.fromkeys(METHODS, (options.chaos_429, options.chaos_503)),
        seed=options.seed,
    )


# -- the database --------------------------------------------------------------------------------


def _is_postgres(spec: str) -> bool:
    try:
        return make_url(normalise_url(spec)).get_backend_name() == "postgresql"
    except ArgumentError:
        return False


@contextmanager
def scratch_database(spec: str) -> Iterator[str]:
    """A fresh, empty database: a SQLite file in a temporary directory, or one made on a PostgreSQL server."""
    if spec == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ictbot-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    if not _is_postgres(spec):
        raise ValueError("a scratch database is made on PostgreSQL only")
    url = make_url(normalise_url(spec))
    name = f"ictbot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def bench_runtime(url: str, api_url: str, now: datetime) -> Iterator[tuple[Runtime, Clock]]:
    """The runtime on a scratch database, migrated to head, its Slack at ``api_url``, its clock at ``now``."""
    upgrade(url)
    engine = make_engine(url)
    try:
        clock = Clock(now)
        settings = Settings(DATABASE_URL=url, SLACK_API_URL=api_url, ICTBOT_ADMINS="")
        yield Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock), clock
    finally:
        engine.dispose()


def populate(runtime: Runtime, owners: int) -> None:
    """One workspace, ``owners`` active projects each with its own owner, and the meeting calendar."""
    with runtime.unit(TEAM_ID, team_name="Benchmark council") as (session, ws):
        priority_id = strategy_service.active(session, ws).priorities[0].id
        rows: list[dict[str, Any]] = [
            {
                "workspace_id": ws.id,
                "ref": f"P-{i:05d}",
                "title": f"Project {i}",
                "priority_id": priority_id,
                "owner_user_id": owner_id(i),
                "service_area": "",
                "status": ProjectStatus.ACTIVE,
                "target_date": None,
                "completed_on": None,
                "created_at": CREATED_AT,
            }
            for i in range(1, owners + 1)
        ]
        session.execute(insert(Project), rows)
        meetings.materialise(session, ws, now=SETUP_AT, default_timezone="Europe/London")


class TimedDelivery:
    """The delivery handed to the reconciler, noting when the first reminder reached it."""

    def __init__(self, deliver: Callable[[Due], Outcome]) -> None:
        self.deliver = deliver
        self.first: float | None = None
        self._lock = threading.Lock()

    def __call__(self, item: Due) -> Outcome:
        if self.first is None:
            with self._lock:
                if self.first is None:
                    self.first = time.perf_counter()
        return self.deliver(item)


# -- the three runs ------------------------------------------------------------------------------


def sample_due(i: int) -> Due:
    """A reminder like the reconciler's for owner ``i`` (for the runs without a database)."""
    user = owner_id(i)
    return Due(
        workspace_id=1,
        team_id=TEAM_ID,
        timezone="Europe/London",
        meeting_id=1,
        meeting_starts_at=_london("2026-12-08 10:00"),
        period_start=_london("2026-11-10 10:00"),
        user_id=user,
        kind=ReminderKind.OWNER,
        stage="5d@0930",
        due_at=TICK_AT,
        projects=(StaleProject(i, f"P-{i:05d}", f"Project {i}", user, None, None),),
        reminder_id=i,
    )


def run_bare_posts(options: Options, expected: frozenset[str]) -> Figures:
    """W threads posting N messages with the bot's client and pacing: the Slack side alone."""
    text, blocks = reminder_message(sample_due(1))
    with new_standin(options) as standin:
        client = web_client(TOKEN, standin.api_url)
        pace = Pace(options.rate)
        errors: Counter[str] = Counter()
        lock = threading.Lock()

        def post(i: int) -> None:
            pace.wait()
            try:
                client.chat_postMessage(channel="D" + owner_id(i).removeprefix("U"), text=text, blocks=blocks)
            except SlackApiError as exc:
                with lock:
                    errors[str(exc.response.get("error"))] += 1
            except (SlackClientError, OSError) as exc:
                with lock:
                    errors[type(exc).__name__] += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="bare") as pool:
            list(pool.map(post, range(1, options.owners + 1)))
        wall = time.perf_counter() - started
        figures = count(standin, "bare posts", wall, expected)
    if errors:
        figures.notes["gave up"] = ", ".join(f"{k} {v}" for k, v in errors.most_common())
    return figures


def run_delivery(options: Options, expected: frozenset[str]) -> Figures:
    """W threads handing N ready-made reminders to the bot's SlackDelivery: no database, no reconciler."""
    items = [sample_due(i) for i in range(1, options.owners + 1)]
    with new_standin(options) as standin:
        delivery = SlackDelivery(web_client(TOKEN, standin.api_url), rate=options.rate)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="delivery") as pool:
            outcomes = list(pool.map(delivery, items))
        wall = time.perf_counter() - started
        figures = count(standin, "delivery", wall, expected)
    errors = Counter(o.error for o in outcomes if o.error)
    if errors:
        figures.notes["gave up"] = ", ".join(f"{k} {v}" for k, v in errors.most_common())
    return figures


def run_reconciler(
    options: Options, expected: frozenset[str]
) -> tuple[Figures, float, dict[str, int], bool, list[TickReport]]:
    """The real thing: the database, Reconciler.tick, SlackDelivery; retry ticks past the claim time-out."""
    with scratch_database(options.database) as url, new_standin(options) as standin:
        setup_started = time.perf_counter()
        with bench_runtime(url, standin.api_url, SETUP_AT) as (runtime, clock):
            populate(runtime, options.owners)
            setup = time.perf_counter() - setup_started

            delivery = TimedDelivery(SlackDelivery(web_client(TOKEN, standin.api_url), rate=options.rate))
            reconciler = Reconciler(runtime, delivery, holder="benchmark", workers=options.workers)
            clock.now = TICK_AT
            started = time.perf_counter()
            ticks = [reconciler.tick(clock.now)]
            first_tick = time.perf_counter() - started
            while ticks[-1].retrying and len(ticks) <= reminder_service.MAX_ATTEMPTS:
                clock.now += reminder_service.CLAIM_TIMEOUT + timedelta(minutes=1)
                ticks.append(reconciler.tick(clock.now))
            wall = time.perf_counter() - started
            figures = count(standin, "reconciler", wall, expected)

            with runtime.sessions() as session:
                statuses = {
                    str(status): int(n)
                    for status, n in session.execute(
                        select(Reminder.status, func.count()).group_by(Reminder.status)
                    ).all()
                }
                sent_to = set(session.scalars(select(Reminder.user_id).where(Reminder.status == ReminderStatus.SENT)))
    posted_to = {u for u, n in figures.posted.items() if n}
    agrees = sent_to == posted_to
    if delivery.first is not None:
        figures.notes["before the first send"] = f"{delivery.first - started:.2f} s (lease, due, claims)"
    left = ", ".join(str(t.retrying) for t in ticks)
    figures.notes["ticks"] = f"{len(ticks)} ({len(ticks) - 1} after the claim time-out)"
    figures.notes["first tick"] = f"{first_tick:.2f} s"
    figures.notes["left to retry after each tick"] = left
    return figures, setup, statuses, agrees, ticks


def run(options: Options) -> Result:
    expected = frozenset(owner_id(i) for i in range(1, options.owners + 1))
    bare = run_bare_posts(options, expected)
    delivery = run_delivery(options, expected)
    reconciler, setup, statuses, agrees, ticks = run_reconciler(options, expected)
    return Result(options, bare, delivery, reconciler, setup, statuses, agrees, ticks)


# -- the report ----------------------------------------------------------------------------------


def _faults(f: Figures, method: str) -> str:
    return f"{f.calls[method]} ({f.faults[(method, 429)]}/{f.faults[(method, 503)]})"


def report(result: Result, console: Console) -> None:
    o = result.options
    runs = (result.bare, result.delivery, result.reconciler)
    console.print(
        f"[bold]Reminder fan-out[/]: {o.owners} owners, {o.rate:g} calls/s per method, "
        f"chaos {o.chaos_429:.0%} 429 + {o.chaos_503:.0%} 503, {o.workers} workers, "
        f"database {'sqlite' if o.database == 'sqlite' else 'postgresql'}, "
        f"seed {o.seed}"
    )
    table = Table(title=None, show_lines=False)
    table.add_column("figure")
    for f in runs:
        table.add_column(f.name, justify="right")
    rows: list[tuple[str, Callable[[Figures], str]]] = [
        ("messages sent", lambda f: str(f.messages)),
        ("duplicates (must be 0)", lambda f: str(f.duplicates)),
        ("lost (must be 0)", lambda f: str(f.lost)),
        ("postMessage calls (429/503)", lambda f: _faults(f, POST)),
        ("conv.open calls (429/503)", lambda f: _faults(f, OPEN)),
        ("wall time s", lambda f: f"{f.wall:.2f}"),
        ("floor s (N / R)", lambda f: f"{o.floor:.2f}"),
        ("ratio to floor (goal ≤ 1.2)", lambda f: f"{f.wall / o.floor:.2f}"),
        ("ratio to bare posts", lambda f: f"{f.wall / result.bare.wall:.2f}"),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(f) for f in runs))
    console.print(table)
    for f in runs:
        for key, value in f.notes.items():
            console.print(f"{f.name}: {key}: {value}")
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(result.db_statuses.items())) or "none"
    console.print(
        f"reconciler: reminder rows: {statuses}; "
        f"{'agree' if result.db_agrees else 'DO NOT agree'} with the messages Slack received"
    )
    console.print(f"setup (not timed): {result.setup_seconds:.1f} s")
    r = result.reconciler
    # One plain line for CI logs and the smoke test.
    console.print(
        f"RESULT messages sent {r.messages}, duplicates {r.duplicates}, lost {r.lost}, "
        f"wall {r.wall:.2f} s, floor {o.floor:.2f} s, ratio {r.wall / o.floor:.2f} "
        f"(bare posts {result.bare.wall / o.floor:.2f}, delivery {result.delivery.wall / o.floor:.2f}), "
        f"faults {sum(r.faults.values())}, extra ticks {len(result.ticks) - 1}",
        highlight=False,
        soft_wrap=True,
    )
    if not result.ok:
        console.print("[bold red]FAIL[/]: duplicates and lost must both be 0")


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reminder_fanout", description=__doc__.split("\n")[0])
    d = Options()
    parser.add_argument("--owners", type=int, default=d.owners, help="owners, each with one stale project")
    parser.add_argument("--rate", type=float, default=d.rate, help="Slack's limit, calls a second per method")
    parser.add_argument("--chaos-429", type=float, default=d.chaos_429, help="share of calls answered 429")
    parser.add_argument("--chaos-503", type=float, default=d.chaos_503, help="share of calls answered 503")
    parser.add_argument("--workers", type=int, default=d.workers, help="the reconciler's delivery threads")
    parser.add_argument("--database", default=d.database, help="`sqlite` (a temporary file) or a PostgreSQL URL")
    parser.add_argument("--seed", type=int, default=d.seed, help="the stand-in's fault dice")
    a = parser.parse_args(argv)
    if a.owners < 1 or a.rate <= 0 or a.workers < 1:
        parser.error("--owners, --rate and --workers must be positive")
    if a.database != "sqlite" and not _is_postgres(a.database):
        parser.error("--database takes `sqlite` or a postgresql:// URL (a scratch database is made there)")
    return Options(a.owners, a.rate, a.chaos_429, a.chaos_503, a.workers, a.database, a.seed)


def main(argv: Sequence[str] | None = None) -> int:
    """Run and print; exit status 1 when a message was duplicated or lost (never because of time)."""
    options = parse_args(argv)
    result = run(options)
    report(result, Console())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
