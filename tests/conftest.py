"""Shared fixtures: a database on SQLite and on PostgreSQL, the stand-in Slack, the real Bolt app.

Every test that asks for ``db_url`` (directly or through ``runtime``) runs once per backend. The
PostgreSQL run needs ``ICTBOT_TEST_POSTGRES_URL`` (e.g. ``postgresql://127.0.0.1:5432/test``); without it
those runs are left out (deselected, with one line saying why), except in CI (``CI=true``), where a missing
server is an error. Tests that only make sense on PostgreSQL carry the ``postgres`` mark.
Each test session gets its own freshly migrated database, and every table is emptied after each test.
"""

from __future__ import annotations

import copy
import functools
import gc
import os
import shutil
import sqlite3
import ssl
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, Select, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.dev.local import InlineExecutor, LocalSlack
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.services import projects
from bot.settings import Settings
from handlers.slack.app import create_app
from handlers.slack.client import web_client
from models import Base, make_engine, make_sessionmaker, upgrade

# The tests make no TLS connection (Slack and Microsoft are stand-ins over plain HTTP), yet every httpx client
# (three a Teams app) would parse the CA bundle SSL_CERT_FILE names, or certifi's: 20 ms a client. The system's
# folder of certificates, named by SSL_CERT_DIR, is only looked in when a certificate is checked. The processes
# the tests start inherit it.
os.environ.pop("SSL_CERT_FILE", None)
os.environ["SSL_CERT_DIR"] = ssl.get_default_verify_paths().openssl_capath

# CI runs the property tests on a fixed seed, so a run is repeatable; developers' runs explore.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _no_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ``.env`` must not leak into the tests: Settings reads none unless a test puts it
    back (tests/cli/test_config.py)."""
    monkeypatch.setitem(Settings.model_config, "env_file", None)


@pytest.fixture(autouse=True)
def _heap_unfrozen() -> Iterator[None]:
    """``ictbot serve`` freezes its heap once started (``bot.server.settle_heap``); after a test that ran it,
    the test process's objects go back to the garbage collector."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


POSTGRES_ENV = "ICTBOT_TEST_POSTGRES_URL"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-0000-token"
ADMIN = "U0ADMIN"
OWNER = "U0OWNER"
DELEGATE = "U0DELEG"
STRANGER = "U0OTHER"
START = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
T = TypeVar("T")


@dataclass
class Clock:
    """Time for the code under test; tests move it, nothing reads the real clock."""

    now: datetime = field(default=START)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def _postgres_database(base_url: str, *, template: str | None = None) -> Iterator[str]:
    """A new database on the server ``base_url`` names (a copy of ``template`` when given), dropped after."""
    admin_url = make_url(base_url).set(drivername="postgresql+psycopg")
    name = f"ictbot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} is not reachable: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Databases:
    """The run's databases. Each backend's schema is migrated once, into a template, and every database a
    test gets is a copy of it: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. A
    migration takes seconds; a copy, milliseconds. Tests of the migrations themselves migrate for real."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite_template: Path | None = None
        self._postgres_template: str | None = None
        self._made: list[Iterator[str]] = []  # PostgreSQL databases to drop at the end, templates last

    def sqlite(self, path: Path) -> str:
        """A migrated SQLite database at ``path``."""
        if self._sqlite_template is None:
            template = self.folder / "template.db"
            upgrade(f"sqlite:///{template}")
            with closing(sqlite3.connect(template)) as conn:  # everything in the file itself, none in its WAL
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._sqlite_template = template
        shutil.copyfile(self._sqlite_template, path)
        return f"sqlite:///{path}"

    def postgres(self, *, migrated: bool = True) -> str:
        """A new PostgreSQL database, migrated or empty (skips, or fails in CI, when there is no server)."""
        base = os.environ.get(POSTGRES_ENV)
        if not base:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{POSTGRES_ENV} must be set in CI so the PostgreSQL tests run")
            pytest.skip(f"set {POSTGRES_ENV} (e.g. postgresql://127.0.0.1:5432/test) to run on PostgreSQL")
        if not migrated:
            return self._new_postgres(base, template=None)
        if self._postgres_template is None:
            url = self._new_postgres(base, template=None)
            upgrade(url)  # its engine is gone when this returns: a template must have no connection
            self._postgres_template = make_url(url).database
        return self._new_postgres(base, template=self._postgres_template)

    def _new_postgres(self, base: str, *, template: str | None) -> str:
        made = _postgres_database(base, template=template)
        url = next(made)
        self._made.append(made)
        return url

    def drop(self) -> None:
        for made in reversed(self._made):
            next(made, None)


def _postgres_wanted() -> bool:
    """Whether this run takes the PostgreSQL side: with a server named, and always in CI (where a missing
    one is an error, not a reason to skip)."""
    return bool(os.environ.get(POSTGRES_ENV)) or os.environ.get("CI") == "true"


def _on_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return item.get_closest_marker("postgres") is not None or (
        callspec is not None and callspec.params.get("db_url") == "postgresql"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without PostgreSQL, its half of the tests is left out of the run (one line says so at the end),
    rather than reported as hundreds of skips."""
    if _postgres_wanted():
        return
    left_out = [item for item in items if _on_postgres(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not _on_postgres(item)]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if not _postgres_wanted():
        terminalreporter.write_line(
            f"PostgreSQL: its tests were not run (counted as deselected); set {POSTGRES_ENV} "
            "(e.g. postgresql://127.0.0.1:5432/test) to run them.",
            yellow=True,
        )


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("databases"))
    yield made
    made.drop()


