"""What a request must pass before anything reads it (issue 12, items 1 and 2, and the team-less command).

- A request whose signature cannot be verified, for whatever reason, is answered 401 before any of its
  fields is used: it stores nothing and the server calls no URL it carried (the stand-in, which is every
  request's ``response_url`` here, must receive nothing).
- A signed request whose body is not a Slack payload is a 400, and writes nothing.
- A body larger than Slack can send is a 413, refused without reading it whole, on every route.
- A signed request that names no workspace is a 400, and writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import pytest
from slack_bolt import BoltContext, BoltRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; the dev extra pins httpx, which still works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from bot.dev.local import LocalSlack, view_state
from bot.dev.standin import SlackStandIn
from bot.errors import NoTeam
from bot.logging_setup import configure
from bot.runtime import Runtime
from bot.server import asgi_app
from bot.services.projects import ProjectView
from bot.services.quickform import MAX_NEXT_STEPS, MAX_PROGRESS, MAX_RISKS, UpdateText
from handlers.slack import request_log
from handlers.slack.app import create_app
from handlers.slack.blocks.ui import MAX_STATIC_OPTIONS, update_modal
from handlers.slack.client import web_client
from handlers.slack.context import team_of
from handlers.slack.errors import handle_error
from handlers.slack.inbound import MAX_BODY_BYTES, VERIFIED_KEY, SlackInbound, is_verified, slack_request
from handlers.slack.replies import APOLOGY
from models import ProgressUpdate, ProjectStatus, Rag, UpdateRevision, Workspace
from models.install import InboundDelivery
from tests.conftest import BOT_TOKEN, OWNER, SIGNING_SECRET
from tests.helpers import count
from tests.test_server import running

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
UPDATE_TEXT = "NET-01 amber Core links upgrade delayed by supplier"


def command_body(slack: LocalSlack, text: str = UPDATE_TEXT) -> str:
    return urlencode(slack.command_form("/ict-update", text, user_id=OWNER))


def signed(body: str | bytes, *, timestamp: str | None = None, content_type: str = FORM) -> dict[str, str]:
    """Headers as Slack would send them; ``timestamp`` may be any text (it is signed as given)."""
    ts = str(int(time.time())) if timestamp is None else timestamp
    raw = body if isinstance(body, bytes) else body.encode()
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"content-type": content_type, "x-slack-request-timestamp": ts, "x-slack-signature": f"v0={digest}"}


def nothing_happened(runtime: Runtime, standin: SlackStandIn) -> None:
    assert standin.calls == [], [c.method for c in standin.calls]  # no response_url, no Web API call
    assert count(runtime, ProgressUpdate) == 0
    assert count(runtime, Workspace) == 0
    assert count(runtime, InboundDelivery) == 0


@pytest.fixture
def http(runtime: Runtime, slack: LocalSlack, standin: SlackStandIn) -> Iterator[TestClient]:
    app = asgi_app(runtime, slack.app)
    standin.clear()  # building the Bolt app called auth.test; from here on, only what requests cause
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


# -- item 1: unverified requests ----------------------------------------------------------------
BAD_TIMESTAMPS = {
    "letters": "x",
    "exponent": "1e9",
    "negative": "-5",
    "plus-sign": f"+{int(time.time())}",
    "spaces": f" {int(time.time())} ",
    "fraction": f"{int(time.time())}.5",
    "underscores": "1_700_000_000",
    "arabic-indic-digits": "١٧٠٠٠٠٠٠٠٠",
    "huge": "9" * 5000,  # int() refuses it outright (more than 4,300 digits)
    "far-future": "99999999999999999999",
    "empty": "",
}


@pytest.mark.parametrize("timestamp", BAD_TIMESTAMPS.values(), ids=BAD_TIMESTAMPS.keys())
def test_a_timestamp_that_is_not_a_recent_unix_time_is_refused_and_calls_nothing(
    http, slack, standin, runtime, timestamp
):
    body = command_body(slack)
    headers = {k: v.encode() for k, v in signed(body, timestamp=timestamp).items()}  # bytes: as sent, in UTF-8
    resp = http.post("/slack/events", content=body, headers=headers)
    assert resp.status_code == 401
    nothing_happened(runtime, standin)


def _without(name: str) -> Any:
    return lambda headers: {k: v for k, v in headers.items() if k != name}


def _with_signature(change: Any) -> Any:
    return lambda headers: {**headers, "x-slack-signature": change(headers["x-slack-signature"])}


UNVERIFIABLE = {
    "no-signature": _without("x-slack-signature"),
    "no-timestamp": _without("x-slack-request-timestamp"),
    "empty-signature": _with_signature(lambda s: ""),
    "other-version": _with_signature(lambda s: "v1=" + s[3:]),
    "upper-case-digest": _with_signature(lambda s: "v0=" + s[3:].upper()),
    "truncated-digest": _with_signature(lambda s: s[:-1]),
    "wrong-digest": _with_signature(lambda s: "v0=" + "0" * 64),
    "two-signatures": _with_signature(lambda s: f"{s},{s}"),
}


@pytest.mark.parametrize("case", UNVERIFIABLE.keys())
def test_a_request_without_a_valid_signature_is_refused_and_calls_nothing(http, slack, standin, runtime, case):
    body = command_body(slack)
    headers = UNVERIFIABLE[case](signed(body))
    resp = http.post("/slack/events", content=body, headers=headers)
    assert resp.status_code == 401
    nothing_happened(runtime, standin)


def test_a_body_that_is_not_utf8_cannot_be_verified(http, slack, standin, runtime):
    body = command_body(slack).encode() + b"&extra=\xff\xfe"
    resp = http.post("/slack/events", content=body, headers=signed(body))
    assert resp.status_code == 401
    nothing_happened(runtime, standin)


def test_an_unsigned_ssl_check_is_refused_and_a_signed_one_is_answered_empty(http, standin, runtime):
    body = "ssl_check=1&token=legacy-verification-token"
    unsigned = http.post("/slack/events", content=body, headers={"content-type": FORM})
    assert unsigned.status_code == 401

    answered = http.post("/slack/events", content=body, headers=signed(body))
    assert answered.status_code == 200 and answered.content == b""
    nothing_happened(runtime, standin)


def test_the_events_api_url_check_needs_no_workspace_but_does_need_a_signature(http, standin, runtime):
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    assert http.post("/slack/events", content=body, headers={"content-type": JSON}).status_code == 401

    answered = http.post("/slack/events", content=body, headers=signed(body, content_type=JSON))
    assert answered.status_code == 200
    assert answered.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    nothing_happened(runtime, standin)


@pytest.mark.parametrize("timestamp", BAD_TIMESTAMPS.values(), ids=BAD_TIMESTAMPS.keys())
def test_the_bolt_app_itself_refuses_an_unverifiable_timestamp_without_calling_out(slack, standin, runtime, timestamp):
    """The local shell hands requests to the Bolt app directly: it verifies them too."""
    standin.clear()
    body = command_body(slack)
    response = slack.app.dispatch(BoltRequest(body=body, headers=signed(body, timestamp=timestamp)))  # type: ignore[arg-type]
    assert response.status == 401
    nothing_happened(runtime, standin)


def test_a_request_over_http_has_its_signature_computed_once(http, slack, runtime, workplan, monkeypatch):
    """The server verifies the raw bytes and marks Bolt's request so; the Bolt app does not check it again."""
    computed: list[str] = []
    original = SignatureVerifier.generate_signature

    def counted(self: SignatureVerifier, **kwargs: Any) -> str | None:
        computed.append(kwargs["timestamp"])
        return original(self, **kwargs)

    monkeypatch.setattr(SignatureVerifier, "generate_signature", counted)
    body = command_body(slack)
    assert http.post("/slack/events", content=body, headers=signed(body)).status_code == 200
    assert len(computed) == 1
    assert count(runtime, ProgressUpdate) == 1


