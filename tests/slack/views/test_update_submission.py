"""The update modal's submission: answered within Slack's three seconds whatever the database does, stored
once however often the same form is sent, and a clear answer for a form that comes back damaged."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bot.dev.local import LocalSlack
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.server import asgi_app
from handlers.slack import ack_answer
from models import ProgressUpdate, UpdateRevision
from models.install import InboundDelivery
from tests.conftest import OWNER, STRANGER
from tests.helpers import count, failing, opened_view, shown, typed_shown_literally
from tests.slack.test_ack import ictbot
from tests.test_server import running, signed

ALL_WRITTEN = (ProgressUpdate, UpdateRevision, InboundDelivery)


def open_modal(slack: LocalSlack, standin: SlackStandIn, user_id: str = OWNER) -> dict[str, Any]:
    slack.command("/ict-update", "", user_id=user_id)
    return opened_view(standin)


def answer(response: Any) -> dict[str, Any]:
    assert response.status == 200, (response.status, response.body)
    body: dict[str, Any] = json.loads(response.body) if response.body else {}
    return body


def written(runtime: Runtime) -> list[int]:
    """Updates, revisions and recorded form submissions (the command that opened the form records its own)."""
    with runtime.sessions() as s:
        forms = len(s.scalars(select(InboundDelivery.key).where(InboundDelivery.kind == "view")).all())
    return [count(runtime, ProgressUpdate), count(runtime, UpdateRevision), forms]


# -- the same form sent again ------------------------------------------------------------------------
def test_the_same_form_submitted_twice_stores_one_update(slack, standin, runtime, workplan):
    """Slack showed the officer an error (the first answer came late), so they pressed Post update again: the
    same view (id and hash), a new trigger_id."""
    view = open_modal(slack, standin)
    inputs = {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "Links delayed"}
    first = answer(slack.submit_view(view, inputs, user_id=OWNER))
    again = answer(slack.submit_view(view, inputs, user_id=OWNER))
    assert first["response_action"] == "update" and "Update saved" in shown(first["view"])
    assert again["response_action"] == "update"
    assert "already saved" in shown(again["view"])
    assert count(runtime, ProgressUpdate) == 1
    assert len(standin.calls_to("chat.postEphemeral")) == 1  # one confirmation in the channel


def test_a_form_refused_on_a_field_then_corrected_goes_through(slack, standin, runtime, workplan):
    """Slack keeps the view (and its hash) when the app answers with field errors: the corrected submission is
    the same view again, and must be stored."""
    view = open_modal(slack, standin)
    refused = answer(slack.submit_view(view, {"project": str(workplan["NET-01"]), "rag": "amber"}, user_id=OWNER))
    assert refused["response_action"] == "errors" and "progress" in refused["errors"]
    inputs = {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "Links delayed"}
    corrected = answer(slack.submit_view(view, inputs, user_id=OWNER))
    assert corrected["response_action"] == "update" and "Update saved" in shown(corrected["view"])
    assert count(runtime, ProgressUpdate) == 1


def test_two_modals_with_the_same_text_store_two_updates(slack, standin, runtime, workplan):
    inputs = {"project": str(workplan["NET-01"]), "rag": "green", "progress": "Done"}
    for _ in range(2):
        assert answer(slack.submit_view(open_modal(slack, standin), inputs, user_id=OWNER))["response_action"] == (
            "update"
        )
    assert count(runtime, ProgressUpdate) == 2


# -- a damaged form ----------------------------------------------------------------------------------
def with_metadata(view: dict[str, Any], metadata: str) -> dict[str, Any]:
    return {**view, "private_metadata": metadata}


@pytest.mark.parametrize(
    "metadata",
    [
        "not json",
        "[1, 2]",
        '"a string"',
        "null",
        '{"src": "telepathy", "ch": "C0GOVERN"}',
        '{"src": 5}',
        '{"update_id": "abc"}',
        '{"update_id": 1.5}',
        '{"update_id": true}',
        '{"update_id": -1}',
        '{"update_id": 99999999999999999999}',
        '{"src": "modal", "ch": {"id": "C0GOVERN"}}',
    ],
)
def test_a_form_with_damaged_metadata_is_refused_on_the_form_and_writes_nothing(
    slack, standin, runtime, workplan, metadata
):
    view = with_metadata(open_modal(slack, standin), metadata)
    inputs = {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "Links delayed"}
    reply = answer(slack.submit_view(view, inputs, user_id=OWNER))
    assert reply["response_action"] == "errors"
    [(block, message)] = reply["errors"].items()
    assert block in {"project", "rag", "progress"}
    assert "Close it and open a new one" in message and "nothing was saved" in message
    assert written(runtime) == [0, 0, 0]


@pytest.mark.parametrize(
    ("inputs", "field", "expected"),
    [
        ({"project": "abc"}, "project", "Choose the project this update is for."),
        ({"project": "99999999999999999999"}, "project", "Choose the project this update is for."),
        ({"project": "2147483648"}, "project", "Choose the project this update is for."),
        ({"project": "²"}, "project", "Choose the project this update is for."),
        ({"project": "-3"}, "project", "Choose the project this update is for."),
        ({"project": "987654"}, "project", "That project is no longer in the Work Plan; pick another."),
        ({"rag": "purple"}, "rag", "Choose red, amber or green."),
        ({"rag": "RED"}, "rag", "Choose red, amber or green."),
    ],
)
def test_a_strange_select_value_is_refused_on_its_field_and_writes_nothing(
    slack, standin, runtime, workplan, inputs, field, expected
):
    view = open_modal(slack, standin)
    given = {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "Links delayed", **inputs}
    reply = answer(slack.submit_view(view, given, user_id=OWNER))
    assert reply == {"response_action": "errors", "errors": {field: expected}}
    assert written(runtime) == [0, 0, 0]


def test_an_edit_of_an_update_that_does_not_fit_the_database_is_refused(slack, standin, runtime, workplan):
    view = with_metadata(open_modal(slack, standin), '{"update_id": 2147483648}')
    reply = answer(slack.submit_view(view, {"rag": "amber", "progress": "x"}, user_id=OWNER))
    assert reply["response_action"] == "errors"
    assert written(runtime) == [0, 0, 0]


def test_a_form_missing_a_block_is_answered_on_a_block_it_has(slack, standin, runtime, workplan):
    view = open_modal(slack, standin)
    view = {**view, "blocks": [b for b in view["blocks"] if b.get("block_id") != "progress"]}
    reply = answer(slack.submit_view(view, {"project": str(workplan["NET-01"]), "rag": "amber"}, user_id=OWNER))
    assert reply["response_action"] == "errors"
    [block] = reply["errors"]
    assert block in {"project", "rag", "next_steps", "risks"}
    assert written(runtime) == [0, 0, 0]


def test_a_form_with_no_input_block_at_all_is_answered_with_a_view(slack, standin, runtime, workplan):
    view = open_modal(slack, standin)
    view = {**view, "blocks": [b for b in view["blocks"] if b.get("type") != "input"]}
    reply = answer(slack.submit_view(view, {}, user_id=OWNER))
    assert reply["response_action"] == "update"
    assert "nothing was saved" in shown(reply["view"])
    assert written(runtime) == [0, 0, 0]


def test_a_select_whose_state_is_malformed_is_refused_on_its_field(slack, standin, runtime, workplan):
    view = open_modal(slack, standin)
    payload = slack.view_submission(
        view, {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "x"}, user_id=OWNER
    )
    payload["view"]["state"]["values"]["rag"]["rag"]["selected_option"] = "amber"  # a string, not an option
    reply = answer(slack.send_payload(payload))
    assert reply == {"response_action": "errors", "errors": {"rag": "Choose red, amber or green."}}
    assert written(runtime) == [0, 0, 0]


# -- a slow database ---------------------------------------------------------------------------------
@contextmanager
def write_lock(db_url: str) -> Iterator[None]:
    """Another connection holds the database's write lock until the block ends (then lets it go, writing
    nothing): ``BEGIN IMMEDIATE`` on SQLite, ``LOCK TABLE … IN EXCLUSIVE MODE`` (reads go on) on PostgreSQL."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return
    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            tables = ", ".join(model.__tablename__ for model in ALL_WRITTEN)
            conn.execute(text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))
            yield
            conn.rollback()
    finally:
        engine.dispose()


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=4)
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture
def served(runtime, standin, pool, monkeypatch) -> Iterator[tuple[LocalSlack, httpx.Client]]:
    """ictbot behind the real uvicorn server, listeners on a pool as ``ictbot serve`` runs them; the answer
    deadline shortened so that the test does not wait two seconds for it."""
    monkeypatch.setattr(ack_answer, "WATCHER", ack_answer.AckWatcher(within=0.2))
    driver = ictbot(runtime, standin, pool)
    with running(asgi_app(runtime, driver.app)) as base, httpx.Client(base_url=base, timeout=20) as client:
        yield driver, client


