"""The two processes the load benchmark starts besides ``ictbot serve``: the bare Bolt app, and Slack.

Each runs as a subprocess of its own (``python -m benchmarks.load_processes bare|standin``) so that it
has its own interpreter and GIL, and so that the bare app's memory is that of a Bolt app alone: this
module imports nothing of ictbot's but the Slack stand-in and ``handlers.slack.ack_wait`` (the standard library and
slack-bolt only).

- ``bare``: the baseline. A minimal Bolt app (the same slack-bolt, request verification on, the
  signing secret and bot token from the environment as ``ictbot serve`` takes them, its Web API client
  pointed at ``SLACK_API_URL``) whose ``/ict-update`` listener only acknowledges. It is served as
  ``bot.server`` serves ictbot: a Starlette app whose ``POST /slack/events`` hands the request to
  ``App.dispatch`` on a worker thread (:func:`bare_asgi_app` is ``bot.server.asgi_app``'s code), with
  ictbot's listener executor (``handlers.slack.ack_wait``), run by uvicorn with the settings of
  ``bot.server.server_config`` (:func:`bare_config`). Its ``/healthz`` answers without a database, as
  it has none. One difference, in the bare app's favour: its requests go straight to Starlette's thread
  pool, not through ictbot's ``handlers.slack.dispatch_gate``, which would cost it a quarter of its throughput
  (its whole dispatch is shorter than the hand-offs; two at a time leave its loop waiting). The
  baseline is the bare app at its best.
- ``standin``: ``bot.dev.standin.SlackStandIn`` on a loopback port. It prints ``{"base_url": …, "api_url":
  …}`` on a line, then answers commands read from stdin, one a line, each with one JSON line:
  ``count`` (calls per method so far), ``replies`` (every post to a response_url: ``[key, text]``),
  ``quit``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Sequence

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

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


# -- the bare Bolt app -------------------------------------------------------------------------------


def bare_bolt_app(*, token: str, signing_secret: str, api_url: str) -> App:
    """A Bolt app that only acknowledges ``/ict-update``: what any Bolt app costs before it does anything."""
    app = App(
        client=WebClient(token=token, base_url=api_url, timeout=10),
        signing_secret=signing_secret,
        request_verification_enabled=True,
        token_verification_enabled=True,  # as ictbot's: auth.test once at start-up (against the stand-in)
        listener_executor=AckAwaitingExecutor(),  # as ictbot's: the request returns at the ack, no 10 ms look
        logger=logging.getLogger("bare.bolt"),
    )
    app.middleware(signal_ack)

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
    )


def serve_bare(host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = bare_bolt_app(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        api_url=os.environ["SLACK_API_URL"],
    )
    uvicorn.Server(bare_config(bare_asgi_app(app), host=host, port=port)).run()


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
            elif command == "quit":
                break
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_processes", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="process", required=True)
    bare = sub.add_parser("bare", help="the bare Bolt app (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL)")
    bare.add_argument("--host", default="127.0.0.1")
    bare.add_argument("--port", type=int, required=True)
    standin = sub.add_parser("standin", help="the Slack stand-in, driven over stdin")
    standin.add_argument("--team-id", required=True)
    standin.add_argument("--team-name", default="Load council")
    a = parser.parse_args(argv)
    if a.process == "bare":
        serve_bare(a.host, a.port)
    else:
        run_standin(a.team_id, a.team_name)


if __name__ == "__main__":
    main()
