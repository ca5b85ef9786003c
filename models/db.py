"""Engine and session factory, and the Alembic entry points. Knows nothing of Slack."""

from __future__ import annotations

import functools
import importlib
import logging
import re
import select
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import BindParameter, Engine, String, Table, bindparam, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.dml import ReturningInsert

from models.driver import Executor
from models.wake import watch

if TYPE_CHECKING:  # Alembic (with Mako and Pygments) is imported when a migration runs, not by a server starting
    from alembic.config import Config
    from sqlalchemy.dialects import postgresql, sqlite

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
        # A file's pool lends the connection returned last: its page cache is the warmest (models.driver._turn).
        if issubclass(cast(Any, parsed.get_dialect()).get_pool_class(parsed), QueuePool):  # a file, not memory
            kwargs.setdefault("pool_use_lifo", True)
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
    return _postgres_engine(url, options="-c statement_timeout=2500", **kwargs)


def _postgres_engine(url: str, *, options: str, **kwargs: Any) -> Engine:
    connect_args = {"connect_timeout": 2, "options": options}
    psycopg = make_url(url).get_driver_name() == "psycopg"  # another driver than ictbot's keeps the ping
    engine = create_engine(url, pool_pre_ping=not psycopg, connect_args=connect_args, hide_parameters=True, **kwargs)
    if psycopg:
        event.listen(engine, "checkout", _not_ended_by_the_server)
    return engine


def _not_ended_by_the_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """The pool's look at a psycopg connection before lending it, instead of ``pool_pre_ping``'s round trip
    (a statement and its answer) at every checkout. A server that ends a connection (a restart, an admin's
    ``pg_terminate_backend``, an idle time-out) sends it a last message and closes it, while an idle
    connection of this app is sent nothing else (it listens to no channel). So a connection with anything to
    read, or whose socket is gone, is not lent: ``DisconnectionError`` makes the pool connect anew."""
    try:
        ended = dbapi_connection.closed or bool(select.select([dbapi_connection.pgconn.socket], [], [], 0)[0])
    except Exception as error:
        raise DisconnectionError(f"the connection cannot be used: {type(error).__name__}") from error
    if ended:
        raise DisconnectionError("the server has ended the connection")


def close_engine(engine: Engine) -> None:
    """Close every pooled connection, on SQLite after copying the write-ahead log into the database file.

    A commit on SQLite (WAL mode) lands in ``ictbot.db-wal`` first; the main file catches up at a checkpoint.
    Checkpointing here, at a clean stop, leaves the ``.db`` file whole on its own, so copying it alone loses
    nothing. A checkpoint another connection blocks (a second process reading) is logged and left to SQLite.
    """
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                busy, _frames, _copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if busy:
                log.warning("could not checkpoint the SQLite write-ahead log: another connection is using it")
    except SQLAlchemyError as exc:
        log.warning("could not checkpoint the SQLite write-ahead log (%s)", exc.__class__.__name__)
    finally:
        engine.dispose()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep their objects' values after a commit, and mark the workspaces their writes may
    make something due in sooner (:mod:`models.wake`)."""
    factory = sessionmaker(engine, expire_on_commit=False)
    watch(factory)
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed if the block finishes, rolled back whole if it raises."""
    with factory.begin() as session:
        yield session


def dialect_name(connection: Executor) -> str:
    """The database's dialect ("sqlite", "postgresql"), from a session or a plain or driver connection alike."""
    return connection.get_bind().dialect.name if isinstance(connection, Session) else connection.dialect.name