def test_no_field_of_a_body_can_mark_it_verified(slack, standin, runtime):
    """The mark the server sets after its check is not one a request can carry: Bolt's context takes a fixed
    set of the body's fields, so a request handed to the app directly is still checked."""
    standin.clear()
    form = {**slack.command_form("/ict-update", UPDATE_TEXT, user_id=OWNER), VERIFIED_KEY: "true"}
    body = urlencode(form)
    headers = _with_signature(lambda s: "v0=" + "0" * 64)(signed(body))
    request = slack_request(body, headers)
    assert not is_verified(request.context)
    assert slack.app.dispatch(request).status == 401
    nothing_happened(runtime, standin)


def test_our_verification_is_the_first_thing_the_bolt_app_runs(runtime, standin):
    app = create_app(runtime, client=web_client(BOT_TOKEN, standin.api_url))
    first = app._middleware_list[0]
    assert isinstance(first, SlackInbound)
    assert not any(type(m).__name__ in ("RequestVerification", "SslCheck") for m in app._middleware_list)


def test_the_error_handler_answers_only_a_verified_request(slack, standin):
    """Whatever reaches ``app.error`` from a request that was not verified is never answered through it."""
    answered: list[str] = []

    def respond(**kwargs: Any) -> None:
        answered.append(kwargs["text"])

    body = {"command": "/ict-update", "response_url": "http://attacker.example/"}
    handle_error(RuntimeError("boom"), body, BoltContext(), respond)  # type: ignore[arg-type]
    assert answered == []

    handle_error(RuntimeError("boom"), body, BoltContext({VERIFIED_KEY: True}), respond)  # type: ignore[arg-type]
    assert len(answered) == 1 and answered[0].startswith("Sorry")


