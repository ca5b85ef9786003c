"""Home: the App Home of a chair (the largest Home: the whole Work Plan by priority) at N projects and at a
small Work Plan, against one hand-written SQL query, in the same run.

The run builds a fresh database (a SQLite file in a temporary directory, or a scratch database on the
PostgreSQL server given) with two workspaces: a large one with N projects and a small one with
``--small`` projects, each project with three updates (the last a month ago, so every one is due for the
next meeting), an open action and an open risk, all owned by one officer; a chair; the default meeting
series. Nothing of the setup is timed.

Timed (the median of ``--repeat`` runs, after one warm-up run), for each workspace:

- *baseline*: one hand-written SQL query that fetches every open project with its latest update's time and
  current RAG, fetched in full;
- *build*: ``bot.services.home.build`` for the chair;
- *render*: the Slack view (``handlers.slack.blocks.home.home_view``) and the Teams card.

It prints each figure side by side and the ratio build ÷ baseline. The SQL statements ``build`` issues
are counted with a ``before_cursor_execute`` listener: the count must be the same in both workspaces (issue
16's goal: a fixed number whatever the number of projects), else the run exits 1; time never fails it.

Run: ``python -m benchmarks.home [--projects 1000] [--small 10] [--database sqlite|postgresql://…]``
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, text
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.digest_build import StatementCounter, median_in_session, median_time
from benchmarks.reminder_fanout import _is_postgres as is_postgres
from benchmarks.reminder_fanout import scratch_database
from bot.services import home as home_service
from bot.services import meetings, roles, strategy, workspaces
from handlers.slack.blocks.home import home_view
from handlers.teams.cards.home import home_card
from models import (
    ActionItem,
    ItemStatus,
    Meeting,
    ProgressUpdate,
    Project,
    ProjectStatus,
    Rag,
    RaidItem,
    RaidKind,
    Role,
    UpdateRevision,
    UpdateSource,
    Workspace,
    make_engine,
    make_sessionmaker,
    upgrade,
)

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a week before the meeting of 8 Dec 2026
OWNER, CHAIR = "U0OWNER", "U0CHAIR"
LARGE_TEAM, SMALL_TEAM = "T0HOMEBIG", "T0HOMESML"
TIMEZONE = "Europe/London"

BASELINE = """
SELECT p.id, p.ref, p.title, p.owner_user_id, u.created_at, r.rag
FROM project AS p
LEFT JOIN (SELECT project_id, max(id) AS update_id FROM progress_update WHERE workspace_id = :ws GROUP BY project_id)
     AS l ON l.project_id = p.id
LEFT JOIN progress_update AS u ON u.id = l.update_id
LEFT JOIN update_revision AS r
  ON r.update_id = u.id AND r.number = (SELECT max(r2.number) FROM update_revision AS r2 WHERE r2.update_id = u.id)
