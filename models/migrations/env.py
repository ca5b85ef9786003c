"""Alembic environment: runs migrations on the connection ``models.db`` hands it, or, from the alembic
command line (alembic.ini), on one of its own to DATABASE_URL. Either way it is a migration connection
(``models.db.migration_engine``): no request time-outs, a lock time-out, and on SQLite foreign keys off
while tables are rebuilt, checked before the transaction commits. All the migrations of one run are one
transaction, so a run that fails changes nothing.
"""

from __future__ import annotations

import logging
import os

from alembic import context
from sqlalchemy import Connection, text

from models import entities, install, scheduling  # noqa: F401  (registers the tables on the metadata)
from models.base import Base
from models.db import DanglingRows, migration_engine
from models.search import include_object

DEFAULT_DATABASE_URL = "sqlite:///ictbot.db"
BATCH_LEFTOVER = "_alembic_tmp_"  # Alembic's batch mode copies a SQLite table into _alembic_tmp_<name> first

log = logging.getLogger("models.migrations")
config = context.config


def _drop_batch_leftovers(connection: Connection) -> None:
    """Drop the half-made table copies an interrupted batch operation of an older ictbot left behind.

    Only a copy whose original table is still there is dropped: that copy holds nothing the original does not.
    """
    names = set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    for name in sorted(names):
        if name.startswith(BATCH_LEFTOVER) and name.removeprefix(BATCH_LEFTOVER) in names:
            log.warning("dropping %s, left behind by an interrupted migration", name)
            connection.exec_driver_sql(f'DROP TABLE "{name}"')


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = ", ".join(sorted({f"{row[0]} → {row[2]}" for row in broken}))
        raise DanglingRows(
            f"The migration would leave {len(broken)} row(s) referring to rows that do not exist ({tables}), "
            "so it stopped. Nothing was changed."
        )


def run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_object=include_object,  # the search index (migration 0014) is no model
        transactional_ddl=True,  # one transaction for the whole run, on SQLite too (see migration_engine)
    )
    with context.begin_transaction():
        if sqlite:
            _drop_batch_leftovers(connection)
        context.run_migrations()
        if sqlite:
            _check_foreign_keys(connection)


given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    # `ictbot db upgrade` passes its connection; the alembic command line reads DATABASE_URL.
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    engine = migration_engine(url)
    try:
        with engine.connect() as connection:
            run(connection)
    finally:
        engine.dispose()
