"""Slack's retries recorded once and acted on once: signed requests over HTTP, and envelopes over Socket Mode.

Each delivery Slack may repeat (an event, a command, a shortcut, a modal submission, a button press) is
recorded in ``inbound_delivery`` before a listener runs; a repeat of one that is being handled or is done
is acknowledged and not passed on, and a repeat of one whose handler failed is acted on again.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import delete, event, select
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; the dev extra pins httpx, which still works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from bot.dev.local import InlineExecutor, LocalSlack, signed_headers
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.server import asgi_app
from bot.services import updates
from bot.services.deliveries import Delivery, admit, admit_done, finish, prune
from handlers.slack.app import create_app
from handlers.slack.blocks.ui import EDIT_UPDATE_ACTION, PROJECT_ACTION
from handlers.slack.client import web_client
from handlers.slack.commands import ict_update
from handlers.slack.dedupe import identify
from handlers.slack.replies import APOLOGY
from models import ProgressUpdate, make_engine, make_sessionmaker
from models.install import DeliveryStatus, InboundDelivery
from tests.conftest import BOT_TOKEN, OWNER, SIGNING_SECRET
from tests.helpers import AcksShown, count, failing, last_reply, opened_view
from tests.helpers import replies as answers
from tests.slack.socket_standin import SocketModeStandIn

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
UPDATE_TEXT = "NET-01 amber Core links upgrade delayed by supplier"
REQUEST_LOG = "ictbot.requests"
APP_TOKEN = "xapp-1-A0ICTBOT-1-test-app-level-token"


# -- helpers -----------------------------------------------------------------------------------
@pytest.fixture
def http(runtime: Runtime, slack: LocalSlack, standin: SlackStandIn) -> Iterator[AcksShown]:
    app = asgi_app(runtime, slack.app)
    standin.clear()  # building the Bolt app called auth.test; from here on, only what requests cause
    with TestClient(app) as client:
        yield AcksShown(client, standin)


def post(http: TestClient | AcksShown, body: str, *, content_type: str = FORM, retry: int | None = None) -> Any:
    """A request signed as Slack signs it; ``retry`` adds Slack's retry headers."""
    headers = {k: str(v) for k, v in signed_headers(SIGNING_SECRET, body, content_type=content_type).items()}
    if retry is not None:
        headers |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
    return http.post("/slack/events", content=body, headers=headers)


def command_body(slack: LocalSlack, text: str = UPDATE_TEXT) -> str:
    """A new ``/ict-update`` (each call has its own trigger_id)."""
    return urlencode(slack.command_form("/ict-update", text, user_id=OWNER))


def replies(standin: SlackStandIn) -> int:
    return len(answers(standin))


def rows(runtime: Runtime) -> list[tuple[str, str, DeliveryStatus, int]]:
    with runtime.sessions() as s:
        found = s.scalars(select(InboundDelivery).order_by(InboundDelivery.id))
        return [(r.kind, r.key, r.status, r.attempts) for r in found]


def event_body(team_id: str, event_id: str, *, user: str = OWNER) -> str:
    return json.dumps(
        {
            "token": "local-verification-token",
            "team_id": team_id,
            "api_app_id": "A0ICTBOT",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1_764_000_000,
            "event": {
                "type": "reaction_added",
                "user": user,
                "reaction": "thumbsup",
                "item": {"type": "message", "channel": "C0GOVERN", "ts": "1764000000.000050"},
                "event_ts": "1764000000.000100",
            },
            "authorizations": [{"team_id": team_id, "user_id": "U0ICTBOT", "is_bot": True}],
        }
    )


def reacted(app: App, *, fail_first: bool = False) -> list[str]:
    """A listener for ``reaction_added`` on ``app`` (the app has none of its own); returns what it saw."""
    seen: list[str] = []

    @app.event("reaction_added")
    def opened(body: dict[str, Any]) -> None:
        seen.append(body["event_id"])
        if fail_first and len(seen) == 1:
            raise RuntimeError("the first attempt fails")

    return seen


