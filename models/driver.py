"""Core statements run on the driver's own connection, for the path where SQLAlchemy's work around each
statement is most of its cost: an update an owner posts directly (``handlers.slack.commands.ict_update``).

:class:`DriverConnection` runs the statements the services already build, as SQLAlchemy compiles them for
the engine's dialect (once per statement), with the column types' own bind and result processors: the
same SQL and the same values as ``Connection.execute``, on a pooled DB-API connection, without an
execution context, result metadata or cache lookup at each call. Errors come out as SQLAlchemy's (bound
values hidden), a lost connection is invalidated as the engine would, and the engine's statement, commit
and rollback hooks see each. A statement that needs more of SQLAlchemy (Python-side column defaults,
expanding parameters) is refused when it is first compiled.
"""

from __future__ import annotations

import functools
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple, cast
from weakref import WeakKeyDictionary

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

__all__ = ["DriverConnection", "DriverResult", "Executor", "driver_connection"]

Processor = Callable[[Any], Any]


class _Plan(NamedTuple):
    """A statement as compiled for one dialect and one set of parameter names."""

    sql: str
    # Each bound value: the name the SQL gives it, the caller's key, its default when the caller has none
    # (None: required), and the column type's processor.
    binds: tuple[tuple[str, str, tuple[Any] | None, Processor | None], ...]
    positional: bool
    row: type[tuple[Any, ...]] | None  # the result's row type, None when the statement returns nothing
    results: tuple[tuple[int, Processor], ...]  # the result columns a processor reads, by position


@functools.lru_cache(maxsize=64)
def _plan(statement: ClauseElement, keys: frozenset[str], dialect: Dialect) -> _Plan:
    compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
    assert isinstance(compiled, SQLCompiler)
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError("a statement with Python-side column defaults needs Connection.execute")
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise ValueError("a statement with expanding or literal parameters needs Connection.execute")
    processors = cast(Mapping[str, Processor], compiled._bind_processors)  # scalar types only here
    names = compiled.positiontup if compiled.positiontup is not None else list(compiled.bind_names.values())
    binds = []
    for name in names:
        param = compiled.binds[name]
        if param.callable is not None:
            raise ValueError("a statement with a bound value computed at each execution needs Connection.execute")
        default = None if param.required else (param.effective_value,)
        binds.append((compiled.escaped_bind_names.get(name, name), param.key, default, processors.get(name)))
    columns = compiled._result_columns
    row = namedtuple("Row", [c.keyname for c in columns], rename=True) if columns else None
    readers = [c.type._cached_result_processor(dialect, None) for c in columns]
    results = tuple((i, read) for i, read in enumerate(readers) if read is not None)
    return _Plan(compiled.string, tuple(binds), bool(compiled.positional), row, results)


class DriverResult:
    """What a statement returned: the few ways of reading it that the services use."""

    def __init__(self, plan: _Plan, cursor: Any, owner: DriverConnection) -> None:
        self._plan, self._cursor, self._owner = plan, cursor, owner
        self.rowcount: int = cursor.rowcount
        if plan.row is None:
            cursor.close()  # nothing to read: the driver's statement is let go now, not when collected

    def _rows(self) -> list[tuple[Any, ...]]:
        plan = self._plan
        if plan.row is None:
            raise exc.ResourceClosedError("This result object does not return rows.")
        owner = self._owner
        try:
            raw = self._cursor.fetchall()
            self._cursor.close()
        except owner.errors as error:
            raise owner.translated(error, plan.sql, self._cursor) from error
        make, processors = plan.row._make, plan.results  # type: ignore[attr-defined]  # plan.row is a namedtuple
        if not processors:
            return [make(r) for r in raw]
        rows = []
        for r in raw:
            values = list(r)
            for i, process in processors:
                if values[i] is not None:
                    values[i] = process(values[i])
            rows.append(make(values))
        return rows

    def all(self) -> list[Any]:
        return self._rows()

    def first(self) -> Any:
        rows = self._rows()
        return rows[0] if rows else None

    def scalar_one_or_none(self) -> Any:
        rows = self._rows()
        if len(rows) > 1:
            raise exc.MultipleResultsFound("Multiple rows were found when one or none was required")
        return rows[0][0] if rows else None

    def scalar_one(self) -> Any:
        rows = self._rows()
        if len(rows) != 1:
            if rows:
                raise exc.MultipleResultsFound("Multiple rows were found when exactly one was required")
            raise exc.NoResultFound("No row was found when one was required")
        return rows[0][0]


