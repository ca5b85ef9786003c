"""The request log: one JSON line a request on ``ictbot.requests``, with who, what, outcome and time."""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltRequest

from bot.dev.local import LocalSlack, signed_headers
from bot.services import updates
from handlers.slack.app import create_app
from handlers.slack.blocks.ui import EDIT_UPDATE_ACTION, UPDATE_MODAL
from handlers.slack.client import web_client
from handlers.slack.shortcuts.log_as_update import LOG_AS_UPDATE
from handlers.slack.views import update_submission
from tests.conftest import BOT_TOKEN, OWNER, SIGNING_SECRET, STRANGER
from tests.helpers import failing, last_reply, opened_view

LOGGER = "ictbot.requests"
UPDATE_TEXT = "Core links upgrade delayed by supplier"


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.INFO, logger=LOGGER)

    def read() -> list[dict[str, Any]]:
        records = [r for r in caplog.records if r.name == LOGGER]
        for r in records:
            assert r.levelno == logging.INFO
            assert "\n" not in r.getMessage()
        return [json.loads(r.getMessage()) for r in records]

    return read


def test_a_good_update_logs_one_ok_line_without_its_text(slack, standin, workplan, lines, caplog):
    slack.command("/ict-update", f"NET-01 amber {UPDATE_TEXT}", user_id=OWNER)
    [line] = lines()
    assert line == {
        "team": standin.team_id,
        "user": OWNER,
        "kind": "command",
        "what": "/ict-update",
        "outcome": "ok",
        "duration_ms": line["duration_ms"],
        "retry": 0,
    }
    assert isinstance(line["duration_ms"], int) and line["duration_ms"] >= 0
    message = next(r.getMessage() for r in caplog.records if r.name == LOGGER)
    assert message == json.dumps(line, sort_keys=True)
    assert UPDATE_TEXT not in message and "NET-01" not in message


def test_a_refused_update_is_logged_as_refused(slack, standin, workplan, lines):
    slack.command("/ict-update", "NET-01 green All done", user_id=STRANGER)
    assert "Only the owner or a delegate" in last_reply(standin)["text"]
    [line] = lines()
    assert (line["outcome"], line["user"], line["what"]) == ("refused", STRANGER, "/ict-update")


def test_an_unexpected_error_is_logged_as_error(slack, standin, workplan, lines, monkeypatch):
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom xoxb-should-never-be-logged")

    monkeypatch.setattr(updates, "post_directly", boom)
    slack.command("/ict-update", f"NET-01 amber {UPDATE_TEXT}", user_id=OWNER)
    assert "Sorry" in last_reply(standin)["text"]
    [line] = lines()
    assert line["outcome"] == "error" and line["kind"] == "command"


def test_an_error_escaping_a_listener_is_logged_as_error(slack, standin, workplan, lines, monkeypatch):
    view = _open_modal(slack, standin)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(update_submission.quickform, "validate", boom)
    slack.submit_view(view, {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "ok"}, user_id=OWNER)
    assert [(x["kind"], x["outcome"]) for x in lines()] == [("command", "ok"), ("view_submission", "error")]


def _open_modal(slack: LocalSlack, standin: Any) -> dict[str, Any]:
    slack.command("/ict-update", "", user_id=OWNER)
    return opened_view(standin)


def test_a_modal_validation_answer_is_logged_as_invalid(slack, standin, workplan, lines):
    view = _open_modal(slack, standin)
    slack.submit_view(view, {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "   "}, user_id=OWNER)
    slack.submit_view(view, {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "Fine"}, user_id=OWNER)
    opened, invalid, saved = lines()
    assert (opened["kind"], opened["what"], opened["outcome"]) == ("command", "/ict-update", "ok")
    assert (invalid["kind"], invalid["what"], invalid["outcome"]) == ("view_submission", UPDATE_MODAL, "invalid")
    assert (saved["kind"], saved["outcome"]) == ("view_submission", "ok")