def button_body(team_id: str, action_id: str, value: str, *, action_ts: str, trigger_id: str) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": OWNER, "username": "u0owner", "name": "u0owner", "team_id": team_id},
        "api_app_id": "A0ICTBOT",
        "token": "local-verification-token",
        "container": {"type": "message", "message_ts": "1764000000.000300", "channel_id": "C0GOVERN"},
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": "darlington"},
        "channel": {"id": "C0GOVERN", "name": "ict-governance"},
        "response_url": "http://127.0.0.1:9/unused",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "actions",
                "value": value,
                "type": "button",
                "text": {"type": "plain_text", "text": action_id},
                "action_ts": action_ts,
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


# -- commands ----------------------------------------------------------------------------------
def test_a_retried_command_stores_one_update_and_replies_once(http, slack, standin, runtime, workplan):
    body = command_body(slack)
    first = post(http, body)
    again = post(http, body, retry=1)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.text == ""  # an empty acknowledgement: Slack stops retrying, nothing more is shown
    assert count(runtime, ProgressUpdate) == 1
    assert replies(standin) == 1 and "NET-01" in last_reply(standin)["text"]
    [(kind, key, status, attempts)] = rows(runtime)
    assert (kind, status, attempts) == ("command", DeliveryStatus.DONE, 1)
    assert key.startswith("trigger:")


def test_a_retry_is_logged_once_as_a_duplicate_without_its_text(http, slack, runtime, workplan, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOG)
    body = command_body(slack)
    trigger = dict(pair.split("=", 1) for pair in body.split("&"))["trigger_id"]
    post(http, body)
    post(http, body, retry=1)
    messages = [r.getMessage() for r in caplog.records if r.name == REQUEST_LOG]
    first, duplicate = (json.loads(m) for m in messages)
    assert (first["outcome"], first["retry"]) == ("ok", 0)
    assert duplicate == {**first, "outcome": "duplicate", "retry": 1, "duration_ms": duplicate["duration_ms"]}
    for message in messages:
        assert "NET-01" not in message and "delayed" not in message and trigger not in message


def test_a_first_delivery_that_arrives_as_a_retry_is_acted_on(http, slack, standin, runtime, workplan):
    assert post(http, command_body(slack), retry=1).status_code == 200
    assert count(runtime, ProgressUpdate) == 1
    assert replies(standin) == 1


def test_two_commands_with_different_trigger_ids_both_act(http, slack, standin, runtime, workplan):
    post(http, command_body(slack))
    post(http, command_body(slack, "NET-01 green Links upgraded"))
    assert count(runtime, ProgressUpdate) == 2
    assert replies(standin) == 2


def test_a_retry_after_the_handler_failed_is_acted_on(http, slack, standin, runtime, workplan, monkeypatch):
    """A one-line update records its delivery in the transaction that stores it: a first attempt that
    failed left nothing behind, so the retry acts as a first delivery would."""
    real_store = updates.post_directly
    calls: list[int] = []

    def fails_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away mid-request")
        return real_store(*args, **kwargs)

    monkeypatch.setattr(updates, "post_directly", fails_once)
    body = command_body(slack)
    post(http, body)
    assert last_reply(standin)["text"] == APOLOGY
    assert rows(runtime) == []  # rolled back with the update it was to store
    assert post(http, body, retry=1).status_code == 200
    assert "NET-01" in last_reply(standin)["text"] and last_reply(standin)["text"] != APOLOGY
    assert count(runtime, ProgressUpdate) == 1
    assert [(status, attempts) for _, _, status, attempts in rows(runtime)] == [(DeliveryStatus.DONE, 1)]


