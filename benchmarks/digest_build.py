"""Digest build: the progress digest of a large Work Plan against one hand-written SQL query.

The run builds a fresh database (a SQLite file in a temporary directory, or a scratch database on the
PostgreSQL server given), with two workspaces, each holding the default strategy: the large one with
N projects and U updates spread over five years, and a small one with N/10 projects and U/10 updates.
Projects are spread over the five priorities (some have none); some are planned, on hold, complete or
closed; every update has one revision, some a correction (a second revision). Nothing of the setup is
timed.

Timed (the median of ``--repeat`` runs, after one warm-up run), for each workspace:

- *baseline*: one hand-written SQL query that fetches, for every project, its latest update in the
  period with its current revision (PostgreSQL: ``DISTINCT ON``; SQLite: a window function), fetched
  in full;
- *build*: ``bot.services.digest.build`` for the period (the four weeks since the previous meeting);
- *render*: the digest as Markdown, HTML and JSON (``bot.render.digest``) and as Slack messages
  (``handlers.slack.blocks.digest.digest_messages``).

It prints each time and the ratios build ÷ baseline (issue 4's goal: under 3) and build + render ÷
baseline. The SQL statements ``build`` issues are counted with a ``before_cursor_execute`` listener in
both workspaces: the count must not grow with the number of projects. The digests are checked against
the generated data (which projects appear, each one's latest update and every update in the period,
RAG now and before, missing, completed and started) and against the baseline query's rows. Either
check failing exits 1; time never fails the run.

Run: ``python -m benchmarks.digest_build [--projects 1000] [--updates 100000] [--years 5] ...``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, Row, TextualSelect, bindparam, event, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.reminder_fanout import _is_postgres as is_postgres
from benchmarks.reminder_fanout import scratch_database
from bot.render.digest import render_digest
from bot.services import digest as digest_service
from bot.services import strategy as strategy_service
from bot.services import workspaces
from handlers.slack.blocks.digest import digest_messages
from models import (
    ChangeVia,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectEvent,
    ProjectField,
    ProjectStatus,
    Rag,
    UpdateRevision,
    UpdateSource,
    UTCDateTime,
    Workspace,
    make_engine,
    make_sessionmaker,
    upgrade,
)

LONDON = ZoneInfo("Europe/London")
_PLANNED = ProjectStatus.PLANNED
TIMEZONE = "Europe/London"
END = datetime(2026, 12, 8, 10, 0, tzinfo=LONDON).astimezone(UTC)  # a meeting: the digest is built for it
START = END - timedelta(weeks=4)  # the previous meeting: the period is the four weeks between them
LARGE_TEAM = "T0DIGEST"
SMALL_TEAM = "T0DIGSML"
RENDERS = ("render md", "render html", "render json", "render (slack)")

# -- the hand-written baseline: each project's latest update in the period, with its current revision --

BASELINE_POSTGRES = """
SELECT DISTINCT ON (u.project_id)
       u.project_id, u.id AS update_id, u.author_user_id, u.source, u.created_at,
       r.number, r.editor_user_id, r.rag, r.progress, r.next_steps, r.risks
FROM progress_update AS u
JOIN update_revision AS r ON r.update_id = u.id
WHERE u.workspace_id = :ws AND u.created_at >= :start AND u.created_at <= :end
ORDER BY u.project_id, u.created_at DESC, u.id DESC, r.number DESC
"""

BASELINE_SQLITE = """
SELECT l.project_id, l.update_id, l.author_user_id, l.source, l.created_at,
       r.number, r.editor_user_id, r.rag, r.progress, r.next_steps, r.risks
FROM (
    SELECT u.project_id, u.id AS update_id, u.author_user_id, u.source, u.created_at,
           row_number() OVER (PARTITION BY u.project_id ORDER BY u.created_at DESC, u.id DESC) AS rn
    FROM progress_update AS u
    WHERE u.workspace_id = :ws AND u.created_at >= :start AND u.created_at <= :end
) AS l
JOIN update_revision AS r
  ON r.update_id = l.update_id
 AND r.number = (SELECT max(r2.number) FROM update_revision AS r2 WHERE r2.update_id = l.update_id)