def test_a_button_is_logged_with_its_action_id(slack, standin, workplan, lines):
    slack.command("/ict-update", f"NET-01 amber {UPDATE_TEXT}", user_id=OWNER)
    button = next(b for b in last_reply(standin)["blocks"] if b["type"] == "actions")["elements"][0]
    slack.button(EDIT_UPDATE_ACTION, button["value"], user_id=OWNER)
    line = lines()[-1]
    assert (line["kind"], line["what"], line["outcome"], line["user"]) == (
        "block_actions",
        EDIT_UPDATE_ACTION,
        "ok",
        OWNER,
    )
    # The button's value (an update id) is not logged: the line has only these fields, none of them it.
    assert set(line) == {"duration_ms", "kind", "outcome", "retry", "team", "user", "what"}
    assert button["value"] not in {line["what"], line["team"], line["user"]}


def test_a_message_shortcut_is_logged_with_its_callback_id_not_the_message(slack, standin, workplan, lines):
    slack.message_shortcut(LOG_AS_UPDATE, user_id=OWNER, message_text=UPDATE_TEXT, author_id=OWNER)
    [line] = lines()
    assert (line["kind"], line["what"]) == ("message_action", LOG_AS_UPDATE)
    assert UPDATE_TEXT not in json.dumps(line)


def test_a_retried_request_carries_the_retry_number(slack, workplan, lines):
    body = urlencode(slack.command_form("/ict-update", "help", user_id=OWNER))
    headers = signed_headers(SIGNING_SECRET, body, content_type="application/x-www-form-urlencoded")
    headers = {**headers, "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    assert slack.app.dispatch(BoltRequest(body=body, headers=headers)).status == 200
    [line] = lines()
    assert line["retry"] == 1 and line["outcome"] == "ok"


def test_a_forged_request_is_not_logged_as_handled(slack, workplan, lines):
    body = urlencode(slack.command_form("/ict-update", "help", user_id=OWNER))
    headers = signed_headers("not-the-secret", body, content_type="application/x-www-form-urlencoded")
    assert slack.app.dispatch(BoltRequest(body=body, headers=headers)).status == 401
    assert lines() == []


def test_one_line_after_the_listener_finishes_on_the_thread_pool(runtime, standin, workplan, lines):
    """With a thread pool as in production the listener runs after the ack; the line waits for it."""
    pool = ThreadPoolExecutor(max_workers=2)
    app = create_app(runtime, client=web_client(BOT_TOKEN, standin.api_url), listener_executor=pool)
    driver = LocalSlack(
        app=app,
        signing_secret=SIGNING_SECRET,
        response_url=standin.response_url,
        team_id=standin.team_id,
        on_ack=standin.acknowledged_with,
    )
    written = threading.Event()
    user = "U0POOLTEST"  # this request's own user: a line an earlier test's thread pool writes late is not it

    class Signal(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if json.loads(record.getMessage())["user"] == user:
                written.set()

    signal = Signal()
    logging.getLogger(LOGGER).addHandler(signal)
    release = standin.hold("views.open")
    try:
        assert driver.command("/ict-update", "", user_id=user).status == 200
        assert not written.is_set()  # acknowledged, but the listener is still waiting on views.open
        release.set()
        assert written.wait(timeout=5)
    finally:
        release.set()
        pool.shutdown(wait=True)
        logging.getLogger(LOGGER).removeHandler(signal)
    [line] = [entry for entry in lines() if entry["user"] == user]
    assert line["outcome"] == "ok" and isinstance(line["duration_ms"], int) and line["duration_ms"] >= 0


def test_no_token_reaches_any_record(slack, standin, workplan, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    slack.command("/ict-update", f"NET-01 amber {UPDATE_TEXT}", user_id=OWNER)
    slack.command("/ict-update", "NET-01 green All done", user_id=STRANGER)
    monkeypatch.setattr(updates, "post_directly", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    slack.command("/ict-update", f"NET-01 red {UPDATE_TEXT}", user_id=OWNER)
    request_lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(request_lines) == 3
    for record in caplog.records:
        assert "xoxb-" not in record.getMessage()
        assert BOT_TOKEN not in record.getMessage()


def test_a_database_error_on_the_form_is_logged_as_an_error(slack, standin, runtime, workplan, lines):
    slack.command("/ict-update", "", user_id=OWNER)
    view = opened_view(standin)

    with failing(runtime.engine, "INSERT INTO update_revision", "server closed the connection"):
        slack.submit_view(view, {"project": str(workplan["NET-01"]), "rag": "green", "progress": "ok"}, user_id=OWNER)
    assert lines()[-1]["outcome"] == "error"