def test_an_update_and_its_delivery_commit_together_or_not_at_all(http, slack, standin, runtime, workplan):
    """The delivery's row is written first; the update's revision, written last in the same transaction,
    fails as the database would: neither stays, and Slack's retry stores the update once."""
    body = command_body(slack)
    with failing(runtime.engine, "INSERT INTO update_revision", "disk I/O error"):
        assert post(http, body).status_code == 200
    assert last_reply(standin)["text"] == APOLOGY
    assert (count(runtime, ProgressUpdate), rows(runtime)) == (0, [])
    assert post(http, body, retry=1).status_code == 200
    assert post(http, body, retry=2).status_code == 200
    assert count(runtime, ProgressUpdate) == 1
    assert [(kind, status, attempts) for kind, _, status, attempts in rows(runtime)] == [
        ("command", DeliveryStatus.DONE, 1)
    ]


def test_a_one_line_update_is_one_transaction(http, slack, runtime, workplan):
    """The delivery is recorded in the update's own transaction, not in two of its own around it."""
    body = command_body(slack)
    commits: list[int] = []

    def committed(_conn: Any) -> None:
        commits.append(1)

    event.listen(runtime.engine, "commit", committed)
    try:
        assert post(http, body).status_code == 200
    finally:
        event.remove(runtime.engine, "commit", committed)
    assert len(commits) == 1
    assert count(runtime, ProgressUpdate) == 1 and len(rows(runtime)) == 1


def test_a_retry_while_the_first_is_still_being_handled_is_acknowledged_only(runtime, standin, workplan):
    """As ``ictbot serve`` runs: the listener works on the thread pool after the ack, and Slack's retry
    (three seconds without an answer) arrives meanwhile."""
    pool = ThreadPoolExecutor(max_workers=2)
    app = create_app(runtime, client=web_client(BOT_TOKEN, standin.api_url), listener_executor=pool)
    driver = LocalSlack(
        app=app,
        signing_secret=SIGNING_SECRET,
        response_url=standin.response_url,
        team_id=standin.team_id,
        on_ack=standin.acknowledged_with,
    )
    body = urlencode(driver.command_form("/ict-update", "", user_id=OWNER))  # opens the modal
    release = standin.hold("views.open")
    try:
        with TestClient(asgi_app(runtime, app)) as client:
            client = AcksShown(client, standin)
            assert post(client, body).status_code == 200  # acknowledged; the listener waits on views.open
            assert [status for _, _, status, _ in rows(runtime)] == [DeliveryStatus.HANDLING]
            assert post(client, body, retry=1).status_code == 200
            release.set()
            pool.shutdown(wait=True)
    finally:
        release.set()
        pool.shutdown(wait=True)
    assert len(standin.calls_to("views.open")) == 1
    assert [(status, attempts) for _, _, status, attempts in rows(runtime)] == [(DeliveryStatus.DONE, 1)]


# -- block actions -----------------------------------------------------------------------------
def test_a_repeated_button_press_is_acted_on_once(http, slack, standin, runtime, workplan):
    post(http, command_body(slack))
    button = next(b for b in last_reply(standin)["blocks"] if b["type"] == "actions")["elements"][0]
    assert button["action_id"] == EDIT_UPDATE_ACTION
    press = button_body(
        standin.team_id, EDIT_UPDATE_ACTION, button["value"], action_ts="1764000001.123456", trigger_id="7.1.t"
    )
    assert post(http, press).status_code == 200
    assert post(http, press, retry=1).status_code == 200
    assert len(standin.calls_to("views.open")) == 1
    # Pressed again later: a new action_ts, a new press.
    later = button_body(
        standin.team_id, EDIT_UPDATE_ACTION, button["value"], action_ts="1764000009.654321", trigger_id="8.1.t"
    )
    assert post(http, later).status_code == 200
    assert len(standin.calls_to("views.open")) == 2
    assert [kind for kind, *_ in rows(runtime)] == ["command", "action", "action"]


def test_options_loads_are_always_answered(slack, standin, runtime, workplan):
    slack.command("/ict-update", "", user_id=OWNER)
    view = opened_view(standin)
    answers = [json.loads(slack.block_suggestion(view, PROJECT_ACTION, "", user_id=OWNER).body) for _ in range(2)]
    assert answers[0] == answers[1] and answers[0]["option_groups"]
    assert [kind for kind, *_ in rows(runtime)] == ["command"]  # the loads left no row