WHERE l.rn = 1
"""


def baseline_query(dialect: str) -> TextualSelect:
    """The baseline as a ``text()`` statement, its bound and returned timestamps typed as the models' are."""
    sql = BASELINE_POSTGRES if dialect == "postgresql" else BASELINE_SQLITE
    return (
        text(sql)
        .bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))
        .columns(created_at=UTCDateTime())
    )


# -- options and figures ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Options:
    projects: int = 1000
    updates: int = 100_000
    years: int = 5
    database: str = "sqlite"  # or a PostgreSQL URL: a scratch database is made on that server and dropped
    repeat: int = 11
    seed: int = 1


@dataclass(frozen=True, slots=True)
class GenProject:
    """A generated project, as the checks need it (the database's id included)."""

    id: int
    ref: str
    status: ProjectStatus
    priority_code: str | None
    created_at: datetime
    completion: datetime | None  # local midnight of completed_on, for a complete project


@dataclass(frozen=True, slots=True)
class GenUpdate:
    id: int
    project_id: int
    created_at: datetime
    rag: Rag  # its current revision's
    progress: str


@dataclass
class Dataset:
    team_id: str
    projects: list[GenProject]
    updates: list[GenUpdate]
    revisions: int = 0

    @property
    def in_period(self) -> int:
        return sum(START <= u.created_at <= END for u in self.updates)


@dataclass
class Run:
    """One workspace's figures: median times in seconds, statements, and what the checks found."""

    name: str
    projects: int
    updates: int
    updates_in_period: int
    times: dict[str, float] = field(default_factory=dict)
    statements: int = 0
    baseline_rows: int = 0
    digest_projects: int = 0
    slack_messages: int = 0
    slack_blocks: int = 0
    sizes: dict[str, int] = field(default_factory=dict)  # characters of each rendering
    faults: list[str] = field(default_factory=list)

    @property
    def render(self) -> float:
        return sum(self.times[r] for r in RENDERS)

    @property
    def ratio(self) -> float:
        return self.times["build"] / self.times["baseline"]

    @property
    def ratio_with_render(self) -> float:
        return (self.times["build"] + self.render) / self.times["baseline"]


@dataclass
class Result:
    options: Options
    dialect: str
    large: Run
    small: Run
    setup_seconds: float

    @property
    def statements_equal(self) -> bool:
        return self.large.statements == self.small.statements

    @property
    def sane(self) -> bool:
        return not self.large.faults and not self.small.faults

    @property
    def ok(self) -> bool:
        return self.statements_equal and self.sane


# -- generating the Work Plan ----------------------------------------------------------------------

_SUBJECTS = (
    "The supplier",
    "The project board",
    "The network team",
    "Service desk staff",
    "The data protection officer",
    "The procurement team",
    "Finance colleagues",
    "The architecture group",
    "Pilot users in Revenues and Benefits",
    "The infrastructure contractor",
    "The records manager",
    "Schools ICT",
)
_VERBS = (
    "completed",
    "reviewed",
    "signed off",
    "started work on",
    "tested",
    "rolled out",
    "raised concerns about",
    "agreed the scope of",
    "documented",
    "migrated",
    "held a workshop on",
    "drafted",
)
_OBJECTS = (
    "the business case for the replacement",
    "phase two of the migration to the new platform",
    "the data sharing agreement with the county council",
    "user acceptance testing of the self-service portal",
    "the firewall rule changes for the Civic Centre",
    "the revised asset register",
    "the cut-over plan and the rollback procedure",
    "the training material for front-line staff",
    "the tender specification and evaluation criteria",
    "the licence true-up for the desktop estate",
    "the security assessment of the hosted service",
    "the integration with the document management system",
)
_TAILS = (
    "ahead of the next governance meeting",
    "within the agreed budget",
    "two weeks later than planned",
    "with minor issues logged for follow-up",
    "as set out in the project initiation document",
    "subject to Cabinet approval in the spring",
    "following feedback from the pilot group",
    "",
)
_RISKS = (
    "Resourcing in the infrastructure team remains tight while the data centre move is under way.",
    "The supplier's roadmap may not deliver the API we need before the contract break clause.",
    "A delay to the county's system upgrade would push our go-live into the next financial year.",
    "Budget pressure: the capital bid has not yet been confirmed by Finance.",
    "Key-person dependency on one contractor for the legacy database.",
    "Staff availability over the holiday period could slow testing.",
)


