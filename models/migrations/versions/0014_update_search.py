"""update search

Full-text search over each progress update's current revision (its highest number): its progress, next
steps and risks, in ``update_search``, one row per update, kept in step by triggers on
``update_revision`` (a new revision replaces its update's row; deleting revisions or updates, as purges
do, removes it or falls back to the revision left). PostgreSQL: a ``tsvector`` (English stemming) with a
GIN index. SQLite: an FTS5 table, ``porter unicode61``. Existing updates are indexed here.
A later migration that rebuilds ``update_revision`` or ``progress_update`` on SQLite (batch mode copies
and drops the table) drops these triggers with it, and must create them again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:40:00
"""

# ruff: noqa: S608  (every statement is put together from this file's own constants, nothing else)
from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_DOCUMENT = "to_tsvector('english', {r}.progress || ' ' || {r}.next_steps || ' ' || {r}.risks)"

POSTGRES_UP = (
    """
    CREATE TABLE update_search (
        update_id integer PRIMARY KEY REFERENCES progress_update (id) ON DELETE CASCADE,
        revision_id integer NOT NULL,
        number integer NOT NULL,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX ix_update_search_document ON update_search USING gin (document)",
    f"""
    CREATE FUNCTION update_search_refresh(target integer) RETURNS void LANGUAGE sql AS $$
        DELETE FROM update_search WHERE update_id = target;
        INSERT INTO update_search (update_id, revision_id, number, document)
        SELECT r.update_id, r.id, r.number, {_DOCUMENT.format(r="r")}
        FROM update_revision AS r WHERE r.update_id = target ORDER BY r.number DESC LIMIT 1;
    $$
    """,
    # A new revision is its update's current one unless a higher one is there already (a restore may
    # insert them in any order); ON CONFLICT makes two corrections at once settle on the higher.
    f"""
    CREATE FUNCTION update_search_revision_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO update_search AS s (update_id, revision_id, number, document)
        VALUES (NEW.update_id, NEW.id, NEW.number, {_DOCUMENT.format(r="NEW")})
        ON CONFLICT (update_id) DO UPDATE
            SET revision_id = EXCLUDED.revision_id, number = EXCLUDED.number, document = EXCLUDED.document
            WHERE s.number < EXCLUDED.number;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION update_search_revision_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM update_search_refresh(OLD.update_id);
        IF TG_OP = 'UPDATE' AND NEW.update_id <> OLD.update_id THEN
            PERFORM update_search_refresh(NEW.update_id);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER update_search_added AFTER INSERT ON update_revision "
    "FOR EACH ROW EXECUTE FUNCTION update_search_revision_added()",
    "CREATE TRIGGER update_search_changed AFTER UPDATE OR DELETE ON update_revision "
    "FOR EACH ROW EXECUTE FUNCTION update_search_revision_changed()",
    f"""
    INSERT INTO update_search (update_id, revision_id, number, document)
    SELECT DISTINCT ON (r.update_id) r.update_id, r.id, r.number, {_DOCUMENT.format(r="r")}
    FROM update_revision AS r ORDER BY r.update_id, r.number DESC
    """,
)
POSTGRES_DOWN = (
    "DROP TRIGGER IF EXISTS update_search_changed ON update_revision",
    "DROP TRIGGER IF EXISTS update_search_added ON update_revision",
    "DROP FUNCTION IF EXISTS update_search_revision_changed()",
    "DROP FUNCTION IF EXISTS update_search_revision_added()",
    "DROP FUNCTION IF EXISTS update_search_refresh(integer)",
    "DROP TABLE IF EXISTS update_search",
)

_SQLITE_COLUMNS = "rowid, progress, next_steps, risks, revision_id"
_SQLITE_CURRENT = (
    f"INSERT INTO update_search ({_SQLITE_COLUMNS}) SELECT update_id, progress, next_steps, risks, id "
    "FROM update_revision WHERE update_id = {target} ORDER BY number DESC LIMIT 1;"
)
SQLITE_UP = (
    "CREATE VIRTUAL TABLE update_search USING fts5("
    "progress, next_steps, risks, revision_id UNINDEXED, tokenize = 'porter unicode61')",
    f"""
    CREATE TRIGGER update_search_added AFTER INSERT ON update_revision
    WHEN NEW.number >= (SELECT max(number) FROM update_revision WHERE update_id = NEW.update_id)
    BEGIN
        DELETE FROM update_search WHERE rowid = NEW.update_id;
        INSERT INTO update_search ({_SQLITE_COLUMNS})
        VALUES (NEW.update_id, NEW.progress, NEW.next_steps, NEW.risks, NEW.id);
    END
    """,
    f"""
    CREATE TRIGGER update_search_removed AFTER DELETE ON update_revision
    BEGIN
        DELETE FROM update_search WHERE rowid = OLD.update_id;
        {_SQLITE_CURRENT.format(target="OLD.update_id")}
    END
    """,
    f"""
    CREATE TRIGGER update_search_changed AFTER UPDATE ON update_revision
    BEGIN
        DELETE FROM update_search WHERE rowid IN (OLD.update_id, NEW.update_id);
        {_SQLITE_CURRENT.format(target="OLD.update_id")}
        {_SQLITE_CURRENT.format(target="NEW.update_id AND NEW.update_id <> OLD.update_id")}
    END
    """,
    """
    CREATE TRIGGER update_search_update_removed AFTER DELETE ON progress_update
    BEGIN
        DELETE FROM update_search WHERE rowid = OLD.id;
    END
    """,
    f"""
    INSERT INTO update_search ({_SQLITE_COLUMNS})
    SELECT r.update_id, r.progress, r.next_steps, r.risks, r.id FROM update_revision AS r
    WHERE r.number = (SELECT max(n.number) FROM update_revision AS n WHERE n.update_id = r.update_id)
    """,
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS update_search_update_removed",
    "DROP TRIGGER IF EXISTS update_search_changed",
    "DROP TRIGGER IF EXISTS update_search_removed",
    "DROP TRIGGER IF EXISTS update_search_added",
    "DROP TABLE IF EXISTS update_search",
)


def _statements(postgres: tuple[str, ...], sqlite: tuple[str, ...]) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return postgres
    if dialect == "sqlite":
        return sqlite
    raise NotImplementedError(f"update search is written for PostgreSQL and SQLite, not {dialect}")


def upgrade() -> None:
    for statement in _statements(POSTGRES_UP, SQLITE_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(POSTGRES_DOWN, SQLITE_DOWN):
        op.execute(statement)
