"""The schema comes from Alembic alone, and the migrations match the models on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from models import Base, ChangeVia, Project, ProjectEvent, ProjectField, Workspace, upgrade
from models.db import downgrade
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
