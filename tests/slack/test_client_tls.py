"""Every call to Slack goes out on the process's one TLS context: without it, urllib makes a context for each
call and loads the CA certificates again (about 20 ms of CPU a call)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.dev.local import InlineExecutor, LocalSlack
from bot.scheduling.pace import Paces
from handlers.slack.app import create_app
from handlers.slack.client import tls, web_client, web_client_without_token
from handlers.slack.delivery.reminders import delivery_client
from handlers.slack.tokens import client_with
from tests.conftest import BOT_TOKEN, SIGNING_SECRET


@pytest.fixture
def closed_https_url() -> str:
    """An https:// API URL on a port nothing listens on: a call fails at the connection, after urllib has
    chosen its TLS context."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"https://127.0.0.1:{port}/api/"


@pytest.fixture
def contexts_made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ssl.SSLContext]]:
    """The TLS contexts http.client makes for connections given none."""
    tls()  # the shared one, made before counting
    made: list[ssl.SSLContext] = []
    default = ssl._create_default_https_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        context = default(*args, **kwargs)  # type: ignore[arg-type]
        made.append(context)
        return context

    monkeypatch.setattr(ssl, "_create_default_https_context", counted)
    yield made


def call_once(client: WebClient) -> None:
    client.retry_handlers = []  # one attempt: a refused connection is retried after a backoff otherwise
    with pytest.raises((SlackClientError, OSError)):
        client.auth_test()


def test_a_call_over_https_makes_no_tls_context_of_its_own(closed_https_url, contexts_made):
    for client in (
        web_client(BOT_TOKEN, closed_https_url),
        client_with(web_client_without_token(closed_https_url), BOT_TOKEN),
        delivery_client(web_client(BOT_TOKEN, closed_https_url), Paces(None)),
    ):
        assert client.ssl is tls()
        call_once(client)
    assert contexts_made == []

    call_once(WebClient(token=BOT_TOKEN, base_url=closed_https_url))  # slack_sdk's own default: one a call
    assert len(contexts_made) == 1


def test_a_client_of_a_plain_http_stand_in_makes_no_context():
    assert web_client(BOT_TOKEN, "http://127.0.0.1:9/api/").ssl is None


def test_bolt_passes_the_context_on_to_each_request_s_client_and_respond(runtime, standin):
    client = web_client(BOT_TOKEN, standin.api_url)
    client.ssl = tls()  # as web_client gives an https:// client; the stand-in speaks plain HTTP
    app = create_app(runtime, client=client, listener_executor=InlineExecutor())
    slack = LocalSlack(
        app=app, signing_secret=SIGNING_SECRET, response_url=standin.response_url, team_id=standin.team_id
    )
    assert slack.app.client.ssl is tls()
    ssl_seen: list[object] = []

    @slack.app.command("/tls-probe")
    def probe(ack, client, respond):  # type: ignore[no-untyped-def]
        ssl_seen.extend([client.ssl, respond.ssl])
        ack()

    assert slack.command("/tls-probe", user_id="U0OWNER").status == 200
    assert ssl_seen == [tls(), tls()]
