"""Engine and session factory, and the Alembic entry points. Knows nothing of Slack."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, String, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a bare ``postgresql://`` URL, as Heroku-style settings give it."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine whose errors and logs never carry bound values (officer text stays out of logs)."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 5}, hide_parameters=True, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the bot or of the
            # machine cannot corrupt the file, and a power cut can lose only the last commits.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        return engine
    # Fail fast rather than hang a Slack request: connect and statement time-outs well under 3 s.
    connect_args = {"connect_timeout": 2, "options": "-c statement_timeout=2500"}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, hide_parameters=True, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed if the block finishes, rolled back whole if it raises."""
    with factory.begin() as session:
        yield session


def upsert_insert(session: Session, model: type[DeclarativeBase]) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` into ``model``'s table in the session's dialect, the one that knows ``ON CONFLICT`` (both
    backends spell it the same: ``on_conflict_do_nothing``, ``on_conflict_do_update``, ``excluded``)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"ON CONFLICT is not written for {dialect}")


def insert_missing(
    session: Session, model: type[DeclarativeBase], rows: Sequence[Mapping[str, Any]], *, key: Sequence[str]
) -> list[int]:
    """``INSERT … ON CONFLICT (key) DO NOTHING`` of ``rows``: the ids of those that went in.

    How a row made on first use is made without a race: whoever inserts it first wins, and the others
    insert nothing and raise nothing. On PostgreSQL an insert that meets a concurrent transaction's
    uncommitted row waits for it to commit (or roll back) before deciding; under READ COMMITTED the
    caller's next SELECT then sees the winner's row. SQLite has one writer at a time. Unlike a savepoint
    caught on IntegrityError, it leaves the transaction whole on both: on SQLite (pysqlite) a savepoint
    that is a transaction's first write commits on its release, whatever the transaction does next.
    ``key`` names the columns of the unique constraint that decides; ``model`` has an ``id`` key.
    """
    if not rows:
        return []
    table = cast(Table, model.__table__)
    statement = upsert_insert(session, model).values(list(rows)).on_conflict_do_nothing(index_elements=list(key))
    # RETURNING, not the row count: it says which rows went in, and every driver gives it.
    return [int(i) for i in session.execute(statement.returning(table.c.id)).scalars()]


def column_length(column: object) -> int:
    """The length of a ``String(n)`` column (``Project.title``): the model says it, nobody copies it."""
    kind = getattr(column, "type", None)
    if not isinstance(kind, String) or kind.length is None:
        raise TypeError(f"{column} is not a column of bounded text")
    return kind.length


MAX_ROW_ID = 2**31 - 1  # ids are PostgreSQL integers: a larger one names no row, and would overflow a query
_ROW_ID = re.compile(r"[0-9]{1,10}")  # ASCII digits only: str.isdigit() also takes "²", which int() refuses


def row_id(value: object) -> int | None:
    """A row's id as a request carries it (an integer, or its digits), when it can name a row; else None."""
    if isinstance(value, str) and _ROW_ID.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ROW_ID else None


_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable_text(node: object, path: str = "", *, first: int = 0) -> Iterator[tuple[str, str]]:
    """Where parsed JSON or YAML holds text no column may hold, as ``(path, why)``; keys are looked at too.

    A NUL character: PostgreSQL refuses it in text (SQLite would keep it). Half of a surrogate pair: not
    text at all, and no driver encodes it. JSON and YAML can spell both. Paths read ``projects[2].title``,
    lists counted from ``first``.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            at = f"{path}.{key}" if path else str(key)
            yield from unstorable_text(key, at, first=first)
            yield from unstorable_text(value, at, first=first)
    elif isinstance(node, list):
        for i, value in enumerate(node, start=first):
            yield from unstorable_text(value, f"{path}[{i}]", first=first)
    elif isinstance(node, str):
        if "\x00" in node:
            yield path, "holds a NUL character (\\u0000), which no text in ictbot may hold"
        elif _SURROGATE.search(node):
            yield path, "holds half of a surrogate pair (\\ud800 to \\udfff alone), which is not text"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("models") / "migrations"))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database's schema stands against the migrations this code ships."""

    current: frozenset[str]  # the database's revisions (empty: no schema yet)
    heads: frozenset[str]  # the revisions this code expects
    known: frozenset[str]  # every revision this code knows

    @property
    def at_head(self) -> bool:
        return self.current == self.heads

    @property
    def unknown(self) -> frozenset[str]:
        """Revisions a newer version of the code wrote."""
        return self.current - self.known


def schema_state(engine: Engine) -> SchemaState:
    """Compare the database's Alembic revision with this code's migrations (raises if unreachable)."""
    script = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False)))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return SchemaState(
        current=frozenset(current),
        heads=frozenset(script.get_heads()),
        known=frozenset(rev.revision for rev in script.walk_revisions()),
    )


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``. The schema is only ever created this way."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
