"""The full-text index of progress updates: its names, for the queries and for Alembic to leave alone.

Migration 0014 makes it: one row per update holding its current revision's text, kept in step by
triggers (PostgreSQL: a ``tsvector`` with a GIN index; SQLite: an FTS5 table). It is not a model: no
code writes it, so it is in no metadata, export or purge list; :func:`include_object` keeps Alembic's
comparison of the models with the database from reporting it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SEARCH_TABLE", "include_object", "is_search_table"]

SEARCH_TABLE = "update_search"


def is_search_table(name: str | None) -> bool:
    """The index's table, or one FTS5 keeps beside it (``update_search_data``, ``_idx``, ``_content``, …)."""
    return bool(name) and (name == SEARCH_TABLE or str(name).startswith(SEARCH_TABLE + "_"))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object`` hook: everything but the search index's tables and what is on them."""
    if type_ == "table":
        return not is_search_table(name)
    table = getattr(obj, "table", None)
    return not is_search_table(getattr(table, "name", None))