# -- events ------------------------------------------------------------------------------------
def test_a_retried_event_is_acted_on_once_and_answered_200(http, slack, standin, runtime):
    seen = reacted(slack.app)
    body = event_body(standin.team_id, "Ev0DEDUPE01")
    assert post(http, body, content_type=JSON).status_code == 200
    assert post(http, body, content_type=JSON, retry=1).status_code == 200
    assert post(http, body, content_type=JSON, retry=2).status_code == 200
    assert seen == ["Ev0DEDUPE01"]
    assert rows(runtime) == [("event", "event:Ev0DEDUPE01", DeliveryStatus.DONE, 1)]
    # Another event is another delivery.
    post(http, event_body(standin.team_id, "Ev0DEDUPE02"), content_type=JSON)
    assert seen == ["Ev0DEDUPE01", "Ev0DEDUPE02"]


def test_a_retried_event_whose_handler_raised_is_acted_on_again(http, slack, standin, runtime):
    seen = reacted(slack.app, fail_first=True)
    body = event_body(standin.team_id, "Ev0FAILS01")
    assert post(http, body, content_type=JSON).status_code == 200
    assert rows(runtime) == [("event", "event:Ev0FAILS01", DeliveryStatus.FAILED, 1)]
    assert post(http, body, content_type=JSON, retry=1).status_code == 200
    assert rows(runtime) == [("event", "event:Ev0FAILS01", DeliveryStatus.DONE, 2)]
    assert post(http, body, content_type=JSON, retry=2).status_code == 200
    assert seen == ["Ev0FAILS01", "Ev0FAILS01"]


# -- many processes ----------------------------------------------------------------------------
def test_racing_duplicates_act_exactly_once(http, slack, standin, runtime, workplan, monkeypatch):
    """Several requests with the same delivery at once: every one goes for the row at the same moment (on
    PostgreSQL the losers wait on the unique index for the winner's commit; SQLite takes one writer at a
    time, and in one process they take turns before that: models.driver._turn), one acts and the others
    acknowledge."""
    racers = 4
    at_the_line = threading.Barrier(racers, timeout=10)
    real_connection = ict_update.driver_connection  # a one-line update records its delivery with the update

    @contextmanager
    def together(*args: Any, **kwargs: Any) -> Iterator[Any]:
        at_the_line.wait()  # every request has passed Bolt's checks; all now go for the same row at once
        with real_connection(*args, **kwargs) as connection:
            yield connection

    monkeypatch.setattr(ict_update, "driver_connection", together)
    body = command_body(slack)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def deliver(retry: int) -> None:
        try:
            statuses.append(post(http, body, retry=retry or None).status_code)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors and statuses == [200] * racers
    assert count(runtime, ProgressUpdate) == 1
    assert replies(standin) == 1
    assert [(status, attempts) for _, _, status, attempts in rows(runtime)] == [(DeliveryStatus.DONE, 1)]


def test_the_same_key_in_another_workspace_is_another_delivery(runtime, clock):
    ours, theirs = (Delivery(team_id=team, key="trigger:1.2.same", kind="command") for team in ("T0OURS", "T0THEIRS"))
    with runtime.sessions.begin() as s:
        assert admit(s, ours, now=clock())
    with runtime.sessions.begin() as s:
        assert admit(s, theirs, now=clock())
        assert not admit(s, ours, now=clock())  # ours is still being handled
    with runtime.sessions.begin() as s:
        finish(s, ours, failed=False)
        finish(s, theirs, failed=True)
    with runtime.sessions.begin() as s:
        assert not admit(s, ours, now=clock())  # done
        assert admit(s, theirs, now=clock())  # failed: taken over
    assert sorted((key, status, attempts) for _, key, status, attempts in rows(runtime)) == [
        ("trigger:1.2.same", DeliveryStatus.DONE, 1),
        ("trigger:1.2.same", DeliveryStatus.HANDLING, 2),
    ]


