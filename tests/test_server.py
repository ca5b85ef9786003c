"""The production HTTP front: signed Slack requests through the ASGI app, the health check, the
schema guard, and one end-to-end run of the real uvicorn server."""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from alembic.script import ScriptDirectory
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlalchemy import func, select, text
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; the dev extra pins httpx, which still works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from bot import server
from bot.dev.local import LocalSlack, signed_headers
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.server import SchemaNotAtHead, asgi_app, require_schema_at_head, server_config
from bot.settings import ConfigError, Settings
from models import ProgressUpdate, db, make_engine, make_sessionmaker
from models.db import alembic_config
from tests.conftest import BOT_TOKEN, OWNER, SIGNING_SECRET, Databases

FORM = "application/x-www-form-urlencoded"
UPDATE_TEXT = "NET-01 amber Core links upgrade delayed by supplier"


def stored_updates(runtime: Runtime) -> int:
    with runtime.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(ProgressUpdate)) or 0)


def command_body(slack: LocalSlack, text: str = UPDATE_TEXT) -> str:
    return urlencode(slack.command_form("/ict-update", text, user_id=OWNER))


def signed(body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    headers = signed_headers(secret, body, timestamp=timestamp, content_type=FORM)
    return {k: str(v) for k, v in headers.items()}


@pytest.fixture
def http(runtime: Runtime, slack: LocalSlack, standin: SlackStandIn) -> Iterator[TestClient]:
    app = asgi_app(runtime, slack.app)
    standin.clear()  # building the Bolt app called auth.test; from here on, only what requests cause
    with TestClient(app) as client:
        yield client


# -- POST /slack/events ------------------------------------------------------------------------
def test_signed_slash_command_is_acknowledged_and_stored(http, slack, standin, runtime, workplan):
    body = command_body(slack)
    resp = http.post("/slack/events", content=body, headers=signed(body))
    assert resp.status_code == 200
    assert stored_updates(runtime) == 1
    reply = resp.json()  # the answer rides on the acknowledgement
    assert reply["response_type"] == "ephemeral" and "NET-01" in reply["text"]
    assert standin.calls_to("response_url") == []


def test_forged_signature_is_refused_and_nothing_is_stored(http, slack, standin, runtime, workplan):
    body = command_body(slack)
    resp = http.post("/slack/events", content=body, headers=signed(body, secret="not-the-signing-secret"))
    assert resp.status_code == 401
    assert stored_updates(runtime) == 0
    assert standin.calls == []


def test_request_older_than_five_minutes_is_refused(http, slack, standin, runtime, workplan):
    body = command_body(slack)
    resp = http.post("/slack/events", content=body, headers=signed(body, timestamp=int(time.time()) - 6 * 60))
    assert resp.status_code == 401
    assert stored_updates(runtime) == 0
    assert standin.calls == []


def test_body_changed_after_signing_is_refused(http, slack, standin, runtime, workplan):
    body = command_body(slack)
    headers = signed(body)
    tampered = command_body(slack, "PCI-01 green Tampered with on the way")
    resp = http.post("/slack/events", content=tampered, headers=headers)
    assert resp.status_code == 401
    assert stored_updates(runtime) == 0


def test_request_without_signature_headers_is_refused(http, slack, standin, runtime, workplan):
    body = command_body(slack)
    resp = http.post("/slack/events", content=body, headers={"content-type": FORM})
    assert resp.status_code == 401
    assert stored_updates(runtime) == 0
    assert standin.calls == []


def test_body_that_is_not_utf8_cannot_be_verified(http, runtime, workplan):
    body = b"token=x&text=\xff\xfe"  # Slack signs UTF-8 text only
    headers = {"content-type": FORM, "x-slack-request-timestamp": str(int(time.time())), "x-slack-signature": "v0=00"}
    assert http.post("/slack/events", content=body, headers=headers).status_code == 401
    assert stored_updates(runtime) == 0


def test_slack_endpoint_only_takes_post(http):
    assert http.get("/slack/events").status_code == 405


# -- GET /healthz ------------------------------------------------------------------------------
def test_health_is_ok_when_the_database_answers(http):
    resp = http.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}
    assert resp.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://ictbot:secret@127.0.0.1:1/ictbot",  # nothing listens on port 1
        "sqlite:////nonexistent-ictbot-dir/sub/ictbot.db",  # a directory that does not exist
    ],
    ids=["postgresql-unreachable", "sqlite-missing-dir"],
)
def test_health_is_503_without_detail_when_the_database_is_down(url):
    engine = make_engine(url)
    settings = Settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, DATABASE_URL=url)  # type: ignore[arg-type]
    runtime = Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine))
    bolt_app = App(client=WebClient(token=BOT_TOKEN), signing_secret=SIGNING_SECRET, token_verification_enabled=False)
    try:
        with TestClient(asgi_app(runtime, bolt_app)) as client:
            resp = client.get("/healthz")
    finally:
        engine.dispose()
    assert resp.status_code == 503
    assert resp.json() == {"status": "unavailable", "database": "down"}
    for leak in ("127.0.0.1", "secret", "nonexistent", "Error", "psycopg", "sqlite"):
        assert leak not in resp.text


