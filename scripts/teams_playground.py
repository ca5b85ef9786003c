"""Talk to `ictbot teams` through the Microsoft 365 Agents Playground, offline, with no Azure credentials.

    .venv/bin/python scripts/teams_playground.py                 # open http://localhost:56150 and chat
    .venv/bin/python scripts/teams_playground.py --say help --say mine   # send, print the replies, stop

Not part of CI (it needs Node.js and the npm package @microsoft/m365agentsplayground). The Playground
(npm @microsoft/m365agentsplayground) runs on loopback without the internet, but it signs nothing: with
no credentials it POSTs activities with no Authorization header, and with --client-id/--client-secret
it asks login.microsoftonline.com for a token, which needs the internet. `ictbot teams` refuses an
unsigned activity (401), as it must. So this script puts a relay between them:

    Playground ──activity──▶ relay (adds a JWT signed by bot.dev.teams_standin's key) ──▶ ictbot teams
    Playground ◀──reply──── relay (records it) ◀── ictbot teams (token from the stand-in's Entra ID)

`ictbot teams` runs with TEAMS_CLOUD_URL at a bot.dev.teams_standin.TeamsStandIn (the Entra ID token
endpoint and Bot Framework signing keys), on a SQLite database in a temporary folder. Every activity
each way is printed. The Playground does not read the app manifest, so its command menu is not shown
there (Microsoft's Playground README says so); type the commands.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bot.dev.teams_standin import TeamsStandIn

ROOT = Path(__file__).resolve().parents[1]
PLAYGROUND = "npx --yes @microsoft/m365agentsplayground@0.2.28"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310  # loopback, our own URL
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"teams_playground: {what} did not start at {url} within {seconds:.0f} s")


def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310  # loopback
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Relay:
    """``/api/messages`` → the bot, signed; ``/_connector/…`` → the Playground's connector, recorded."""

    def __init__(self, standin: TeamsStandIn, bot_url: str, port: int) -> None:
        self.standin, self.bot_url, self.port = standin, bot_url, port
        self.playground_connector = ""  # set once the Playground's port is known
        self.replies: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:  # the Playground probes the bot's endpoint with HEAD
                self.send_response(200)
                self.end_headers()

            def do_POST(self) -> None:
                relay.forward(self, "POST")

            def do_PUT(self) -> None:
                relay.forward(self, "PUT")

            def do_GET(self) -> None:
                relay.forward(self, "GET")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/_connector"

    def forward(self, req: BaseHTTPRequestHandler, method: str) -> None:
        raw = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else {}
        if req.path == "/api/messages":
            print(f"→ ictbot: {body.get('type')} {body.get('text') or body.get('value') or ''!r}", flush=True)
            token = self.standin.mint(service_url=body.get("serviceUrl"))
            status, answer = post(self.bot_url, body, {"Authorization": f"Bearer {token}"})
            if status >= 400:
                print(f"  ictbot answered {status}: {answer.decode(errors='replace')[:300]}", flush=True)
        else:
            with self.lock:
                self.replies.append(body)
            text = body.get("text") or ""
            cards = [a.get("contentType") for a in body.get("attachments") or []]
            print(f"← ictbot: {body.get('type')} {text!r}{f' with {cards}' if cards else ''}", flush=True)
            request = urllib.request.Request(  # noqa: S310  # loopback
                self.playground_connector + req.path.removeprefix("/_connector"),
                data=raw or None,
                method=method,
                headers={"Content-Type": "application/json", "Authorization": req.headers.get("Authorization", "")},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    status, answer = response.status, response.read()
            except urllib.error.HTTPError as exc:
                status, answer = exc.code, exc.read()
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(answer)))
        req.end_headers()
        req.wfile.write(answer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--say", action="append", default=[], help="send this as the user, print the replies; repeat")
    parser.add_argument("--port", type=int, default=56150, help="the Playground's port (its web page)")
    parser.add_argument("--playground", default=PLAYGROUND, help=f"how to start the Playground (default: {PLAYGROUND})")
    parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for the replies to each --say")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ictbot-playground-"))
    standin = TeamsStandIn().start()
    bot_port, relay_port = free_port(), free_port()
    env = {**os.environ, **standin.env(), "DATABASE_URL": f"sqlite:///{work / 'ictbot.db'}", "ICTBOT_SCHEDULER": "off"}
    ictbot = str(ROOT / ".venv" / "bin" / "ictbot")
    subprocess.run([ictbot, "db", "upgrade"], env=env, check=True)  # noqa: S603
    children: list[subprocess.Popen[bytes]] = []
    try:
        children.append(subprocess.Popen([ictbot, "teams", "--port", str(bot_port)], env=env, start_new_session=True))  # noqa: S603
        wait_for(f"http://127.0.0.1:{bot_port}/healthz", 30, "ictbot teams")
        relay = Relay(standin, f"http://127.0.0.1:{bot_port}/api/messages", relay_port)
        relay.playground_connector = f"http://127.0.0.1:{args.port}/_connector"
        playground_env = {
            **os.environ,
            "TEAMSAPPTESTER_BROWSER": "none" if args.say else os.environ.get("TEAMSAPPTESTER_BROWSER", ""),
            "M365_AGENTS_PLAYGROUND_LOGFILE": str(work / "playground.log"),
        }
        command = [
            *shlex.split(args.playground),
            "start",
            "--app-endpoint",
            f"http://127.0.0.1:{relay_port}/api/messages",
            "--channel-id",
            "msteams",
            "--port",
            str(args.port),
            "--service-url",
            relay.service_url,
            "--disable-telemetry",
        ]
        children.append(subprocess.Popen(command, env=playground_env, cwd=work, start_new_session=True))  # noqa: S603
        base = f"http://127.0.0.1:{args.port}"
        wait_for(f"{base}/_internal/v1/config", 120, "the Agents Playground")
        print(f"Agents Playground: {base} (log {work / 'playground.log'})", flush=True)
        if not args.say:
            children[-1].wait()
            return 0
        with urllib.request.urlopen(f"{base}/_internal/v1/config", timeout=10) as response:  # noqa: S310
            config = json.load(response)["config"]
        chat, user = config["personalChat"]["id"], config["currentUser"]["id"]
        for text in args.say:
            before = len(relay.replies)
            status, answer = post(
                f"{base}/_conversation/v1/conversations/{chat}/messages",
                {"from": {"id": user}, "text": text, "textFormat": "plain"},
            )
            if status != 200:
                print(f"The Playground refused the message ({status}): {answer.decode(errors='replace')}")
                return 1
            deadline = time.monotonic() + args.wait
            while time.monotonic() < deadline and len(relay.replies) == before:
                time.sleep(0.2)
            if len(relay.replies) == before:
                print(f"No reply to {text!r} within {args.wait:.0f} s.")
                return 1
            time.sleep(0.5)  # a second reply (e.g. a card after a text) may follow
        return 0
    finally:
        for child in reversed(children):  # each in a session of its own: npx's node goes with it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        standin.stop()


if __name__ == "__main__":
    sys.exit(main())
