"""The schema comes from Alembic alone, and the migrations match the models on every backend."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.orm import Session

from models import Base, ChangeVia, Project, ProjectEvent, ProjectField, RoleGrant, Workspace, make_engine, upgrade
from models.db import DanglingRows, alembic_config, downgrade, migration_engine, schema_state, shipped_revisions
from models.search import SEARCH_TABLE, include_object, is_search_table


def test_migrations_create_every_table_the_models_declare(engine):
    tables = set(inspect(engine).get_table_names())
    assert {t for t in tables if not is_search_table(t)} == set(Base.metadata.tables) | {"alembic_version"}
    assert SEARCH_TABLE in tables  # and the search index, which is no model (models/search.py)


def test_migrations_and_models_do_not_drift(engine):
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object}),
            Base.metadata,
        )
    assert diff == []


def test_migration_0010_starts_each_existing_project_s_history_with_its_status_now(db_url, engine):
    created = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    downgrade(db_url, "0009")  # project_event dropped: the database as it was before the history
    try:
        with engine.begin() as conn:
            ws = conn.execute(
                insert(Workspace.__table__).values(platform="slack", external_id="T0OLD", name="", created_at=created)
            ).inserted_primary_key[0]
            for ref, status in (("NET-01", "active"), ("MOB-01", "complete")):
                conn.execute(
                    insert(Project.__table__).values(
                        workspace_id=ws,
                        ref=ref,
                        title=ref,
                        owner_user_id="U0OWNER",
                        service_area="",
                        status=status,
                        created_at=created,
                    )
                )
    finally:
        upgrade(db_url)
    with Session(engine) as s:
        events = s.execute(
            select(Project.ref, ProjectEvent.at, ProjectEvent.actor, ProjectEvent.via, ProjectEvent.field)
            .add_columns(ProjectEvent.old, ProjectEvent.new)
            .join(Project, Project.id == ProjectEvent.project_id)
            .where(ProjectEvent.workspace_id == ws)
            .order_by(Project.ref)
        ).all()
    assert [tuple(e) for e in events] == [
        ("MOB-01", created, "", ChangeVia.BACKFILL, ProjectField.CREATED, "", "complete"),
        ("NET-01", created, "", ChangeVia.BACKFILL, ProjectField.CREATED, "", "active"),
    ]


# -- a database of its own: upgrade, downgrade and failures ----------------------------------------------


HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def own_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for this test alone (these tests take the schema up and down)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'own.db'}"
    else:
        yield request.getfixturevalue("empty_postgres")


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _a_workspace_with_an_admin(engine: Engine) -> None:
    created = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    with engine.begin() as conn:
        ws = conn.execute(
            insert(Workspace.__table__).values(platform="slack", external_id="T0OLD", name="", created_at=created)
        ).inserted_primary_key[0]
        conn.execute(
            insert(RoleGrant.__table__).values(
                workspace_id=ws, user_id="U0ADMIN", role="admin", granted_by="U0ADMIN", created_at=created
            )
        )


def test_up_to_head_down_to_base_and_up_again_keeps_rows_and_leaves_no_batch_copies(own_url):
    upgrade(own_url)
    engine = make_engine(own_url)
    try:
        _a_workspace_with_an_admin(engine)
        # Past 0006, which rebuilds the workspace table on SQLite while role_grant rows refer to it.
        downgrade(own_url, "0005")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT external_id FROM workspace")).scalars().all() == ["T0OLD"]
            assert conn.execute(text("SELECT user_id FROM role_grant")).scalars().all() == ["U0ADMIN"]
        assert _revision(engine) == "0005"
        downgrade(own_url, "base")
        assert _tables(engine) <= {"alembic_version"}
        upgrade(own_url)
        tables = _tables(engine)
        assert {t for t in tables if not is_search_table(t)} == set(Base.metadata.tables) | {"alembic_version"}
        assert not [t for t in tables if t.startswith("_alembic_tmp_")]
    finally:
        engine.dispose()


def test_on_sqlite_a_downgrade_that_would_leave_dangling_rows_is_refused_whole(tmp_path):
    url = f"sqlite:///{tmp_path / 'own.db'}"
    upgrade(url)
    with sqlite3.connect(tmp_path / "own.db") as conn:  # foreign keys off, as an older ictbot could have left it
        conn.execute(
            "INSERT INTO role_grant (workspace_id, user_id, role, granted_by, created_at) "
            "VALUES (42, 'U0GHOST', 'admin', 'U0GHOST', '2026-06-01 09:30:00')"
        )
    engine = make_engine(url)
    try:
        before = _tables(engine)

        with pytest.raises(
            DanglingRows, match=r"1 row\(s\) referring to rows that do not exist \(role_grant → workspace\)"
        ):
            downgrade(url, "0005")

        assert _revision(engine) == HEAD
        assert _tables(engine) == before  # nothing dropped, no _alembic_tmp_ copy left behind
    finally:
        engine.dispose()


def test_on_sqlite_a_batch_copy_an_interrupted_older_migration_left_is_dropped(tmp_path):
    url = f"sqlite:///{tmp_path / 'own.db'}"
    upgrade(url, "0005")
    with sqlite3.connect(tmp_path / "own.db") as conn:  # as an older ictbot's failed downgrade of 0006 left it
        conn.execute("CREATE TABLE _alembic_tmp_workspace (id INTEGER NOT NULL)")

    upgrade(url)

    engine = make_engine(url)
    try:
        assert "_alembic_tmp_workspace" not in _tables(engine)
        assert _revision(engine) == HEAD
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_migrations_on_postgresql_have_no_statement_timeout_but_a_lock_timeout(empty_postgres):
    engine = migration_engine(empty_postgres)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "0"
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "10s"
    finally:
        engine.dispose()


def test_the_schema_state_read_without_alembic_agrees_with_alembic(own_url):
    """``schema_state`` reads the version table and the scripts' own lines (a server's start-up imports no
    Alembic): what it says is what Alembic says, for the scripts and for a database before, between and at
    the head, and a revision this code does not know is reported as unknown."""
    script = ScriptDirectory.from_config(alembic_config(own_url))
    known = frozenset(r.revision for r in script.walk_revisions())
    assert shipped_revisions() == (frozenset(script.get_heads()), known)
    engine = make_engine(own_url)
    try:
        for revision in (None, "0009", "head"):
            if revision is not None:
                upgrade(own_url, revision)
            state = schema_state(engine)
            with engine.connect() as conn:
                assert state.current == frozenset(MigrationContext.configure(conn).get_current_heads())
            assert state.at_head is (revision == "head") and state.unknown == frozenset()
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        assert schema_state(engine).unknown == {"9999"}
    finally:
        engine.dispose()
