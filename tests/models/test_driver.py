"""models.driver: the update's statements on the driver's own connection store and read what
``Connection.execute`` would, fail as SQLAlchemy's errors, and leave nothing behind that was not committed."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, bindparam, create_engine, func, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout

from bot.services import deliveries, home_views, updates
from bot.services.deliveries import Delivery
from bot.services.quickform import UpdateText
from models import HomeView, ProgressUpdate, Rag, UpdateRevision, UpdateSource
from models import driver as driver_module
from models.driver import DriverConnection, Executor, driver_connection
from models.install import DeliveryStatus, InboundDelivery
from tests.conftest import DELEGATE, OWNER
from tests.helpers import statements

NOW = datetime(2026, 11, 24, 9, 30, 15, 123456, tzinfo=UTC)


def _an_update(connection: Executor, team: str, *, key: str, user: str, now: datetime) -> tuple[Any, ...]:
    """What an owner's update does on its direct path, statement for statement."""
    target = updates.direct_target(connection, platform="slack", team_id=team, ref="net-01", user_id=user)
    assert target is not None
    first = deliveries.admit_done(connection, Delivery(team, key, "command"), now=now)
    again = deliveries.admit_done(connection, Delivery(team, key, "command"), now=now)
    text = UpdateText(rag=Rag.AMBER, progress="Switches *in*", next_steps="<@U0X> next", risks="")
    result = updates.post_to(connection, target, user_id=user, text=text, source=UpdateSource.COMMAND, now=now)
    taken = home_views.taken(connection, target.workspace_id, user, now=now)
    soon = home_views.taken(connection, target.workspace_id, user, now=now + timedelta(seconds=5))
    connection.commit()
    return target, first, again, result.project_ref, taken, soon


def _stored(runtime: Any, user: str) -> list[tuple[Any, ...]]:
    with runtime.sessions() as session:
        update = session.scalars(select(ProgressUpdate).where(ProgressUpdate.author_user_id == user)).one()
        revision = session.scalars(select(UpdateRevision).where(UpdateRevision.update_id == update.id)).one()
        home = session.scalars(select(HomeView).where(HomeView.user_id == user)).one()
        delivery = session.scalars(select(InboundDelivery).where(InboundDelivery.key == f"k-{user}")).one()
        return [
            (update.source, update.created_at, update.project_id),
            (revision.rag, revision.progress, revision.next_steps, revision.risks, revision.created_at),
            (home.published_at, home.stale),
            (delivery.status, delivery.attempts, delivery.received_at),
        ]


def test_the_updates_statements_store_and_read_what_connection_execute_does(runtime, workplan, standin):
    team = standin.team_id
    with runtime.engine.connect() as connection:
        by_sqlalchemy = _an_update(connection, team, key=f"k-{OWNER}", user=OWNER, now=NOW)
    with driver_connection(runtime.engine) as connection:
        by_driver = _an_update(connection, team, key=f"k-{DELEGATE}", user=DELEGATE, now=NOW)
    assert by_driver[1:] == by_sqlalchemy[1:] == (True, False, "NET-01", True, False)
    assert replace(by_driver[0], homes={}) == by_sqlalchemy[0]
    # The Home throttle's rows read with the project: none at first; then the owner's, left stale by the first.
    assert (by_sqlalchemy[0].homes, by_driver[0].homes) == ({}, {OWNER: (NOW, True)})
    assert _stored(runtime, DELEGATE) == _stored(runtime, OWNER)
    assert _stored(runtime, OWNER)[0][1] == NOW  # the time zone and the microseconds come back as they went in
    owners, delegates = (_as_stored(runtime.engine, user) for user in (OWNER, DELEGATE))
    assert delegates == owners  # as the database holds them: the same text for a time, a RAG, a source


def _as_stored(engine: Engine, user: str) -> list[Any]:
    """The rows ``user``'s update wrote, as the driver reads them back without any type's processing."""
    queries = (
        "SELECT source, created_at FROM progress_update WHERE author_user_id = '{u}'",
        "SELECT rag, progress, created_at FROM update_revision WHERE editor_user_id = '{u}'",
        "SELECT published_at, stale FROM home_view WHERE user_id = '{u}'",
        "SELECT status, attempts, received_at FROM inbound_delivery WHERE key = 'k-{u}'",
    )
    with engine.connect() as connection:
        return [connection.exec_driver_sql(q.format(u=user)).all() for q in queries]


