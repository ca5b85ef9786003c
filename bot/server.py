"""Production entry points: the Bolt app behind uvicorn (HTTP), or over Socket Mode; Teams beside it.

The HTTP side is an ASGI (Starlette) app; Teams' routes are passed to :func:`asgi_app` as ``extra_routes``.
Bolt's ``App.dispatch`` blocks, so it runs in a worker thread, never on the event loop. Every entry point
also runs the reminder scheduler in-process (:func:`start_reminders`) unless ``ICTBOT_SCHEDULER`` is off,
for deployments that run ``ictbot tick`` from cron instead. SIGTERM stops each of them cleanly
(:func:`stopped_by_sigterm`): the scheduler is stopped and, on SQLite, the write-ahead log checkpointed.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.runtime import Runtime
from bot.settings import ConfigError, Settings
from bot.wiring import start_reminders, stop_reminders
from handlers.slack.app import create_app
from handlers.slack.dispatch_gate import DispatchGate
from handlers.slack.inbound import BodyLimit, SlackSignature, log_refusal, slack_request
from models.db import close_engine, schema_state

__all__ = [
    "HEALTH_PATH",
    "SLACK_EVENTS_PATH",
    "SchemaNotAtHead",
    "asgi_app",
    "require_schema_at_head",
    "run_asgi",
    "serve",
    "serve_teams",
    "server_config",
    "settle_heap",
    "socket_mode",
    "start_reminders",
    "stopped_by_sigterm",
]

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"  # commands, interactivity and options all arrive here (manifest.yml)
HEALTH_PATH = "/healthz"
UPGRADE_HINT = "Run `ictbot db upgrade` first; ictbot does not migrate a database on its own when it starts."


class SchemaNotAtHead(ConfigError):
    """The database's schema is not the one this version of the code expects."""


