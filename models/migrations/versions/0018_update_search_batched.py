"""update search batched

SQLite: a new current revision no longer goes into the FTS5 index in the update's own transaction (7 or
8 of the 21 pages a one-line update wrote, and over half of the time SQLite took for it). Its update's id goes
into ``update_search_pending`` instead, and :func:`bot.services.search.catch_up` indexes everything
pending in one go: before each search reads the index, in each reconcile pass, and at the end of a
restore. Deleting revisions or updates still changes the index at once (``update_search_removed``,
``_changed``, ``_update_removed``), and an update deleted while pending leaves nothing behind.
Downgrading indexes what is pending first.
PostgreSQL is unchanged (its ``tsvector`` and GIN index take a row in the update's transaction).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 03:10:00
"""

# ruff: noqa: S608  (every statement is put together from this file's own constants, nothing else)
from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

PENDING = "update_search_pending"
_IS_CURRENT = "NEW.number >= (SELECT max(number) FROM update_revision WHERE update_id = NEW.update_id)"

# What bot.services.search.catch_up runs (and the downgrade, to leave nothing unindexed).
CATCH_UP = (
    f"DELETE FROM update_search WHERE rowid IN (SELECT update_id FROM {PENDING})",
    f"""
    INSERT INTO update_search (rowid, progress, next_steps, risks, revision_id)
    SELECT r.update_id, r.progress, r.next_steps, r.risks, r.id
    FROM update_revision AS r JOIN {PENDING} AS p ON p.update_id = r.update_id
    WHERE r.number = (SELECT max(n.number) FROM update_revision AS n WHERE n.update_id = r.update_id)
    """,
    f"DELETE FROM {PENDING}",
)

SQLITE_UP = (
    f"CREATE TABLE {PENDING} (update_id INTEGER NOT NULL PRIMARY KEY)",
    "DROP TRIGGER update_search_added",
    f"""
    CREATE TRIGGER update_search_added AFTER INSERT ON update_revision WHEN {_IS_CURRENT}
    BEGIN
        INSERT OR IGNORE INTO {PENDING} (update_id) VALUES (NEW.update_id);
    END
    """,
    "DROP TRIGGER update_search_update_removed",
    f"""
    CREATE TRIGGER update_search_update_removed AFTER DELETE ON progress_update
    BEGIN
        DELETE FROM update_search WHERE rowid = OLD.id;
        DELETE FROM {PENDING} WHERE update_id = OLD.id;
    END
    """,
)
SQLITE_DOWN = (
    *CATCH_UP,
    "DROP TRIGGER update_search_update_removed",
    """
    CREATE TRIGGER update_search_update_removed AFTER DELETE ON progress_update
    BEGIN
        DELETE FROM update_search WHERE rowid = OLD.id;
    END
    """,
    "DROP TRIGGER update_search_added",
    f"""
    CREATE TRIGGER update_search_added AFTER INSERT ON update_revision WHEN {_IS_CURRENT}
    BEGIN
        DELETE FROM update_search WHERE rowid = NEW.update_id;
        INSERT INTO update_search (rowid, progress, next_steps, risks, revision_id)
        VALUES (NEW.update_id, NEW.progress, NEW.next_steps, NEW.risks, NEW.id);
    END
    """,
    f"DROP TABLE {PENDING}",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