def test_a_delivery_recorded_in_its_listeners_transaction(runtime, clock):
    """admit_done: done at once; not again; not while another instance handles it; a failed one taken over."""
    first, handled_elsewhere, failed_before = (
        Delivery(team_id="T0OURS", key=f"trigger:1.2.{name}", kind="command") for name in ("first", "held", "failed")
    )
    with runtime.sessions.begin() as s:
        assert admit_done(s, first, now=clock())
        assert admit(s, handled_elsewhere, now=clock())  # through the middleware, by an instance of another kind
        assert admit(s, failed_before, now=clock())
        finish(s, failed_before, failed=True)
    with runtime.sessions.begin() as s:
        assert not admit_done(s, first, now=clock())
        assert not admit_done(s, handled_elsewhere, now=clock())
        assert admit_done(s, failed_before, now=clock())
    assert sorted((key, status, attempts) for _, key, status, attempts in rows(runtime)) == [
        ("trigger:1.2.failed", DeliveryStatus.DONE, 2),
        ("trigger:1.2.first", DeliveryStatus.DONE, 1),
        ("trigger:1.2.held", DeliveryStatus.HANDLING, 1),
    ]


def test_prune_deletes_only_deliveries_received_before_the_cutoff(runtime, clock):
    for n in range(3):
        with runtime.sessions.begin() as s:
            admit(s, Delivery(team_id="T0OURS", key=f"event:Ev{n}", kind="event"), now=clock())
        clock.advance(hours=12)
    with runtime.sessions.begin() as s:
        assert prune(s, before=clock() - timedelta(hours=30)) == 1  # received 36 h ago
    assert [key for _, key, _, _ in rows(runtime)] == ["event:Ev1", "event:Ev2"]
    with runtime.sessions.begin() as s:
        assert prune(s, before=clock() - timedelta(hours=30)) == 0


def _received(runtime: Runtime, at: list[datetime]) -> None:
    """Deliveries recorded in this order, each received at its time."""
    with runtime.sessions.begin() as s:
        for n, when in enumerate(at):
            admit(s, Delivery(team_id="T0OURS", key=f"event:Ev{n}", kind="event"), now=when)


def test_prune_keeps_every_delivery_received_since_the_cutoff_even_out_of_turn(runtime, clock):
    start = clock()
    # Ev2 and Ev4 were recorded after a delivery received later than they were (another instance's clock
    # behind): each is due at the cutoff, but waits until the one recorded before it goes.
    hours = [0, 3, 2, 10, 1]
    _received(runtime, [start + timedelta(hours=h) for h in hours])
    with runtime.sessions.begin() as s:
        assert prune(s, before=start + timedelta(hours=3)) == 1  # Ev0; Ev1 is kept, so Ev2 and Ev4 wait
    assert [key for _, key, _, _ in rows(runtime)] == ["event:Ev1", "event:Ev2", "event:Ev3", "event:Ev4"]
    with runtime.sessions.begin() as s:
        assert prune(s, before=start + timedelta(hours=4)) == 2  # Ev1 and Ev2; Ev3 (10 h) is kept, Ev4 waits
    assert [key for _, key, _, _ in rows(runtime)] == ["event:Ev3", "event:Ev4"]
    with runtime.sessions.begin() as s:
        assert prune(s, before=start + timedelta(hours=11)) == 2
    assert rows(runtime) == []


def test_prune_deletes_every_delivery_when_all_are_due_and_nothing_from_an_empty_table(runtime, clock):
    with runtime.sessions.begin() as s:
        assert prune(s, before=clock()) == 0
    _received(runtime, [clock() - timedelta(hours=h) for h in (3, 2, 1)])
    with runtime.sessions.begin() as s:
        assert prune(s, before=clock()) == 3
    assert rows(runtime) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_prune_reads_what_is_due_not_what_is_kept(runtime, clock):
    """With no index on received_at, a pass still walks only the rows due: SQLite's virtual machine runs
    about as many steps with ten rows kept as with two thousand."""

    def steps_of_a_prune(kept: int) -> int:
        start = clock()
        _received(runtime, [start + timedelta(seconds=n) for n in range(5 + kept)])
        with runtime.sessions.begin() as s:
            connection = s.connection().connection.driver_connection
            counted = [0]

            def count() -> int:
                counted[0] += 1
                return 0  # 0: carry on

            connection.set_progress_handler(count, 1)
            try:
                assert prune(s, before=start + timedelta(seconds=5)) == 5
            finally:
                connection.set_progress_handler(None, 1)
            s.execute(delete(InboundDelivery))
        return counted[0]

    few, many = steps_of_a_prune(10), steps_of_a_prune(2000)
    assert many < few * 1.5, (few, many)


