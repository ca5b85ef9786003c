"""`ictbot db upgrade` as an operator runs it: while another session holds a lock, and again after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from models import db, upgrade
from models.search import SEARCH_TABLE
from tests.cli.conftest import Ictbot


@pytest.mark.postgres
def test_an_upgrade_held_up_by_another_session_s_lock_stops_changing_nothing_and_says_a_retry_is_safe(
    empty_postgres, clock, monkeypatch
):
    upgrade(empty_postgres, "0013")  # 0014 (the search index) comes next, then tables that refer to workspace
    # Longer than the requests' 2.5 s statement_timeout: the wait ends by the lock time-out, not that one.
    monkeypatch.setattr(db, "LOCK_TIMEOUT", timedelta(seconds=3))
    other = create_engine(make_url(empty_postgres).set(drivername="postgresql+psycopg"))
    ictbot = Ictbot(empty_postgres, clock)
    try:
        with other.connect() as session:  # an old instance, a backup or an open psql transaction
            session.execute(text("LOCK TABLE workspace IN ACCESS EXCLUSIVE MODE"))

            held_up = ictbot("db", "upgrade")

            session.rollback()
        with other.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
        tables = set(inspect(other).get_table_names())
    finally:
        other.dispose()

    assert held_up.exit_code == 1
    assert held_up.stdout == ""
    assert held_up.stderr.startswith("ictbot: Another session holds a lock on a table the migration changes")
    assert "waited 3 s" in held_up.stderr
    assert "Nothing was changed" in held_up.stderr and "Retrying is safe" in held_up.stderr
    assert "statement timeout" not in held_up.stderr
    assert revision == "0013"
    assert SEARCH_TABLE not in tables  # 0014 ran before the wait, and was rolled back with the rest

    retried = ictbot("db", "upgrade")

    assert retried.exit_code == 0, retried.stderr
    assert retried.stdout.startswith("The database ")
