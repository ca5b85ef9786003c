"""updates.post_directly: an owner's or a delegate's update, its delivery and Home's throttle stored together,
once, on the driver's connection as the direct path uses it (on PostgreSQL one statement with no transaction
around it, the project found in it too; on SQLite the steps in one transaction), and what it stores is what
the steps store."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text, update

from bot.services import deliveries, home_views, updates
from bot.services.deliveries import Delivery
from bot.services.quickform import UpdateText
from models import (
    HomeView,
    ProgressUpdate,
    Project,
    ProjectStatus,
    Rag,
    UpdateRevision,
    UpdateSource,
    Workspace,
    make_engine,
)
from models.driver import driver_connection
from models.install import DeliveryStatus, InboundDelivery
from tests.conftest import ADMIN, DELEGATE, OWNER, STRANGER
from tests.helpers import count, failing, statements

NOW = datetime(2026, 11, 24, 9, 30, 15, 123456, tzinfo=UTC)
TEXT = UpdateText(rag=Rag.AMBER, progress="Switches *in* <!channel>", next_steps="<@U0X> next", risks="budget")


def _posted(
    engine: Engine, team: str, user: str, delivery: Delivery | None, *, now: datetime = NOW, ref: str = "NET-01"
) -> Any:
    with driver_connection(engine, autocommit=True) as connection:
        posted = updates.post_directly(
            connection,
            platform="slack",
            team_id=team,
            ref=ref,
            user_id=user,
            delivery=delivery,
            text=TEXT,
            source=UpdateSource.COMMAND,
            now=now,
        )
        connection.commit()
        return posted


def _store(engine: Engine, team: str, user: str, delivery: Delivery | None, *, now: datetime = NOW) -> Any:
    """The update stored (None: its delivery was a duplicate); the project must take it directly."""
    posted = _posted(engine, team, user, delivery, now=now)
    assert posted is not None
    return posted.stored


def _rows(runtime: Any, user: str) -> list[tuple[Any, ...]]:
    with runtime.sessions() as session:
        update = session.scalars(select(ProgressUpdate).where(ProgressUpdate.author_user_id == user)).one()
        revision = session.scalars(select(UpdateRevision).where(UpdateRevision.update_id == update.id)).one()
        homes = session.execute(select(HomeView.user_id, HomeView.published_at, HomeView.stale)).all()
        return [
            (update.source, update.created_at, update.project_id, update.workspace_id),
            (revision.number, revision.rag, revision.progress, revision.next_steps, revision.risks),
            (revision.editor_user_id, revision.created_at),
            *sorted(tuple(home) for home in homes),
        ]


def _deliveries(runtime: Any) -> list[tuple[Any, ...]]:
    with runtime.sessions() as session:
        rows = session.execute(select(InboundDelivery.key, InboundDelivery.status, InboundDelivery.attempts))
        return sorted(tuple(row) for row in rows)


def test_it_stores_what_the_steps_store(runtime, workplan, standin):
    """A delegate's update, once by ``post_directly`` and once by the steps it stands for, from the same
    state: the same rows, the same answer, the same Homes let go."""
    delivery = Delivery(standin.team_id, "trigger:once", "command")
    stored = _store(runtime.engine, standin.team_id, DELEGATE, delivery)
    assert stored is not None and stored.homes == tuple(sorted((OWNER, DELEGATE)))
    by_once = _rows(runtime, DELEGATE)
    assert _deliveries(runtime) == [("trigger:once", DeliveryStatus.DONE, 1)]
    with runtime.sessions.begin() as session:  # the same state again, for the steps
        for model in (HomeView, UpdateRevision, ProgressUpdate, InboundDelivery):
            session.query(model).delete()
    with runtime.engine.connect() as connection:
        target = updates.direct_target(
            connection, platform="slack", team_id=standin.team_id, ref="NET-01", user_id=DELEGATE
        )
        assert target is not None and deliveries.admit_done(connection, delivery, now=NOW)
        result = updates.post_to(connection, target, user_id=DELEGATE, text=TEXT, source=UpdateSource.COMMAND, now=NOW)
        homes = home_views.taken_by(connection, target.workspace_id, result.homes_changed, now=NOW)
        connection.commit()
    assert _rows(runtime, DELEGATE) == by_once and homes == stored.homes
    assert stored.result == replace(result, update_id=stored.result.update_id)
    assert _deliveries(runtime) == [("trigger:once", DeliveryStatus.DONE, 1)]


@pytest.mark.parametrize("who", [STRANGER, ADMIN, "finished", "uninstalled", "no such project"])
def test_an_update_that_may_not_go_at_once_writes_nothing(runtime, workplan, standin, who):
    """Anyone but the owner or a delegate, a finished project, an uninstalled workspace, an unknown project:
    None, and nothing written (not even the delivery): the general way then says why or acts."""
    user, ref = (OWNER, "NET-01") if who in ("finished", "uninstalled", "no such project") else (who, "NET-01")
    with runtime.sessions.begin() as session:
        if who == "finished":
            session.execute(update(Project).values(status=ProjectStatus.COMPLETE))
        if who == "uninstalled":
            session.execute(update(Workspace).values(uninstalled_at=NOW))
    if who == "no such project":
        ref = "NOPE-99"
    posted = _posted(runtime.engine, standin.team_id, user, Delivery(standin.team_id, "t:x", "command"), ref=ref)
    assert posted is None
    assert (count(runtime, ProgressUpdate), _deliveries(runtime), count(runtime, HomeView)) == (0, [], 0)


def test_a_delivery_stored_already_stores_nothing_more(runtime, workplan, standin):
    delivery = Delivery(standin.team_id, "trigger:twice", "command")
    assert _store(runtime.engine, standin.team_id, OWNER, delivery) is not None
    assert _store(runtime.engine, standin.team_id, OWNER, delivery, now=NOW + timedelta(minutes=5)) is None
    assert (count(runtime, ProgressUpdate), count(runtime, UpdateRevision)) == (1, 1)
    assert _deliveries(runtime) == [("trigger:twice", DeliveryStatus.DONE, 1)]


def test_a_delivery_an_earlier_attempt_failed_is_taken_over(runtime, workplan, standin):
    delivery = Delivery(standin.team_id, "trigger:retried", "command")
    with runtime.engine.begin() as connection:
        assert deliveries.admit(connection, delivery, now=NOW)
        deliveries.finish(connection, delivery, failed=True)
    stored = _store(runtime.engine, standin.team_id, OWNER, delivery)
    assert stored is not None and stored.homes == (OWNER,)
    assert _deliveries(runtime) == [("trigger:retried", DeliveryStatus.DONE, 2)]
    assert count(runtime, ProgressUpdate) == 1


def test_an_update_without_a_delivery_is_stored_and_homes_wait_their_minute(runtime, workplan, standin):
    first = _store(runtime.engine, standin.team_id, OWNER, None)
    soon = _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(seconds=30))
    later = _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(minutes=1))
    assert (first.homes, soon.homes, later.homes) == ((OWNER,), (), (OWNER,))
    assert len({first.result.update_id, soon.result.update_id, later.result.update_id}) == 3
    assert count(runtime, ProgressUpdate) == 3 and _deliveries(runtime) == []
    with runtime.sessions() as session:
        assert session.execute(select(HomeView.published_at, HomeView.stale)).one() == (
            NOW + timedelta(minutes=1),
            False,
        )


def test_a_home_left_stale_within_its_minute_is_not_written_again(runtime, workplan, standin):
    """A burst of updates marks the Home stale once; the rest of the minute's updates leave its row as it is
    (on PostgreSQL the row keeps its version: no new tuple, no index entry)."""
    first = _store(runtime.engine, standin.team_id, OWNER, None)
    marked = _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(seconds=10))
    version = _home_row(runtime)
    again = _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(seconds=20))
    assert (first.homes, marked.homes, again.homes) == ((OWNER,), (), ())
    assert _home_row(runtime) == version and version[:2] == (NOW, True)
    later = _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(minutes=1))
    assert later.homes == (OWNER,) and _home_row(runtime)[:2] == (NOW + timedelta(minutes=1), False)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_on_sqlite_a_home_left_stale_is_sent_no_statement(runtime, workplan, standin):
    """SQLite reads the throttle's row with the project, as a writer: a row left stale within its minute is
    not sent the upsert that would leave it as it is."""
    _store(runtime.engine, standin.team_id, OWNER, None)
    _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(seconds=10))  # marks it stale
    with statements(runtime.engine) as sent:
        again = _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(seconds=20))
    assert again.homes == ()
    assert [s.split()[0:3] for s in sent] == [
        ["BEGIN", "IMMEDIATE"],
        ["SELECT", "workspace.id", "AS"],
        ["INSERT", "INTO", "progress_update"],
        ["INSERT", "INTO", "update_revision"],
    ]
    later = _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(minutes=1))
    assert later.homes == (OWNER,) and _home_row(runtime)[:2] == (NOW + timedelta(minutes=1), False)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_on_sqlite_no_one_changes_the_throttle_between_its_read_and_the_commit(runtime, workplan, standin):
    """What the update read of the Home throttle holds until it commits: another connection (another
    process publishing that Home) cannot write in between, so a row read as left stale is still stale."""
    _store(runtime.engine, standin.team_id, OWNER, None)
    _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(seconds=10))  # stale now
    path = runtime.engine.url.database
    other = sqlite3.connect(path, timeout=0.05)  # a publisher elsewhere, quick to give up
    refused: list[str] = []

    def publish_elsewhere(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO progress_update"):  # read done, not committed
            try:
                other.execute("UPDATE home_view SET stale = 0")
            except sqlite3.OperationalError as error:
                refused.append(str(error))

    event.listen(runtime.engine, "before_cursor_execute", publish_elsewhere)
    try:
        _store(runtime.engine, standin.team_id, OWNER, None, now=NOW + timedelta(seconds=20))
    finally:
        event.remove(runtime.engine, "before_cursor_execute", publish_elsewhere)
        other.close()
    assert refused == ["database is locked"]
    assert _home_row(runtime)[:2] == (NOW, True)


def _home_row(runtime: Any) -> tuple[Any, ...]:
    """The Home throttle's one row: its time, whether it is stale, and on PostgreSQL its row version."""
    with runtime.sessions() as session:
        published, stale = session.execute(select(HomeView.published_at, HomeView.stale)).one()
        postgres = runtime.engine.dialect.name == "postgresql"
        version = session.execute(text("SELECT xmin::text FROM home_view")).scalar_one() if postgres else None
    return published, stale, version


