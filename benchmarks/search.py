"""Search: `/ict-search` over a large record against the naive query, on SQLite and PostgreSQL.

Each database is fresh (a SQLite file in a temporary directory; a scratch database on the PostgreSQL
server given with ``--postgres``, or in ICTBOT_TEST_POSTGRES_URL) and holds one workspace with the
default strategy, P projects and N updates over five years (``benchmarks.digest_build.populate``: realistic
text, a tenth of them corrected), plus a few updates with a rare word, all bulk inserted; the index is
filled by migration 0014's triggers as they go in. Nothing of the setup is timed.

Timed (the median of ``--repeat`` runs, after a warm-up), for a common word, a rare word, two words, a
common word ``in REF`` (the busiest project) and a word within a date range:

- *search*: ``bot.services.search.search``, the first page of ten with the total, as `/ict-search` asks;
- *baseline*: the same done naively: the count and the newest ten of the current revisions whose text
  holds each word (``LIKE``, ``ILIKE`` on PostgreSQL), which reads every update in the workspace.

It prints both times, baseline ÷ search, and whether search answered within Slack's 3 seconds. The hits
are checked (each has the words, in the project and the days asked; the rare word finds exactly the
updates that hold it): a wrong answer exits 1; time never fails the run.

Run: ``python -m benchmarks.search [--size 100000] [--projects 1000] [--postgres URL] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.digest_build import END, median_in_session, populate
from benchmarks.reminder_fanout import _is_postgres as is_postgres
from benchmarks.reminder_fanout import scratch_database
from bot.services import search as search_service
from models import (
    ProgressUpdate,
    Project,
    Rag,
    UpdateRevision,
    UpdateSource,
    UTCDateTime,
    Workspace,
    make_engine,
    make_sessionmaker,
    upgrade,
)

TEAM = "T0SEARCH"
SLACK_LIMIT = 3.0  # seconds Slack waits for a slash command's answer
RARE = "ransomware"
POSTGRES_ENV = "ICTBOT_TEST_POSTGRES_URL"
RANGE = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


@dataclass(frozen=True, slots=True)
class Options:
    size: int = 100_000
    projects: int = 1000
    postgres: str | None = None  # a PostgreSQL server's URL: a scratch database is made there and dropped
    repeat: int = 5
    seed: int = 1


@dataclass(frozen=True, slots=True)
class Case:
    label: str
    words: str
    ref: str | None = None
    dated: bool = False


@dataclass
class Timing:
    case: Case
    search: float
    baseline: float
    found: int  # search's total
    baseline_found: int

    @property
    def ratio(self) -> float:
        return self.baseline / self.search if self.search else float("inf")

    @property
    def in_time(self) -> bool:
        return self.search < SLACK_LIMIT


@dataclass
class Run:
    dialect: str
    updates: int
    setup_seconds: float
    timings: list[Timing] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)


@dataclass
class Result:
    options: Options
    runs: list[Run]

    @property
    def sane(self) -> bool:
        return all(not r.faults for r in self.runs)


def cases(busiest: str) -> list[Case]:
    return [
        Case("common word", "supplier"),
        Case("rare word", RARE),
        Case("two words", "cabinet approval"),
        Case("common word in REF", "supplier", ref=busiest),
        Case("word, date range", "tested", dated=True),
    ]


# -- the naive baseline: every current revision read, its text matched with LIKE ------------------------


def baseline(session: Session, ws: Workspace, case: Case) -> tuple[int, list[int]]:
    """The count and the newest ten, as a LIKE scan over the current revisions finds them."""
    dialect = session.get_bind().dialect.name
    like = "ILIKE" if dialect == "postgresql" else "LIKE"  # SQLite's LIKE ignores ASCII case already
    words = search_service.terms_of(case.words)
    conditions = [f"(r.progress || ' ' || r.next_steps || ' ' || r.risks) {like} :w{i}" for i in range(len(words))]
    where = " AND ".join(["u.workspace_id = :ws", *conditions])
    params: dict[str, Any] = {f"w{i}": f"%{w}%" for i, w in enumerate(words)} | {"ws": ws.id}
    if case.ref:
        where += " AND u.project_id = (SELECT id FROM project WHERE workspace_id = :ws AND ref = :ref)"
        params["ref"] = case.ref
    if case.dated:
        where += " AND u.created_at >= :start AND u.created_at < :end"
        params |= {"start": RANGE[0], "end": RANGE[1]}
    current = "r.number = (SELECT max(n.number) FROM update_revision AS n WHERE n.update_id = u.id)"
    source = f"FROM progress_update AS u JOIN update_revision AS r ON r.update_id = u.id WHERE {where} AND {current}"
    typed = [bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())] if case.dated else []
    count = session.scalar(text(f"SELECT count(*) {source}").bindparams(*typed), params)
    newest = f"SELECT u.id {source} ORDER BY u.created_at DESC, u.id DESC LIMIT 10"
    return int(count or 0), [int(i) for i in session.scalars(text(newest).bindparams(*typed), params)]


def searched(session: Session, ws: Workspace, case: Case) -> search_service.Results:
    start, end = RANGE if case.dated else (None, None)
    return search_service.search(session, ws.id, case.words, ref=case.ref, start=start, end=end)


# -- the data --------------------------------------------------------------------------------------


def add_rare(factory: sessionmaker[Session], n: int) -> set[int]:
    """``n`` updates whose progress holds :data:`RARE`, spread over the projects; their ids."""
    with factory.begin() as session:
        ws = session.scalars(select(Workspace).where(Workspace.external_id == TEAM)).one()
        project_ids = list(
            session.scalars(select(Project.id).where(Project.workspace_id == ws.id).order_by(Project.id))
        )
        first = (session.scalar(select(ProgressUpdate.id).order_by(ProgressUpdate.id.desc()).limit(1)) or 0) + 1
        at = END - timedelta(days=200)
        ids = list(range(first, first + n))
        session.execute(
            insert(ProgressUpdate),
            [
                {
                    "id": uid,
                    "workspace_id": ws.id,
                    "project_id": project_ids[k * 37 % len(project_ids)],
                    "author_user_id": "U00000001",
                    "source": UpdateSource.COMMAND,
                    "created_at": at + timedelta(days=k),
                }
                for k, uid in enumerate(ids)
            ],
        )
        session.execute(
            insert(UpdateRevision),
            [
                {
                    "update_id": uid,
                    "number": 1,
                    "rag": Rag.RED,
                    "progress": f"The {RARE} exercise found gaps in the backups of the file servers.",
                    "next_steps": "Close the gaps.",
                    "risks": "",
                    "editor_user_id": "U00000001",
                    "created_at": at,
                }
                for uid in ids
            ],
        )
    return set(ids)


def busiest_project(factory: sessionmaker[Session]) -> str:
    with factory() as session:
        counts = Counter(session.scalars(select(ProgressUpdate.project_id)))
        project_id = counts.most_common(1)[0][0]
        return str(session.scalar(select(Project.ref).where(Project.id == project_id)))


# -- the checks ------------------------------------------------------------------------------------


def check(factory: sessionmaker[Session], case: Case, found: search_service.Results, rare: set[int]) -> list[str]:
    faults: list[str] = []
    ids = [h.update_id for h in found.hits]
    if len(ids) != min(10, found.total):
        faults.append(f"{case.label}: {len(ids)} hits shown of {found.total}")
    with factory() as session:
        texts = dict(
            session.execute(
                select(
                    UpdateRevision.update_id,
                    UpdateRevision.progress + " " + UpdateRevision.next_steps + " " + UpdateRevision.risks,
                )
                .where(UpdateRevision.update_id.in_(ids))
                .order_by(UpdateRevision.number)
            ).all()
        )  # the last of each update's revisions wins: its current text
    for hit in found.hits:
        body = texts.get(hit.update_id, "").lower()
        missing = [w for w in search_service.terms_of(case.words) if w[:4] not in body]
        if missing:
            faults.append(f"{case.label}: update {hit.update_id} lacks {missing}")
        if case.ref and hit.project_ref != case.ref:
            faults.append(f"{case.label}: update {hit.update_id} is on {hit.project_ref}")
        if case.dated and not RANGE[0] <= hit.created_at < RANGE[1]:
            faults.append(f"{case.label}: update {hit.update_id} is of {hit.created_at:%Y-%m-%d}")
    if case.words == RARE and (found.total != len(rare) or not set(ids) <= rare):
        faults.append(f"{case.label}: found {found.total}, {len(rare)} hold it")
    if case.words != RARE and found.total == 0:
        faults.append(f"{case.label}: nothing found")
    return faults


# -- the runs --------------------------------------------------------------------------------------


def run_database(spec: str, options: Options) -> Run:
    with scratch_database(spec) as url:
        started = time.perf_counter()
        upgrade(url)
        engine = make_engine(url)
        try:
            factory = make_sessionmaker(engine)
            populate(factory, TEAM, options.projects, options.size, 5, options.seed)
            rare = add_rare(factory, max(3, options.size // 10_000))
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            run = Run(engine.dialect.name, options.size + len(rare), time.perf_counter() - started)
            for case in cases(busiest_project(factory)):
                took, found = median_in_session(factory, TEAM, partial(searched, case=case), options.repeat)
                base, (base_count, _) = median_in_session(factory, TEAM, partial(baseline, case=case), options.repeat)
                run.timings.append(Timing(case, took, base, found.total, base_count))
                run.faults += check(factory, case, found, rare)
        finally:
            engine.dispose()
    return run


def run(options: Options) -> Result:
    specs = ["sqlite", *([options.postgres] if options.postgres else [])]
    return Result(options, [run_database(spec, options) for spec in specs])


# -- the report ------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(result: Result, console: Console) -> None:
    o = result.options
    console.print(
        f"[bold]Search[/]: {o.size} updates on {o.projects} projects in one workspace; databases "
        f"{', '.join(r.dialect for r in result.runs)}; median of {o.repeat} runs after a warm-up; seed {o.seed}"
    )
    table = Table(title=None, show_lines=False)
    for name in ("query", "database", "search ms", "baseline ms", "baseline ÷ search", "found (baseline)"):
        table.add_column(name, justify="left" if name in ("query", "database") else "right")
    table.add_column(f"within {SLACK_LIMIT:.0f} s")
    for r in result.runs:
        for t in r.timings:
            shown = f"“{t.case.words}”" + (f" in {t.case.ref}" if t.case.ref else "")
            shown += f" {RANGE[0]:%Y-%m-%d} to {RANGE[1]:%Y-%m-%d}" if t.case.dated else ""
            table.add_row(
                f"{t.case.label}: {shown}",
                r.dialect,
                _ms(t.search),
                _ms(t.baseline),
                f"{t.ratio:.1f}",
                f"{t.found} ({t.baseline_found})",
                "yes" if t.in_time else "NO",
            )
    console.print(table)
    for r in result.runs:
        console.print(f"{r.dialect}: setup (not timed) {r.setup_seconds:.1f} s for {r.updates} updates")
        for fault in r.faults:
            console.print(f"[bold red]{r.dialect}: sanity[/]: {fault}", highlight=False, soft_wrap=True)
        if not r.faults:
            console.print(f"{r.dialect}: sanity: every hit has the words, in the project and days asked")
    parts = []
    for r in result.runs:
        slowest = max(t.search for t in r.timings)
        ratios = ", ".join(f"{t.ratio:.1f}" for t in r.timings)
        within = "yes" if all(t.in_time for t in r.timings) else "NO"
        parts.append(f"{r.dialect} slowest {_ms(slowest)} ms, ratios {ratios}, within 3 s {within}")
    # One plain line for CI logs and the smoke test.
    console.print(
        f"RESULT updates {o.size}; {'; '.join(parts)}; sanity {'ok' if result.sane else 'FAILED'}",
        highlight=False,
        soft_wrap=True,
    )


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__.split("\n")[0])
    d = Options()
    parser.add_argument("--size", type=int, default=d.size, help="progress updates in the workspace")
    parser.add_argument("--projects", type=int, default=d.projects, help="projects they are spread over")
    parser.add_argument(
        "--postgres", default=os.environ.get(POSTGRES_ENV), help=f"a PostgreSQL URL (default: ${POSTGRES_ENV})"
    )
    parser.add_argument("--repeat", type=int, default=d.repeat, help="timed runs of each query (the median is shown)")
    parser.add_argument("--seed", type=int, default=d.seed, help="the generated data's seed")
    a = parser.parse_args(argv)
    if a.size < 1 or a.projects < 1 or a.repeat < 1:
        parser.error("--size, --projects and --repeat must be positive")
    if a.postgres and not is_postgres(a.postgres):
        parser.error("--postgres takes a postgresql:// URL (a scratch database is made there)")
    return Options(a.size, a.projects, a.postgres or None, a.repeat, a.seed)


def main(argv: Sequence[str] | None = None) -> int:
    """Run and print; exit status 1 when a search answered wrongly (never for time)."""
    options = parse_args(argv)
    result = run(options)
    report(result, Console(width=160))
    return 0 if result.sane else 1


if __name__ == "__main__":
    sys.exit(main())
