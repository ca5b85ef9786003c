"""Slack's side of Socket Mode on loopback: the WebSocket that ``apps.connections.open`` hands out.

It speaks Slack's documented wire format ("Using Socket Mode", docs.slack.dev/apis/events-api/using-socket-mode):

* the app calls ``apps.connections.open`` with its app-level token (answered by :class:`bot.dev.standin.SlackStandIn`,
  whose ``socket_url`` is :attr:`SocketModeStandIn.url`) and opens the URL it gets;
* Slack greets each connection with ``{"type": "hello", "connection_info": {"app_id": ...}, "num_connections": 1,
  "debug_info": {...}}``;
* each request then arrives as a text frame holding an envelope ``{"envelope_id": ..., "type": "slash_commands" |
  "interactive" | "events_api", "accepts_response_payload": ..., "payload": {...}}``, where the payload is what
  HTTP mode would have posted (a slash command's form fields as a JSON object; an interaction's ``payload``);
* the app acknowledges each envelope over the same socket with ``{"envelope_id": ..., "payload": {...}}``, the
  payload optional (a ``response_action`` for a view submission, say).

Slack's servers also ping the client (the Node SDK's ``serverPingTimeout`` waits for those pings). Here they come
every ``ping_interval`` seconds, which also keeps slack_sdk's built-in client from sitting in a blocking read for
long, so that its ``close()`` returns promptly. The URL is plain ``ws://``: slack_sdk's built-in client only wraps
the socket in TLS on port 443, and connects without TLS on any other port.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from http import HTTPStatus
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

SLASH_COMMANDS = "slash_commands"
INTERACTIVE = "interactive"


class SocketModeStandIn:
    def __init__(self, *, app_id: str = "A0ICTBOT", host: str = "127.0.0.1", ping_interval: float = 0.2) -> None:
        self.app_id = app_id
        self.host = host
        self.port = 0
        self.ping_interval = ping_interval
        self.ticket = uuid.uuid4().hex
        self.received: list[dict[str, Any]] = []  # every frame the app sent, parsed (its acknowledgements)
        self.connections_made = 0
        self._cond = threading.Condition()
        self._open: list[ServerConnection] = []
        self._ids = itertools.count(1)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> SocketModeStandIn:
        self._server = serve(
            self._serve,
            self.host,
            0,
            process_request=self._check_ticket,
            ping_interval=self.ping_interval,
            ping_timeout=None,  # the pings are a heartbeat here; a slow pong must not drop the connection
            close_timeout=2,
        )
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection (1001, going away) and stop listening; waits for the handlers to end."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> SocketModeStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """What ``apps.connections.open`` answers, shaped like Slack's ``wss://wss-primary.slack.com/link/?ticket=…``."""
        return f"ws://{self.host}:{self.port}/link/?ticket={self.ticket}&app_id={self.app_id}"

    # -- Slack's side of the conversation -------------------------------------------------------
    def wait_connected(self, timeout: float = 10.0) -> None:
        """Block until an app holds an open connection (and has been sent ``hello``)."""
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._open), timeout):
                raise TimeoutError(f"no app connected to the Socket Mode stand-in within {timeout}s")

    def send_envelope(self, type_: str, payload: dict[str, Any], *, accepts_response_payload: bool = True) -> str:
        """Deliver ``payload`` to the connected app as Slack does; returns the envelope's id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": type_,
            "accepts_response_payload": accepts_response_payload,
            "payload": payload,
        }
        with self._cond:
            if not self._open:
                raise RuntimeError("no app is connected to the Socket Mode stand-in")
            connection = self._open[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str,
        response_url: str,
        team_id: str,
        team_domain: str = "darlington",
        channel_id: str = "C0GOVERN",
    ) -> str:
        """A slash command, its text escaped as Slack escapes it (&, <, >), in a ``slash_commands`` envelope."""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        payload = {
            "token": "local-verification-token",
            "team_id": team_id,
            "team_domain": team_domain,
            "channel_id": channel_id,
            "channel_name": "ict-governance",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": escaped,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{next(self._ids)}.{int(time.time())}.sockettrigger",
        }
        return self.send_envelope(SLASH_COMMANDS, payload)

    def interactive(self, payload: dict[str, Any]) -> str:
        """An interaction (``block_actions``, ``view_submission``, ...) in an ``interactive`` envelope."""
        return self.send_envelope(INTERACTIVE, payload)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The frame with which the app acknowledged ``envelope_id`` (or fail after ``timeout``)."""

        def ack() -> dict[str, Any] | None:
            return next((m for m in self.received if m.get("envelope_id") == envelope_id), None)

        with self._cond:
            found = self._cond.wait_for(ack, timeout)
            if found is None:
                raise TimeoutError(f"the app did not acknowledge envelope {envelope_id}; it sent {self.received}")
            return found

    # -- the server -------------------------------------------------------------------------------
    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        if not request.path.startswith("/link/") or f"ticket={self.ticket}" not in request.path:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")
        return None

    def _serve(self, connection: ServerConnection) -> None:
        with self._cond:
            self.connections_made += 1
            self._open.append(connection)
            hello = self._hello(num_connections=len(self._open))
        connection.send(json.dumps(hello))
        with self._cond:
            self._cond.notify_all()
        try:
            for frame in connection:
                message = json.loads(frame)
                with self._cond:
                    self.received.append(message)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass  # the app closed its socket without a close frame, as slack_sdk's built-in client does
        finally:
            with self._cond:
                self._open.remove(connection)
                self._cond.notify_all()

    def _hello(self, *, num_connections: int) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {
                "host": "applink-standin",
                "started": time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime()),
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