def test_a_failure_in_its_last_write_leaves_nothing(runtime, workplan, standin):
    delivery = Delivery(standin.team_id, "trigger:fails", "command")
    with failing(runtime.engine, "INSERT INTO home_view", "disk I/O error"), pytest.raises(Exception, match="disk I/O"):
        _store(runtime.engine, standin.team_id, OWNER, delivery)
    assert (count(runtime, ProgressUpdate), count(runtime, UpdateRevision), _deliveries(runtime)) == (0, 0, [])
    assert _store(runtime.engine, standin.team_id, OWNER, delivery) is not None  # the retry acts


def test_the_connection_goes_back_to_the_pool_in_a_transaction_again(runtime, workplan, standin):
    """After an autocommit block, the pool lends the same connection to code that expects a transaction:
    what it does not commit is rolled back."""
    url = runtime.engine.url.render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        _store(engine, standin.team_id, OWNER, None)
        with driver_connection(engine) as connection:
            updates.post_to(
                connection,
                updates.direct_target(
                    connection, platform="slack", team_id=standin.team_id, ref="NET-01", user_id=OWNER
                ),
                user_id=OWNER,
                text=TEXT,
                source=UpdateSource.COMMAND,
                now=NOW,
            )
            # not committed
        with engine.connect() as connection:
            assert not getattr(connection.connection.driver_connection, "autocommit", False)
    finally:
        engine.dispose()
    assert count(runtime, ProgressUpdate) == 1
