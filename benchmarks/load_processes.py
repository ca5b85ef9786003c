"""The processes the load benchmark starts besides ``ictbot serve``: the honest floor, the bare Bolt app,
and Slack.

Each runs as a subprocess of its own (``python -m benchmarks.load_processes floor|bare|standin``) so that
it has its own interpreter and GIL, and so that the baselines' memory is that of a Bolt app alone: this
module imports nothing of ictbot's but the Slack stand-in and ``handlers.slack.ack_wait`` (the standard
library and slack-bolt only), and the floor reaches the database with the DB-API driver alone.

- ``floor``: the honest floor, the same unavoidable work as ictbot's ``/ict-update`` done by hand. The
  bare app below, whose ``/ict-update`` listener reads the quick form's reference and RAG, sends one
  SELECT of the project and its owner and one INSERT of the update (``progress_update``), then commits,
  with plain DB-API calls (``sqlite3`` with ictbot's pragmas, or ``psycopg``; one connection per worker
  thread, made on its first request; each driver opens its transaction as it does under SQLAlchemy),
  and acknowledges with an ephemeral message naming the project and its RAG, as ictbot's first line
  does. No ORM, no template, no Block Kit model, and none of what ictbot adds (the workspace row, the
  request log and retry dedupe, the revision row, roles, Home, the dispatch gate): that is what the
  benchmark measures as ictbot's overhead. The workspace's id is read once at start-up.
- ``bare`` (measured with ``--bare``; the floor is built on it): the framework alone. A minimal Bolt app
  (the same slack-bolt, request verification on, the signing secret and bot token from the environment as
  ``ictbot serve`` takes them, its Web API client pointed at ``SLACK_API_URL``) whose ``/ict-update``
  listener only acknowledges. It is served as ``bot.server`` serves ictbot: a Starlette app whose ``POST
  /slack/events`` hands the request to ``App.dispatch`` on a worker thread (:func:`bare_asgi_app` is
  ``bot.server.asgi_app``'s code), with ictbot's listener executor (``handlers.slack.ack_wait``), run by
  uvicorn with the settings of ``bot.server.server_config`` (:func:`bare_config`). Its ``/healthz``
  answers without a database, as it has none. One difference, in the bare app's favour: its requests go
  straight to Starlette's thread pool, not through ictbot's ``handlers.slack.dispatch_gate``, which would
  cost it a quarter of its throughput (its whole dispatch is shorter than the hand-offs; two at a time
  leave its loop waiting). Both baselines are at their best.
- ``standin``: ``bot.dev.standin.SlackStandIn`` on a loopback port. It prints ``{"base_url": …, "api_url":
  …}`` on a line, then answers commands read from stdin, one a line, each with one JSON line:
  ``count`` (calls per method so far), ``replies`` (every post to a response_url: ``[key, text]``),
  ``posts`` (the channel of every chat.postMessage), ``quit``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sqlite3
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import uvicorn
from slack_bolt import Ack, App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.dev.standin import SlackStandIn
from handlers.slack.ack_wait import AckAwaitingExecutor, signal_ack
from handlers.slack.direct_middleware import direct

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


# -- the bare Bolt app -------------------------------------------------------------------------------


def bare_bolt_app(*, token: str, signing_secret: str, api_url: str, listen: bool = True) -> App:
    """A Bolt app that only acknowledges ``/ict-update``: what any Bolt app costs before it does anything
    (``listen=False``: without the listener, for the floor's own)."""
    app = App(
        client=WebClient(token=token, base_url=api_url, timeout=10),
        signing_secret=signing_secret,
        request_verification_enabled=True,
        token_verification_enabled=True,  # as ictbot's: auth.test once at start-up (against the stand-in)
        listener_executor=AckAwaitingExecutor(),  # as ictbot's: the request returns at the ack, no 10 ms look
        logger=logging.getLogger("bare.bolt"),
    )
    app.middleware(direct(signal_ack))  # as ictbot installs it (handlers.slack.direct_middleware)
    if listen:

        @app.command("/ict-update")
        def acknowledge(ack: Ack) -> None:
            ack()

    return app


def bare_asgi_app(bolt_app: App) -> Starlette:
    """``bot.server.asgi_app``'s Slack route, line for line, and a health check without a database."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        try:
            bolt_request = to_bolt_request(request, body)
        except UnicodeDecodeError:
            return PlainTextResponse("the request body is not UTF-8", status_code=400)
        bolt_response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})

    return Starlette(
        routes=[Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"]), Route(HEALTH_PATH, healthz, methods=["GET"])]
    )


def bare_config(app: Starlette, *, host: str, port: int) -> uvicorn.Config:
    """``bot.server.server_config``'s settings (``tests/test_benchmarks.py`` checks that they agree)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        access_log=False,
        timeout_graceful_shutdown=10,
        ws="none",
    )


