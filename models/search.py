"""The full-text index of progress updates: its names, for the queries and for Alembic to leave alone.

Migration 0014 makes it: one row per update holding its current revision's text, kept in step by
triggers (PostgreSQL: a ``tsvector`` with a GIN index; SQLite: an FTS5 table, where migration 0018 has a
new revision queue its update in :data:`PENDING` for :data:`CATCH_UP`). It is not a model: only those
statements write it, so it is in no metadata, export or purge list; :func:`include_object` keeps
Alembic's comparison of the models with the database from reporting it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CATCH_UP", "PENDING", "SEARCH_TABLE", "include_object", "is_search_table"]

SEARCH_TABLE = "update_search"
PENDING = "update_search_pending"  # SQLite: the updates whose current revision is not indexed yet

# SQLite: index every pending update's current revision (replacing what the index held for it), in one go.
CATCH_UP = (
    f"DELETE FROM {SEARCH_TABLE} WHERE rowid IN (SELECT update_id FROM {PENDING})",  # noqa: S608
    f"""INSERT INTO {SEARCH_TABLE} (rowid, progress, next_steps, risks, revision_id)
    SELECT r.update_id, r.progress, r.next_steps, r.risks, r.id
    FROM update_revision AS r JOIN {PENDING} AS p ON p.update_id = r.update_id
    WHERE r.number = (SELECT max(n.number) FROM update_revision AS n WHERE n.update_id = r.update_id)""",  # noqa: S608
    f"DELETE FROM {PENDING}",  # noqa: S608
)


def is_search_table(name: str | None) -> bool:
    """The index's table, or one FTS5 keeps beside it (``update_search_data``, ``_idx``, ``_content``, …)."""
    return bool(name) and (name == SEARCH_TABLE or str(name).startswith(SEARCH_TABLE + "_"))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object`` hook: everything but the search index's tables and what is on them."""
    if type_ == "table":
        return not is_search_table(name)
    table = getattr(obj, "table", None)
    return not is_search_table(getattr(table, "name", None))