def test_rows_come_back_with_the_types_connection_execute_gives(runtime, workplan, standin):
    """The direct target's SELECT, of a workspace marked uninstalled: a time, a status and the rest."""
    with runtime.unit(standin.team_id) as (_session, ws):
        ws.uninstalled_at = NOW
    params = {"platform": "slack", "team": standin.team_id, "ref": "NET-01", "user": DELEGATE}
    with runtime.engine.connect() as connection:
        expected = connection.execute(updates._DIRECT_TARGET, params).first()
    with driver_connection(runtime.engine) as connection:
        row = connection.execute(updates._DIRECT_TARGET, params).first()
        home = _home(expected.workspace_id, NOW)
        stale = connection.execute(home_views._take_or_mark(connection.dialect.name), home).scalar_one()
    assert expected is not None and row is not None
    assert [(v, type(v)) for v in row] == [(v, type(v)) for v in expected]
    assert row.uninstalled_at == NOW and row.delegate == DELEGATE
    assert stale is False


def _home(workspace_id: int, now: datetime) -> dict[str, Any]:
    return {"workspace_id": workspace_id, "user_id": OWNER, "published_at": now, "cutoff": now - timedelta(minutes=1)}


def test_a_failed_delivery_is_taken_over_on_the_drivers_connection_too(runtime, standin):
    delivery = Delivery(standin.team_id, "k-retried", "command")
    with runtime.engine.connect() as connection:
        assert deliveries.admit(connection, delivery, now=NOW)
        deliveries.finish(connection, delivery, failed=True)
        connection.commit()
    with driver_connection(runtime.engine) as connection:
        assert deliveries.admit_done(connection, delivery, now=NOW)  # an UPDATE: its row count says so
        connection.commit()
    with runtime.sessions() as session:
        row = session.scalars(select(InboundDelivery)).one()
        assert (row.status, row.attempts) == (DeliveryStatus.DONE, 2)


def test_errors_are_sqlalchemys_with_the_bound_values_hidden(runtime, workplan, standin):
    with runtime.engine.connect() as connection:
        target = updates.direct_target(
            connection, platform="slack", team_id=standin.team_id, ref="NET-01", user_id=OWNER
        )
    assert target is not None
    revision = {"rag": Rag.RED, "progress": "secret-progress", "next_steps": "", "risks": ""}
    values = {**revision, "editor_user_id": OWNER, "created_at": NOW, "number": 1}
    with driver_connection(runtime.engine) as connection:
        text = UpdateText(rag=Rag.RED, progress="secret-progress", next_steps="", risks="")
        stored = updates.post_to(connection, target, user_id=OWNER, text=text, source=UpdateSource.COMMAND, now=NOW)
        with pytest.raises(IntegrityError) as raised:  # the same revision number twice
            connection.execute(insert(UpdateRevision.__table__), {**values, "update_id": stored.update_id})
    assert "secret-progress" not in str(raised.value)
    assert "parameters hidden" in str(raised.value)
    assert _count(runtime, ProgressUpdate) == 0  # never committed: rolled back when the connection went back


def test_what_was_not_committed_is_rolled_back_when_the_block_raises(runtime, workplan, standin):
    with pytest.raises(RuntimeError), driver_connection(runtime.engine) as connection:
        _write_an_update(connection, standin.team_id)
        raise RuntimeError("the request failed after its writes")
    assert _count(runtime, ProgressUpdate) == 0 and _count(runtime, UpdateRevision) == 0
    with driver_connection(runtime.engine) as connection:  # and the connection went back to the pool clean
        _write_an_update(connection, standin.team_id)
        connection.rollback()
    assert _count(runtime, ProgressUpdate) == 0


def test_the_engines_hooks_see_every_statement(runtime, workplan, standin):
    with statements(runtime.engine) as seen, driver_connection(runtime.engine) as connection:
        _write_an_update(connection, standin.team_id)
        connection.commit()
    assert [s.split()[0:3] for s in seen] == [
        ["SELECT", "workspace.id", "AS"],
        *[["INSERT", "INTO", t] for t in _TABLES],
    ]