@pytest.fixture(scope="session")
def _shared_databases() -> dict[str, str]:
    """The one database per backend the tests share (each emptied after every test), by backend."""
    return {}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, databases: Databases, _shared_databases: dict[str, str]) -> str:
    backend = request.param
    if backend not in _shared_databases:  # kept when pytest sets this fixture up again for another backend
        _shared_databases[backend] = (
            databases.sqlite(databases.folder / "shared.db") if backend == "sqlite" else databases.postgres()
        )
    return _shared_databases[backend]


@pytest.fixture
def empty_postgres(databases: Databases) -> str:
    """A PostgreSQL database with no schema, for this test alone; tests that use it carry the ``postgres`` mark."""
    return databases.postgres(migrated=False)


@pytest.fixture
def migrated_sqlite(databases: Databases, tmp_path: Path) -> str:
    """A database of this test's own, migrated (a copy of the template): for commands that open their own."""
    return databases.sqlite(tmp_path / "ictbot.db")


# The tests' engines, one per database URL, for the run: the CLI under test is handed them too
# (tests.cli.conftest), so that it finds SQLAlchemy's compiled statements as a server would, warm.
ENGINES: dict[str, Engine] = {}


@pytest.fixture(scope="session")
def _engines() -> Iterator[dict[str, Engine]]:
    yield ENGINES
    for engine in ENGINES.values():
        engine.dispose()
    ENGINES.clear()


@pytest.fixture
def engine(db_url: str, _engines: dict[str, Engine]) -> Iterator[Engine]:
    if db_url not in _engines:
        _engines[db_url] = make_engine(db_url)
    engine = _engines[db_url]
    yield engine
    empty_every_table(engine)


# Children first. One script, sent at once: one statement per table through SQLAlchemy cost every test
# about as much again as a test's own work.
_EMPTY_EVERY_TABLE = "".join(f'DELETE FROM "{table.name}";\n' for table in reversed(Base.metadata.sorted_tables))  # noqa: S608 (our table names)