def submit_over_http(client: httpx.Client, payload: dict[str, Any]) -> httpx.Response:
    body = urlencode({"payload": json.dumps(payload)})
    return client.post("/slack/events", content=body, headers=signed(body))


def test_a_form_under_a_locked_database_is_acknowledged_at_once_and_stored_once_after(
    slack, standin, runtime, workplan, db_url, served
):
    driver, client = served
    view = open_modal(slack, standin)
    typed = {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "Links delayed by the supplier"}
    with write_lock(db_url):
        response = submit_over_http(client, driver.view_submission(view, typed, user_id=OWNER))
        stored_while_locked = written(runtime)  # read while the lock is still held
    confirmation = standin.wait_for("chat.postEphemeral")[-1].params  # once the lock has gone

    assert response.status_code == 200
    assert response.json() == {"response_action": "clear"}  # the modal closed; the answer follows
    assert stored_while_locked == [0, 0, 0]
    assert (confirmation["channel"], confirmation["user"]) == ("C0GOVERN", OWNER)
    assert "Update saved for" in json.dumps(confirmation["blocks"])
    assert "Links delayed by the supplier" in json.dumps(confirmation["blocks"])
    assert count(runtime, ProgressUpdate) == 1

    # Slack showed the officer an error all the same (or they were quick): the same form again.
    again = submit_over_http(client, driver.view_submission(view, typed, user_id=OWNER))
    assert again.status_code == 200 and again.json()["response_action"] == "update"
    assert "already saved" in shown(again.json()["view"])
    assert count(runtime, ProgressUpdate) == 1