# -- what identifies a delivery ---------------------------------------------------------------
TEAM = "T0OURS"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_home_opened"}}, ("event", "event:Ev1")),
        ({"command": "/ict-update", "trigger_id": "1.2.abc", "text": "x"}, ("command", "trigger:1.2.abc")),
        (
            {"type": "view_submission", "trigger_id": "3.4.def", "view": {"id": "V1", "hash": "1764.abc"}},
            ("view", "view:V1:1764.abc"),
        ),
        ({"type": "view_submission", "trigger_id": "3.4.def", "view": {"id": "V1"}}, None),  # no hash
        ({"type": "view_submission", "trigger_id": "3.4.def", "view": "V1"}, None),
        ({"type": "message_action", "trigger_id": "5.6.ghi"}, ("shortcut", "trigger:5.6.ghi")),
        ({"type": "shortcut", "trigger_id": "7.8.jkl"}, ("shortcut", "trigger:7.8.jkl")),
        (
            {
                "type": "block_actions",
                "trigger_id": "9.9.mno",
                "user": {"id": "U1"},
                "container": {"type": "message", "channel_id": "C1", "message_ts": "100.2"},
                "actions": [{"action_id": "a", "action_ts": "101.5"}],
            },
            ("action", "action:message/C1/100.2:U1:101.5"),
        ),
        (
            {
                "type": "block_actions",
                "user": {"id": "U1"},
                "container": {"type": "view", "view_id": "V1"},
                "actions": [{"action_id": "a", "action_ts": "101.5"}],
            },
            ("action", "action:view/V1:U1:101.5"),
        ),
        ({"type": "block_suggestion", "action_id": "project", "value": "net"}, None),
        ({"type": "view_closed", "view": {}}, None),
        ({"type": "event_callback", "event": {"type": "app_home_opened"}}, None),  # no event_id
        ({"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "a"}]}, None),  # no action_ts
    ],
    ids=lambda v: v.get("type", v.get("command")) if isinstance(v, dict) else None,
)
def test_each_kind_of_delivery_is_identified_by_what_slack_repeats(body, expected):
    delivery = identify(body, team_id=TEAM)
    assert (None if delivery is None else (delivery.kind, delivery.key)) == expected
    assert delivery is None or delivery.team_id == TEAM


def test_an_overlong_identity_is_kept_by_its_digest():
    delivery = identify({"type": "event_callback", "event_id": "E" * 300}, team_id=TEAM)
    assert delivery is not None and len(delivery.key) <= 255 and delivery.key.startswith("event:sha256:")


# -- the database down -------------------------------------------------------------------------
@pytest.mark.parametrize("text", [UPDATE_TEXT, ""], ids=["one-line update", "modal"])
def test_an_unreachable_database_still_gets_the_apology(text, runtime, standin, workplan, clock, caplog):
    """The modal's delivery is recorded before its listener runs (that fails, and is logged); a one-line
    update's is recorded in the update's transaction, which fails with it."""
    down = make_engine("postgresql+psycopg://ictbot@127.0.0.1:1/ictbot")  # nothing listens on port 1
    broken = Runtime(settings=runtime.settings, engine=down, sessions=make_sessionmaker(down), clock=clock)
    app = create_app(broken, client=web_client(BOT_TOKEN, standin.api_url), listener_executor=InlineExecutor())
    driver = LocalSlack(
        app=app,
        signing_secret=SIGNING_SECRET,
        response_url=standin.response_url,
        team_id=standin.team_id,
        on_ack=standin.acknowledged_with,
    )
    try:
        assert driver.command("/ict-update", text, user_id=OWNER).status == 200
    finally:
        down.dispose()
    assert last_reply(standin)["text"] == APOLOGY
    recording_failed = [
        r
        for r in caplog.records
        if r.name == "handlers.slack.dedupe" and "could not record a command delivery" in r.getMessage()
    ]
    assert len(recording_failed) == (0 if text else 1)
    assert count(runtime, ProgressUpdate) == 0