WHERE p.workspace_id = :ws AND p.status IN ('planned', 'active', 'on_hold')
"""


@dataclass(frozen=True, slots=True)
class Options:
    projects: int = 1000
    small: int = 10
    database: str = "sqlite"
    repeat: int = 11


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    projects: int
    statements: int
    times: dict[str, float]
    blocks: int  # in the Slack view (at most 100)
    missing: int  # projects the chair sees missing an update

    @property
    def ratio(self) -> float:
        return self.times["build"] / self.times["baseline"] if self.times["baseline"] else 0.0


@dataclass(frozen=True, slots=True)
class Result:
    options: Options
    dialect: str
    large: Run
    small: Run

    @property
    def ok(self) -> bool:
        return self.large.statements == self.small.statements and self.large.missing == self.options.projects


def populate(factory: sessionmaker[Session], team_id: str, n: int) -> None:
    """A workspace with the default strategy and series, ``n`` projects of OWNER's with three updates, an
    action and a risk each, and a chair; in bulk inserts."""
    with factory.begin() as session:
        ws = workspaces.get_or_create(session, team_id, now=NOW - timedelta(days=400), name=f"Benchmark {team_id}")
        priorities = [p.id for p in strategy.active(session, ws).priorities]
        meetings.materialise(session, ws, now=NOW - timedelta(days=90), default_timezone=TIMEZONE)
        roles.grant(session, ws, CHAIR, Role.CHAIR, by="benchmark", now=NOW)
        meeting_id = session.scalars(Meeting.__table__.select().with_only_columns(Meeting.id).limit(1)).one()
        rows = [
            {
                "workspace_id": ws.id,
                "ref": f"P-{i:05d}",
                "title": f"Project {i} of the Work Plan",
                "priority_id": priorities[i % len(priorities)],
                "owner_user_id": OWNER,
                "service_area": "",
                "status": ProjectStatus.ACTIVE,
                "created_at": NOW - timedelta(days=400),
            }
            for i in range(n)
        ]
        ids = list(session.scalars(insert(Project).returning(Project.id), rows))
        updates = [
            {
                "workspace_id": ws.id,
                "project_id": pid,
                "author_user_id": OWNER,
                "source": UpdateSource.COMMAND,
                "created_at": NOW - timedelta(days=30 * (3 - k)),
            }
            for pid in ids
            for k in range(3)
        ]
        update_ids = list(session.scalars(insert(ProgressUpdate).returning(ProgressUpdate.id), updates))
        session.execute(
            insert(UpdateRevision),
            [
                {
                    "update_id": uid,
                    "number": 1,
                    "rag": (Rag.GREEN, Rag.AMBER, Rag.RED)[uid % 3],
                    "progress": "Work done",
                    "next_steps": "",
                    "risks": "",
                    "editor_user_id": OWNER,
                    "created_at": NOW - timedelta(days=30),
                }
                for uid in update_ids
            ],
        )
        session.execute(
            insert(ActionItem),
            [
                {
                    "workspace_id": ws.id,
                    "meeting_id": meeting_id,
                    "project_id": pid,
                    "owner_user_id": OWNER,
                    "due_on": date(2026, 12, 1),
                    "text": "An action",
                    "status": ItemStatus.OPEN,
                    "given_by": CHAIR,
                    "given_at": NOW - timedelta(days=20),
                    "done_note": "",
                }
                for pid in ids
            ],
        )
        session.execute(
            insert(RaidItem),
            [
                {
                    "workspace_id": ws.id,
                    "kind": RaidKind.RISK,
                    "project_id": pid,
                    "text": "A risk",
                    "owner_user_id": OWNER,
                    "likelihood": 3,
                    "impact": 4,
                    "status": ItemStatus.OPEN,
                    "raised_by": OWNER,
                    "raised_at": NOW - timedelta(days=20),
                    "close_note": "",
                }
                for pid in ids
            ],
        )


def run_workspace(
    name: str, team_id: str, n: int, factory: sessionmaker[Session], counter: StatementCounter, repeat: int
) -> Run:
    def build(session: Session, ws: Workspace) -> home_service.Home:
        return home_service.build(session, ws, CHAIR, now=NOW, env_admins=(), default_timezone=TIMEZONE)

    def baseline(session: Session, ws: Workspace) -> list[Any]:
        return list(session.execute(text(BASELINE), {"ws": ws.id}))

    with factory() as session:
        ws = workspaces.find(session, team_id)
        assert ws is not None
        home, statements = counter.counting(lambda: build(session, ws))
    times: dict[str, float] = {}
    times["baseline"], rows = median_in_session(factory, team_id, baseline, repeat)
    times["build"], home = median_in_session(factory, team_id, build, repeat)
    times["render (slack)"], view = median_time(lambda: home_view(home), repeat)
    times["render (teams)"], _ = median_time(lambda: home_card(home, {}), repeat)
    assert len(rows) == n
    plan = home.work_plan
    missing = plan.missing if plan is not None else 0
    return Run(name, n, statements, times, len(view["blocks"]), missing)


def run(options: Options) -> Result:
    with scratch_database(options.database) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            factory = make_sessionmaker(engine)
            populate(factory, LARGE_TEAM, options.projects)
            populate(factory, SMALL_TEAM, options.small)
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            counter = StatementCounter(engine)
            o = options
            large = run_workspace(f"{o.projects} projects", LARGE_TEAM, o.projects, factory, counter, o.repeat)
            small = run_workspace(f"{o.small} projects", SMALL_TEAM, o.small, factory, counter, o.repeat)
            dialect = engine.dialect.name
        finally:
            engine.dispose()
    return Result(options, dialect, large, small)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(result: Result, console: Console) -> None:
    o = result.options
    console.print(
        f"[bold]Home[/]: a chair's Home at {o.projects} and at {o.small} projects; database {result.dialect}; "
        f"median of {o.repeat} runs after a warm-up"
    )
    table = Table(title=None, show_lines=False)
    table.add_column("figure")
    runs = (result.small, result.large)
    for r in runs:
        table.add_column(r.name, justify="right")
    rows: list[tuple[str, Callable[[Run], str]]] = [
        ("SQL statements: build (must be equal)", lambda r: str(r.statements)),
        ("projects missing an update", lambda r: str(r.missing)),
        ("blocks in the Slack view (≤ 100)", lambda r: str(r.blocks)),
        ("baseline: 1 query ms", lambda r: _ms(r.times["baseline"])),
        ("build ms", lambda r: _ms(r.times["build"])),
        ("render (slack) ms", lambda r: _ms(r.times["render (slack)"])),
        ("render (teams) ms", lambda r: _ms(r.times["render (teams)"])),
        ("build ÷ baseline", lambda r: f"{r.ratio:.2f}"),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(r) for r in runs))
    console.print(table)
    r, s = result.large, result.small
    console.print(
        f"RESULT projects {o.projects}, statements {r.statements} ({s.name}: {s.statements}), "
        f"build {_ms(r.times['build'])} ms, baseline {_ms(r.times['baseline'])} ms, ratio {r.ratio:.2f} "
        f"({s.name}: {s.ratio:.2f}), blocks {r.blocks}",
        highlight=False,
        soft_wrap=True,
    )
    if r.statements != s.statements:
        console.print("[bold red]FAIL[/]: the number of SQL statements grows with the number of projects")
    if r.missing != o.projects:
        console.print(f"[bold red]FAIL[/]: {r.missing} projects missing an update, not {o.projects}")


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.home", description=__doc__.split("\n")[0])
    d = Options()
    parser.add_argument("--projects", type=int, default=d.projects, help="projects in the large workspace")
    parser.add_argument("--small", type=int, default=d.small, help="projects in the small workspace")
    parser.add_argument("--database", default=d.database, help="`sqlite` (a temporary file) or a PostgreSQL URL")
    parser.add_argument("--repeat", type=int, default=d.repeat, help="timed runs of each step (the median is shown)")
    a = parser.parse_args(argv)
    if a.projects < 1 or a.small < 1 or a.repeat < 1:
        parser.error("--projects, --small and --repeat must be positive")
    if a.database != "sqlite" and not is_postgres(a.database):
        parser.error("--database takes `sqlite` or a postgresql:// URL (a scratch database is made there)")
    return Options(a.projects, a.small, a.database, a.repeat)


def main(argv: Sequence[str] | None = None) -> int:
    """Run and print; exit status 1 when the statement count grows with the projects (never for time)."""
    options = parse_args(argv)
    result = run(options)
    report(result, Console())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