def serve_bare(host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = bare_bolt_app(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        api_url=os.environ["SLACK_API_URL"],
    )
    uvicorn.Server(bare_config(bare_asgi_app(app), host=host, port=port)).run()


# -- the honest floor ---------------------------------------------------------------------------------

RAG_WORDS = {"g": "green", "green": "green", "a": "amber", "amber": "amber", "r": "red", "red": "red"}
QUICK_FORM = re.compile(r"\s*(?P<ref>\S+)\s+(?P<rag>\S+)\s+\S")  # REF RAG progress …


class FloorDatabase:
    """The floor's database: one DB-API connection per thread, the workspace's id read once."""

    def __init__(self, url: str, team_id: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self._local = threading.local()
        self._all: list[Any] = []  # every thread's connection, closed by close()
        self._lock = threading.Lock()
        self.placeholder = "?" if self.sqlite else "%s"
        row = self._one("SELECT id FROM workspace WHERE platform = 'slack' AND external_id = {p}", team_id)
        if row is None:
            raise RuntimeError(f"no workspace {team_id} in {url}")
        self.workspace_id = int(row[0])

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.sqlite:
                path = unquote(urlsplit(self.url).path)[1:]  # sqlite:///relative or sqlite:////absolute
                conn = sqlite3.connect(path, check_same_thread=False)
                for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
                    conn.execute(f"PRAGMA {pragma}")  # models.db.make_engine's, as ictbot's connections have
            else:
                import psycopg

                conn = psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://", 1))
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()

    def _one(self, sql: str, *params: Any) -> Any:
        conn = self._connection()
        cur = conn.execute(sql.format(p=self.placeholder), params)
        row = cur.fetchone()
        conn.commit()
        return row

    def store(self, ref: str, user: str) -> tuple[bool, str]:
        """(True, the project's title) when the update is stored; else (False, why not)."""
        p, now = self.placeholder, datetime.now(UTC)
        select = f"SELECT id, title, owner_user_id FROM project WHERE workspace_id = {p} AND ref = {p}"  # noqa: S608
        columns = "workspace_id, project_id, author_user_id, source, created_at"
        insert = f"INSERT INTO progress_update ({columns}) VALUES ({p}, {p}, {p}, {p}, {p})"  # noqa: S608
        # SQLite's column holds SQLAlchemy's text form of the naive UTC time, as ictbot writes it
        created = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else now
        conn = self._connection()
        try:
            row = conn.execute(select, (self.workspace_id, ref)).fetchone()
            if row is None or row[2] != user:
                conn.rollback()
                if row is None:
                    return False, f"There is no project `{ref}`."
                return False, f"Only the owner of {ref} can post its update."
            conn.execute(insert, (self.workspace_id, row[0], user, "command", created))
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        return True, str(row[1])


def floor_bolt_app(*, token: str, signing_secret: str, api_url: str, database: FloorDatabase) -> App:
    """The bare app below whose ``/ict-update`` stores the update by hand and says so in its ack."""
    app = bare_bolt_app(token=token, signing_secret=signing_secret, api_url=api_url, listen=False)

    @app.command("/ict-update")
    def store(ack: Ack, command: dict[str, Any]) -> None:
        form = QUICK_FORM.match(command.get("text") or "")
        rag = RAG_WORDS.get(form["rag"].lower()) if form else None
        if form is None or rag is None:
            ack(response_type="ephemeral", text="Use `/ict-update REF RAG progress`.")
            return
        ref = form["ref"].upper()
        stored, title_or_why = database.store(ref, command["user_id"])
        if not stored:
            ack(response_type="ephemeral", text=title_or_why)
            return
        ack(response_type="ephemeral", text=f":white_check_mark: Update saved for {ref} {title_or_why}: {rag.title()}")

    return app


def serve_floor(host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    database = FloorDatabase(os.environ["DATABASE_URL"], os.environ["LOAD_TEAM_ID"])
    app = floor_bolt_app(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        api_url=os.environ["SLACK_API_URL"],
        database=database,
    )
    try:
        uvicorn.Server(bare_config(bare_asgi_app(app), host=host, port=port)).run()
    finally:
        database.close()


# -- the Slack stand-in --------------------------------------------------------------------------------


def run_standin(team_id: str, team_name: str) -> None:
    """Serve the stand-in until stdin says ``quit`` (or closes), answering the commands it reads there."""
    with SlackStandIn(team_id=team_id, team_name=team_name) as standin:
        print(json.dumps({"base_url": standin.base_url, "api_url": standin.api_url}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                counts = Counter(c.method for c in list(standin.calls))  # a copy: the list grows meanwhile
                print(json.dumps(counts), flush=True)
            elif command == "replies":
                replies = [[c.key, str(c.params.get("text", ""))] for c in standin.calls_to("response_url")]
                print(json.dumps(replies), flush=True)
            elif command == "posts":
                posts = [str(c.params.get("channel", "")) for c in standin.calls_to("chat.postMessage")]
                print(json.dumps(posts), flush=True)
            elif command == "quit":
                break
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_processes", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="process", required=True)
    for name, what in (
        ("bare", "the bare Bolt app (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL)"),
        ("floor", "the honest floor (the same and DATABASE_URL, LOAD_TEAM_ID: the workspace's team ID)"),
    ):
        server = sub.add_parser(name, help=what)
        server.add_argument("--host", default="127.0.0.1")
        server.add_argument("--port", type=int, required=True)
    standin = sub.add_parser("standin", help="the Slack stand-in, driven over stdin")
    standin.add_argument("--team-id", required=True)
    standin.add_argument("--team-name", default="Load council")
    a = parser.parse_args(argv)
    if a.process == "bare":
        serve_bare(a.host, a.port)
    elif a.process == "floor":
        serve_floor(a.host, a.port)
    else:
        run_standin(a.team_id, a.team_name)


if __name__ == "__main__":
    main()