def test_a_verified_request_that_fails_early_still_gets_its_apology(slack, standin, runtime, monkeypatch):
    """The other side of the mark: a failure in a middleware reaches app.error, which answers a verified request."""

    def broken(body: dict[str, Any]) -> Any:
        raise RuntimeError("the request log broke")

    monkeypatch.setattr(request_log, "kind_and_what", broken)
    standin.clear()
    slack.command("/ict-meeting", "next", user_id=OWNER)
    [apology] = standin.calls_to("response_url")
    assert apology.params["text"] == APOLOGY


# -- item 1: signed but malformed bodies ----------------------------------------------------------
MALFORMED = {
    "payload-null": ("payload=null", FORM),
    "payload-not-json": ("payload=%7Bnot+json", FORM),
    "payload-a-list": ("payload=%5B1%2C2%5D", FORM),
    "payload-a-string": ("payload=%22x%22", FORM),
    "payload-a-number": ("payload=5", FORM),
    "form-sent-as-json": ("token=x&team_id=T0COUNCIL&command=%2Fict-update&text=NET-01", JSON),
    "json-a-list": ("[1, 2]", JSON),
    "json-null": ("null", JSON),
    "json-truncated": ('{"type": "event_callback", "team_id": "T0COUNCIL"', JSON),
    "json-a-string-where-an-object-goes": ('{"type": "block_actions", "team": "T0COUNCIL", "user": 5}', JSON),
}


@pytest.mark.parametrize("case", MALFORMED.keys())
def test_a_signed_body_that_is_not_a_slack_payload_is_a_bad_request(http, standin, runtime, case):
    body, content_type = MALFORMED[case]
    resp = http.post("/slack/events", content=body, headers=signed(body, content_type=content_type))
    assert resp.status_code == 400
    nothing_happened(runtime, standin)


# Bolt's own parse takes any form body holding the word "payload" for an interaction and finds none in a
# command: the command arrived empty and was answered 404. The word is an officer's like any other.
PAYLOAD_TEXT = "NET-01 green The payload=ready payload went live"


def test_a_command_whose_text_holds_the_word_payload_is_stored_over_http(http, slack, standin, runtime, workplan):
    body = command_body(slack, PAYLOAD_TEXT)
    resp = http.post("/slack/events", content=body, headers=signed(body))
    assert resp.status_code == 200
    assert "Update saved" in resp.text
    with runtime.sessions() as s:
        assert s.scalars(select(UpdateRevision.progress)).all() == ["The payload=ready payload went live"]