def upsert_insert(session: Session, model: type[DeclarativeBase]) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` into ``model``'s table in the session's dialect, the one that knows ``ON CONFLICT`` (both
    backends spell it the same: ``on_conflict_do_nothing``, ``on_conflict_do_update``, ``excluded``)."""
    return conflict_insert(dialect_name(session), cast(Table, model.__table__))


def conflict_insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """:func:`upsert_insert` by dialect name, for statements built once and cached per dialect. Only the
    dialect in use is imported: PostgreSQL's brings its five drivers' modules (2 MiB) along."""
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"ON CONFLICT is not written for {dialect}")
    insert: Callable[[Table], postgresql.Insert | sqlite.Insert] = importlib.import_module(
        f"sqlalchemy.dialects.{dialect}"
    ).insert
    return insert(table)


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

    A Core statement on the table, built once per table and columns and sent with the rows as parameters
    (several rows in one INSERT, SQLAlchemy's "insertmanyvalues"): it is on the path of every request
    (the request log's delivery row, Home's throttle), where the ORM's bulk insert compiled it anew each
    time. Nothing here needs the ORM: the rows are not objects in the session.
    """
    return [int(row[0]) for row in inserted(session, model, rows, key=key, returning=("id",))]


def inserted(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """:func:`insert_missing`, returning the ``returning`` columns of each row that went in (in no set order:
    the key's columns tell which row each is)."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    table = cast(Table, model.__table__)
    statement = _insert_missing_statement(dialect, table, tuple(key), tuple(rows[0]), tuple(returning))
    # RETURNING, not the row count: it says which rows went in, and every driver gives it.
    return [tuple(row) for row in session.execute(statement, list(rows))]


@functools.lru_cache(maxsize=256)
def _insert_missing_statement(
    dialect: str, table: Table, key: tuple[str, ...], columns: tuple[str, ...], returning: tuple[str, ...]
) -> ReturningInsert[Any]:
    statement = conflict_insert(dialect, table)
    # The columns named, so that every row of a call (and every call) sends the same ones.
    values: dict[str, BindParameter[Any]] = {c: bindparam(c) for c in columns}
    chosen = [table.c[name] for name in returning]
    return statement.values(values).on_conflict_do_nothing(index_elements=list(key)).returning(*chosen)


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
    from alembic.config import Config

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
    """Compare the database's Alembic revision with this code's migrations (raises if unreachable).

    Read without Alembic: the version table with one SELECT, and the shipped revisions from the migration
    files (:func:`shipped_revisions`); every start of a server asks, and Alembic's import alone (with Mako
    and Pygments) took a tenth of a second of it. ``tests/models/test_migrations.py`` checks that this
    agrees with Alembic's own view of the scripts and of a database."""
    heads, known = shipped_revisions()
    with engine.connect() as conn:
        current: frozenset[str] = frozenset()
        if inspect(conn).has_table("alembic_version"):
            current = frozenset(str(v) for v in conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return SchemaState(current=current, heads=heads, known=known)


_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


@functools.cache
def shipped_revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(the heads, every revision) of the migration scripts this code ships, read from the files' own
    ``revision`` and ``down_revision`` lines (one revision, and none, one or a tuple of parents each)."""
    known: set[str] = set()
    parents: set[str] = set()
    for script in (files("models") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py") or script.name.startswith("_"):
            continue
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            raise RuntimeError(f"{script.name} names no revision or down_revision")
        known.add(revision.group(1))
        parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return frozenset(known - parents), frozenset(known)


LOCK_TIMEOUT = timedelta(seconds=10)  # how long a migration waits for a lock another session holds
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for "canceling statement due to lock timeout"


class MigrationFailed(Exception):
    """A migration run stopped. All the migrations of one run are one transaction: nothing was changed."""


class DanglingRows(MigrationFailed):
    """On SQLite, the migrations would leave rows that refer to rows that are not there (foreign_key_check)."""


class MigrationLocked(MigrationFailed):
    """A migration waited :data:`LOCK_TIMEOUT` for a lock another session holds, and stopped. Every migration
    of one run is one transaction, so nothing was changed and running it again is safe."""


def migration_engine(url: str, *, lock_timeout: timedelta | None = None) -> Engine:
    """The engine migrations run on: the application's, without its request time-outs.

    PostgreSQL: no ``statement_timeout`` (building an index on a large table takes what it takes) but a
    ``lock_timeout``, so that an upgrade queued behind another session's lock gives up instead of holding
    every later query to that table behind it. SQLite: foreign keys are off while migrations rebuild tables
    (Alembic's batch mode copies, drops and renames them; with foreign keys on, dropping a table that
    other rows refer to fails) and checked once they are done (``env.py``); and pysqlite's own
    transaction handling, which runs DDL outside any transaction, is replaced by an explicit ``BEGIN``,
    so a migration that fails leaves nothing behind (SQLAlchemy's documented recipe for pysqlite).
    """
    lock_timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        wait_ms = max(1, int(lock_timeout.total_seconds() * 1000))
        return _postgres_engine(url, options=f"-c statement_timeout=0 -c lock_timeout={wait_ms}")
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _migration_pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # no implicit BEGIN (which pysqlite never issues before DDL)
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")  # only takes effect outside a transaction: here
        dbapi_conn.execute(f"PRAGMA busy_timeout={max(1, int(lock_timeout.total_seconds() * 1000))}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock now, so waiting for it is the busy timeout's

    return engine


def _locked(exc: OperationalError) -> bool:
    """Did the statement stop because another session held a lock it waited for?"""
    if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    return "database is locked" in str(exc.orig)  # SQLite's busy timeout


def _migrate(url: str, action: Callable[[Config, str], None], revision: str, lock_timeout: timedelta | None) -> None:
    cfg = alembic_config(url)
    engine = migration_engine(url, lock_timeout=lock_timeout)
    waited = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    try:
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn  # env.py runs on it (Alembic's cookbook: sharing a connection)
            action(cfg, revision)
    except OperationalError as exc:
        if not _locked(exc):
            raise
        raise MigrationLocked(
            f"Another session holds a lock on a table the migration changes (an ictbot still running a request, "
            f"a backup, an open transaction); the migration waited {waited.total_seconds():g} s for it and stopped. "
            "Nothing was changed: the migrations run in one transaction. Retrying is safe once that session is done."
        ) from exc
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head", *, lock_timeout: timedelta | None = None) -> None:
    """Bring the schema to ``revision``. The schema is only ever created this way.

    Raises :class:`MigrationLocked` when another session's lock held it up for ``lock_timeout``
    (default :data:`LOCK_TIMEOUT`); nothing is changed then.
    """
    from alembic import command

    _migrate(url, command.upgrade, revision, lock_timeout)


def downgrade(url: str, revision: str, *, lock_timeout: timedelta | None = None) -> None:
    """Take the schema back to ``revision``; all or nothing, as :func:`upgrade`."""
    from alembic import command

    _migrate(url, command.downgrade, revision, lock_timeout)
