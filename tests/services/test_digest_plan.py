"""The digest's read of every update in the period seeks per project on SQLite too: its cost follows the
projects and the period, not the length of the workspace's history (bot.services.digest.queries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from bot.services.digest import queries
from models import ProgressUpdate, UpdateSource
from tests.conftest import ADMIN


def test_sqlite_reads_the_period_s_updates_project_by_project(runtime, workplan):
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's join order (PostgreSQL gets LATERAL seeks, whose plan depends on its statistics)")
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append((statement, parameters))

    # Years of history on a few projects, and SQLite's statistics of it (as ANALYZE or PRAGMA optimize leave
    # them): the planner must still seek each project's period, not walk the history and filter it.
    with runtime.unit("T0COUNCIL") as (session, ws):
        rows = [
            {
                "workspace_id": ws.id,
                "project_id": project_id,
                "author_user_id": ADMIN,
                "source": UpdateSource.COMMAND,
                "created_at": datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=7 * i),
            }
            for i in range(4000)
            for project_id in workplan.values()
        ]
        session.execute(insert(ProgressUpdate), rows)
    with runtime.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    event.listen(runtime.engine, "before_cursor_execute", capture)
    try:
        with runtime.unit("T0COUNCIL") as (session, ws):
            start, end = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
            queries.period_updates(session, ws, start, end)
            statement, parameters = seen[-1]
            plan = [
                row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
    finally:
        event.remove(runtime.engine, "before_cursor_execute", capture)
    assert plan[0].startswith("SEARCH project")
    assert plan[1] == (
        "SEARCH progress_update USING INDEX ix_progress_update_project_created "
        "(workspace_id=? AND project_id=? AND created_at>? AND created_at<?)"
    )
