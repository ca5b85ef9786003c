"""`ictbot socket` end to end: the real entry point over slack_sdk's built-in Socket Mode client.

``bot.server.socket_mode`` runs as it does in production — settings checked, schema checked, the Bolt app
built with ``socket_mode=True``, Bolt's ``SocketModeHandler`` — against two stand-ins for Slack: the Web API
(``apps.connections.open`` with the app-level token, then ``response_url`` and ``views.open``) and the Socket
Mode WebSocket it hands out (``hello``, envelopes, acknowledgements). The one change for the test: Bolt's
``start()`` is ``connect()`` then a wait forever, so here the wait ends when the test does and the handler is
closed, leaving no thread behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import select

import bot.server
from bot.dev.local import view_state
from bot.dev.standin import SlackStandIn
from bot.settings import Settings
from handlers.slack import request_log
from handlers.slack.replies import APOLOGY
from models import ProgressUpdate, Rag, UpdateSource
from tests.conftest import ADMIN, BOT_TOKEN, OWNER, STRANGER
from tests.helpers import count, opened_view, shown
from tests.slack.socket_standin import SocketModeStandIn

APP_TOKEN = "xapp-1-A0ICTBOT-1-test-app-level-token"


@pytest.fixture
def socket_slack() -> Iterator[SocketModeStandIn]:
    with SocketModeStandIn(app_id="A0ICTBOT") as s:
        yield s


@pytest.fixture
def settings(db_url: str, standin: SlackStandIn, socket_slack: SocketModeStandIn) -> Settings:
    """What `ictbot socket` needs, and no more: no signing secret, as Slack's requests come over the socket."""
    standin.socket_url = socket_slack.url
    return Settings(
        SLACK_APP_TOKEN=APP_TOKEN,  # type: ignore[arg-type]
        SLACK_BOT_TOKEN=BOT_TOKEN,  # type: ignore[arg-type]
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=db_url,
        ICTBOT_ADMINS=ADMIN,
        ICTBOT_SCHEDULER=False,  # the reminder job would run on the real clock; tested on its own elsewhere
    )


@pytest.fixture
def ictbot_socket(
    settings: Settings, socket_slack: SocketModeStandIn, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """`ictbot socket` running in a thread, connected to the stand-in, until the test ends."""
    stop = threading.Event()
    handlers: list[SocketModeHandler] = []

    class Handler(SocketModeHandler):
        def start(self) -> None:  # Bolt's start() is connect() and then Event().wait() for ever
            handlers.append(self)
            self.connect()  # type: ignore[no-untyped-call]
            try:
                stop.wait()
            finally:
                bot.server.close_socket_mode(self)

    errors: list[BaseException] = []

    def run() -> None:
        try:
            bot.server.socket_mode(settings)
        except BaseException as exc:  # noqa: BLE001  (reported by the fixture's teardown)
            errors.append(exc)

    monkeypatch.setattr(bot.server, "SocketModeHandler", Handler)
    thread = threading.Thread(target=run, name="ictbot-socket", daemon=True)
    thread.start()
    try:
        socket_slack.wait_connected(timeout=10)
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive(), "ictbot socket did not stop"
    assert not errors, errors
    assert len(handlers) == 1 and not handlers[0].client.is_connected()


def test_connects_with_the_app_level_token(ictbot_socket, standin, socket_slack):
    [opened] = standin.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert socket_slack.connections_made == 1


def test_ict_update_is_acknowledged_stored_and_confirmed(ictbot_socket, socket_slack, standin, runtime, workplan):
    envelope_id = socket_slack.slash_command(
        "/ict-update",
        "NET-01 amber Links delayed",
        user_id=OWNER,
        team_id=standin.team_id,
        response_url=standin.response_url(),
    )
    ack = socket_slack.wait_for_ack(envelope_id)
    assert ack["envelope_id"] == envelope_id
    reply = ack["payload"]  # the answer rides on the acknowledgement
    assert reply["response_type"] == "ephemeral"
    assert "NET-01" in reply["text"] and "Amber" in reply["text"]
    assert count(runtime, ProgressUpdate) == 1
    with runtime.sessions() as s:
        update = s.scalars(select(ProgressUpdate)).one()
        assert update.source is UpdateSource.COMMAND and update.author_user_id == OWNER
        assert (update.current.rag, update.current.progress) == (Rag.AMBER, "Links delayed")


def test_someone_who_may_not_update_is_refused_and_nothing_is_stored(
    ictbot_socket, socket_slack, standin, runtime, workplan
):
    envelope_id = socket_slack.slash_command(
        "/ict-update",
        "NET-01 green All done",
        user_id=STRANGER,
        team_id=standin.team_id,
        response_url=standin.response_url(),
    )
    ack = socket_slack.wait_for_ack(envelope_id)
    reply = ack["payload"]
    assert reply["response_type"] == "ephemeral"
    assert "Only the owner or a delegate of `NET-01`" in shown(reply)
    assert count(runtime, ProgressUpdate) == 0


def test_a_request_over_the_socket_counts_as_verified_so_a_failure_is_apologised_for(
    ictbot_socket, socket_slack, standin, monkeypatch
):
    """Socket Mode requests are not signed (the WebSocket the app token opened is Slack's): the Bolt app
    marks them verified, so an early failure is still answered through their response_url."""

    def broken(body: dict[str, Any]) -> Any:
        raise RuntimeError("the request log broke")

    monkeypatch.setattr(request_log, "kind_and_what", broken)
    socket_slack.slash_command(  # not acknowledged: Bolt acknowledges over the socket only what it answered 200
        "/ict-meeting", "next", user_id=OWNER, team_id=standin.team_id, response_url=standin.response_url()
    )
    [apology] = standin.wait_for("response_url", timeout=10)
    assert apology.params["text"] == APOLOGY


def test_modal_submission_is_answered_in_the_acknowledgement(ictbot_socket, socket_slack, standin, runtime, workplan):
    opened = socket_slack.slash_command(
        "/ict-update", "", user_id=OWNER, team_id=standin.team_id, response_url=standin.response_url()
    )
    socket_slack.wait_for_ack(opened)
    standin.wait_for("views.open", timeout=10)
    view = opened_view(standin)
    inputs: dict[str, str | None] = {"project": str(workplan["MOB-01"]), "rag": "red", "progress": "Cut-over slipped"}
    submitted = socket_slack.interactive(
        {
            "type": "view_submission",
            "team": {"id": standin.team_id, "domain": "darlington"},
            "user": {"id": OWNER, "username": "olive", "name": "olive", "team_id": standin.team_id},
            "api_app_id": "A0ICTBOT",
            "token": "local-verification-token",
            "trigger_id": "2.1700000000.sockettrigger",
            "view": {**view, "state": {"values": view_state(view, inputs)}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )
    ack = socket_slack.wait_for_ack(submitted)
    assert ack["envelope_id"] == submitted
    assert ack["payload"]["response_action"] == "update"
    assert "MOB-01 Mobile carrier cut-across" in shown(ack["payload"]["view"])
    with runtime.sessions() as s:
        update = s.scalars(select(ProgressUpdate)).one()
        assert update.source is UpdateSource.MODAL and update.project_id == workplan["MOB-01"]