# -- the schema guard --------------------------------------------------------------------------
def test_schema_at_head_passes(engine):
    require_schema_at_head(engine)


def test_empty_database_is_refused_naming_the_upgrade_command(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(SchemaNotAtHead, match=r"no ictbot schema yet\. Run `ictbot db upgrade`"):
            require_schema_at_head(engine)
    finally:
        engine.dispose()


def _database_at(databases: Databases, tmp_path: Path, revision: str | None) -> str:
    """A migrated SQLite database whose recorded revision is then set to ``revision`` (None: head)."""
    url = databases.sqlite(tmp_path / "stamped.db")
    if revision is not None:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision})
        engine.dispose()
    return url


def test_database_behind_head_is_refused_naming_both_revisions(
    databases: Databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    url = _database_at(databases, tmp_path, None)
    head = next(iter(ScriptDirectory.from_config(alembic_config(url)).get_heads()))
    # Pretend this code carries one more migration than the database has seen.
    _heads, known = db.shipped_revisions()
    monkeypatch.setattr(db, "shipped_revisions", lambda: (frozenset({"0099_next"}), known | {"0099_next"}))
    engine = make_engine(url)
    try:
        with pytest.raises(SchemaNotAtHead) as caught:
            require_schema_at_head(engine)
    finally:
        engine.dispose()
    message = str(caught.value)
    assert f"at schema revision {head}" in message and "needs 0099_next" in message
    assert "Run `ictbot db upgrade` first" in message


def test_database_migrated_by_a_newer_ictbot_is_refused_without_suggesting_upgrade(
    databases: Databases, tmp_path: Path
):
    engine = make_engine(_database_at(databases, tmp_path, "9999_from_the_future"))
    try:
        with pytest.raises(SchemaNotAtHead) as caught:
            require_schema_at_head(engine)
    finally:
        engine.dispose()
    message = str(caught.value)
    assert "9999_from_the_future" in message and "a newer ictbot has migrated it" in message
    assert "db upgrade" not in message


def test_unreachable_database_is_named_without_its_password():
    engine = make_engine("postgresql+psycopg://ictbot:hunter2@127.0.0.1:1/ictbot")
    try:
        with pytest.raises(
            ConfigError, match=r"cannot reach the database at postgresql\+psycopg://ictbot:\*\*\*@"
        ) as e:
            require_schema_at_head(engine)
    finally:
        engine.dispose()
    assert "hunter2" not in str(e.value)


def _settings_for(url: str, **extra: Any) -> Settings:
    return Settings(
        SLACK_BOT_TOKEN=BOT_TOKEN,  # type: ignore[arg-type]
        SLACK_SIGNING_SECRET=SIGNING_SECRET,  # type: ignore[arg-type]
        SLACK_API_URL="http://127.0.0.1:9/api/",  # never reached: start-up stops first
        DATABASE_URL=url,
        **extra,
    )


@pytest.fixture
def no_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("uvicorn must not start")

    monkeypatch.setattr(server.uvicorn, "Server", refuse)
    monkeypatch.setattr(server, "SocketModeHandler", refuse)


def test_serve_refuses_to_start_on_an_unmigrated_database(tmp_path: Path, no_uvicorn: None):
    settings = _settings_for(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(SchemaNotAtHead, match="ictbot db upgrade"):
        server.serve(settings, host="127.0.0.1", port=0)


def test_serve_needs_the_signing_secret(tmp_path: Path, no_uvicorn: None):
    settings = Settings(SLACK_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set; it is required for ictbot serve"):
        server.serve(settings, host="127.0.0.1", port=0)


def test_socket_mode_needs_the_app_token(tmp_path: Path, no_uvicorn: None):
    settings = _settings_for(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN is not set; it is required for Socket Mode"):
        server.socket_mode(settings)


def test_socket_mode_refuses_to_start_on_an_unmigrated_database(tmp_path: Path, no_uvicorn: None):
    settings = _settings_for(f"sqlite:///{tmp_path / 'fresh.db'}", SLACK_APP_TOKEN="xapp-1-test")
    with pytest.raises(SchemaNotAtHead, match="ictbot db upgrade"):
        server.socket_mode(settings)


# -- the real server ---------------------------------------------------------------------------
class _Signalling(uvicorn.Server):
    """uvicorn's server, which also signals ``up`` once its start-up has run (listening, or failed)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.up = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.up.set()  # on failure too: `started` then says so


@contextmanager
def running(app: Starlette) -> Iterator[str]:
    """The production uvicorn configuration on a free loopback port, in a background thread."""
    srv = _Signalling(server_config(app, host="127.0.0.1", port=0))

    def serve() -> None:
        try:
            srv.run()
        finally:
            srv.up.set()  # it stopped before or during start-up

    thread = threading.Thread(target=serve, name="uvicorn-under-test", daemon=True)
    thread.start()
    assert srv.up.wait(10), "uvicorn did not start within 10 s"
    assert srv.started, "uvicorn failed to start"
    port = srv.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not stop"


def test_real_uvicorn_serves_a_signed_command_end_to_end(runtime, slack, standin, workplan):
    body = command_body(slack)
    with running(asgi_app(runtime, slack.app)) as base, httpx.Client(base_url=base, timeout=10) as client:
        resp = client.post("/slack/events", content=body, headers=signed(body))
        health = client.get("/healthz")
    assert resp.status_code == 200
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert stored_updates(runtime) == 1
    assert "NET-01" in resp.json()["text"]


class BlockingBolt:
    """A Bolt app whose dispatch blocks until released, as a slow listener before its ack would."""

    oauth_flow = None  # single-workspace: no install routes

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        self.entered.set()
        self.release.wait(timeout=10)
        return BoltResponse(status=200, body="")


def test_a_slow_dispatch_does_not_block_the_event_loop(runtime):
    bolt = BlockingBolt()
    with running(asgi_app(runtime, cast(App, bolt))) as base, httpx.Client(base_url=base, timeout=10) as client:
        slow: dict[str, int] = {}
        poster = threading.Thread(
            target=lambda: slow.update(
                status=client.post("/slack/events", content="x=1", headers=signed("x=1")).status_code
            )
        )
        poster.start()
        try:
            assert bolt.entered.wait(timeout=5)
            health = client.get("/healthz", timeout=5)  # answered while dispatch is still blocked
            assert health.status_code == 200
            assert poster.is_alive()
        finally:
            bolt.release.set()
            poster.join(timeout=10)
    assert slow == {"status": 200}


# -- the reminder scheduler --------------------------------------------------------------------
class FakeScheduler:
    def __init__(self) -> None:
        self.shutdowns: list[bool] = []

    def shutdown(self, wait: bool = True) -> None:
        self.shutdowns.append(wait)


@pytest.fixture
def scheduler_spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replaces start_reminders: records what serve/socket_mode hand it, returns a FakeScheduler."""
    seen: dict[str, Any] = {"scheduler": FakeScheduler()}

    def start_reminders(runtime: Runtime, client: WebClient) -> FakeScheduler:
        seen.update(runtime=runtime, client=client)
        return cast(FakeScheduler, seen["scheduler"])

    monkeypatch.setattr(server, "start_reminders", start_reminders)
    return seen


def _fake_uvicorn(monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any], *, starts: bool) -> None:
    class FakeServer:
        def __init__(self, config: uvicorn.Config) -> None:
            self.started = False

        def run(self) -> None:
            seen["stopped_while_serving"] = bool(seen["scheduler"].shutdowns)
            seen["heap_frozen"] = gc.get_freeze_count() > 0
            self.started = starts

    monkeypatch.setattr(server.uvicorn, "Server", FakeServer)


def test_serve_runs_the_scheduler_while_it_serves_and_stops_it_after(
    settings, engine, standin, scheduler_spy, monkeypatch
):
    _fake_uvicorn(monkeypatch, scheduler_spy, starts=True)

    server.serve(settings, host="127.0.0.1", port=0)

    assert scheduler_spy["runtime"].settings is settings
    assert scheduler_spy["client"].token == BOT_TOKEN and scheduler_spy["client"].base_url == standin.api_url
    assert scheduler_spy["stopped_while_serving"] is False
    assert scheduler_spy["heap_frozen"] is True  # start-up's objects are out of the collector's full passes
    assert scheduler_spy["scheduler"].shutdowns == [False]


def test_serve_stops_the_scheduler_when_it_cannot_listen(settings, engine, scheduler_spy, monkeypatch):
    _fake_uvicorn(monkeypatch, scheduler_spy, starts=False)

    with pytest.raises(ConfigError, match="could not start listening"):
        server.serve(settings, host="127.0.0.1", port=0)

    assert scheduler_spy["scheduler"].shutdowns == [False]


def test_socket_mode_runs_the_scheduler_and_stops_it_when_the_connection_ends(
    settings, engine, standin, scheduler_spy, monkeypatch
):
    class FakeHandler:
        def __init__(self, app: App, app_token: str) -> None:
            self.app = app
            self.client = None  # no slack_sdk client: nothing of its to stop

        def start(self) -> None:
            scheduler_spy["stopped_while_connected"] = bool(scheduler_spy["scheduler"].shutdowns)
            scheduler_spy["heap_frozen"] = gc.get_freeze_count() > 0
            raise KeyboardInterrupt  # Ctrl-C

        def close(self) -> None:  # the connection is closed on the way out, before the scheduler stops
            scheduler_spy["closed_while_scheduling"] = not scheduler_spy["scheduler"].shutdowns

    monkeypatch.setattr(server, "SocketModeHandler", FakeHandler)
    socket_settings = Settings(**{**settings.model_dump(), "SLACK_APP_TOKEN": "xapp-1-test"})

    with pytest.raises(KeyboardInterrupt):
        server.socket_mode(socket_settings)

    assert scheduler_spy["client"].base_url == standin.api_url
    assert scheduler_spy["stopped_while_connected"] is False
    assert scheduler_spy["heap_frozen"] is True
    assert scheduler_spy["closed_while_scheduling"] is True
    assert scheduler_spy["scheduler"].shutdowns == [False]


def test_serve_starts_no_scheduler_before_the_schema_check_passes(tmp_path: Path, no_uvicorn: None, scheduler_spy):
    settings = _settings_for(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(SchemaNotAtHead):
        server.serve(settings, host="127.0.0.1", port=0)
    assert "runtime" not in scheduler_spy and scheduler_spy["scheduler"].shutdowns == []


def test_the_server_loads_matplotlib_only_when_it_first_draws_and_the_teams_sdk_only_for_teams():
    """matplotlib, numpy and PIL are a third of a server's memory at rest; a server draws only for digests.
    The Teams SDK is as much again, and a server for Slack alone never needs it. Smaller, but loaded for
    nothing too: YAML (read from files by the CLI), PostgreSQL's dialect and drivers on SQLite, and the
    WebSocket protocols (no route takes one)."""
    unused = ("matplotlib", "numpy", "PIL", "docx", "microsoft_teams", "yaml", "sqlalchemy.dialects.postgresql")
    script = (
        "import sys, bot.server, bot.wiring, handlers.slack.listeners, bot.scheduling.reconciler; "
        "from starlette.applications import Starlette; "
        "bot.server.server_config(Starlette(), host='127.0.0.1', port=0).load(); "
        f"print(sorted(m for m in {(*unused, 'websockets')!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603  (our own script)
    assert loaded.stdout.strip() == "[]"