def test_the_same_form_sent_twice_while_the_database_is_locked_is_stored_once(
    slack, standin, runtime, workplan, db_url, served, pool
):
    """Both submissions wait on the lock, each acknowledged; once it goes, the first stores and the second
    (on PostgreSQL waiting on the first's uncommitted record) finds it stored."""
    driver, client = served
    view = open_modal(slack, standin)
    typed = {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "Links delayed"}
    with write_lock(db_url):
        responses = [submit_over_http(client, driver.view_submission(view, typed, user_id=OWNER)) for _ in range(2)]
    pool.shutdown(wait=True)  # both listeners have finished

    assert [r.json() for r in responses] == [{"response_action": "clear"}] * 2
    assert count(runtime, ProgressUpdate) == 1
    assert len(standin.calls_to("chat.postEphemeral")) == 1 and standin.calls_to("chat.postMessage") == []


def test_a_refusal_that_comes_after_the_modal_closed_is_sent_with_the_typed_text(
    slack, standin, runtime, workplan, db_url, served
):
    driver, client = served
    view = open_modal(slack, standin, user_id=STRANGER)
    typed = {
        "project": str(workplan["PCI-01"]),
        "rag": "green",
        "progress": "Passed the *quarterly* scan <!here>",
        "next_steps": "Book the next one",
    }
    with write_lock(db_url):
        response = submit_over_http(client, driver.view_submission(view, typed, user_id=STRANGER))
        stored_while_locked = written(runtime)
    sent = standin.wait_for("chat.postMessage")[-1].params

    assert response.json() == {"response_action": "clear"} and stored_while_locked == [0, 0, 0]
    assert standin.calls_to("conversations.open")[-1].params["users"] == STRANGER
    assert sent["channel"] == "D0OTHER"  # a direct message: it stays, with the text, after Slack reloads
    blocks = sent["blocks"]
    everything = json.dumps(blocks)
    assert "was not saved" in sent["text"]
    assert "Only the owner or a delegate of" in everything and "PCI-01" in everything
    assert typed_shown_literally(sent, "Passed the *quarterly* scan <!here>")
    assert typed_shown_literally(sent, "Book the next one")
    assert written(runtime) == [0, 0, 0]


def test_a_database_error_after_the_modal_closed_is_apologised_for_with_the_typed_text(
    slack, standin, runtime, workplan, db_url, served
):
    driver, client = served
    view = open_modal(slack, standin)
    typed = {"project": str(workplan["NET-01"]), "rag": "red", "progress": "Core switch failed over"}
    with failing(runtime.engine, "INSERT INTO progress_update", "server closed the connection"):
        with write_lock(db_url):
            response = submit_over_http(client, driver.view_submission(view, typed, user_id=OWNER))
        sent = standin.wait_for("chat.postMessage")[-1].params

    assert response.json() == {"response_action": "clear"}
    assert sent["channel"] == "D0OWNER" and "was not saved" in sent["text"]
    assert "something went wrong on our side" in json.dumps(sent["blocks"])
    assert typed_shown_literally(sent, "Core switch failed over")
    assert written(runtime) == [0, 0, 0]


def test_a_late_confirmation_of_a_form_from_a_reminder_is_a_direct_message(
    slack, standin, runtime, workplan, db_url, served
):
    """The reminder's Post update button opens the form in the bot's DM and names no channel."""
    driver, client = served
    view = with_metadata(open_modal(slack, standin), '{"src": "reminder"}')
    typed = {"project": str(workplan["NET-01"]), "rag": "green", "progress": "Cut over"}
    with write_lock(db_url):
        response = submit_over_http(client, driver.view_submission(view, typed, user_id=OWNER))
    sent = standin.wait_for("chat.postMessage")[-1].params

    assert response.json() == {"response_action": "clear"}
    assert sent["channel"] == "D0OWNER" and "Update saved for" in json.dumps(sent["blocks"])
    assert standin.calls_to("chat.postEphemeral") == []
    assert count(runtime, ProgressUpdate) == 1