_TABLES = ("progress_update", "update_revision")


def test_a_statement_that_needs_more_of_sqlalchemy_is_refused(engine: Engine):
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String, default="x"))
    expanding = select(table.c.id).where(table.c.id.in_(bindparam("ids", expanding=True)))
    with driver_connection(engine) as connection:
        with pytest.raises(ValueError, match="Python-side column defaults"):
            connection.execute(insert(table), {"id": 1})
        with pytest.raises(ValueError, match="expanding"):
            connection.execute(expanding, {"ids": [1]})


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # a connection the server ends
def test_a_lost_connection_is_invalidated_and_the_next_one_works(engine: Engine, db_url: str):
    admin = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with driver_connection(engine) as connection:
            pid = connection.execute(select(func.pg_backend_pid())).scalar_one()
            with admin.connect() as other:
                other.execute(sql_text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(OperationalError) as raised:
                connection.execute(select(func.pg_backend_pid())).scalar_one()
            assert raised.value.connection_invalidated and not connection.raw.is_valid
        with driver_connection(engine) as connection:
            assert connection.execute(select(func.pg_backend_pid())).scalar_one() != pid
    finally:
        admin.dispose()


def _write_an_update(connection: DriverConnection, team: str) -> None:
    target = updates.direct_target(connection, platform="slack", team_id=team, ref="NET-01", user_id=OWNER)
    assert target is not None
    text = UpdateText(rag=Rag.GREEN, progress="Done", next_steps="", risks="")
    updates.post_to(connection, target, user_id=OWNER, text=text, source=UpdateSource.COMMAND, now=NOW)


def _count(runtime: Any, model: type[Any]) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_on_sqlite_the_drivers_callers_take_turns_on_the_connection_returned_last(runtime, db_url):
    """One process's direct writers wait for each other here, not in SQLite's busy handler, and one
    connection serves them in turn (its page cache kept); on PostgreSQL they go side by side."""
    engine = runtime.engine
    sqlite = engine.dialect.name == "sqlite"
    inside = threading.Event()
    second_in = threading.Event()
    go_on = threading.Event()
    lent: list[int] = []
    older, newer = engine.raw_connection(), engine.raw_connection()
    older.close()  # both back in the pool, this one first
    newer.close()

    def first() -> None:
        with driver_connection(engine) as connection:
            lent.append(id(connection.raw.dbapi_connection))
            inside.set()
            go_on.wait(timeout=10)

    def second() -> None:
        with driver_connection(engine) as connection:
            lent.append(id(connection.raw.dbapi_connection))
            second_in.set()

    one = threading.Thread(target=first)
    one.start()
    assert inside.wait(timeout=10)
    two = threading.Thread(target=second)
    two.start()
    # SQLite: the second waits for the first's turn to end; PostgreSQL: it does not wait at all
    assert second_in.wait(timeout=0.2) is not sqlite
    go_on.set()
    one.join(timeout=10)
    two.join(timeout=10)
    assert second_in.is_set()
    if sqlite:
        assert lent[0] == lent[1]  # the one connection, lent again
    else:
        assert lent[0] != lent[1]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL's writers take no turns
def test_a_turn_not_had_in_time_fails_as_sqlites_own_wait_would(runtime, monkeypatch, db_url):
    """Another process holding SQLite's lock holds up this process's writer, and the next one: it fails
    after as long as SQLite itself would wait (an error the update's answer apologises for), rather than
    queueing for ever."""
    engine = runtime.engine
    monkeypatch.setattr(driver_module, "TURN_TIMEOUT", 0.05)
    holding, let_go = threading.Event(), threading.Event()

    def hold() -> None:
        with driver_connection(engine):
            holding.set()
            let_go.wait(timeout=10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=10)
        with pytest.raises(SQLAlchemyTimeout, match="held SQLite"), driver_connection(engine):
            pass
    finally:
        let_go.set()
        holder.join(timeout=10)
    with driver_connection(engine) as connection:  # the turn is free again
        assert connection.execute(select(func.count()).select_from(ProgressUpdate)).scalar_one() == 0