def test_a_command_whose_text_holds_the_word_payload_is_stored_through_the_app(slack, standin, runtime, workplan):
    assert slack.command("/ict-update", PAYLOAD_TEXT, user_id=OWNER).status == 200
    assert count(runtime, ProgressUpdate) == 1


# -- the team-less command -------------------------------------------------------------------------
@pytest.mark.parametrize("team_id", [None, ""], ids=["absent", "empty"])
def test_a_signed_command_that_names_no_workspace_is_refused_and_writes_nothing(
    http, slack, standin, runtime, workplan, team_id
):
    form = slack.command_form("/ict-meeting", "next", user_id=OWNER)
    form.pop("team_domain")
    if team_id is None:
        form.pop("team_id")
    else:
        form["team_id"] = team_id
    body = urlencode(form)

    resp = http.post("/slack/events", content=body, headers=signed(body))

    assert resp.status_code == 400
    assert standin.calls == []
    with runtime.sessions() as s:
        assert list(s.scalars(select(Workspace.external_id))) == [standin.team_id]  # the Work Plan's own
    assert count(runtime, InboundDelivery) == 0


def test_a_signed_interaction_that_names_no_workspace_is_refused(http, slack, standin, runtime):
    payload = {
        "type": "block_actions",
        "user": {"id": OWNER},
        "trigger_id": "1.2.3",
        "response_url": standin.response_url(),
        "actions": [{"action_id": "x", "action_ts": "1.2", "value": "1"}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    resp = http.post("/slack/events", content=body, headers=signed(body))
    assert resp.status_code == 400
    nothing_happened(runtime, standin)


@pytest.mark.parametrize(
    "body",
    [{}, {"team_id": None}, {"team_id": ""}, {"team": {"id": ""}}, {"team": None, "user": "U0OWNER"}, {"team": "T0X"}],
    ids=["nothing", "none", "empty", "empty-id", "user-as-a-string", "team-as-a-string"],
)
def test_team_of_refuses_a_body_that_names_no_workspace(body):
    with pytest.raises(NoTeam):
        team_of(body)


def test_team_of_finds_the_workspace_where_slack_puts_it():
    assert team_of({"team_id": "T0A"}) == "T0A"  # slash commands
    assert team_of({"team": {"id": "T0B", "domain": "b"}}) == "T0B"  # interactions
    assert team_of({"team": None, "user": {"id": OWNER, "team_id": "T0C"}}) == "T0C"  # org-wide interactions


@pytest.mark.parametrize("team_id", ["", "   "], ids=["empty", "blank"])
def test_no_unit_of_work_opens_without_a_workspace(runtime, team_id):
    with pytest.raises(NoTeam), runtime.unit(team_id):
        pytest.fail("the unit must not open")
    assert count(runtime, Workspace) == 0


# -- item 2: body size -----------------------------------------------------------------------------
def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(runtime, slack, standin):
    pulled = anyio.run(_post_in_chunks, asgi_app(runtime, slack.app), 64, {"content-length": str(MAX_BODY_BYTES + 1)})
    assert pulled.status == 413
    assert pulled.chunks_read == 0  # Content-Length said enough
    assert standin.calls_to("response_url") == []


def test_a_chunked_body_is_read_only_up_to_the_limit(runtime, slack, standin):
    chunk = 64 * 1024
    total_chunks = 4 * MAX_BODY_BYTES // chunk  # a body of four times the limit, with no Content-Length
    pulled = anyio.run(_post_in_chunks, asgi_app(runtime, slack.app), total_chunks, {}, chunk)
    assert pulled.status == 413
    assert pulled.chunks_read <= MAX_BODY_BYTES // chunk + 1  # stopped at the limit, not at the end


def test_a_body_at_the_limit_is_read(runtime):
    seen: list[int] = []

    async def echo(request: Request) -> Response:
        seen.append(len(await request.body()))
        return PlainTextResponse("ok")

    app = asgi_app(runtime, None, extra_routes=[Route("/api/messages", echo, methods=["POST"])])
    with TestClient(app) as client:
        assert client.post("/api/messages", content=b"x" * MAX_BODY_BYTES).status_code == 200
        assert client.post("/api/messages", content=b"x" * (MAX_BODY_BYTES + 1)).status_code == 413
    assert seen == [MAX_BODY_BYTES]  # the larger one never reached the route


def test_the_limit_covers_every_post_route_including_teams(runtime):
    reached: list[str] = []

    async def teams(request: Request) -> Response:
        reached.append(request.url.path)
        return PlainTextResponse("ok")

    app = asgi_app(runtime, None, extra_routes=[Route("/api/messages", teams, methods=["POST"])])
    pulled = anyio.run(_post_in_chunks, app, 4 * MAX_BODY_BYTES // 65536, {}, 65536, "/api/messages")
    assert pulled.status == 413
    assert reached == []


class Pulled:
    status = 0
    chunks_read = 0


async def _post_in_chunks(
    app: Any, chunks: int, headers: dict[str, str], size: int = 65536, path: str = "/slack/events"
) -> Pulled:
    """POST ``chunks`` chunks of ``size`` bytes straight into the ASGI app, counting the chunks it pulls."""
    pulled = Pulled()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in {"content-type": FORM, **headers}.items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, Any]:
        if pulled.chunks_read >= chunks:
            return {"type": "http.disconnect"}
        pulled.chunks_read += 1
        return {"type": "http.request", "body": b"a" * size, "more_body": pulled.chunks_read < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            pulled.status = message["status"]

    await app(scope, receive, send)
    return pulled


def test_refusals_log_one_line_without_the_body(http, slack, standin, caplog):
    marker = "FORGED-LINE-MARKER"
    body = command_body(slack, f"NET-01 green ok\n2026-01-01 00:00:00,000 ERROR ictbot: {marker}")
    caplog.set_level(logging.DEBUG)
    resp = http.post("/slack/events", content=body, headers=signed(body, timestamp="x"))
    assert resp.status_code == 401
    for record in caplog.records:
        text = record.getMessage()
        assert marker not in text and "NET-01" not in text and standin.base_url not in text
        assert "\n" not in text


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_suggestion", "action_id": "no_such_menu", "value": "TYPED-MARKER"},
        {"type": "dialog_submission", "callback_id": "no_such_dialog", "submission": {"a": "TYPED-MARKER"}},
    ],
    ids=["suggestion", "dialog"],
)
def test_a_request_no_listener_takes_is_logged_without_what_was_typed(slack, standin, caplog, payload):
    """Bolt's own "Unhandled request" warning quotes a suggestion's or a dialog's typed value."""
    caplog.set_level(logging.DEBUG)
    body = {**payload, "team": {"id": standin.team_id}, "user": {"id": OWNER, "team_id": standin.team_id}}
    assert slack.send_payload(body).status == 404
    said = [r.getMessage() for r in caplog.records]
    assert not any("TYPED-MARKER" in text for text in said), said
    assert any("no listener handles" in text for text in said)


# -- item 2: what the real server's log holds ------------------------------------------------------
RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")
OFFICER_TEXT = "PCI-06 green Approved by the Audit Committee OFFICER-TEXT-MARKER"


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """The root logger as `ictbot serve` configures it, writing into a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure("INFO", stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_the_real_servers_log_holds_one_line_a_record_and_nothing_a_refused_request_carried(
    runtime, slack, standin, server_log
):
    forged = "\n2026-11-24 09:30:00,000 ERROR ictbot.handlers: BODY-MARKER forged\n"
    stale = urlencode(slack.command_form("/ict-update", OFFICER_TEXT, user_id=OWNER))

    def oversized() -> Iterator[bytes]:  # four times the limit, chunked (no Content-Length), forging all the way
        piece = (forged * 1000).encode()
        for _ in range(4 * MAX_BODY_BYTES // len(piece) + 1):
            yield piece

    with running(asgi_app(runtime, slack.app)) as base, httpx.Client(base_url=base, timeout=30) as client:
        too_big = client.post("/slack/events", content=oversized(), headers={"content-type": FORM})
        declared = client.post("/api/messages", content=forged * 30_000, headers={"content-type": JSON})
        unsigned = client.post("/slack/events", content=f"text={forged}", headers={"content-type": FORM})
        bad_timestamp = client.post("/slack/events", content=forged, headers=signed(forged, timestamp="1e9"))
        too_old = client.post(
            "/slack/events", content=stale, headers=signed(stale, timestamp=str(int(time.time()) - 3600))
        )
        malformed = client.post("/slack/events", content="payload=null", headers=signed("payload=null"))

    assert [r.status_code for r in (too_big, declared, unsigned, bad_timestamp, too_old, malformed)] == [
        413,
        413,
        401,
        401,
        401,
        400,
    ]
    log = server_log.getvalue()
    assert "BODY-MARKER" not in log and "OFFICER-TEXT-MARKER" not in log and "PCI-06" not in log
    assert standin.base_url not in log  # the stale request's response_url
    assert len(log) < 5_000  # the log grew by a line a request, not by what the requests carried
    for line in log.splitlines():
        assert RECORD.match(line), line
    assert log.count("refused a request that is not verifiably Slack's") == 3
    assert log.count("refused a request body over 1048576 bytes") == 2
    assert standin.calls_to("response_url") == []


# -- the limit against the largest bodies Slack sends this app --------------------------------------
NON_LATIN = "ŵ"  # any character outside ASCII: Slack sends it in a payload as \u0175, 8 bytes once form-encoded


def as_slack_sends(payload: dict[str, Any]) -> bytes:
    """An interaction as Slack posts it: JSON with non-ASCII escaped (\\uXXXX), form-encoded as ``payload``."""
    return urlencode({"payload": json.dumps(payload, ensure_ascii=True)}).encode()


def test_the_fullest_update_modal_submission_is_well_under_the_limit():

    w = NON_LATIN
    projects = [
        ProjectView(
            id=n,
            ref=f"{w * 28}{n:03d}",  # the longest reference and title the database holds (32, 200)
            title=w * 200,
            priority_code="ARCH",
            priority_name=w * 100,
            priority_position=1,
            owner=OWNER,
            delegates=(),
            service_area=w * 100,
            status=ProjectStatus.ACTIVE,
            target_date=None,
            completed_on=None,
            last_update_at=None,
            last_rag=None,
        )
        for n in range(1, MAX_STATIC_OPTIONS + 1)  # the most a static select shows
    ]
    typed = {"progress": w * MAX_PROGRESS, "next_steps": w * MAX_NEXT_STEPS, "risks": w * MAX_RISKS}
    view = update_modal(
        projects=projects,
        user_id=OWNER,
        metadata={"note": w * 300},
        selected=projects[0],
        initial=UpdateText(Rag.GREEN, **typed),
        notice=w * 500,
    )
    state = view_state(view, {"project": "1", "rag": "green", **typed})
    submission = {
        "type": "view_submission",
        "team": {"id": "T0"},
        "user": {"id": OWNER},
        "view": {**view, "state": {"values": state}},
    }

    assert len(as_slack_sends(submission)) < MAX_BODY_BYTES // 4


def test_a_shortcut_on_the_longest_message_slack_keeps_fits_under_the_limit():
    text = NON_LATIN * 40_000  # Slack cuts a message's text at 40,000 characters
    message = {
        "type": "message",
        "user": OWNER,
        "ts": "1.2",
        "text": text,
        "blocks": [
            {
                "type": "rich_text",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ],
    }
    shortcut = {"type": "message_action", "team": {"id": "T0"}, "user": {"id": OWNER}, "message": message}

    assert len(as_slack_sends(shortcut)) < MAX_BODY_BYTES