def empty_every_table(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            raw.driver_connection.executescript(f"BEGIN;\n{_EMPTY_EVERY_TABLE}COMMIT;")  # type: ignore[union-attr]
        else:  # psycopg sends statements without parameters in one round trip
            with raw.cursor() as cursor:
                cursor.execute(_EMPTY_EVERY_TABLE)
            raw.commit()
    finally:
        raw.close()


# -- a fixture's rows, kept and put back --------------------------------------------------------------
TableRows = dict[str, list[dict[str, Any]]]


def every_row(engine: Engine) -> TableRows:
    """Every row of every table, by table name."""
    with engine.connect() as conn:
        return {t.name: [dict(r) for r in conn.execute(select(t)).mappings()] for t in Base.metadata.sorted_tables}


def put_back(engine: Engine, rows: TableRows, *, empty_first: bool = False) -> None:
    """Insert ``rows`` (as :func:`every_row` read them), parents first, in one transaction."""
    if empty_first:
        empty_every_table(engine)
    with engine.begin() as conn:
        for t in Base.metadata.sorted_tables:
            if rows.get(t.name):
                conn.execute(t.insert(), rows[t.name])


@functools.cache
def _row_counts() -> Select[Any]:
    return select(*(select(func.count()).select_from(t).scalar_subquery() for t in Base.metadata.sorted_tables))


def is_empty(engine: Engine) -> bool:
    """Whether every table is empty (one statement)."""
    with engine.connect() as conn:
        return not any(conn.execute(_row_counts()).one())


class Kept(Generic[T]):
    """What a fixture that only writes to the database builds, kept for the next test that asks for it.

    The first time it builds on a database in a given state, at a given time and with a given ``key``, the
    rows it left are read; the next time it would build on that database in that state (as empty, or
    holding the very same rows), at that time, with that key, they are put back instead, row for row, with
    the same ids (the engine fixture empties every table after each test, and the ids the database gave
    stay free), and the clock is moved on as the build moved it."""

    def __init__(self, build: Callable[..., T]) -> None:
        self.build = build
        self._kept: dict[Hashable, tuple[TableRows | None, TableRows, datetime, T]] = {}

    def __call__(self, engine: Engine, clock: Clock, *args: Any, key: Hashable = ()) -> T:
        at = (engine.url, clock.now, key)
        before = None if is_empty(engine) else every_row(engine)  # None: empty
        kept = self._kept.get(at)
        if kept is not None and kept[0] == before:
            _, rows, clock.now, value = kept
            put_back(engine, rows, empty_first=before is not None)
            return copy.deepcopy(value)
        value = self.build(*args)
        self._kept[at] = (before, every_row(engine), clock.now, copy.deepcopy(value))
        return value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def standin(clock: Clock) -> Iterator[SlackStandIn]:
    """Slack, stamping its messages by the tests' clock (as the bot's claims are)."""
    with SlackStandIn(team_id="T0COUNCIL", team_name="Darlington", clock=clock) as s:
        s.add_user(OWNER, name="Olive Owner", email="olive@example.gov.uk")
        s.add_user(DELEGATE, name="Dan Delegate", email="dan@example.gov.uk")
        s.add_user(ADMIN, name="Ada Admin", email="ada@example.gov.uk")
        s.add_user(STRANGER, name="Sam Stranger", email="sam@example.gov.uk")
        yield s


@pytest.fixture
def settings(db_url: str, standin: SlackStandIn) -> Settings:
    """The test settings, pointed at this test's stand-in (its URL, as the validator would leave it)."""
    assert standin.api_url.endswith("/")
    return _settings(db_url, _environment()).model_copy(update={"SLACK_API_URL": standin.api_url})


@functools.cache
def _settings(db_url: str, environment: tuple[tuple[str, str], ...]) -> Settings:
    """Validated once per database and ``environment`` (:func:`_environment`, which Settings reads itself; here
    it only tells the cached ones apart): pydantic-settings takes 2 ms a time, 3,000 tests over."""
    return Settings(
        SLACK_BOT_TOKEN=BOT_TOKEN,  # type: ignore[arg-type]
        SLACK_SIGNING_SECRET=SIGNING_SECRET,  # type: ignore[arg-type]
        SLACK_API_URL="http://127.0.0.1/api/",
        DATABASE_URL=db_url,
        ICTBOT_ADMINS=ADMIN,
    )


def _environment() -> tuple[tuple[str, str], ...]:
    """What of the environment Settings would read (a test may have set some of it)."""
    return tuple(sorted((k, v) for k, v in os.environ.items() if k in Settings.model_fields))


@pytest.fixture
def runtime(settings: Settings, engine: Engine, clock: Clock) -> Runtime:
    return Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)


@pytest.fixture
def slack(runtime: Runtime, standin: SlackStandIn, clock: Clock) -> LocalSlack:
    """The real Bolt app, its Web API client pointed at the stand-in, driven by signed requests."""
    client = web_client(BOT_TOKEN, standin.api_url)
    app = create_app(runtime, client=client, listener_executor=InlineExecutor())
    # Requests are signed with the real time: Bolt checks their age against its own clock.
    return LocalSlack(
        app=app,
        signing_secret=SIGNING_SECRET,
        response_url=standin.response_url,
        team_id=standin.team_id,
        team_domain="darlington",
        on_ack=standin.acknowledged_with,
    )


def build_workplan(runtime: Runtime, team_id: str) -> dict[str, int]:
    """A small Work Plan in ``team_id``; returns project ids by ref."""
    rows = [
        ("NET-01", "Council network refresh", "ARCH", OWNER, [DELEGATE]),
        ("MOB-01", "Mobile carrier cut-across", "ARCH", OWNER, []),
        ("EFORM-01", "E-forms for online services", "BD", DELEGATE, []),
        ("PCI-01", "PCI DSS quarterly tests", "GOV", ADMIN, []),
        ("TRN-01", "Technical training programme", "WF", DELEGATE, []),
    ]
    ids: dict[str, int] = {}
    with runtime.unit(team_id) as (session, ws):
        for ref, title, prio, owner, delegates in rows:
            p = projects.add(
                session, ws, ref=ref, title=title, priority=prio, owner=owner, delegates=delegates, now=runtime.now()
            )
            ids[ref] = p.id
    return ids


_WORKPLANS = Kept(build_workplan)


@pytest.fixture
def workplan(runtime: Runtime, standin: SlackStandIn, clock: Clock) -> dict[str, int]:
    """A small Work Plan in the stand-in's workspace; returns project ids by ref."""
    return _WORKPLANS(runtime.engine, clock, runtime, standin.team_id, key=standin.team_id)