# -- Socket Mode -------------------------------------------------------------------------------
class RetryingSocketSlack(SocketModeStandIn):
    """The stand-in, able to send an envelope again as Slack retries it (``retry_attempt``, ``retry_reason``)."""

    def deliver(self, type_: str, payload: dict[str, Any], *, retry_attempt: int | None = None) -> str:
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": type_,
            "accepts_response_payload": type_ != "events_api",
            "payload": payload,
        }
        if retry_attempt is not None:
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": "timeout"}
        with self._cond:
            connection = self._open[-1]
        connection.send(json.dumps(envelope))
        return str(envelope["envelope_id"])


@pytest.fixture
def socket_app(runtime: Runtime, standin: SlackStandIn) -> Iterator[tuple[App, RetryingSocketSlack]]:
    """The Bolt app over Socket Mode, connected to the stand-in, listeners run before each ack."""
    with RetryingSocketSlack(app_id="A0ICTBOT") as socket_slack:
        standin.socket_url = socket_slack.url
        app = create_app(
            runtime,
            client=web_client(BOT_TOKEN, standin.api_url),
            listener_executor=InlineExecutor(),
            socket_mode=True,
        )
        handler = SocketModeHandler(app, APP_TOKEN)
        handler.connect()  # type: ignore[no-untyped-call]
        try:
            socket_slack.wait_connected(timeout=10)
            yield app, socket_slack
        finally:
            handler.close()  # type: ignore[no-untyped-call]


def test_a_command_envelope_sent_again_as_a_retry_is_acted_on_once(socket_app, standin, runtime, workplan):
    _, socket_slack = socket_app
    payload = {
        "token": "local-verification-token",
        "team_id": standin.team_id,
        "team_domain": "darlington",
        "channel_id": "C0GOVERN",
        "channel_name": "ict-governance",
        "user_id": OWNER,
        "user_name": "u0owner",
        "command": "/ict-update",
        "text": UPDATE_TEXT,
        "api_app_id": "A0ICTBOT",
        "is_enterprise_install": "false",
        "response_url": standin.response_url(),
        "trigger_id": "1.1764000000.sockettrigger",
    }
    first = socket_slack.deliver("slash_commands", payload)
    answered = socket_slack.wait_for_ack(first)
    assert answered["envelope_id"] == first and "Update saved" in answered["payload"]["text"]  # in the ack
    again = socket_slack.deliver("slash_commands", payload, retry_attempt=1)
    assert socket_slack.wait_for_ack(again) == {"envelope_id": again}  # acknowledged, nothing shown again
    assert count(runtime, ProgressUpdate) == 1
    assert replies(standin) == 0  # and nothing through the response_url
    assert [(kind, status) for kind, _, status, _ in rows(runtime)] == [("command", DeliveryStatus.DONE)]


def test_an_event_envelope_sent_again_as_a_retry_is_acted_on_once(socket_app, standin, runtime):
    app, socket_slack = socket_app
    seen = reacted(app)
    payload = json.loads(event_body(standin.team_id, "Ev0SOCKET01"))
    first = socket_slack.deliver("events_api", payload)
    socket_slack.wait_for_ack(first)
    again = socket_slack.deliver("events_api", payload, retry_attempt=1)
    socket_slack.wait_for_ack(again)
    assert seen == ["Ev0SOCKET01"]
    assert rows(runtime) == [("event", "event:Ev0SOCKET01", DeliveryStatus.DONE, 1)]