class DriverConnection:
    """One pooled DB-API connection: :meth:`execute` a Core statement, :meth:`commit`, :meth:`rollback`.

    As with the driver (and ``Connection`` on it), a write begins a transaction; closing the connection
    returns it to the pool, which rolls back whatever was not committed."""

    def __init__(self, raw: PoolProxiedConnection, engine: Engine) -> None:
        self.raw, self.engine, self.dialect = raw, engine, engine.dialect
        self.errors: type[Exception] = self.dialect.loaded_dbapi.Error

    def execute(self, statement: ClauseElement, parameters: Mapping[str, Any] | None = None) -> DriverResult:
        params = parameters or {}
        plan = _plan(statement, frozenset(params), self.dialect)
        values = []
        for _name, key, default, process in plan.binds:
            if key in params:
                value = params[key]
            elif default is not None:
                value = default[0]
            else:
                raise exc.ArgumentError(f"a value is required for bind parameter {key!r}")
            values.append(value if process is None else process(value))
        bound = tuple(values) if plan.positional else {b[0]: v for b, v in zip(plan.binds, values, strict=True)}
        cursor = self.raw.cursor()
        events = self.engine.dispatch
        # The engine's statement hooks (an instrumentation's, a test's), as Connection.execute calls them.
        for hook in events.before_cursor_execute:
            hook(self, cursor, plan.sql, bound, None, False)
        try:
            cursor.execute(plan.sql, bound)
        except self.errors as error:
            raise self.translated(error, plan.sql, cursor, bound) from error
        for hook in events.after_cursor_execute:
            hook(self, cursor, plan.sql, bound, None, False)
        return DriverResult(plan, cursor, self)

    def commit(self) -> None:
        self._end(self.engine.dispatch.commit, self.raw.commit, "COMMIT")

    def rollback(self) -> None:
        self._end(self.engine.dispatch.rollback, self.raw.rollback, "ROLLBACK")

    def _end(self, hooks: Iterable[Callable[[Any], None]], end: Callable[[], None], sql: str) -> None:
        for hook in hooks:  # the engine's commit or rollback hooks, as Connection calls them
            hook(self)
        try:
            end()
        except self.errors as error:
            raise self.translated(error, sql) from error

    def translated(self, error: Exception, sql: str, cursor: Any = None, params: Any = None) -> exc.StatementError:
        """The driver's ``error`` (one of its ``Error``s) as SQLAlchemy's, bound values hidden; a lost connection is
        invalidated."""
        lost = self.dialect.is_disconnect(cast(Any, error), self.raw.dbapi_connection, cursor)
        if lost:
            self.raw.invalidate(error)
        return exc.DBAPIError.instance(
            sql, params, error, self.errors, hide_parameters=True, connection_invalidated=lost, dialect=self.dialect
        )


@contextmanager
def driver_connection(engine: Engine, *, autocommit: bool = False) -> Iterator[DriverConnection]:
    """A connection from ``engine``'s pool (checked as the pool checks any), returned to it afterwards.

    ``autocommit``: on PostgreSQL no transaction is begun, and each statement commits on its own, without
    the round trips of a BEGIN and a COMMIT (psycopg's ``autocommit``), for a caller whose writes there are
    single statements. SQLite's transaction, which costs no round trip, is kept; its callers in one process
    take turns (:func:`_turn`)."""
    with _turn(engine):
        with _lent(engine, autocommit=autocommit) as connection:
            yield connection


_TURNS: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_TURNS_MADE = threading.Lock()


TURN_TIMEOUT = 5.0  # seconds: as long as SQLite's own wait for a lock (models.db.make_engine's timeout)


@contextmanager
def _turn(engine: Engine) -> Iterator[None]:
    """On SQLite, :func:`driver_connection`'s callers in this process take turns on a lock.

    SQLite lets one connection write at a time. Waiting here, the next writer goes the moment the one
    before is done, rather than in SQLite's busy handler, which sleeps a millisecond or more between its
    tries. And as the pool lends the connection returned last (``models.db.make_engine``), one connection
    serves them in turn and keeps its page cache, which SQLite empties whenever another connection has
    written since: read again, it was half of the pages an update's transaction touched. A turn not had
    within :data:`TURN_TIMEOUT` (another process holds SQLite's lock) fails as SQLite's own wait would."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with _TURNS_MADE:
        turn = _TURNS.get(engine)
        if turn is None:
            turn = _TURNS[engine] = threading.Lock()
    if not turn.acquire(timeout=TURN_TIMEOUT):
        raise exc.TimeoutError(f"the writer before this one held SQLite for over {TURN_TIMEOUT:g} s")
    try:
        yield
    finally:
        turn.release()


@contextmanager
def _lent(engine: Engine, *, autocommit: bool) -> Iterator[DriverConnection]:
    raw = engine.raw_connection()
    switched = False
    try:
        if autocommit and engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            switched = True
        yield DriverConnection(raw, engine)
    finally:
        if switched and raw.is_valid:
            try:
                raw.driver_connection.autocommit = False  # type: ignore[union-attr]  # as the pool lends it
            except engine.dialect.loaded_dbapi.Error as error:  # a connection that cannot be reset is not lent again
                raw.invalidate(error)
        raw.close()


Executor = Connection | Session | DriverConnection
"""What the services run Core statements on: a session, a plain connection, or the driver's own."""