def _sentences(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        tail = rng.choice(_TAILS)
        out.append(f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{' ' + tail if tail else ''}.")
    return out


class Texts:
    """Text of realistic length from a pool of sentences: progress 2–6 sentences, next steps 1–3, risks 0–2."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool = _sentences(rng, 500)

    def progress(self) -> str:
        return " ".join(self.rng.choices(self.pool, k=self.rng.randint(2, 6)))

    def next_steps(self) -> str:
        return " ".join(self.rng.choices(self.pool, k=self.rng.randint(1, 3)))

    def risks(self) -> str:
        return " ".join(self.rng.choices(_RISKS, k=self.rng.randint(0, 2)))


_STATUSES = (
    ProjectStatus.ACTIVE,
    ProjectStatus.PLANNED,
    ProjectStatus.ON_HOLD,
    ProjectStatus.COMPLETE,
    ProjectStatus.CLOSED,
)
_STATUS_WEIGHTS = (70, 8, 7, 10, 5)
_RAGS = (Rag.GREEN, Rag.AMBER, Rag.RED)
_RAG_WEIGHTS = (55, 30, 15)
_SOURCES = (UpdateSource.COMMAND, UpdateSource.MODAL, UpdateSource.REMINDER, UpdateSource.SHORTCUT)
_SOURCE_WEIGHTS = (30, 40, 25, 5)


def _between(rng: random.Random, a: datetime, b: datetime) -> datetime:
    """A random instant in [a, b], to the second."""
    return a + timedelta(seconds=rng.randint(0, max(0, int((b - a).total_seconds()))))


def populate(
    factory: sessionmaker[Session], team_id: str, n_projects: int, n_updates: int, years: int, seed: int
) -> Dataset:
    """One workspace with the default strategy, its projects, delegates, updates and revisions, in bulk inserts."""
    rng = random.Random(f"{seed}:{team_id}")  # noqa: S311  (a benchmark's data, not a secret)
    texts = Texts(rng)
    first = END - timedelta(days=round(365.25 * years))
    with factory.begin() as session:
        ws = workspaces.get_or_create(session, team_id, now=first - timedelta(days=30), name=f"Benchmark {team_id}")
        priorities = [(p.id, p.code) for p in strategy_service.active(session, ws).priorities]
        choices: list[tuple[int, str] | None] = [*priorities, None]
        prio_weights = [18] * len(priorities) + [10]

        rows: list[dict[str, Any]] = []
        lives: list[tuple[datetime, datetime]] = []  # when each project can be updated
        meta: list[tuple[ProjectStatus, str | None, datetime, datetime | None]] = []
        for i in range(1, n_projects + 1):
            status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
            prio = rng.choices(choices, prio_weights)[0]
            # Most projects are older than the period; a few start in the last two months.
            if rng.random() < 0.05:
                created = _between(rng, END - timedelta(days=60), END - timedelta(hours=1))
            else:
                created = _between(rng, first, END - timedelta(days=60))
            completed_on = None
            completion = None
            last = END
            if status in (ProjectStatus.COMPLETE, ProjectStatus.CLOSED):
                # A fifth of them finished in the period, the rest at some time since they started.
                since = max(created, START) if rng.random() < 0.2 else created
                finished = _between(rng, since, END - timedelta(hours=12))
                if status is ProjectStatus.COMPLETE:
                    completed_on = finished.astimezone(LONDON).date()
                    completion = datetime.combine(completed_on, datetime.min.time(), tzinfo=LONDON)
                    last = max(created, completion)
                else:
                    last = finished
            rows.append(
                {
                    "workspace_id": ws.id,
                    "ref": f"P-{i:05d}",
                    "title": f"{rng.choice(_OBJECTS).capitalize()} ({i})",
                    "priority_id": prio[0] if prio else None,
                    "owner_user_id": f"U{i:08d}",
                    "service_area": rng.choice(("Corporate ICT", "Schools", "Revenues", "Housing", "Planning")),
                    "status": status,
                    "target_date": (END + timedelta(days=rng.randint(-400, 400))).date(),
                    "completed_on": completed_on,
                    "created_at": created,
                }
            )
            lives.append((created, last))
            meta.append((status, prio[1] if prio else None, created, completion))
        session.execute(insert(Project), rows)
        ids = {
            ref: pid
            for ref, pid in session.execute(select(Project.ref, Project.id).where(Project.workspace_id == ws.id))
        }
        projects = [GenProject(ids[r["ref"]], r["ref"], *m) for r, m in zip(rows, meta, strict=True)]
        delegates = [
            {"project_id": p.id, "user_id": f"U9{j:07d}"}
            for p in projects
            if rng.random() < 0.3
            for j in rng.sample(range(1, 200), rng.randint(1, 2))
        ]
        if delegates:
            session.execute(insert(ProjectDelegate), delegates)
        # Each project's history starts as /ict-project add starts it: created with its status (planned ones
        # planned, every other one active then), so "started" is created-as-active in the period.
        session.execute(
            insert(ProjectEvent),
            [
                {
                    "workspace_id": ws.id,
                    "project_id": p.id,
                    "at": p.created_at,
                    "actor": "U00000000",
                    "via": ChangeVia.CHAT,
                    "field": ProjectField.CREATED,
                    "old": "",
                    "new": ProjectStatus.PLANNED if p.status is ProjectStatus.PLANNED else ProjectStatus.ACTIVE,
                }
                for p in projects
            ],
        )

        # Updates: each picks a project in proportion to how long it has been open (planned ones far
        # less), then a moment in that time; update ids are given, in order, so the checks know them.
        weights = [
            max(1.0, (b - a).total_seconds()) * (0.2 if p.status is ProjectStatus.PLANNED else 1.0)
            for p, (a, b) in zip(projects, lives, strict=True)
        ]
        next_id = (session.scalar(select(ProgressUpdate.id).order_by(ProgressUpdate.id.desc()).limit(1)) or 0) + 1
        picks = rng.choices(range(len(projects)), weights, k=n_updates)
        updates: list[GenUpdate] = []
        update_rows: list[dict[str, Any]] = []
        revision_rows: list[dict[str, Any]] = []
        for k, idx in enumerate(picks):
            p = projects[idx]
            at = _between(rng, *lives[idx])
            uid = next_id + k
            owner = f"U{int(p.ref[2:]):08d}"
            update_rows.append(
                {
                    "id": uid,
                    "workspace_id": ws.id,
                    "project_id": p.id,
                    "author_user_id": owner,
                    "source": rng.choices(_SOURCES, _SOURCE_WEIGHTS)[0],
                    "created_at": at,
                }
            )
            rag = rng.choices(_RAGS, _RAG_WEIGHTS)[0]
            progress = texts.progress()
            revision_rows.append(
                {
                    "update_id": uid,
                    "number": 1,
                    "rag": rag,
                    "progress": progress,
                    "next_steps": texts.next_steps(),
                    "risks": texts.risks(),
                    "editor_user_id": owner,
                    "created_at": at,
                }
            )
            if rng.random() < 0.1:  # a correction, some hours later (the current revision, even after END)
                rag = rng.choices(_RAGS, _RAG_WEIGHTS)[0]
                progress = texts.progress()
                revision_rows.append(
                    {
                        "update_id": uid,
                        "number": 2,
                        "rag": rag,
                        "progress": progress,
                        "next_steps": texts.next_steps(),
                        "risks": texts.risks(),
                        "editor_user_id": owner if rng.random() < 0.7 else "U90000001",
                        "created_at": at + timedelta(hours=rng.randint(1, 72)),
                    }
                )
            updates.append(GenUpdate(uid, p.id, at, rag, progress))
        for chunk in range(0, len(update_rows), 10_000):
            session.execute(insert(ProgressUpdate), update_rows[chunk : chunk + 10_000])
        for chunk in range(0, len(revision_rows), 10_000):
            session.execute(insert(UpdateRevision), revision_rows[chunk : chunk + 10_000])
    return Dataset(team_id, projects, updates, len(revision_rows))


# -- timing and counting ---------------------------------------------------------------------------


class StatementCounter:
    """Counts the statements sent to the database (``before_cursor_execute``) while switched on."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        if self.on:
            self.count += 1

    def counting(self, fn: Callable[[], Any]) -> tuple[Any, int]:
        self.count, self.on = 0, True
        try:
            return fn(), self.count
        finally:
            self.on = False


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of ``repeat`` calls after one warm-up call, and the last call's value."""
    value = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def median_in_session(
    factory: sessionmaker[Session], team_id: str, fn: Callable[[Session, Workspace], Any], repeat: int
) -> tuple[float, Any]:
    """Like :func:`median_time`, but each call gets a new session and only ``fn`` itself is timed
    (opening the session and reading the workspace are not)."""

    def once() -> tuple[float, Any]:
        with factory() as session:
            ws = workspaces.find(session, team_id)
            assert ws is not None
            started = time.perf_counter()
            value = fn(session, ws)
            return time.perf_counter() - started, value

    _, value = once()
    times = []
    for _ in range(repeat):
        elapsed, value = once()
        times.append(elapsed)
    return statistics.median(times), value


def run_workspace(
    name: str, data: Dataset, factory: sessionmaker[Session], counter: StatementCounter, dialect: str, repeat: int
) -> Run:
    run = Run(name, len(data.projects), len(data.updates), data.in_period)
    query = baseline_query(dialect)

    def build(session: Session, ws: Workspace) -> digest_service.Digest:
        return digest_service.build(session, ws, start=START, end=END, now=END, default_timezone=TIMEZONE)

    def baseline(session: Session, ws: Workspace) -> Sequence[Row[Any]]:
        return session.execute(query, {"ws": ws.id, "start": START, "end": END}).all()

    run.times["baseline"], rows = median_in_session(factory, data.team_id, baseline, repeat)
    run.times["build"], digest = median_in_session(factory, data.team_id, build, repeat)
    with factory() as session:
        ws = workspaces.find(session, data.team_id)
        assert ws is not None
        _, run.statements = counter.counting(lambda: build(session, ws))

    renders: dict[str, Callable[[], Any]] = {
        "render md": lambda: render_digest(digest, "md"),
        "render html": lambda: render_digest(digest, "html"),
        "render json": lambda: render_digest(digest, "json"),
        "render (slack)": lambda: digest_messages(digest),
    }
    for label, fn in renders.items():
        run.times[label], out = median_time(fn, repeat)
        if label == "render (slack)":
            run.slack_messages = len(out)
            run.slack_blocks = sum(len(m.blocks) for m in out)
        else:
            run.sizes[label.removeprefix("render ")] = len(out)

    run.baseline_rows = len(rows)
    run.digest_projects = len(digest.projects)
    run.faults = check(digest, rows, data)
    return run


# -- the checks ------------------------------------------------------------------------------------


def check(digest: digest_service.Digest, rows: Sequence[Row[Any]], data: Dataset) -> list[str]:
    """What the digest gets wrong, against the generated data and the baseline query's rows (empty: none)."""
    faults: list[str] = []
    by_project: dict[int, list[GenUpdate]] = {}
    for u in data.updates:
        by_project.setdefault(u.project_id, []).append(u)
    expected: dict[int, tuple[GenProject, GenUpdate | None, GenUpdate | None]] = {}
    period: dict[int, list[tuple[int, Rag, str]]] = {}  # every update in the period, oldest first
    for p in data.projects:
        ups = sorted(by_project.get(p.id, []), key=lambda u: (u.created_at, u.id))
        cut = bisect_left([u.created_at for u in ups], START)
        before = ups[cut - 1] if cut else None
        in_period = ups[-1] if ups and ups[-1].created_at >= START else None
        completed = p.completion is not None and START <= p.completion <= END
        open_now = p.status in (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)
        if open_now or in_period is not None or completed:
            expected[p.id] = (p, in_period, before)
            period[p.id] = [(u.id, u.rag, u.progress) for u in ups[cut:] if u.created_at <= END]

    got = {e.id: e for e in digest.projects}
    if set(got) != set(expected):
        faults.append(
            f"projects: {len(got)} in the digest, {len(expected)} expected "
            f"({len(set(got) - set(expected))} extra, {len(set(expected) - set(got))} left out)"
        )
    for pid in set(got) & set(expected):
        e, (p, upd, before) = got[pid], expected[pid]
        last = upd or before
        wrong = [
            what
            for what, ok in (
                ("latest update", (e.update.id if e.update else None) == (upd.id if upd else None)),
                ("RAG now", e.rag == (last.rag if last else None)),
                ("previous RAG", e.previous_rag == (before.rag if before else None)),
                ("progress text", e.update is None or upd is None or e.update.progress == upd.progress),
                ("priority", e.priority_code == p.priority_code),
                ("missing", e.missing == (p.status is ProjectStatus.ACTIVE and upd is None)),
                ("completed", e.completed_in_period == (p.completion is not None and START <= p.completion <= END)),
                ("started", e.started_in_period == (START <= p.created_at <= END and p.status is not _PLANNED)),
                ("updates in the period", [(u.id, u.rag, u.progress) for u in e.updates] == period[pid]),
            )
            if not ok
        ]
        if wrong:
            faults.append(f"{p.ref}: {', '.join(wrong)}")
    if len(faults) > 10:
        faults[10:] = [f"… and {len(faults) - 10} more"]

    # The baseline query's rows against the digest: the same latest update, RAG and text for every project.
    updated = {e.id: e.update for e in digest.projects if e.update is not None}
    baseline = {r.project_id: r for r in rows}
    if set(baseline) != set(updated):
        faults.append(f"baseline: {len(baseline)} projects with an update in the period, the digest {len(updated)}")
    disagree = [
        pid
        for pid in set(baseline) & set(updated)
        if (baseline[pid].update_id, baseline[pid].rag, baseline[pid].progress)
        != (updated[pid].id, updated[pid].rag.value, updated[pid].progress)
    ]
    if disagree:
        faults.append(f"baseline: the latest update of {len(disagree)} projects differs from the digest's")
    return faults


# -- running -----------------------------------------------------------------------------------------


def run(options: Options) -> Result:
    small = max(1, options.projects // 10), max(1, options.updates // 10)
    with scratch_database(options.database) as url:
        started = time.perf_counter()
        upgrade(url)
        engine = make_engine(url)
        try:
            factory = make_sessionmaker(engine)
            o = options
            large_data = populate(factory, LARGE_TEAM, o.projects, o.updates, o.years, o.seed)
            small_data = populate(factory, SMALL_TEAM, *small, o.years, o.seed)
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            setup = time.perf_counter() - started
            counter = StatementCounter(engine)
            dialect = engine.dialect.name
            large = run_workspace(f"{o.projects} projects", large_data, factory, counter, dialect, o.repeat)
            small_run = run_workspace(f"{small[0]} projects", small_data, factory, counter, dialect, o.repeat)
        finally:
            engine.dispose()
    return Result(options, dialect, large, small_run, setup)


# -- the report ----------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(result: Result, console: Console) -> None:
    o = result.options
    runs = (result.large, result.small)
    console.print(
        f"[bold]Digest build[/]: {o.projects} projects, {o.updates} updates over {o.years} years; "
        f"period {START:%Y-%m-%d %H:%M} to {END:%Y-%m-%d %H:%M} UTC; database {result.dialect}; "
        f"median of {o.repeat} runs after a warm-up; seed {o.seed}"
    )
    table = Table(title=None, show_lines=False)
    table.add_column("figure")
    for r in runs:
        table.add_column(r.name, justify="right")
    rows: list[tuple[str, Callable[[Run], str]]] = [
        ("updates (in the period)", lambda r: f"{r.updates} ({r.updates_in_period})"),
        ("projects in the digest", lambda r: str(r.digest_projects)),
        ("SQL statements: build (must be equal)", lambda r: str(r.statements)),
        ("baseline: 1 query, rows", lambda r: str(r.baseline_rows)),
        ("baseline ms", lambda r: _ms(r.times["baseline"])),
        ("build ms", lambda r: _ms(r.times["build"])),
        *((f"{label} ms", lambda r, label=label: _ms(r.times[label])) for label in RENDERS),
        ("render, all four ms", lambda r: _ms(r.render)),
        ("build + render ms", lambda r: _ms(r.times["build"] + r.render)),
        ("build ÷ baseline (goal < 3)", lambda r: f"{r.ratio:.2f}"),
        ("build + render ÷ baseline", lambda r: f"{r.ratio_with_render:.2f}"),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(r) for r in runs))
    console.print(table)
    for r in runs:
        sizes = ", ".join(f"{k} {v:,} characters" for k, v in r.sizes.items())
        console.print(
            f"{r.name}: {sizes}; slack {r.slack_messages} messages, {r.slack_blocks} blocks",
            highlight=False,
            soft_wrap=True,
        )
    for r in runs:
        if r.faults:
            for fault in r.faults:
                console.print(f"[bold red]{r.name}: sanity[/]: {fault}", highlight=False, soft_wrap=True)
        else:
            console.print(
                f"{r.name}: sanity: the digest agrees with the generated data and the baseline query "
                f"({r.digest_projects} projects; latest updates in the period: {r.baseline_rows})",
                highlight=False,
                soft_wrap=True,
            )
    console.print(f"setup (not timed): {result.setup_seconds:.1f} s")
    r = result.large
    # One plain line for CI logs and the smoke test.
    console.print(
        f"RESULT projects {o.projects}, updates {o.updates}, statements {r.statements} "
        f"({result.small.name}: {result.small.statements}), build {_ms(r.times['build'])} ms, "
        f"render {_ms(r.render)} ms, baseline {_ms(r.times['baseline'])} ms, ratio {r.ratio:.2f} "
        f"(build+render {r.ratio_with_render:.2f}), sanity {'ok' if result.sane else 'FAILED'}",
        highlight=False,
        soft_wrap=True,
    )
    if not result.statements_equal:
        console.print("[bold red]FAIL[/]: the number of SQL statements grows with the number of projects")
    if not result.sane:
        console.print("[bold red]FAIL[/]: the digest disagrees with the data")


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.digest_build", description=__doc__.split("\n")[0])
    d = Options()
    parser.add_argument("--projects", type=int, default=d.projects, help="projects in the large workspace")
    parser.add_argument("--updates", type=int, default=d.updates, help="progress updates in the large workspace")
    parser.add_argument("--years", type=int, default=d.years, help="the years the updates are spread over")
    parser.add_argument("--database", default=d.database, help="`sqlite` (a temporary file) or a PostgreSQL URL")
    parser.add_argument("--repeat", type=int, default=d.repeat, help="timed runs of each step (the median is shown)")
    parser.add_argument("--seed", type=int, default=d.seed, help="the generated data's seed")
    a = parser.parse_args(argv)
    if a.projects < 1 or a.updates < 0 or a.years < 1 or a.repeat < 1:
        parser.error("--projects, --years and --repeat must be positive, --updates not negative")
    if a.database != "sqlite" and not is_postgres(a.database):
        parser.error("--database takes `sqlite` or a postgresql:// URL (a scratch database is made there)")
    return Options(a.projects, a.updates, a.years, a.database, a.repeat, a.seed)


def main(argv: Sequence[str] | None = None) -> int:
    """Run and print; exit status 1 when the statement count grows or the digest is wrong (never for time)."""
    options = parse_args(argv)
    result = run(options)
    report(result, Console())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