# -- the ASGI app ------------------------------------------------------------------------------
def asgi_app(runtime: Runtime, bolt_app: App | None, *, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """``POST /slack/events`` for Slack (unless ``bolt_app`` is None: Teams only), ``GET /healthz`` for the
    load balancer, plus ``extra_routes`` (Teams' ``POST /api/messages``).

    Every route sits behind :class:`handlers.slack.inbound.BodyLimit`: no body over its limit reaches any of them.
    """

    gate = DispatchGate()
    secret = runtime.settings.SLACK_SIGNING_SECRET
    signature = SlackSignature(secret.get_secret_value() if secret is not None else None)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        # Verified on the raw bytes before Bolt's request is built: building it parses the body and reads
        # the team, the user and the response_url out of it. The request is marked verified, so the Bolt
        # app's SlackInbound does not compute the same signature again (handlers.slack.inbound).
        reason = signature.refusal(
            body, request.headers.get("x-slack-request-timestamp"), request.headers.get("x-slack-signature")
        )
        if reason is not None:
            log_refusal(reason)
            return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_request = _bolt_request(request, body)
        if bolt_request is None:
            return JSONResponse({"error": "the body is not a Slack request payload"}, status_code=400)
        assert bolt_app is not None
        bolt_response = await gate.run(bolt_app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        try:
            await run_in_threadpool(_ping, runtime.engine)
        except SQLAlchemyError as exc:
            # The reason goes to the log only: a health endpoint is public and must not describe the database.
            log.warning("health check: the database is unavailable (%s)", exc.__class__.__name__)
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503, headers=_NO_STORE)
        return JSONResponse({"status": "ok"}, headers=_NO_STORE)

    routes: list[BaseRoute] = [Route(HEALTH_PATH, healthz, methods=["GET"]), *extra_routes]
    if bolt_app is not None:
        routes += [Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"]), *_oauth_routes(bolt_app)]
    return Starlette(routes=routes, middleware=[Middleware(BodyLimit)])


_NO_STORE = {"cache-control": "no-store"}


def _bolt_request(request: Request, body: bytes) -> BoltRequest | None:
    """Bolt's request for a verified body (marked so), or None when the body is not a Slack payload.

    Building it parses the body (a form, a form whose ``payload`` is JSON, or JSON) and reads its
    structure: a payload that is not a JSON object, or whose fields are not of Slack's types, fails
    there with one of these errors. Only a holder of the signing secret can send one (Slack sends none),
    so it is turned away without being looked at further.
    """
    try:
        bolt_request = slack_request(body.decode("utf-8"), request.headers, request.query_params, verified=True)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError, BoltError):
        return None
    return bolt_request if isinstance(bolt_request.body, dict) else None


def _oauth_routes(bolt_app: App) -> list[BaseRoute]:
    """``GET /slack/install`` and ``GET /slack/oauth_redirect`` when the app installs by OAuth (Bolt's flow)."""
    flow = bolt_app.oauth_flow
    if flow is None:
        return []

    async def install(request: Request) -> Response:
        bolt_response = await run_in_threadpool(flow.handle_installation, to_bolt_request(request, b""))
        return to_starlette_response(bolt_response)

    async def redirect(request: Request) -> Response:
        bolt_response = await run_in_threadpool(flow.handle_callback, to_bolt_request(request, b""))
        return to_starlette_response(bolt_response)

    return [
        Route(flow.install_path, install, methods=["GET"]),
        Route(flow.redirect_uri_path, redirect, methods=["GET"]),
    ]


def _ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


# -- the schema --------------------------------------------------------------------------------
def require_schema_at_head(engine: Engine) -> None:
    """Refuse to run against a database whose schema is not at the migrations' head.

    Raises :class:`SchemaNotAtHead` naming ``ictbot db upgrade``; a database that cannot be reached
    raises :class:`ConfigError` naming it (password hidden).
    """
    where = engine.url.render_as_string(hide_password=True)
    try:
        state = schema_state(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc.__class__.__name__).strip().splitlines()[0]
        raise ConfigError(f"cannot reach the database at {where}: {reason}") from None
    current, expected, unknown = state.current, state.heads, state.unknown
    if state.at_head:
        return
    if not current:
        raise SchemaNotAtHead(f"The database at {where} has no ictbot schema yet. {UPGRADE_HINT}")
    if unknown:
        raise SchemaNotAtHead(
            f"The database at {where} is at schema revision {_revisions(unknown)}, which this version of ictbot "
            "does not know: a newer ictbot has migrated it. Run that version (or a newer one)."
        )
    raise SchemaNotAtHead(
        f"The database at {where} is at schema revision {_revisions(current)}, but this version of ictbot "
        f"needs {_revisions(expected)}. {UPGRADE_HINT}"
    )


def _revisions(revs: frozenset[str]) -> str:
    return ", ".join(sorted(revs))


# -- running ---------------------------------------------------------------------------------------
def server_config(app: Starlette, *, host: str, port: int) -> uvicorn.Config:
    """How production runs the ASGI app (also what the end-to-end test starts)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # keep ictbot's logging configuration (and its secret redaction)
        proxy_headers=True,  # behind a TLS-terminating proxy; trusted from FORWARDED_ALLOW_IPS only
        access_log=False,  # request lines add nothing Slack's retries would not; errors are logged
        ws="none",  # no route takes a WebSocket: their protocol (the websockets package) is not loaded
        timeout_graceful_shutdown=10,
    )


def serve(settings: Settings, *, host: str, port: int) -> None:
    """Serve Slack (and Teams, with the TEAMS_* settings) over HTTP until interrupted. Run more instances
    for more capacity. Either platform may be configured alone."""
    slack = settings.oauth_enabled or settings.SLACK_BOT_TOKEN is not None or settings.SLACK_SIGNING_SECRET is not None
    if slack and not settings.oauth_enabled:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", purpose="ictbot serve")
    if not slack and not settings.teams_enabled:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set; it is required for ictbot serve "
            "(or set TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID to serve Microsoft Teams)."
        )
    runtime = Runtime.from_settings(settings)
    scheduler: BackgroundScheduler | None = None
    try:
        require_schema_at_head(runtime.engine)
        bolt_app = create_app(runtime) if slack else None
        teams_routes: list[BaseRoute] = []
        if settings.teams_enabled:
            from handlers.teams.app import MESSAGES_PATH, create_teams_app  # the Teams SDK: ~45 MiB, only for Teams

            teams_routes = create_teams_app(runtime).routes
            log.info("ictbot serving Microsoft Teams on http://%s:%d%s", host, port, MESSAGES_PATH)
        app = asgi_app(runtime, bolt_app, extra_routes=teams_routes)
        scheduler = start_reminders(runtime, bolt_app.client if bolt_app is not None else None)
        if bolt_app is not None:
            log.info("ictbot serving Slack on http://%s:%d%s", host, port, SLACK_EVENTS_PATH)
            if bolt_app.oauth_flow is not None:
                log.info("multi-workspace install: http://%s:%d%s", host, port, bolt_app.oauth_flow.install_path)
        settle_heap()
        run_asgi(app, host=host, port=port, what="ictbot serve")
    finally:
        stop_reminders(scheduler)
        close_engine(runtime.engine)  # on SQLite, the write-ahead log into the database file


def settle_heap() -> None:
    """Keep what start-up built (modules, the app, the templates: most of the process) out of the garbage
    collector's full passes, which otherwise walk all of it now and then and stall every request in flight
    (a 200 ms stall in the load benchmark). Call it once start-up is done, just before serving."""
    gc.collect()
    gc.freeze()


def run_asgi(app: Starlette, *, host: str, port: int, what: str) -> None:
    server = uvicorn.Server(server_config(app, host=host, port=port))
    with stopped_by_sigterm() as stop:
        server.run()
    if (
        not server.started and not stop.signalled
    ):  # as uvicorn.run does: e.g. the port is taken (uvicorn has logged why)
        raise ConfigError(f"{what} could not start listening on {host}:{port}; see the log above.")


def socket_mode(settings: Settings) -> None:
    """Connect to Slack over Socket Mode (no public URL needed) until interrupted."""
    settings.require("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", purpose="Socket Mode")
    assert settings.SLACK_APP_TOKEN is not None
    runtime = Runtime.from_settings(settings)
    scheduler: BackgroundScheduler | None = None
    try:
        require_schema_at_head(runtime.engine)
        bolt_app = create_app(runtime, socket_mode=True)
        scheduler = start_reminders(runtime, bolt_app.client)
        log.info("ictbot connecting to Slack over Socket Mode")
        handler = SocketModeHandler(bolt_app, settings.SLACK_APP_TOKEN.get_secret_value())
        settle_heap()
        try:
            with stopped_by_sigterm():
                handler.start()  # type: ignore[no-untyped-call]  # blocks; Bolt leaves this one unannotated
        except SlackApiError as exc:  # apps.connections.open, the first thing start() does, refused the token
            error = exc.response.get("error") if exc.response is not None else None
            raise ConfigError(
                f"Slack refused SLACK_APP_TOKEN ({error or 'no reason given'}): check the app-level token "
                "(Basic Information → App-Level Tokens, xapp-…, with connections:write)."
            ) from None
        finally:
            close_socket_mode(handler)  # Slack sees the connection close at once, not at its next ping
    finally:
        stop_reminders(scheduler)
        close_engine(runtime.engine)


def close_socket_mode(handler: SocketModeHandler) -> None:
    """Close the Socket Mode connection and stop its threads.

    slack_sdk's ``close()`` races its own session runner: the runner can start receiving again between
    ``close()`` marking the session over and the socket closing, mark it live again, and then wait for ever
    on the closed socket, and ``close()`` with it. Stopping the runner's loop first closes that window."""
    runner = getattr(handler.client, "current_session_runner", None)
    if runner is not None:
        runner.event.set()  # its loop ends once the session it is in ends
    handler.close()  # type: ignore[no-untyped-call]


class _Stopped(Exception):
    """SIGTERM arrived."""


@dataclass
class SigtermStop:
    """Whether the block :func:`stopped_by_sigterm` guarded was ended by SIGTERM."""

    signalled: bool = False


@contextmanager
def stopped_by_sigterm() -> Iterator[SigtermStop]:
    """Make SIGTERM (how systemd, Docker and Kubernetes stop a service) a clean stop: the block ends, and the
    caller's clean-up runs (the scheduler stopped, the SQLite log checkpointed), then the command exits 0.

    Python's default for SIGTERM ends the process on the spot, clean-up and all. uvicorn handles SIGTERM
    itself while it serves (it finishes the requests in flight, for up to ``timeout_graceful_shutdown``) and
    then raises the signal again once it has put back the handler it found: this one.
    """
    stop = SigtermStop()
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield stop
        return

    def on_sigterm(signum: int, _frame: FrameType | None) -> None:
        raise _Stopped(signum)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield stop
    except _Stopped:
        stop.signalled = True
        log.info("stopped by SIGTERM")
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- serving Teams on its own ----------------------------------------------------------------------
def serve_teams(settings: Settings, *, host: str, port: int) -> None:
    """``ictbot teams``: serve Microsoft Teams only (``POST /api/messages``, ``GET /healthz``) until interrupted.

    Runs the reminder scheduler too (unless ``ICTBOT_SCHEDULER`` is off); with no Slack configured, a Slack
    workspace's reminders in the same database are recorded as failed (`ictbot serve` with both sends both).
    """
    from handlers.teams.app import MESSAGES_PATH, create_teams_app  # the Teams SDK: only for Teams

    settings.require("TEAMS_CLIENT_ID", "TEAMS_CLIENT_SECRET", "TEAMS_TENANT_ID", purpose="ictbot teams")
    runtime = Runtime.from_settings(settings)
    scheduler = None
    try:
        require_schema_at_head(runtime.engine)
        app = asgi_app(runtime, None, extra_routes=create_teams_app(runtime).routes)
        scheduler = start_reminders(runtime, None)
        log.info("ictbot serving Microsoft Teams on http://%s:%d%s", host, port, MESSAGES_PATH)
        run_asgi(app, host=host, port=port, what="ictbot teams")
    finally:
        stop_reminders(scheduler)
        close_engine(runtime.engine)
